"""Netty's ``PoolChunk``: one block of ``chunk_size`` bytes managed as runs of pages.

A *handle* is Netty's 64-bit layout::

    run offset (15 bits) | pages (15 bits) | used (1) | subpage (1) | bitmap index (32)

Free runs are filed by length class (``pages2page_idx_floor``) in heaps ordered by offset, so the
first fit is the lowest free run of the smallest class that fits; ``_avail_map`` maps a free run's
first and last page to its handle, so freeing coalesces with both neighbours in O(1) look-ups.
Every method runs under the owning arena's lock.
"""
from __future__ import annotations

import heapq
from typing import Any, Dict, List, Optional

from .subpage import PoolSubpage

RUN_OFFSET_SHIFT = 49
SIZE_SHIFT = 34
IS_USED_SHIFT = 33
IS_SUBPAGE_SHIFT = 32
_PAGES_MASK = 0x7FFF
_BITMAP_MASK = 0xFFFFFFFF


def to_run_handle(run_offset: int, pages: int, in_use: int) -> int:
    """A run handle (no subpage, bitmap index 0)."""
    return (run_offset << RUN_OFFSET_SHIFT) | (pages << SIZE_SHIFT) | (in_use << IS_USED_SHIFT)


def run_offset(handle: int) -> int:
    """The first page of the handle's run."""
    return handle >> RUN_OFFSET_SHIFT


def run_pages(handle: int) -> int:
    """The pages in the handle's run."""
    return (handle >> SIZE_SHIFT) & _PAGES_MASK


def is_used(handle: int) -> bool:
    """True when the run is allocated."""
    return bool((handle >> IS_USED_SHIFT) & 1)


def is_subpage(handle: int) -> bool:
    """True when the handle names an element of a subpage."""
    return bool((handle >> IS_SUBPAGE_SHIFT) & 1)


def bitmap_idx(handle: int) -> int:
    """The element index of a subpage handle."""
    return handle & _BITMAP_MASK


class PoolChunk:
    """``chunk_size`` bytes of heap or direct memory, handed out as runs and subpage elements."""

    __slots__ = (
        "arena", "memory", "view", "chunk_size", "free_bytes", "parent", "_sc", "_page_shifts",
        "_runs_avail", "_avail_mask", "_avail_map", "subpages", "__weakref__",
    )

    def __init__(self, arena: Any, memory: Any, view: memoryview, size_classes: Any) -> None:
        self.arena = arena
        self.memory = memory
        self.view = view
        self.chunk_size = size_classes.chunk_size
        self.free_bytes = self.chunk_size
        self.parent: Any = None
        self._sc = size_classes
        self._page_shifts = size_classes.page_shifts
        self._runs_avail: List[List[int]] = [[] for _ in range(size_classes.n_psizes)]
        self._avail_mask = 0
        self._avail_map: Dict[int, int] = {}
        #: Subpages by the page offset of their run.
        self.subpages: Dict[int, PoolSubpage] = {}
        pages = self.chunk_size >> self._page_shifts
        self._insert_avail_run(0, pages, to_run_handle(0, pages, 0))

    # ------------------------------------------------------------------ free runs

    def _insert_avail_run(self, offset: int, pages: int, handle: int) -> None:
        idx = self._sc.pages2page_idx_floor(pages)
        heapq.heappush(self._runs_avail[idx], handle)
        self._avail_mask |= 1 << idx
        amap = self._avail_map
        amap[offset] = handle
        if pages > 1:
            amap[offset + pages - 1] = handle

    def _remove_avail_run(self, handle: int) -> None:
        pages = run_pages(handle)
        idx = self._sc.pages2page_idx_floor(pages)
        queue = self._runs_avail[idx]
        if queue[0] == handle:
            heapq.heappop(queue)
        else:
            queue.remove(handle)
            heapq.heapify(queue)
        if not queue:
            self._avail_mask &= ~(1 << idx)
        offset = run_offset(handle)
        amap = self._avail_map
        del amap[offset]
        if pages > 1:
            del amap[offset + pages - 1]

    # ------------------------------------------------------------------ allocation

    def allocate_run(self, run_size: int) -> int:
        """Netty's ``allocateRun``: a used run of ``run_size`` bytes (a page multiple), or -1 if none fits."""
        pages = run_size >> self._page_shifts
        mask = self._avail_mask >> self._sc.pages2page_idx(pages)
        if not mask:
            return -1
        idx = self._sc.pages2page_idx(pages) + (mask & -mask).bit_length() - 1
        handle = self._runs_avail[idx][0]
        self._remove_avail_run(handle)
        total = run_pages(handle)
        offset = run_offset(handle)
        if total > pages:
            rest = total - pages
            self._insert_avail_run(offset + pages, rest, to_run_handle(offset + pages, rest, 0))
        self.free_bytes -= pages << self._page_shifts
        return to_run_handle(offset, pages, 1)

    def allocate_subpage(self, run_size: int, elem_size: int) -> Optional[PoolSubpage]:
        """A new subpage of ``elem_size`` elements on a fresh run of ``run_size`` bytes, or None if none fits."""
        handle = self.allocate_run(run_size)
        if handle < 0:
            return None
        offset = run_offset(handle)
        subpage = PoolSubpage(self, handle, offset, run_size, elem_size)
        self.subpages[offset] = subpage
        return subpage

    # ------------------------------------------------------------------ free

    def free_run(self, handle: int) -> None:
        """Give a run back, coalescing it with free neighbours (Netty's ``collapseRuns``)."""
        offset, pages = run_offset(handle), run_pages(handle)
        self.subpages.pop(offset, None)
        self.free_bytes += pages << self._page_shifts
        amap = self._avail_map
        past = amap.get(offset - 1)
        if past is not None:
            past_offset, past_pages = run_offset(past), run_pages(past)
            if past_offset + past_pages == offset:
                self._remove_avail_run(past)
                offset, pages = past_offset, past_pages + pages
        nxt = amap.get(offset + pages)
        if nxt is not None and run_offset(nxt) == offset + pages:
            self._remove_avail_run(nxt)
            pages += run_pages(nxt)
        self._insert_avail_run(offset, pages, to_run_handle(offset, pages, 0))

    # ------------------------------------------------------------------ figures

    def usage(self) -> int:
        """Percent of the chunk in use (Netty's rounding: 99 until the last page is free, 100 only when full)."""
        free = self.free_bytes
        if free == 0:
            return 100
        percent = free * 100 // self.chunk_size
        return 99 if percent == 0 else 100 - percent

    def free_runs(self) -> List[tuple]:
        """The free runs as ``(page offset, pages)``, lowest offset first (for tests and debugging)."""
        return sorted({(run_offset(h), run_pages(h)) for h in self._avail_map.values()})

    def __repr__(self) -> str:
        return f"Chunk({self.usage()}%, {self.chunk_size - self.free_bytes}/{self.chunk_size})"
