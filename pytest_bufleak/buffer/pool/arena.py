"""Netty's ``PoolArena``: chunks of one memory kind, their usage lists, and the small-size subpage pools.

An arena hands out *regions*: tuples ``(view, size_idx, chunk, handle, length)`` where ``view`` is a
memoryview of exactly ``length`` bytes of the chunk and ``handle`` the chunk's name for it: a run
handle for a normal size, ``(run offset << 15) | element index`` for a small one. A region is made
once when its memory leaves the arena and then travels as is through the thread caches, so a cache
hit needs no slicing.
Huge sizes (above the chunk size) get a region of their own memory, freed when it comes back.
All state changes happen under the arena lock; memory coming back from code that must not block
(a dying thread's cache) is queued on ``pending`` and freed at the next locked operation.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, List, Tuple

from .. import memory
from .chunk import PAGES_BITS, PAGES_MASK, PoolChunk
from .chunk_list import PoolChunkList
from .size_classes import SizeClasses
from .subpage import PoolSubpage

Region = Tuple[memoryview, int, Any, int, int]
VIEW, SIZE_IDX, CHUNK, HANDLE, LENGTH = range(5)


def heap_memory(size: int) -> Tuple[bytearray, memoryview]:
    """A chunk's worth of heap memory and a view over it."""
    mem = memory.heap(size)
    return mem, memoryview(mem)


def direct_memory(size: int) -> Tuple[memory.DirectMemory, memoryview]:
    """A chunk's worth of anonymous mmap memory and a view over it."""
    mem = memory.DirectMemory(size)
    return mem, mem.view


class HugeChunk:
    """The memory of one huge region: allocated for it alone and freed with it (Netty's unpooled chunk)."""

    __slots__ = ("arena", "memory", "size", "region")

    def __init__(self, arena: PoolArena, size: int) -> None:
        self.arena = arena
        self.memory, view = arena.new_memory(size)
        self.size = size
        self.region: Region = (view, arena.size_classes.n_sizes, self, 0, size)


def _run_size(sc: SizeClasses, size_idx: int) -> int:
    """Netty's ``calculateRunSize``: the smallest page multiple that divides evenly into elements."""
    elem = sc.size_idx2size[size_idx]
    max_elements = 1 << (sc.page_shifts - 4)
    run = 0
    while True:
        run += sc.page_size
        n = run // elem
        if n >= max_elements or run == n * elem:
            break
    while n > max_elements:
        run -= sc.page_size
        n = run // elem
    # A small chunk (few pages) may not hold the common multiple: use what fits.
    return min(run, sc.chunk_size)


class PoolArena:
    """One arena: heap (``bytearray`` chunks) or direct (``mmap`` chunks), shared by several threads."""

    def __init__(self, name: str, size_classes: SizeClasses, direct: bool, pooled: bool = True,
                 max_empty_chunks: int = 0) -> None:
        self.name = name
        self.size_classes = size_classes
        self.direct = direct
        self.new_memory: Callable[[int], Tuple[Any, memoryview]] = direct_memory if direct else heap_memory
        self.lock = threading.Lock()
        #: Regions given back where taking the lock was not allowed; freed at the next locked operation.
        self.pending: List[Region] = []
        self.num_thread_caches = 0
        #: Chunks that emptied, kept for reuse instead of mapping new ones (at most ``max_empty_chunks``).
        self.empty_chunks: List[PoolChunk] = []
        self.max_empty_chunks = max_empty_chunks
        sc = size_classes
        # Sizes from this index up are allocated unpooled: huge ones, or all when the arena is not pooled.
        self._first_unpooled = sc.n_sizes if pooled else 0
        self._run_sizes = [_run_size(sc, i) if i <= sc.small_max_size_idx else sc.size_idx2size[i]
                           for i in range(sc.n_sizes)]
        self._small_max = sc.small_max_size_idx
        self._page_shifts = sc.page_shifts
        self._subpage_pools: List[List[PoolSubpage]] = [[] for _ in range(sc.n_subpages)]
        cs = sc.chunk_size
        self.q100 = PoolChunkList("q100", None, 100, 2**31 - 1, cs)
        self.q075 = PoolChunkList("q075", self.q100, 75, 100, cs)
        self.q050 = PoolChunkList("q050", self.q075, 50, 100, cs)
        self.q025 = PoolChunkList("q025", self.q050, 25, 75, cs)
        self.q000 = PoolChunkList("q000", self.q025, 1, 50, cs)
        self.q_init = PoolChunkList("qInit", self.q000, -2**31, 25, cs)
        self.q100.prev_list, self.q075.prev_list = self.q075, self.q050
        self.q050.prev_list, self.q025.prev_list = self.q025, self.q000
        self.q_init.prev_list = self.q_init
        self.chunk_lists = (self.q_init, self.q000, self.q025, self.q050, self.q075, self.q100)
        self._alloc_order = (self.q050, self.q025, self.q000, self.q_init, self.q075)
        # Netty's arena figures (memory leaving and re-entering the arena, not thread-cache traffic).
        self.allocations_small = self.allocations_normal = self.allocations_huge = 0
        self.deallocations_small = self.deallocations_normal = self.deallocations_huge = 0
        self.active_bytes_huge = 0
        self.chunks_created = self.chunks_destroyed = 0

    # ------------------------------------------------------------------ allocation

    def allocate(self, size_idx: int, req_capacity: int) -> Region:
        """A region of size class ``size_idx`` (``req_capacity`` bytes exactly when huge)."""
        if size_idx >= self._first_unpooled:
            return self._allocate_huge(req_capacity)
        lock = self.lock
        lock.acquire()
        try:
            if self.pending:
                self._drain_pending()
            if size_idx <= self._small_max:
                self.allocations_small += 1
                return self._allocate_small(size_idx)
            self.allocations_normal += 1
            chunk, handle = self._allocate_run(self._run_sizes[size_idx])
            length = self.size_classes.size_idx2size[size_idx]
            start = (handle >> PAGES_BITS) << self._page_shifts
            return (chunk.view[start:start + length], size_idx, chunk, handle, length)
        finally:
            lock.release()

    def _allocate_small(self, size_idx: int) -> Region:
        pool = self._subpage_pools[size_idx]
        if pool:
            subpage = pool[-1]
        else:
            chunk, handle = self._allocate_run(self._run_sizes[size_idx])
            offset = handle >> PAGES_BITS
            subpage = PoolSubpage(chunk, handle, offset, self._run_sizes[size_idx],
                                  self.size_classes.size_idx2size[size_idx], size_idx)
            chunk.subpages[offset] = subpage
            subpage.in_pool = True
            pool.append(subpage)
        bit = subpage.allocate()
        if not subpage.num_avail:
            pool.pop()
            subpage.in_pool = False
        elem = subpage.elem_size
        start = (subpage.run_offset << self._page_shifts) + bit * elem
        handle = (subpage.run_offset << PAGES_BITS) | bit
        chunk = subpage.chunk
        return (chunk.view[start:start + elem], size_idx, chunk, handle, elem)

    def _allocate_run(self, run_size: int) -> Tuple[PoolChunk, int]:
        # Netty's allocateNormal: q050, q025, q000, qInit, q075, then a new chunk (the loop of
        # PoolChunkList.allocate inlined: this is every cache miss).
        for chunk_list in self._alloc_order:
            chunks = chunk_list.chunks
            if chunks and run_size <= chunk_list.max_capacity:
                for chunk in chunks:
                    handle = chunk.allocate_run(run_size)
                    if handle >= 0:
                        if chunk.free_bytes <= chunk_list.free_min_threshold:
                            chunk_list.move_up(chunk)
                        return chunk, handle
        chunk = self._new_chunk()
        handle = chunk.allocate_run(run_size)
        self.q_init.add(chunk)
        return chunk, handle

    def _new_chunk(self) -> PoolChunk:
        if self.empty_chunks:
            return self.empty_chunks.pop()
        mem, view = self.new_memory(self.size_classes.chunk_size)
        self.chunks_created += 1
        return PoolChunk(self, mem, view, self.size_classes)

    def _allocate_huge(self, size: int) -> Region:
        chunk = HugeChunk(self, size)
        with self.lock:
            self.allocations_huge += 1
            self.active_bytes_huge += size
        return chunk.region

    # ------------------------------------------------------------------ free

    def free(self, region: Region) -> None:
        """Take a region back: huge memory is released, pooled memory returns to its chunk."""
        chunk = region[CHUNK]
        if type(chunk) is HugeChunk:
            with self.lock:
                self.deallocations_huge += 1
                self.active_bytes_huge -= chunk.size
            if self.direct:
                chunk.memory.free()
            return
        lock = self.lock
        lock.acquire()
        try:
            if self.pending:
                self._drain_pending()
            self._free_locked(chunk, region[SIZE_IDX], region[HANDLE])
        finally:
            lock.release()

    def _free_locked(self, chunk: PoolChunk, size_idx: int, handle: int) -> None:
        if size_idx <= self._small_max:
            self.deallocations_small += 1
            subpage = chunk.subpages[handle >> PAGES_BITS]
            subpage.free(handle & PAGES_MASK)
            pool = self._subpage_pools[size_idx]
            if not subpage.in_pool:
                subpage.in_pool = True
                pool.append(subpage)
            if subpage.num_avail != subpage.max_num_elems or len(pool) == 1:
                return  # still in use, or the last subpage of its size: keep it (as Netty does)
            pool.remove(subpage)
            subpage.in_pool = False
            del chunk.subpages[subpage.run_offset]
            handle = subpage.run_handle
        else:
            self.deallocations_normal += 1
        chunk.free_run(handle)
        chunk_list = chunk.parent
        if chunk.free_bytes > chunk_list.free_max_threshold and not chunk_list.move_down(chunk):
            self._retire(chunk)

    def _retire(self, chunk: PoolChunk) -> None:
        """A chunk emptied out of ``q000``: keep it for reuse while the reserve has room, else unmap it."""
        if len(self.empty_chunks) < self.max_empty_chunks:
            self.empty_chunks.append(chunk)
        else:
            self._destroy(chunk)

    def _destroy(self, chunk: PoolChunk) -> None:
        self.chunks_destroyed += 1
        if self.direct:
            chunk.memory.free()

    def release_empty_chunks(self) -> int:
        """Unmap the reserve of empty chunks; return how many there were."""
        with self.lock:
            if self.pending:
                self._drain_pending()
            chunks, self.empty_chunks = self.empty_chunks, []
            for chunk in chunks:
                self._destroy(chunk)
            return len(chunks)

    def _drain_pending(self) -> None:
        pending = self.pending
        while pending:
            region = pending.pop()
            self._free_locked(region[CHUNK], region[SIZE_IDX], region[HANDLE])

    # ------------------------------------------------------------------ figures

    def drain_pending(self) -> None:
        """Free what dying thread caches queued (done anyway by the next allocation or free)."""
        with self.lock:
            self._drain_pending()

    def chunks(self) -> List[PoolChunk]:
        """The chunks this arena holds now, in use or kept empty for reuse."""
        with self.lock:
            self._drain_pending()
            return [c for chunk_list in self.chunk_lists for c in chunk_list] + self.empty_chunks

    def __repr__(self) -> str:
        kind = "direct" if self.direct else "heap"
        return f"PoolArena({self.name}, {kind}, chunks: {len(self.chunks())}, threadCaches: {self.num_thread_caches})"
