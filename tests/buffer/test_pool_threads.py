"""The pool under threads: concurrent use, release on another thread, threads that end."""
from __future__ import annotations

import gc
import queue
import random
import threading

from pytest_bufleak import PooledByteBufAllocator

SIZES = (16, 100, 256, 1000, 8192, 20000, 32768, 65536, 300_000)


def run_threads(n, target, *args):
    errors = []

    def guarded(i):
        try:
            target(i, *args)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_many_threads_allocate_write_and_release():
    alloc = PooledByteBufAllocator(n_heap_arenas=2, n_direct_arenas=2)

    def work(i):
        rng = random.Random(i)
        live = []
        for step in range(400):
            if live and rng.random() < 0.5:
                buf, mark = live.pop(rng.randrange(len(live)))
                assert bytes(buf) == mark * buf.writer_index, "another thread's bytes in my buffer"
                buf.release()
            else:
                make = alloc.heap_buffer if rng.random() < 0.7 else alloc.direct_buffer
                size = rng.choice(SIZES)
                buf = make(size)
                mark = bytes([(i * 31 + step) % 251])
                buf.write_bytes(mark * size)
                live.append((buf, mark))
        for buf, mark in live:
            assert bytes(buf) == mark * buf.writer_index
            buf.release()

    run_threads(8, work)
    m = alloc.metric()
    assert (m.num_active_allocations, m.used_heap_memory, m.used_direct_memory) == (0, 0, 0)
    assert m.num_allocations == m.num_deallocations > 0


def test_release_on_another_thread_returns_the_memory():
    alloc = PooledByteBufAllocator(n_heap_arenas=2, n_direct_arenas=2)
    handoff: queue.Queue = queue.Queue()
    count = 500

    def producer():
        for i in range(count):
            buf = alloc.buffer(random.choice(SIZES))
            buf.write_int(i)
            handoff.put(buf)
        handoff.put(None)

    def consumer():
        expected = 0
        while True:
            buf = handoff.get()
            if buf is None:
                return
            assert buf.read_int() == expected
            expected += 1
            buf.release()

    threads = [threading.Thread(target=producer), threading.Thread(target=consumer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    m = alloc.metric()
    assert m.num_allocations == count and m.num_deallocations == count
    assert (m.num_active_allocations, m.used_heap_memory) == (0, 0)
    # Once both threads are gone, their caches went back to the arenas: nothing is out of them.
    gc.collect()
    assert all(a.num_active_allocations == 0 for a in m.heap_arenas)
    assert m.num_thread_local_caches == 0


def test_a_thread_that_ends_gives_its_cache_back():
    alloc = PooledByteBufAllocator(n_heap_arenas=1, n_direct_arenas=1)

    def work(_):
        for buf in [alloc.heap_buffer(256) for _ in range(50)] + [alloc.direct_buffer(32768) for _ in range(5)]:
            buf.release()
        assert alloc.thread_cache().cached() == 55

    run_threads(1, work)
    gc.collect()
    m = alloc.metric()
    assert m.heap_arenas[0].num_active_allocations == 0 and m.direct_arenas[0].num_active_allocations == 0
    assert m.num_allocations == 55 and m.num_active_allocations == 0  # the dead thread's figures stay
    assert m.num_thread_local_caches == 0 and m.heap_arenas[0].num_thread_caches == 0


def test_threads_are_spread_over_arenas():
    alloc = PooledByteBufAllocator(n_heap_arenas=4, n_direct_arenas=2)
    ready, done = threading.Barrier(9), threading.Event()

    def work(_):
        alloc.heap_buffer(16).release()
        ready.wait()
        done.wait()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    ready.wait()
    try:
        m = alloc.metric()
        assert [a.num_thread_caches for a in m.heap_arenas] == [2, 2, 2, 2]
        assert [a.num_thread_caches for a in m.direct_arenas] == [4, 4]
        assert m.num_thread_local_caches == 8
    finally:
        done.set()
        for t in threads:
            t.join()


def test_concurrent_release_of_shared_buffers():
    alloc = PooledByteBufAllocator(n_heap_arenas=1, n_direct_arenas=1)
    bufs = [alloc.heap_buffer(512) for _ in range(200)]
    for buf in bufs:
        buf.retain(3)  # four owners, one per thread

    run_threads(4, lambda i: [buf.release() for buf in bufs])
    assert all(buf.ref_cnt() == 0 for buf in bufs)
    assert alloc.metric().num_active_allocations == 0
