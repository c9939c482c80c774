"""Netty's ``PoolThreadCache``: per-thread stacks of regions, so that most allocations take no lock.

Each size class up to ``max_cached_buffer_capacity`` has a stack (``heap[idx]``/``direct[idx]``) of at
most ``small_cache_size`` (small sizes) or ``normal_cache_size`` (normal sizes) regions. A hit is a
``list.pop()``; a release pushes onto the *releasing* thread's stack, or gives the region back to
its arena when the stack is full. A cache is only ever touched by its own thread, so it needs no
lock (Netty lets other threads feed an MPSC queue instead; here a region released on another
thread simply joins that thread's cache).

The figures of a cache live in a separate :class:`CacheCounters`, which the allocator keeps after
the thread is gone, so the allocator's totals stay right.
"""
from __future__ import annotations

from typing import Any, List

from .. import tracking
from .arena import CHUNK, SIZE_IDX, PoolArena, Region


class CacheCounters:
    """What one thread allocated and released, per size class (index ``n_sizes`` counts huge regions)."""

    __slots__ = ("heap_arena", "direct_arena", "heap_allocs", "heap_deallocs", "direct_allocs",
                 "direct_deallocs", "huge_heap_bytes", "huge_direct_bytes", "arena_allocs")

    def __init__(self, n_sizes: int, heap_arena: PoolArena, direct_arena: PoolArena) -> None:
        self.heap_arena = heap_arena
        self.direct_arena = direct_arena
        self.heap_allocs = [0] * (n_sizes + 1)
        self.heap_deallocs = [0] * (n_sizes + 1)
        self.direct_allocs = [0] * (n_sizes + 1)
        self.direct_deallocs = [0] * (n_sizes + 1)
        self.huge_heap_bytes = self.huge_direct_bytes = 0
        #: Allocations that missed the cache and went to an arena.
        self.arena_allocs = 0

    def add(self, other: CacheCounters) -> None:
        """Fold ``other``'s figures into these."""
        for mine, theirs in ((self.heap_allocs, other.heap_allocs), (self.heap_deallocs, other.heap_deallocs),
                             (self.direct_allocs, other.direct_allocs),
                             (self.direct_deallocs, other.direct_deallocs)):
            for i, n in enumerate(theirs):
                mine[i] += n
        self.huge_heap_bytes += other.huge_heap_bytes
        self.huge_direct_bytes += other.huge_direct_bytes
        self.arena_allocs += other.arena_allocs


class PoolThreadCache:
    """The calling thread's cache for one allocator, bound to one heap and one direct arena."""

    __slots__ = ("heap", "direct", "limits", "heap_arena", "direct_arena", "counters", "heap_allocs",
                 "heap_deallocs", "direct_allocs", "direct_deallocs", "_slow_ops", "_sweep_interval",
                 "_allocs_at_sweep", "_on_death", "countdown", "__weakref__")

    def __init__(self, counters: CacheCounters, limits: List[int], sweep_interval: int, on_death: Any) -> None:
        n = len(limits)
        self.heap: List[List[Region]] = [[] for _ in range(n)]
        self.direct: List[List[Region]] = [[] for _ in range(n)]
        #: The most regions each size class may keep (0: not cached).
        self.limits = limits
        self.heap_arena = counters.heap_arena
        self.direct_arena = counters.direct_arena
        self.counters = counters
        self.heap_allocs, self.heap_deallocs = counters.heap_allocs, counters.heap_deallocs
        self.direct_allocs, self.direct_deallocs = counters.direct_allocs, counters.direct_deallocs
        self._slow_ops = 0
        self._sweep_interval = sweep_interval
        self._allocs_at_sweep = [0] * n
        self._on_death = on_death
        #: Allocations until leak detection samples one (see ``tracking``): this thread's countdown.
        tracking.register_counter(self)

    # ------------------------------------------------------------------ the general paths
    # (the allocator inlines the cache hit of allocate(); keep the two in step)

    def allocate(self, direct: bool, size_idx: int, req_capacity: int) -> Region:
        """A region of ``size_idx`` from this cache, or from the bound arena on a miss."""
        stack = (self.direct if direct else self.heap)[size_idx]
        region = stack.pop() if stack else self.allocate_from_arena(direct, size_idx, req_capacity)
        (self.direct_allocs if direct else self.heap_allocs)[region[SIZE_IDX]] += 1
        return region

    def allocate_from_arena(self, direct: bool, size_idx: int, req_capacity: int) -> Region:
        """The cache-miss path: take the region from the bound arena."""
        counters = self.counters
        counters.arena_allocs += 1
        self._slow_ops += 1  # a slow operation: every sweep_interval of them, a sweep
        if self._slow_ops >= self._sweep_interval:
            self._sweep()
        region = (self.direct_arena if direct else self.heap_arena).allocate(size_idx, req_capacity)
        if region[SIZE_IDX] >= len(self.limits) - 1:  # huge (or unpooled): count its exact bytes
            if direct:
                counters.huge_direct_bytes += region[4]
            else:
                counters.huge_heap_bytes += region[4]
        return region

    def release(self, direct: bool, region: Region) -> None:
        """Take a region back: onto this thread's stack if there is room, else to its arena."""
        (self.direct_deallocs if direct else self.heap_deallocs)[region[SIZE_IDX]] += 1
        self.keep(direct, region)

    def keep(self, direct: bool, region: Region) -> None:
        """``release`` for a region already counted as freed (one that waited elsewhere meanwhile)."""
        size_idx = region[SIZE_IDX]
        stack = (self.direct if direct else self.heap)[size_idx]
        if len(stack) < self.limits[size_idx]:
            stack.append(region)
        else:
            self.release_to_arena(direct, region)

    def release_to_arena(self, direct: bool, region: Region) -> None:
        """The cache-full path (and huge regions): give the region to the arena that owns it."""
        if region[SIZE_IDX] >= len(self.limits) - 1:
            if direct:
                self.counters.huge_direct_bytes -= region[4]
            else:
                self.counters.huge_heap_bytes -= region[4]
        self._slow_ops += 1  # a slow operation (see allocate_from_arena)
        if self._slow_ops >= self._sweep_interval:
            self._sweep()
        region[CHUNK].arena.free(region)

    # ------------------------------------------------------------------ trimming

    def _sweep(self) -> None:
        """Netty's periodic trim: free what each stack holds beyond its allocations since the last sweep.

        Run every ``sweep_interval`` cache misses and overflows (counted in ``_slow_ops``).
        """
        self._slow_ops = 0
        allocs = [h + d for h, d in zip(self.heap_allocs, self.direct_allocs)]
        for idx, before in enumerate(self._allocs_at_sweep):
            keep = allocs[idx] - before
            for stacks in (self.heap, self.direct):
                stack = stacks[idx]
                while len(stack) > keep:
                    region = stack.pop()
                    region[CHUNK].arena.free(region)
        self._allocs_at_sweep = allocs[:len(self._allocs_at_sweep)]

    def trim(self) -> int:
        """Hand every cached region back to its arena; return how many there were."""
        freed = 0
        for stacks in (self.heap, self.direct):
            for stack in stacks:
                while stack:
                    region = stack.pop()
                    region[CHUNK].arena.free(region)
                    freed += 1
        return freed

    def cached(self) -> int:
        """How many regions this cache holds."""
        return sum(len(s) for s in self.heap) + sum(len(s) for s in self.direct)

    def __del__(self) -> None:
        # The thread is gone. This may run inside a garbage collection on any thread, perhaps one
        # holding an arena lock: queue the regions instead of freeing them here.
        for stacks in (self.heap, self.direct):
            for stack in stacks:
                for region in stack:
                    region[CHUNK].arena.pending.append(region)
                stack.clear()
        self._on_death(self.counters)

    def __repr__(self) -> str:
        return (f"PoolThreadCache(cached: {self.cached()}, heap: {self.heap_arena.name}, "
                f"direct: {self.direct_arena.name})")
