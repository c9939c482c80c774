"""The pooled allocator's thread-cache fast path: the compiled one (_core.pyx) and the Python one agree.

The behaviour tests run either way; with the compiled core they exercise what it keeps per thread (a
view of the allocator used last): switching allocators, an allocator dropped by its user, a thread
that ends, subclasses that choose their buffers another way. (Leak sampling on it: tests/leak/test_detector.py.)
"""
import gc
import threading
import weakref
from unittest import mock

import pytest

from pytest_bufleak import PooledByteBufAllocator, ResourceLeakDetector, UnpooledByteBufAllocator
from pytest_bufleak.buffer import bytebuf, pooled
from pytest_bufleak.leak import detector

CORE = pooled.compiled_fast_paths(pooled.__dict__.get("__file__"))


def _figures(alloc):
    m = alloc.metric()
    return (m.num_active_allocations, m.used_heap_memory, m.used_direct_memory, m.num_cache_hits)


@pytest.mark.skipif(CORE is None, reason="the compiled core is not built here")
def test_the_fast_paths_are_compiled_and_named_as_the_methods_they_replace():
    for owner, name in ((PooledByteBufAllocator, "buffer"), (PooledByteBufAllocator, "heap_buffer"),
                        (PooledByteBufAllocator, "direct_buffer"), (pooled.PooledHeapByteBuf, "_deallocate"),
                        (pooled.PooledDirectByteBuf, "_deallocate")):
        method = owner.__dict__[name]
        assert type(method) is type(CORE.install_pool_fast_paths)
        assert method.__qualname__ == f"{owner.__name__}.{name}" and method.__doc__


@pytest.mark.parametrize("make", ["buffer", "heap_buffer", "direct_buffer"])
def test_a_cache_hit_gives_the_handle_the_constructor_gives(make):
    alloc = PooledByteBufAllocator()
    getattr(alloc, make)(100).release()  # the second one is a cache hit
    buf = getattr(alloc, make)(100, 500)
    try:
        assert (buf._alloc, buf._cap, buf._max_cap, buf._ridx, buf._widx, buf._mark_r, buf._mark_w) == (
            alloc, 100, 500, 0, 0, 0, 0)
        assert (buf._refs, buf._big, buf._freed, buf._derived) == ([bytebuf._LAST], 0, False, None)
        assert buf._mem is buf._region[0] and len(buf._mem) >= 100 and buf.is_direct() is (make == "direct_buffer")
        assert alloc.metric().num_cache_hits == 1
    finally:
        buf.release()
    assert buf._region is None and _figures(alloc)[:3] == (0, 0, 0)


def test_allocators_used_in_turn_on_one_thread_each_count_their_own():
    first, second = PooledByteBufAllocator(), PooledByteBufAllocator()
    bufs = []
    for _ in range(3):
        bufs += [first.heap_buffer(64), second.heap_buffer(64), second.direct_buffer(64)]
    assert _figures(first)[:2] == (3, 3 * 64) and _figures(second)[:3] == (6, 3 * 64, 3 * 64)
    for buf in bufs:
        assert buf.alloc() in (first, second)
        buf.release()
    assert _figures(first)[:3] == (0, 0, 0) and _figures(second)[:3] == (0, 0, 0)
    first.heap_buffer(64).release()
    second.heap_buffer(64).release()
    assert first.metric().num_cache_hits >= 1 and second.metric().num_cache_hits >= 1


def test_an_allocator_its_user_dropped_is_collected():
    alloc = PooledByteBufAllocator()
    alloc.heap_buffer(32).release()
    ref = weakref.ref(alloc)
    del alloc
    gc.collect()
    assert ref() is None
    other = PooledByteBufAllocator()  # the thread's view of the dead allocator is replaced, not used
    other.heap_buffer(32).release()
    assert _figures(other)[:3] == (0, 0, 0)


def test_a_buffer_released_on_another_thread_goes_to_that_threads_cache():
    alloc = PooledByteBufAllocator(n_heap_arenas=1)
    alloc.heap_buffer(128).release()  # this thread's view is of alloc
    buf = alloc.heap_buffer(128)
    cached = []

    def release_there():
        buf.release()
        cached.append(alloc.thread_cache().cached())

    thread = threading.Thread(target=release_there)
    thread.start()
    thread.join()
    assert cached == [1] and alloc.thread_cache().cached() == 0
    del thread
    gc.collect()
    assert alloc.metric().num_thread_local_caches == 1  # the other thread's cache went with it


def test_a_subclass_that_chooses_its_buffers_gets_them_from_buffer():
    calls = []

    class Counting(PooledByteBufAllocator):
        def heap_buffer(self, initial_capacity=256, max_capacity=bytebuf.DEFAULT_MAX_CAPACITY):
            calls.append(initial_capacity)
            return super().heap_buffer(initial_capacity, max_capacity)

    alloc = Counting()
    for _ in range(3):
        alloc.buffer(16).release()
    assert calls == [16, 16, 16] and _figures(alloc)[0] == 0


def test_prefer_direct_is_what_buffer_gives():
    alloc = PooledByteBufAllocator(prefer_direct=True)
    for _ in range(2):
        buf = alloc.buffer(40)
        try:
            assert buf.is_direct()
        finally:
            buf.release()


@pytest.mark.parametrize("capacity, maximum, error", [
    (-1, 10, ValueError), (20, 10, ValueError), (True, 10, TypeError), (1.0, 10, TypeError),
    (-(1 << 70), 10, ValueError), (10, -(1 << 70), ValueError),
])
def test_bad_capacities_are_refused_as_the_python_path_refuses_them(capacity, maximum, error):
    alloc = PooledByteBufAllocator()
    alloc.heap_buffer(8).release()
    with pytest.raises(error):
        alloc.heap_buffer(capacity, maximum)
    assert _figures(alloc)[0] == 0


# What a review of the compiled path found, pinned on both cores.

def test_a_region_given_back_by_hand_in_another_shape_is_served_as_the_python_path_serves_it():
    alloc = PooledByteBufAllocator()
    cache = alloc.thread_cache()
    region = cache.allocate(False, alloc._size_classes.size_index(64), 64)
    cache.release(False, list(region))  # not a tuple: the C path must not read it as one
    buf = alloc.heap_buffer(64)
    try:
        assert buf.write_int(7).read_int() == 7
    finally:
        buf.release()
    assert _figures(alloc)[0] == 0


def test_a_dropped_allocator_takes_its_thread_cache_and_chunks_with_it():
    alloc = PooledByteBufAllocator(n_heap_arenas=1, n_direct_arenas=1)
    for buf in [alloc.direct_buffer(1 << 20) for _ in range(8)]:
        buf.release()
    alloc.direct_buffer(1024).release()
    alloc.direct_buffer(1024).release()
    cache, alloc_ref = weakref.ref(alloc.thread_cache()), weakref.ref(alloc)
    del alloc, buf
    gc.collect()
    gc.collect()
    assert alloc_ref() is None and cache() is None


def test_buffer_goes_through_the_methods_the_allocator_has_now():
    alloc = PooledByteBufAllocator()
    alloc.buffer(16).release()
    with mock.patch.object(alloc, "heap_buffer", wraps=alloc.heap_buffer) as spy:
        alloc.buffer(16).release()
    assert spy.call_count == 1
    with mock.patch.object(PooledByteBufAllocator, "heap_buffer", autospec=True, side_effect=MemoryError("full")):
        with pytest.raises(MemoryError, match="full"):
            alloc.buffer(16)
    alloc._prefer_direct = True  # read on every call, as ByteBufAllocator.buffer reads it
    buf = alloc.buffer(8)
    try:
        assert buf.is_direct()
    finally:
        buf.release()


def test_no_thread_cache_where_the_python_path_makes_none():
    alloc = PooledByteBufAllocator()

    def refused():
        with pytest.raises(ValueError):
            alloc.heap_buffer(-1)

    thread = threading.Thread(target=refused)
    thread.start()
    thread.join()
    assert alloc.metric().num_thread_local_caches == 0

    class OwnHeapBuffers(PooledByteBufAllocator):
        def _new_heap_buffer(self, initial_capacity, max_capacity):
            return UnpooledByteBufAllocator()._new_heap_buffer(initial_capacity, max_capacity)

    own = OwnHeapBuffers()
    own.heap_buffer(16).release()
    own.heap_buffer(16).release()
    assert own.metric().num_thread_local_caches == 0


def test_a_heap_buffers_deallocate_applied_to_a_direct_buffer_returns_it_as_direct():
    alloc = PooledByteBufAllocator()
    alloc.heap_buffer(64).release()
    buf = alloc.direct_buffer(64)
    region = buf._region
    pooled.PooledHeapByteBuf._deallocate(buf)
    if buf._leak is not None:
        buf._leak.close()  # what release() does after deallocating; the handle itself is left as it is
    cache = alloc.thread_cache()
    assert any(region in stack for stack in cache.direct) and not any(region in stack for stack in cache.heap)


def test_allocators_used_in_turn_keep_one_countdown_per_thread():
    level = ResourceLeakDetector.get_level()
    ResourceLeakDetector.set_level("simple")
    first, second = PooledByteBufAllocator(), PooledByteBufAllocator()
    token = detector.owner.set(None)  # outside every tracker (also --bufleak's): sampled, not hooked
    saved, still_open = detector.active[:], detector.open_trackers
    del detector.active[:]
    detector.open_trackers = 0
    detector.update_hook()
    try:
        bufs = [(first if n % 2 else second).heap_buffer(16) for n in range(128 * 60)]
    finally:
        detector.active[:] = saved
        detector.open_trackers += still_open
        detector.owner.reset(token)
        detector.update_hook()
        ResourceLeakDetector.set_level(level)
    sampled = sum(buf._leak is not None for buf in bufs)
    for buf in bufs:
        buf.release()
    assert 25 < sampled < 110, sampled  # mean 60: switching allocators does not restart the countdown
