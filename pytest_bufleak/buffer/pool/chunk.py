"""Netty's ``PoolChunk``: one block of ``chunk_size`` bytes managed as runs of pages.

A run is named by a *handle* ``(run offset << 15) | pages`` (Netty packs the same two fields, plus
used/subpage flags and an element index, into a 64-bit long; here the flags are implied by where
the handle is kept and the element index travels beside it, so handles stay one-digit ints, which
CPython computes with far faster than 64-bit ones).

Free runs are filed by length class (``pages_floor_table``) in heaps ordered by offset, so the first
fit is the lowest free run of the smallest class that fits; ``_avail_map`` maps a free run's first
and last page to its handle, so freeing coalesces with both neighbours in O(1) look-ups. Every
method runs under the owning arena's lock.
"""
from __future__ import annotations

from heapq import heapify, heappop, heappush
from typing import Any, Dict, List, Tuple

from .subpage import PoolSubpage

PAGES_BITS = 15
PAGES_MASK = (1 << PAGES_BITS) - 1


def run_handle(offset: int, pages: int) -> int:
    """The handle of the run of ``pages`` pages at page ``offset``."""
    return (offset << PAGES_BITS) | pages


def run_offset(handle: int) -> int:
    """The first page of the handle's run."""
    return handle >> PAGES_BITS


def run_pages(handle: int) -> int:
    """The pages in the handle's run."""
    return handle & PAGES_MASK


class PoolChunk:
    """``chunk_size`` bytes of heap or direct memory, handed out as runs and subpage elements."""

    __slots__ = (
        "arena", "memory", "view", "chunk_size", "free_bytes", "parent", "_ceil", "_floor", "_page_shifts",
        "_runs_avail", "_avail_mask", "_avail_map", "subpages", "__weakref__",
    )

    def __init__(self, arena: Any, memory: Any, view: memoryview, size_classes: Any) -> None:
        self.arena = arena
        self.memory = memory
        self.view = view
        self.chunk_size = size_classes.chunk_size
        self.free_bytes = self.chunk_size
        self.parent: Any = None
        # page count -> page-size class: the smallest that holds it, and the largest it holds.
        self._ceil = size_classes.pages_ceil_table
        self._floor = size_classes.pages_floor_table
        self._page_shifts = size_classes.page_shifts
        self._runs_avail: List[List[int]] = [[] for _ in range(size_classes.n_psizes)]
        self._avail_mask = 0  # bit i set: _runs_avail[i] is not empty
        self._avail_map: Dict[int, int] = {}
        #: Subpages by the page offset of their run.
        self.subpages: Dict[int, PoolSubpage] = {}
        pages = self.chunk_size >> self._page_shifts
        self._insert_avail_run(0, pages, run_handle(0, pages))

    # ------------------------------------------------------------------ free runs

    def _insert_avail_run(self, offset: int, pages: int, handle: int) -> None:
        idx = self._floor[pages]
        heappush(self._runs_avail[idx], handle)
        self._avail_mask |= 1 << idx
        amap = self._avail_map
        amap[offset] = handle
        if pages > 1:
            amap[offset + pages - 1] = handle

    def _remove_avail_run(self, offset: int, pages: int, handle: int) -> None:
        idx = self._floor[pages]
        queue = self._runs_avail[idx]
        if queue[0] == handle:
            heappop(queue)
        else:
            queue.remove(handle)
            heapify(queue)
        if not queue:
            self._avail_mask &= ~(1 << idx)
        amap = self._avail_map
        del amap[offset]
        if pages > 1:
            del amap[offset + pages - 1]

    # ------------------------------------------------------------------ runs

    def allocate_run(self, run_size: int) -> int:
        """Netty's ``allocateRun``: the handle of a run of ``run_size`` bytes (a page multiple), or -1."""
        # _remove_avail_run and _insert_avail_run inlined: this is every normal-size arena allocation.
        pages = run_size >> self._page_shifts
        first = self._ceil[pages]
        mask = self._avail_mask >> first
        if not mask:
            return -1
        idx = first + (mask & -mask).bit_length() - 1
        queue = self._runs_avail[idx]
        handle = heappop(queue)  # the lowest free run of the best-fitting class
        if not queue:
            self._avail_mask ^= 1 << idx
        offset = handle >> PAGES_BITS
        total = handle & PAGES_MASK
        amap = self._avail_map
        del amap[offset]
        if total > 1:
            del amap[offset + total - 1]
        if total > pages:
            rest_offset, rest = offset + pages, total - pages
            rest_handle = (rest_offset << PAGES_BITS) | rest
            idx = self._floor[rest]
            heappush(self._runs_avail[idx], rest_handle)
            self._avail_mask |= 1 << idx
            amap[rest_offset] = rest_handle
            if rest > 1:
                amap[rest_offset + rest - 1] = rest_handle
        self.free_bytes -= run_size
        return (offset << PAGES_BITS) | pages

    def free_run(self, handle: int) -> None:
        """Give a run back, coalescing it with free neighbours (Netty's ``collapseRuns``)."""
        offset = handle >> PAGES_BITS
        pages = handle & PAGES_MASK
        self.free_bytes += pages << self._page_shifts
        amap = self._avail_map
        past = amap.get(offset - 1)
        if past is not None:
            past_offset = past >> PAGES_BITS
            past_pages = past & PAGES_MASK
            if past_offset + past_pages == offset:
                self._remove_avail_run(past_offset, past_pages, past)
                offset, pages = past_offset, past_pages + pages
        nxt = amap.get(offset + pages)
        if nxt is not None and nxt >> PAGES_BITS == offset + pages:
            next_pages = nxt & PAGES_MASK
            self._remove_avail_run(offset + pages, next_pages, nxt)
            pages += next_pages
        # _insert_avail_run, inlined: this is every normal-size arena free.
        handle = (offset << PAGES_BITS) | pages
        idx = self._floor[pages]
        heappush(self._runs_avail[idx], handle)
        self._avail_mask |= 1 << idx
        amap[offset] = handle
        if pages > 1:
            amap[offset + pages - 1] = handle

    # ------------------------------------------------------------------ figures

    def usage(self) -> int:
        """Percent of the chunk in use (Netty's rounding: 99 until the last page is free, 100 only when full)."""
        free = self.free_bytes
        if free == 0:
            return 100
        percent = free * 100 // self.chunk_size
        return 99 if percent == 0 else 100 - percent

    def free_runs(self) -> List[Tuple[int, int]]:
        """The free runs as ``(page offset, pages)``, lowest offset first (for tests and debugging)."""
        return sorted({(h >> PAGES_BITS, h & PAGES_MASK) for h in self._avail_map.values()})

    def __repr__(self) -> str:
        return f"Chunk({self.usage()}%, {self.chunk_size - self.free_bytes}/{self.chunk_size})"
