"""PooledByteBufAllocator: Netty's pooled allocator (size classes, arenas, per-thread caches, metrics).

Memory comes from 4 MiB chunks (``page_size << max_order``) that arenas keep and reuse: small sizes
(up to 28 KiB) are elements of subpages, normal sizes (up to the chunk size) runs of pages, huge
sizes get memory of their own. Each thread is bound to the least used heap and direct arena and has
a cache of recently released regions, so that a typical ``buffer()``/``release()`` pair is a list
pop and a list push. Memory is reused without being zeroed, like Netty's; a released buffer handle
is poisoned by :class:`ByteBuf`, so it can never see the next owner's bytes.
"""
from __future__ import annotations

import os
import threading
from threading import get_ident
from typing import Callable, List, Optional, Tuple

from . import compiled_fast_paths, tracking
from .allocator import ByteBufAllocator
from .args import int_arg
from .bytebuf import DEFAULT_INITIAL_CAPACITY, DEFAULT_MAX_CAPACITY, ByteBuf, check_capacities
from .pool.arena import LENGTH, SIZE_IDX, VIEW, PoolArena, Region
from .pool.size_classes import SizeClasses
from .pool.thread_cache import CacheCounters, PoolThreadCache

__all__ = [
    "PoolArenaMetric",
    "PooledByteBufAllocator",
    "PooledByteBufAllocatorMetric",
    "PooledDirectByteBuf",
    "PooledHeapByteBuf",
    "ReadBufferCache",
]

MIN_PAGE_SIZE = 4096
MAX_CHUNK_SIZE = 1 << 30


class _PooledByteBuf(ByteBuf):
    """A buffer on a region of a pooled chunk (``_region``): ``_mem`` is its view, ``capacity <= len(region)``."""

    __slots__ = ()

    _direct = False

    def is_direct(self) -> bool:
        return self._direct

    def _max_fast_writable_bytes(self) -> int:
        # Netty: min(maxLength, maxCapacity) - writerIndex; growth within the region copies nothing.
        return min(self._region[LENGTH], self._max_cap) - self._widx

    def _reallocate(self, new_capacity: int) -> Optional[Callable[[], None]]:
        region = self._region
        length = region[LENGTH]
        alloc = self._alloc
        if region[SIZE_IDX] < alloc._n_sizes:  # pooled: stay in the region when Netty would
            if new_capacity > self._cap:
                if new_capacity <= length:
                    return None
            elif new_capacity > length >> 1 and (length > 512 or new_capacity > length - 16):
                return None
        direct = self._direct
        new = alloc._thread_cache().allocate(direct, alloc._size_classes.size_index(new_capacity), new_capacity)
        keep = min(self._cap, new_capacity)
        if keep:
            new[VIEW][:keep] = region[VIEW][:keep]
        self._region, self._mem = new, new[VIEW]

        def free_old() -> None:
            alloc._thread_cache().release(direct, region)

        return free_old

    def _deallocate(self) -> None:
        # The thread-cache push of PoolThreadCache.release, inlined: this is every buffer's release.
        region = self._region
        self._region = None
        try:
            cache = self._alloc._local.cache
        except AttributeError:  # released on a thread that never used this allocator
            cache = self._alloc._new_thread_cache()
        idx = region[1]
        if self._direct:
            cache.direct_deallocs[idx] += 1
            stack = cache.direct[idx]
        else:
            cache.heap_deallocs[idx] += 1
            stack = cache.heap[idx]
        if len(stack) < cache.limits[idx]:
            stack.append(region)
        else:
            cache.release_to_arena(self._direct, region)


class PooledHeapByteBuf(_PooledByteBuf):
    """A pooled buffer on a ``bytearray`` chunk of a heap arena."""

    __slots__ = ()


class PooledDirectByteBuf(_PooledByteBuf):
    """A pooled buffer on an anonymous ``mmap`` chunk of a direct arena."""

    __slots__ = ()

    _direct = True


class _PooledReadByteBuf(PooledDirectByteBuf):
    """A buffer from a :class:`ReadBufferCache`: released on the reader's thread, its region goes back there."""

    __slots__ = ("_reads",)

    def _deallocate(self) -> None:
        reads = self._reads
        region = self._region
        if reads.spare is None and reads.thread == get_ident() and region[SIZE_IDX] < reads.n_sizes and not reads.closed:
            self._region = None
            reads.deallocs[region[SIZE_IDX]] += 1  # counted as freed, like a region in the thread cache
            reads.spare = region
        else:
            PooledDirectByteBuf._deallocate(self)


# The recycling is an implementation detail: reprs and leak reports show the pooled direct buffer it is.
_PooledReadByteBuf.__name__ = _PooledReadByteBuf.__qualname__ = "PooledDirectByteBuf"


class ReadBufferCache:
    """Direct buffers for one reader on one thread (a socket's receive path), reusing the last one's memory.

    A transport reads into a new buffer and hands it on; usually the buffer is released before the next
    read. Its region then waits here rather than in the thread cache, and the next :meth:`buffer` takes it
    back without a size lookup or, for reads larger than ``max_cached_buffer_capacity`` (which the thread
    cache does not keep), a trip to the arena. Every read still gets a new handle: a released one stays
    poisoned. A region released on another thread, or while one is already waiting, goes the usual way;
    :meth:`close` gives the waiting one back. The waiting region counts as free in the allocator's
    ``used_direct_memory`` and ``num_active_allocations``, as a thread-cached one does.
    """

    __slots__ = ("_alloc", "_cache", "thread", "n_sizes", "deallocs", "spare", "closed")

    def __init__(self, alloc: PooledByteBufAllocator) -> None:
        self._alloc = alloc
        cache = self._cache = alloc._thread_cache()
        self.thread = get_ident()
        self.n_sizes = alloc._n_sizes
        self.deallocs = cache.direct_deallocs
        self.spare: Optional[Region] = None
        self.closed = False

    @staticmethod
    def for_allocator(alloc: ByteBufAllocator) -> Optional[ReadBufferCache]:
        """A cache for the calling thread, or None when ``alloc`` makes its I/O buffers some other way."""
        cls = type(alloc)
        if (isinstance(alloc, PooledByteBufAllocator) and alloc.is_direct_buffer_pooled()
                and cls.io_buffer is ByteBufAllocator.io_buffer
                and cls.direct_buffer is PooledByteBufAllocator.direct_buffer
                and cls._new_direct_buffer is PooledByteBufAllocator._new_direct_buffer):
            return ReadBufferCache(alloc)
        return None

    def buffer(self, capacity: int) -> ByteBuf:
        """A direct buffer of ``capacity`` bytes (``alloc.io_buffer(capacity)``); call it on this cache's thread."""
        if type(capacity) is not int:
            capacity = int_arg(capacity, "capacity")
        region = self.spare
        if region is not None:
            self.spare = None
            # At most twice the size asked for: an idle connection does not pin a large region.
            if capacity <= region[LENGTH] <= capacity << 1:
                self._cache.direct_allocs[region[SIZE_IDX]] += 1
            else:
                self._cache.keep(True, region)
                region = None
        if region is None:
            if not 0 <= capacity <= DEFAULT_MAX_CAPACITY:
                return self._alloc.io_buffer(capacity)  # raises as the allocator does
            region = self._cache.allocate(True, self._alloc._size_classes.size_index(capacity), capacity)
        buf = _PooledReadByteBuf(self._alloc, region[VIEW], capacity, DEFAULT_MAX_CAPACITY)
        buf._region = region
        buf._reads = self
        hook = tracking.hook
        if hook is not None:
            buf._leak = hook(buf)
            return buf
        return tracking.count_down(buf, self._cache)

    def close(self) -> None:
        """Give the waiting region back and keep none from now on (the reader is done)."""
        self.closed = True
        region, self.spare = self.spare, None
        if region is not None:
            self._cache.keep(True, region)


def _bad(python_name: str, netty_name: str, value: object, expected: str) -> ValueError:
    """Netty's message (searchable), naming the Python argument too."""
    return ValueError(f"{netty_name}: {value} (expected: {expected}) [argument {python_name}]")


def _validate(page_size: int, max_order: int, counts: dict) -> None:
    """Netty's checks of the constructor's arguments (already ints)."""
    for (python_name, netty_name), value in counts.items():
        if value < 0:
            raise _bad(python_name, netty_name, value, ">= 0")
    if page_size <= 0 or page_size & (page_size - 1):
        raise _bad("page_size", "pageSize", page_size, "power of 2")
    if page_size < MIN_PAGE_SIZE:
        raise _bad("page_size", "pageSize", page_size, f">= {MIN_PAGE_SIZE}")
    if not 0 <= max_order <= 14:
        raise _bad("max_order", "maxOrder", max_order, "0-14")
    if page_size << max_order > MAX_CHUNK_SIZE:
        raise ValueError(f"pageSize ({page_size}) << maxOrder ({max_order}) must not exceed {MAX_CHUNK_SIZE} "
                         "[arguments page_size, max_order]")


def _allocation_fast_path(buffer_class: type, doc: str) -> Callable[..., ByteBuf]:
    """``heap_buffer`` or ``direct_buffer`` of the pooled allocator: the whole fast path in one frame.

    Argument check, PoolThreadCache.allocate's cache hit (a list pop), the handle, and leak detection's
    hook or this thread's sampling countdown, inlined: one helper call more per allocation measured
    4.5% more instructions (callgrind).
    """
    direct = buffer_class._direct
    kind = 1 if direct else 0  # an int: indexing a tuple with a bool is not specialised
    general = ByteBufAllocator.direct_buffer if direct else ByteBufAllocator.heap_buffer

    def allocate(self: PooledByteBufAllocator, initial_capacity: int = DEFAULT_INITIAL_CAPACITY,
                 max_capacity: int = DEFAULT_MAX_CAPACITY) -> ByteBuf:
        if not self._inlined[kind]:  # the class makes these buffers its own way (_new_*_buffer)
            return general(self, initial_capacity, max_capacity)
        if (type(initial_capacity) is not int or type(max_capacity) is not int
                or not 0 <= initial_capacity <= max_capacity):
            initial_capacity, max_capacity = check_capacities(initial_capacity, max_capacity)
        try:
            cache = self._local.cache
        except AttributeError:
            cache = self._new_thread_cache()
        if initial_capacity <= 4096:
            idx = self._small_index[(initial_capacity + 15) >> 4]
        else:
            idx = self._size_classes.size_index(initial_capacity)
        stack = (cache.direct if direct else cache.heap)[idx]
        region = stack.pop() if stack else cache.allocate_from_arena(direct, idx, initial_capacity)
        # region[1], not idx: an unpooled region is counted as huge
        (cache.direct_allocs if direct else cache.heap_allocs)[region[1]] += 1
        buf = buffer_class(self, region[0], initial_capacity, max_capacity)
        buf._region = region
        hook = tracking.hook  # tracking.track with count_down, inlined
        if hook is not None:
            buf._leak = hook(buf)
        else:
            left = cache.countdown - 1
            if left > 0:
                cache.countdown = left
            else:
                buf._leak = tracking.sample(buf, cache)
        return buf

    allocate.__name__ = "direct_buffer" if direct else "heap_buffer"
    allocate.__qualname__ = f"PooledByteBufAllocator.{allocate.__name__}"
    allocate.__doc__ = doc
    return allocate


class PooledByteBufAllocator(ByteBufAllocator):
    """Netty's ``PooledByteBufAllocator``; ``ByteBufAllocator.DEFAULT`` is one with the defaults.

    :param prefer_direct: ``buffer()`` gives direct (mmap) memory instead of heap memory.
    :param n_heap_arenas / n_direct_arenas: arenas per kind (default: twice the CPU count); with 0,
        buffers of that kind are allocated unpooled.
    :param page_size: a power of two, at least 4096; ``max_order``: 0-14; the chunk is ``page_size << max_order``.
    :param small_cache_size / normal_cache_size: regions each thread caches per small / normal size class.
    :param max_cached_buffer_capacity: the largest size a thread caches.
    :param cache_trim_interval: every this many cache misses and overflows, a thread frees the cached
        regions it did not use since the last time (Netty counts allocations; the hot path here counts nothing).
    :param max_empty_chunks: chunks per arena kept for reuse once they empty (Netty unmaps them at once;
        keeping a few spares the page faults of mapping them again on the next burst). ``trim()`` unmaps them.
    """

    def __init__(self, prefer_direct: bool = False, n_heap_arenas: Optional[int] = None,
                 n_direct_arenas: Optional[int] = None, page_size: int = 8192, max_order: int = 9,
                 small_cache_size: int = 256, normal_cache_size: int = 64,
                 max_cached_buffer_capacity: int = 32 * 1024, cache_trim_interval: int = 8192,
                 max_empty_chunks: int = 16) -> None:
        super().__init__(prefer_direct)
        self._inlined = type(self)._inlined  # read on every allocation: an instance attribute is the fastest
        default_arenas = 2 * (os.cpu_count() or 1)
        n_heap_arenas = default_arenas if n_heap_arenas is None else int_arg(n_heap_arenas, "n_heap_arenas")
        n_direct_arenas = default_arenas if n_direct_arenas is None else int_arg(n_direct_arenas, "n_direct_arenas")
        page_size, max_order = int_arg(page_size, "page_size"), int_arg(max_order, "max_order")
        small_cache_size = int_arg(small_cache_size, "small_cache_size")
        normal_cache_size = int_arg(normal_cache_size, "normal_cache_size")
        max_cached_buffer_capacity = int_arg(max_cached_buffer_capacity, "max_cached_buffer_capacity")
        cache_trim_interval = int_arg(cache_trim_interval, "cache_trim_interval")
        max_empty_chunks = int_arg(max_empty_chunks, "max_empty_chunks")
        _validate(page_size, max_order, {
            ("n_heap_arenas", "nHeapArena"): n_heap_arenas, ("n_direct_arenas", "nDirectArena"): n_direct_arenas,
            ("small_cache_size", "smallCacheSize"): small_cache_size,
            ("normal_cache_size", "normalCacheSize"): normal_cache_size,
            ("max_cached_buffer_capacity", "maxCachedBufferCapacity"): max_cached_buffer_capacity,
            ("max_empty_chunks", "maxEmptyChunks"): max_empty_chunks,
        })
        if cache_trim_interval < 1:
            raise _bad("cache_trim_interval", "cacheTrimInterval", cache_trim_interval, "> 0")
        chunk_size = page_size << max_order
        sc = self._size_classes = SizeClasses(page_size, page_size.bit_length() - 1, chunk_size)
        self._n_sizes = sc.n_sizes
        self._small_index = sc._small
        self._page_size = page_size
        self._small_cache_size, self._normal_cache_size = small_cache_size, normal_cache_size
        self._heap_arenas = [PoolArena(f"heap-{i}", sc, False, True, max_empty_chunks) for i in range(n_heap_arenas)]
        self._direct_arenas = [PoolArena(f"direct-{i}", sc, True, True, max_empty_chunks)
                               for i in range(n_direct_arenas)]
        self._unpooled_heap = PoolArena("unpooled-heap", sc, direct=False, pooled=False)
        self._unpooled_direct = PoolArena("unpooled-direct", sc, direct=True, pooled=False)
        limits = []
        for idx, size in enumerate(sc.size_idx2size):
            limit = small_cache_size if sc.is_subpage(idx) else normal_cache_size
            limits.append(limit if size <= max_cached_buffer_capacity else 0)
        self._limits = limits + [0]  # index n_sizes: huge, never cached
        self._cache_trim_interval = cache_trim_interval
        self._registry_lock = threading.Lock()
        self._counters: List[CacheCounters] = []  # one per live thread cache
        self._dead: List[CacheCounters] = []  # appended by dying caches, folded under the lock
        self._retired = CacheCounters(sc.n_sizes, self._unpooled_heap, self._unpooled_direct)
        # .cache: each thread's PoolThreadCache, made on its first use (a threading.local subclass with
        # __getattr__ would make every hit twice as slow: the hot paths catch AttributeError instead).
        self._local = threading.local()
        self._metric = PooledByteBufAllocatorMetric(self)

    # ------------------------------------------------------------------ thread caches

    def _thread_cache(self) -> PoolThreadCache:
        try:
            return self._local.cache
        except AttributeError:
            return self._new_thread_cache()

    def _new_thread_cache(self) -> PoolThreadCache:
        """Make the calling thread's cache, bound to the least used arenas."""
        with self._registry_lock:
            self._fold_dead()
            heap = min(self._heap_arenas, key=lambda a: a.num_thread_caches, default=self._unpooled_heap)
            direct = min(self._direct_arenas, key=lambda a: a.num_thread_caches, default=self._unpooled_direct)
            heap.num_thread_caches += 1
            direct.num_thread_caches += 1
            counters = CacheCounters(self._n_sizes, heap, direct)
            self._counters.append(counters)
        cache = self._local.cache = PoolThreadCache(counters, self._limits, self._cache_trim_interval,
                                                    self._dead.append)
        return cache

    def _fold_dead(self) -> None:
        """Fold the figures of caches whose thread ended into the retired totals (registry lock held)."""
        dead = self._dead
        while dead:
            counters = dead.pop()
            self._retired.add(counters)
            self._counters.remove(counters)
            counters.heap_arena.num_thread_caches -= 1
            counters.direct_arena.num_thread_caches -= 1

    def thread_cache(self) -> PoolThreadCache:
        """The calling thread's cache (made on first use)."""
        return self._thread_cache()

    def trim_current_thread_cache(self) -> bool:
        """Hand the calling thread's cached memory back to the arenas (Netty's ``trimCurrentThreadCache``)."""
        self._thread_cache().trim()
        return True

    def trim(self) -> int:
        """Trim the calling thread's cache, then unmap every arena's empty chunks; return how many chunks went.

        Other threads' caches are theirs to trim (each calls ``trim_current_thread_cache``); what a
        thread caches goes back by itself when the thread ends.
        """
        self._thread_cache().trim()
        arenas = self._heap_arenas + self._direct_arenas
        return sum(arena.release_empty_chunks() for arena in arenas)

    # ------------------------------------------------------------------ allocation

    #: (heap, direct): whether heap_buffer/direct_buffer may inline this class's _new_*_buffer. A subclass
    #: that makes its buffers another way gets the general path, which calls its own (through super() too).
    _inlined = (True, True)

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls._inlined = (cls._new_heap_buffer is PooledByteBufAllocator._new_heap_buffer,
                        cls._new_direct_buffer is PooledByteBufAllocator._new_direct_buffer)

    heap_buffer = _allocation_fast_path(PooledHeapByteBuf, "A pooled buffer on a ``bytearray`` chunk.")
    direct_buffer = _allocation_fast_path(PooledDirectByteBuf, "A pooled buffer on an anonymous ``mmap`` chunk.")

    def _new_heap_buffer(self, initial_capacity: int, max_capacity: int) -> ByteBuf:
        """A heap buffer that leak detection has not seen (for subclasses building on it)."""
        return self._new_pooled(PooledHeapByteBuf, initial_capacity, max_capacity)

    def _new_direct_buffer(self, initial_capacity: int, max_capacity: int) -> ByteBuf:
        """A direct buffer that leak detection has not seen (for subclasses building on it)."""
        return self._new_pooled(PooledDirectByteBuf, initial_capacity, max_capacity)

    def _new_pooled(self, cls: type, initial_capacity: int, max_capacity: int) -> ByteBuf:
        region = self._thread_cache().allocate(cls._direct, self._size_classes.size_index(initial_capacity),
                                               initial_capacity)
        buf = cls(self, region[VIEW], initial_capacity, max_capacity)
        buf._region = region
        return buf

    def is_direct_buffer_pooled(self) -> bool:
        """True when direct buffers come from arenas (``n_direct_arenas > 0``)."""
        return bool(self._direct_arenas)

    # ------------------------------------------------------------------ figures

    def metric(self) -> PooledByteBufAllocatorMetric:
        """Live figures of this allocator (one object, read whenever; see :class:`PooledByteBufAllocatorMetric`)."""
        return self._metric

    def _totals(self) -> Tuple[CacheCounters, int]:
        """All threads' counters summed, and the number of live thread caches."""
        total = CacheCounters(self._n_sizes, self._unpooled_heap, self._unpooled_direct)
        with self._registry_lock:
            self._fold_dead()
            total.add(self._retired)
            for counters in self._counters:
                total.add(counters)
            return total, len(self._counters)

    def __repr__(self) -> str:
        return (f"PooledByteBufAllocator(directByDefault: {self._prefer_direct}, heapArenas: {len(self._heap_arenas)}, "
                f"directArenas: {len(self._direct_arenas)}, chunkSize: {self._size_classes.chunk_size})")


class PoolArenaMetric:
    """Read-only figures of one arena (Netty's ``PoolArenaMetric``), read live."""

    __slots__ = ("_arena",)

    def __init__(self, arena: PoolArena) -> None:
        self._arena = arena

    name = property(lambda self: self._arena.name, doc="The arena's name, e.g. ``heap-0``.")
    num_thread_caches = property(lambda self: self._arena.num_thread_caches, doc="Threads bound to this arena.")
    num_allocations = property(
        lambda self: self._arena.allocations_small + self._arena.allocations_normal + self._arena.allocations_huge,
        doc="Regions that left the arena (thread-cache hits are not counted here, as in Netty).")
    num_small_allocations = property(lambda self: self._arena.allocations_small, doc="Small regions allocated.")
    num_normal_allocations = property(lambda self: self._arena.allocations_normal, doc="Normal regions allocated.")
    num_huge_allocations = property(lambda self: self._arena.allocations_huge, doc="Huge regions allocated.")
    num_deallocations = property(
        lambda self: self._arena.deallocations_small + self._arena.deallocations_normal
        + self._arena.deallocations_huge, doc="Regions that came back to the arena.")
    num_chunks_created = property(lambda self: self._arena.chunks_created, doc="Chunks mapped so far.")
    num_chunks_destroyed = property(lambda self: self._arena.chunks_destroyed, doc="Chunks given back so far.")

    @property
    def num_chunks(self) -> int:
        """Chunks the arena holds now."""
        return len(self._arena.chunks())

    @property
    def num_active_allocations(self) -> int:
        """Regions out of the arena (in buffers or in thread caches)."""
        self._arena.drain_pending()
        return self.num_allocations - self.num_deallocations

    @property
    def num_active_bytes(self) -> int:
        """Bytes the arena holds: its chunks plus live huge regions (Netty's ``numActiveBytes``)."""
        arena = self._arena
        chunks = arena.chunks()
        return sum(c.chunk_size for c in chunks) + arena.active_bytes_huge

    @property
    def chunk_usage(self) -> Tuple[Tuple[str, Tuple[int, ...]], ...]:
        """Per chunk list (``qInit`` ... ``q100``), the usage percent of each chunk in it."""
        arena = self._arena
        with arena.lock:
            return tuple((cl.name, tuple(c.usage() for c in cl)) for cl in arena.chunk_lists)

    def __repr__(self) -> str:
        return (f"PoolArenaMetric({self.name}: chunks: {self.num_chunks}, allocations: {self.num_allocations}, "
                f"deallocations: {self.num_deallocations}, threadCaches: {self.num_thread_caches})")


class PooledByteBufAllocatorMetric:
    """Read-only figures of a :class:`PooledByteBufAllocator`, computed when read.

    Counts are of buffers' memory as users see it: ``num_allocations`` counts every region handed to
    a buffer (a grown buffer's new region too), from a thread cache or an arena; ``used_*_memory`` is
    the bytes of the regions live buffers hold (size classes, so at least their capacity). Both
    return to 0 / balance once everything is released, so a leak shows as memory that never comes
    back. What the pool holds from the system (chunks, cached regions) is ``pooled_*_memory``.
    """

    __slots__ = ("_alloc",)

    def __init__(self, alloc: PooledByteBufAllocator) -> None:
        self._alloc = alloc

    def _used(self, allocs: List[int], deallocs: List[int], huge: int) -> int:
        sizes = self._alloc._size_classes.size_idx2size
        return sum((a - d) * s for a, d, s in zip(allocs, deallocs, sizes)) + huge

    @property
    def used_heap_memory(self) -> int:
        """Bytes of heap memory held by live buffers."""
        t, _ = self._alloc._totals()
        return self._used(t.heap_allocs, t.heap_deallocs, t.huge_heap_bytes)

    @property
    def used_direct_memory(self) -> int:
        """Bytes of direct memory held by live buffers."""
        t, _ = self._alloc._totals()
        return self._used(t.direct_allocs, t.direct_deallocs, t.huge_direct_bytes)

    @property
    def num_allocations(self) -> int:
        """Regions handed to buffers so far (heap and direct)."""
        t, _ = self._alloc._totals()
        return sum(t.heap_allocs) + sum(t.direct_allocs)

    @property
    def num_deallocations(self) -> int:
        """Regions buffers gave back so far."""
        t, _ = self._alloc._totals()
        return sum(t.heap_deallocs) + sum(t.direct_deallocs)

    @property
    def num_active_allocations(self) -> int:
        """Live buffers' regions: allocations minus deallocations (0 once everything is released)."""
        t, _ = self._alloc._totals()
        return sum(t.heap_allocs) + sum(t.direct_allocs) - sum(t.heap_deallocs) - sum(t.direct_deallocs)

    @property
    def num_cache_hits(self) -> int:
        """Allocations served from a thread cache, without the arena lock."""
        t, _ = self._alloc._totals()
        return sum(t.heap_allocs) + sum(t.direct_allocs) - t.arena_allocs

    @property
    def num_cache_misses(self) -> int:
        """Allocations that went to an arena (the thread cache had nothing of that size)."""
        t, _ = self._alloc._totals()
        return t.arena_allocs

    @property
    def num_thread_local_caches(self) -> int:
        """Threads that have a cache of this allocator now."""
        return self._alloc._totals()[1]

    @property
    def pooled_heap_memory(self) -> int:
        """Bytes the heap arenas hold from the system: chunks and live huge regions (Netty's ``usedHeapMemory``)."""
        return (sum(a.num_active_bytes for a in self.heap_arenas)
                + PoolArenaMetric(self._alloc._unpooled_heap).num_active_bytes)

    @property
    def pooled_direct_memory(self) -> int:
        """Bytes the direct arenas hold from the system (Netty's ``usedDirectMemory``)."""
        return (sum(a.num_active_bytes for a in self.direct_arenas)
                + PoolArenaMetric(self._alloc._unpooled_direct).num_active_bytes)

    @property
    def heap_arenas(self) -> Tuple[PoolArenaMetric, ...]:
        """One :class:`PoolArenaMetric` per heap arena."""
        return tuple(PoolArenaMetric(a) for a in self._alloc._heap_arenas)

    @property
    def direct_arenas(self) -> Tuple[PoolArenaMetric, ...]:
        """One :class:`PoolArenaMetric` per direct arena."""
        return tuple(PoolArenaMetric(a) for a in self._alloc._direct_arenas)

    @property
    def num_heap_arenas(self) -> int:
        """Heap arenas."""
        return len(self._alloc._heap_arenas)

    @property
    def num_direct_arenas(self) -> int:
        """Direct arenas."""
        return len(self._alloc._direct_arenas)

    @property
    def num_heap_chunks(self) -> int:
        """Chunks held by all heap arenas."""
        return sum(a.num_chunks for a in self.heap_arenas)

    @property
    def num_direct_chunks(self) -> int:
        """Chunks held by all direct arenas."""
        return sum(a.num_chunks for a in self.direct_arenas)

    chunk_size = property(lambda self: self._alloc._size_classes.chunk_size, doc="Bytes per chunk.")
    page_size = property(lambda self: self._alloc._page_size, doc="Bytes per page.")
    small_cache_size = property(lambda self: self._alloc._small_cache_size, doc="Regions cached per small size.")
    normal_cache_size = property(lambda self: self._alloc._normal_cache_size, doc="Regions cached per normal size.")

    def __repr__(self) -> str:
        return (f"PooledByteBufAllocatorMetric(usedHeapMemory: {self.used_heap_memory}; usedDirectMemory: "
                f"{self.used_direct_memory}; numActiveAllocations: {self.num_active_allocations}; numHeapArenas: "
                f"{self.num_heap_arenas}; numDirectArenas: {self.num_direct_arenas}; numThreadLocalCaches: "
                f"{self.num_thread_local_caches}; chunkSize: {self.chunk_size})")


def _install_compiled_fast_paths() -> None:
    """With the compiled core, the thread-cache hits of allocation and release run in C (``_core.pyx``), and
    the Python methods become their slow paths: a call the C code does not take goes to them unchanged."""
    core = compiled_fast_paths(globals().get("__file__"))
    if core is not None:
        core.install_pool_fast_paths(PooledByteBufAllocator, PooledHeapByteBuf, PooledDirectByteBuf,
                                     _PooledByteBuf._deallocate)


_install_compiled_fast_paths()

ByteBufAllocator.DEFAULT = PooledByteBufAllocator()
