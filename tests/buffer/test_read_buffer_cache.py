"""ReadBufferCache: a reader's buffers reuse the last released region, never a released handle."""
from __future__ import annotations

import threading

import pytest

from pytest_bufleak import IllegalReferenceCountException, PooledByteBufAllocator, UnpooledByteBufAllocator
from pytest_bufleak.buffer.pooled import PooledDirectByteBuf, ReadBufferCache

KIB = 1024


@pytest.fixture
def alloc() -> PooledByteBufAllocator:
    return PooledByteBufAllocator(n_heap_arenas=1, n_direct_arenas=1)


def arena_active(alloc: PooledByteBufAllocator) -> int:
    """Regions out of the direct arena once the calling thread's cache is trimmed."""
    alloc.trim_current_thread_cache()
    return alloc.metric().direct_arenas[0].num_active_allocations


def test_a_released_buffer_region_serves_the_next_read_with_a_new_handle(alloc):
    reads = ReadBufferCache(alloc)
    first = reads.buffer(1024)
    first.write_bytes(b"first read")
    region = first._region
    assert first.release() is True
    m = alloc.metric()
    assert (m.num_active_allocations, m.used_direct_memory) == (0, 0)  # waiting counts as free
    second = reads.buffer(1024)
    assert second is not first and second._region is region
    with pytest.raises(IllegalReferenceCountException):
        first.get_byte(0)  # the old handle stays poisoned while its memory serves the next read
    assert (m.num_active_allocations, m.used_direct_memory) == (1, 1024)
    assert isinstance(second, PooledDirectByteBuf) and second.is_direct()
    assert repr(second) == "PooledDirectByteBuf(ridx: 0, widx: 0, cap: 1024)" == str(second)
    second.release()
    reads.close()
    assert m.num_active_allocations == 0 and arena_active(alloc) == 0


def test_reads_larger_than_the_thread_cache_skip_the_arena(alloc):
    reads = ReadBufferCache(alloc)
    arena = alloc.metric().direct_arenas[0]
    reads.buffer(256 * KIB).release()
    before = arena.num_allocations
    for _ in range(5):
        reads.buffer(256 * KIB).release()
    assert arena.num_allocations == before == 1
    reads.close()
    assert arena.num_deallocations == 1 and arena_active(alloc) == 0


def test_a_region_much_larger_than_asked_goes_back(alloc):
    reads = ReadBufferCache(alloc)
    reads.buffer(4 * KIB).release()
    small = reads.buffer(2 * KIB)  # up to twice the size asked for is reused
    assert small._region[4] == 4 * KIB and small.capacity == 2 * KIB
    small.release()
    tiny = reads.buffer(1 * KIB)
    assert tiny._region[4] == 1 * KIB
    bigger = reads.buffer(8 * KIB)  # the first still live: nothing waits, a fresh region
    tiny.release()
    bigger.release()
    reads.close()
    assert alloc.metric().num_active_allocations == 0 and arena_active(alloc) == 0


def test_a_release_on_another_thread_goes_to_the_thread_cache(alloc):
    reads = ReadBufferCache(alloc)
    buf = reads.buffer(512)
    worker = threading.Thread(target=buf.release)
    worker.start()
    worker.join()
    assert reads.spare is None and buf.ref_cnt() == 0
    assert alloc.metric().num_active_allocations == 0
    reads.close()
    assert arena_active(alloc) == 0


def test_only_one_region_waits_and_close_gives_it_back(alloc):
    reads = ReadBufferCache(alloc)
    a, b = reads.buffer(512), reads.buffer(512)
    region = a._region
    a.release()
    b.release()  # a's region already waits: b's goes to the thread cache
    assert reads.spare is region
    reads.close()
    assert reads.spare is None
    c = reads.buffer(512)
    c.release()  # closed: nothing is kept any more
    assert reads.spare is None
    assert alloc.metric().num_active_allocations == 0 and arena_active(alloc) == 0


def test_a_grown_read_buffer_gives_back_its_new_region(alloc):
    reads = ReadBufferCache(alloc)
    buf = reads.buffer(64)
    buf.write_bytes(b"x" * 1000)  # grows into a new region; the old one goes to the thread cache
    assert bytes(buf) == b"x" * 1000
    buf.release()
    assert reads.spare is not None and reads.spare[4] >= 1000
    reads.close()
    assert alloc.metric().num_active_allocations == 0 and arena_active(alloc) == 0


def test_huge_regions_are_never_kept():
    alloc = PooledByteBufAllocator(n_heap_arenas=1, n_direct_arenas=1, page_size=4096, max_order=0)
    reads = ReadBufferCache(alloc)
    reads.buffer(64 * KIB).release()  # above the 4 KiB chunk: huge, freed at once
    assert reads.spare is None
    assert alloc.metric().direct_arenas[0].num_huge_allocations == 1
    assert alloc.metric().num_active_allocations == 0
    reads.close()


def test_only_plain_pooled_allocators_get_a_cache(alloc):
    class Counting(PooledByteBufAllocator):
        def direct_buffer(self, *args):
            return super().direct_buffer(*args)

    assert isinstance(ReadBufferCache.for_allocator(alloc), ReadBufferCache)
    assert ReadBufferCache.for_allocator(UnpooledByteBufAllocator()) is None
    assert ReadBufferCache.for_allocator(Counting()) is None
    assert ReadBufferCache.for_allocator(PooledByteBufAllocator(n_direct_arenas=0)) is None
