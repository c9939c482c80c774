"""PooledByteBufAllocator as a user sees it: buffers, growth, metrics, trimming, isolation, arguments."""
from __future__ import annotations

import re

import pytest

from pytest_bufleak import ByteBufAllocator, IllegalReferenceCountException, PooledByteBufAllocator
from pytest_bufleak.buffer.pooled import PooledDirectByteBuf, PooledHeapByteBuf

KIB, MIB = 1024, 1024 * 1024


@pytest.fixture
def alloc() -> PooledByteBufAllocator:
    return PooledByteBufAllocator(n_heap_arenas=1, n_direct_arenas=1)


def test_default_is_pooled():
    assert isinstance(ByteBufAllocator.DEFAULT, PooledByteBufAllocator)
    buf = ByteBufAllocator.DEFAULT.buffer()
    try:
        assert repr(buf) == "PooledHeapByteBuf(ridx: 0, widx: 0, cap: 256)"
    finally:
        buf.release()


@pytest.mark.parametrize("make, kind, direct", [
    ("buffer", PooledHeapByteBuf, False), ("heap_buffer", PooledHeapByteBuf, False),
    ("direct_buffer", PooledDirectByteBuf, True), ("io_buffer", PooledDirectByteBuf, True),
])
def test_every_entry_point_gives_a_working_buffer(alloc, make, kind, direct):
    buf = getattr(alloc, make)(100, 1000)
    assert type(buf) is kind and buf.is_direct() is direct
    assert (buf.capacity, buf.max_capacity) == (100, 1000)
    buf.write_int(0x01020304).write_bytes(b"xyz")
    assert buf.read_int() == 0x01020304 and bytes(buf) == b"xyz"
    assert repr(buf) == f"{kind.__name__}(ridx: 4, widx: 7, cap: 100/1000)"
    assert buf.release() is True
    assert alloc.metric().num_active_allocations == 0


def test_prefer_direct():
    alloc = PooledByteBufAllocator(prefer_direct=True, n_heap_arenas=1, n_direct_arenas=1)
    with alloc.buffer(8) as buf:
        assert buf.is_direct()


@pytest.mark.parametrize("size", [0, 1, 256, 8 * KIB, 28 * KIB, 64 * KIB, MIB, 4 * MIB, 4 * MIB + 1])
def test_sizes_of_every_kind_round_trip(alloc, size):
    for make in (alloc.heap_buffer, alloc.direct_buffer):
        buf = make(size)
        data = bytes(range(256)) * (size // 256) + b"\x07" * (size % 256)
        buf.write_bytes(data)
        assert buf.capacity == size and bytes(buf) == data
        buf.release()
    m = alloc.metric()
    assert (m.num_active_allocations, m.used_heap_memory, m.used_direct_memory) == (0, 0, 0)


def test_memory_is_reused_and_not_zeroed(alloc):
    buf = alloc.heap_buffer(256)
    buf.write_bytes(b"secret")
    view = buf._mem
    buf.release()
    again = alloc.heap_buffer(250)  # same size class (256): the cached region comes back
    assert again._mem is view
    assert bytes(again.get_bytes(0, 6)) == b"secret"  # like Netty: pooled memory is not cleared
    again.release()
    assert alloc.metric().num_cache_hits == 1


def test_a_released_handle_never_reaches_the_reused_memory(alloc):
    old = alloc.heap_buffer(256)
    old_slice = old.slice(0, 16)
    old_dup = old.duplicate()
    old.release()
    new = alloc.heap_buffer(256)
    new.write_bytes(b"new owner's bytes")
    for stale in (old, old_slice, old_dup):
        with pytest.raises(IllegalReferenceCountException, match="refCnt: 0"):
            stale.get_byte(0)
        with pytest.raises(IllegalReferenceCountException):
            stale.write_bytes(b"overwrite")
        with pytest.raises(IllegalReferenceCountException):
            bytes(stale)
        with pytest.raises(IllegalReferenceCountException):
            stale.capacity = 1024
    assert bytes(new) == b"new owner's bytes"
    new.release()


def test_growth_within_the_region_keeps_the_memory(alloc):
    buf = alloc.heap_buffer(100)  # a 112-byte region
    view = buf._mem
    buf.write_bytes(b"a" * 110)
    assert buf.capacity == 112 and buf._mem is view  # Netty: grow to the region's end, no copy
    buf.release()


def test_growth_past_the_region_moves_and_frees_the_old_run(alloc):
    buf = alloc.heap_buffer(64)
    buf.write_bytes(b"x" * 64)
    before = alloc.metric()
    assert before.used_heap_memory == 64
    buf.write_bytes(b"y" * 1000)
    assert bytes(buf) == b"x" * 64 + b"y" * 1000 and buf.capacity == 2048  # the next power of two
    m = alloc.metric()
    assert m.used_heap_memory == 2048 and m.num_active_allocations == 1
    assert m.num_allocations == 2 and m.num_deallocations == 1  # the new region came, the old one went
    buf.capacity = 10  # a big shrink reallocates too
    assert bytes(buf) == b"x" * 10 and alloc.metric().used_heap_memory == 16
    buf.release()
    assert alloc.metric().used_heap_memory == 0


def test_a_derived_slice_follows_growth(alloc):
    buf = alloc.direct_buffer(16)
    buf.write_bytes(b"0123456789abcdef")
    dup = buf.duplicate()
    buf.write_bytes(b"more" * 100)
    assert dup.get_bytes(0, 4) == b"0123"
    buf.release()


def test_huge_buffers_are_freed_on_release(alloc):
    buf = alloc.direct_buffer(5 * MIB)
    buf.write_bytes(b"z" * 10)
    m = alloc.metric()
    assert m.used_direct_memory == 5 * MIB and m.pooled_direct_memory == 5 * MIB
    assert m.direct_arenas[0].num_huge_allocations == 1
    buf.release()
    assert (m.used_direct_memory, m.pooled_direct_memory, m.num_active_allocations) == (0, 0, 0)


def test_metrics_after_a_mixed_workload(alloc):
    sizes = [16, 300, 300, 5000, 30 * KIB, 40 * KIB, 64 * KIB, MIB, 5 * MIB]
    heap = [alloc.heap_buffer(n) for n in sizes]
    direct = [alloc.direct_buffer(n) for n in sizes[:4]]
    m = alloc.metric()
    expected = 16 + 320 + 320 + 5120 + 32 * KIB + 40 * KIB + 64 * KIB + MIB + 5 * MIB
    assert m.used_heap_memory == expected
    assert m.used_direct_memory == 16 + 320 + 320 + 5120
    assert m.num_active_allocations == 13 and m.num_allocations == 13 and m.num_deallocations == 0
    assert m.num_heap_chunks == 1 and m.num_direct_chunks == 1
    leaked = heap.pop(1)  # never released: it must show
    for buf in heap + direct:
        buf.release()
    assert m.num_active_allocations == 1 and m.used_heap_memory == 320
    assert m.num_deallocations == 12
    leaked.release()
    assert m.num_active_allocations == 0 and m.used_heap_memory == 0
    for buf in [alloc.heap_buffer(n) for n in sizes[:4]]:
        buf.release()
    assert m.num_cache_hits == 4  # the small sizes came back from the thread cache
    assert m.num_cache_hits + m.num_cache_misses == m.num_allocations


def test_metric_figures_are_read_only_ints(alloc):
    m = alloc.metric()
    for name in ("used_heap_memory", "used_direct_memory", "num_active_allocations", "num_allocations",
                 "num_deallocations", "num_cache_hits", "num_heap_chunks", "num_direct_chunks",
                 "num_thread_local_caches", "chunk_size"):
        assert type(getattr(m, name)) is int, name
        with pytest.raises(AttributeError):
            setattr(m, name, 1)
    assert m.chunk_size == 4 * MIB and m.num_heap_arenas == 1 and m.small_cache_size == 256
    assert "usedHeapMemory: 0" in repr(m)


def test_arena_metrics_count_chunks(alloc):
    bufs = [alloc.heap_buffer(MIB) for _ in range(6)]
    arena = alloc.metric().heap_arenas[0]
    assert arena.num_chunks == 2 and arena.num_active_bytes == 8 * MIB
    assert dict(arena.chunk_usage)["q100"] == (100,)
    for buf in bufs:
        buf.release()
    assert arena.num_allocations == arena.num_deallocations == 6  # 1 MiB is above the cached sizes


def test_thread_cache_sizes_and_trim(alloc):
    bufs = [alloc.heap_buffer(256) for _ in range(300)] + [alloc.heap_buffer(32 * KIB) for _ in range(70)]
    for buf in bufs:
        buf.release()
    cache = alloc.thread_cache()
    assert cache.cached() == 256 + 64  # Netty's defaults: 256 small, 64 normal per size class
    arena = alloc.metric().heap_arenas[0]
    assert arena.num_active_allocations == 320  # cached regions are still out of the arena
    assert alloc.trim_current_thread_cache() is True
    assert cache.cached() == 0 and arena.num_active_allocations == 0


def test_sizes_above_max_cached_capacity_are_not_cached(alloc):
    alloc.heap_buffer(40 * KIB).release()
    assert alloc.thread_cache().cached() == 0


def test_trim_unmaps_empty_chunks():
    alloc = PooledByteBufAllocator(n_heap_arenas=1, n_direct_arenas=1, max_empty_chunks=4)
    bufs = [alloc.direct_buffer(MIB) for _ in range(12)]
    for buf in bufs:
        buf.release()
    m = alloc.metric()
    assert m.num_direct_chunks == 3 and m.pooled_direct_memory == 12 * MIB  # kept for the next burst
    again = [alloc.direct_buffer(MIB) for _ in range(12)]
    assert m.direct_arenas[0].num_chunks_created == 3
    for buf in again:
        buf.release()
    assert alloc.trim() == 3
    assert m.num_direct_chunks == 0 and m.pooled_direct_memory == 0


def test_an_allocator_without_arenas_allocates_unpooled():
    alloc = PooledByteBufAllocator(n_heap_arenas=0, n_direct_arenas=0)
    assert not alloc.is_direct_buffer_pooled()
    for make in (alloc.heap_buffer, alloc.direct_buffer):
        buf = make(100)
        buf.write_bytes(b"q" * 300)
        assert bytes(buf) == b"q" * 300
        buf.release()
    m = alloc.metric()
    assert (m.num_active_allocations, m.used_heap_memory, m.num_heap_chunks) == (0, 0, 0)


@pytest.mark.parametrize("kwargs, message", [
    ({"page_size": 8000}, "pageSize: 8000 (expected: power of 2) [argument page_size]"),
    ({"page_size": 1000}, "pageSize: 1000 (expected: power of 2)"),
    ({"page_size": 0}, "pageSize: 0 (expected: power of 2)"),
    ({"page_size": 2048}, "pageSize: 2048 (expected: >= 4096)"),
    ({"page_size": -1}, "pageSize: -1"),
    ({"max_order": 15}, "maxOrder: 15 (expected: 0-14) [argument max_order]"),
    ({"max_order": -1}, "maxOrder: -1"),
    ({"page_size": 1 << 20, "max_order": 14}, "must not exceed"),
    ({"n_heap_arenas": -1}, "nHeapArena: -1 (expected: >= 0) [argument n_heap_arenas]"),
    ({"n_direct_arenas": -2}, "nDirectArena: -2"),
    ({"small_cache_size": -1}, "small_cache_size"),
    ({"normal_cache_size": -1}, "normal_cache_size"),
    ({"max_cached_buffer_capacity": -1}, "max_cached_buffer_capacity"),
    ({"cache_trim_interval": 0}, "cache_trim_interval"),
    ({"max_empty_chunks": -1}, "max_empty_chunks"),
])
def test_bad_constructor_arguments(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        PooledByteBufAllocator(**kwargs)


@pytest.mark.parametrize("make", ["buffer", "heap_buffer", "direct_buffer", "io_buffer"])
def test_bad_capacities(alloc, make):
    with pytest.raises(ValueError, match="initialCapacity: -1"):
        getattr(alloc, make)(-1)
    with pytest.raises(ValueError, match="initialCapacity: 10"):
        getattr(alloc, make)(10, 5)
    assert alloc.metric().num_allocations == 0


def test_other_page_sizes_work():
    alloc = PooledByteBufAllocator(n_heap_arenas=1, n_direct_arenas=1, page_size=4096, max_order=3)
    assert alloc.metric().chunk_size == 32 * KIB
    bufs = [alloc.heap_buffer(n) for n in (10, 4096, 20 * KIB, 32 * KIB, 33 * KIB)]
    for i, buf in enumerate(bufs):
        buf.write_bytes(bytes([i]) * buf.capacity)
    for i, buf in enumerate(bufs):
        assert bytes(buf) == bytes([i]) * buf.capacity
        buf.release()
    assert alloc.metric().num_active_allocations == 0


def test_a_chunk_smaller_than_a_subpage_run():
    # 80-byte elements want a 20 KiB run (the common multiple with 4 KiB pages); a 16 KiB chunk holds less.
    alloc = PooledByteBufAllocator(n_heap_arenas=1, n_direct_arenas=1, page_size=4096, max_order=2)
    bufs = [alloc.heap_buffer(80) for _ in range(300)]
    for i, buf in enumerate(bufs):
        buf.write_bytes(bytes([i % 256]) * 80)
    assert all(bytes(buf) == bytes([i % 256]) * 80 for i, buf in enumerate(bufs))
    for buf in bufs:
        buf.release()
    assert alloc.metric().num_active_allocations == 0


def test_the_periodic_sweep_frees_what_a_thread_stopped_using():
    alloc = PooledByteBufAllocator(n_heap_arenas=1, n_direct_arenas=1, cache_trim_interval=4)
    for buf in [alloc.heap_buffer(256) for _ in range(10)]:
        buf.release()
    cache = alloc.thread_cache()
    assert cache.cached() == 10
    for _ in range(4):  # 40 KiB is not cached: 8 arena operations, two sweeps, no 256-byte allocation
        alloc.heap_buffer(40 * KIB).release()
    assert cache.cached() == 0
    assert alloc.metric().heap_arenas[0].num_active_allocations == 0


def test_a_subclass_that_makes_its_buffers_its_own_way_is_used_and_tracked():
    from pytest_bufleak.leak import track_leaks

    made = []

    class Counting(PooledByteBufAllocator):
        def _new_heap_buffer(self, initial_capacity, max_capacity):
            made.append(initial_capacity)
            return super()._new_heap_buffer(initial_capacity, max_capacity)

    class Logging(PooledByteBufAllocator):
        def direct_buffer(self, initial_capacity=256, max_capacity=2**31 - 1):
            made.append(-initial_capacity)
            return super().direct_buffer(initial_capacity, max_capacity)

    class Both(Counting):  # overrides the public method too, calling the fast path through super()
        def heap_buffer(self, initial_capacity=256, max_capacity=2**31 - 1):
            made.append("both")
            return super().heap_buffer(initial_capacity, max_capacity)

    class Custom(Logging):  # its parent's direct_buffer must still run
        def _new_direct_buffer(self, initial_capacity, max_capacity):
            made.append(f"custom {initial_capacity}")
            return super()._new_direct_buffer(initial_capacity, max_capacity)

    with track_leaks() as tracker:
        bufs = [Counting(n_heap_arenas=1).heap_buffer(24), Logging(n_direct_arenas=1).direct_buffer(8),
                Both(n_heap_arenas=1).heap_buffer(5), Custom(n_direct_arenas=1).direct_buffer(7)]
    assert made == [24, -8, "both", 5, -7, "custom 7"]
    assert [type(b) for b in bufs] == [PooledHeapByteBuf, PooledDirectByteBuf, PooledHeapByteBuf, PooledDirectByteBuf]
    assert [b.capacity for b in bufs] == [24, 8, 5, 7]
    assert len(tracker.leaks()) == 4  # each seen by leak detection exactly once
    for b in bufs:
        b.release()
    assert tracker.leaks() == []
