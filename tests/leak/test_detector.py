"""The sampling detector: what it tracks outside any tracker, and how it reports garbage-collected leaks."""
import gc
import threading

from pytest_bufleak import ByteBufAllocator, ResourceLeakDetector, Unpooled, track_leaks
from pytest_bufleak.buffer import tracking
from pytest_bufleak.leak import detector

HEADLINE = "LEAK: ByteBuf.release() was not called before it's garbage-collected."


def _leak_direct(hint=None):
    buf = Unpooled.direct_buffer(16)
    buf.write_int(42)
    if hint is not None:
        buf.touch(hint)
    return id(buf)  # the buffer dies unreleased on return


def test_paranoid_tracks_every_direct_buffer(untracked):
    ResourceLeakDetector.set_level("paranoid")
    with untracked():
        bufs = [Unpooled.direct_buffer(8) for _ in range(20)]
    assert all(buf._leak is not None for buf in bufs)
    for buf in bufs:
        buf.release()
        assert buf._leak.buffer() is None and buf._leak.freed  # closed, keeping where it was freed


def test_unpooled_heap_buffers_are_not_tracked_outside_a_tracker_like_netty(untracked):
    ResourceLeakDetector.set_level("paranoid")
    with untracked():
        buf = Unpooled.buffer(8)
    assert buf._leak is None
    buf.release()


def test_simple_and_advanced_sample_one_in_128(untracked):
    for level in ("simple", "advanced"):
        ResourceLeakDetector.set_level(level)
        with untracked():
            bufs = [Unpooled.direct_buffer(1) for _ in range(128 * 40)]
        tracked = sum(buf._leak is not None for buf in bufs)
        for buf in bufs:
            buf.release()
        assert 10 < tracked < 100, (level, tracked)  # mean 40; far outside 10..100 is not 1/128


def test_pooled_buffers_are_sampled_by_a_countdown_that_no_periodic_pattern_escapes(untracked):
    ResourceLeakDetector.set_level("simple")
    alloc = ByteBufAllocator.DEFAULT
    with untracked():
        bufs = [alloc.direct_buffer(16) if n % 2 else alloc.heap_buffer(16) for n in range(128 * 60)]
    sampled = [n for n, buf in enumerate(bufs) if buf._leak is not None]
    for buf in bufs:
        buf.release()
    assert 25 < len(sampled) < 110, len(sampled)  # mean 60
    # the sampled position moves: a request that allocates 128 buffers has no blind spot
    assert len({n % 128 for n in sampled}) > 10
    ResourceLeakDetector.set_sampling_interval(1)  # at once, on every thread
    with untracked():
        every = [alloc.heap_buffer(8) for _ in range(20)]
    assert all(buf._leak is not None for buf in every)
    for buf in every:
        buf.release()


def test_no_call_per_allocation_when_nothing_tracks(untracked):
    with untracked():
        ResourceLeakDetector.set_level("disabled")
        assert (tracking.hook, tracking.sampler) == (None, None)
        ResourceLeakDetector.set_level("simple")  # sampled by the per-thread countdown, no hook
        assert (tracking.hook, tracking.sampler) == (None, detector._on_sampled)
        ResourceLeakDetector.set_level("paranoid")  # every allocation
        assert tracking.hook is detector._on_allocate
        ResourceLeakDetector.set_level("simple")
        with track_leaks() as tracker:  # an open tracker sees every allocation, at any level
            assert tracking.hook is detector._on_allocate
        assert tracker.closed and tracking.hook is None


def test_gc_leak_reported_with_netty_text_at_next_allocation(untracked, leak_log):
    ResourceLeakDetector.set_level("paranoid")
    with untracked():
        _leak_direct(hint="decoded frame")
        gc.collect()
        assert leak_log() == []  # never from the GC callback itself
        Unpooled.direct_buffer(1).release()
    [report] = leak_log()
    assert report.startswith(HEADLINE)
    assert "Recent access records: \n#1:\n\tHint: decoded frame\n" in report
    assert "Created at:\n" in report
    assert "test_detector.py:" in report.split("Created at:")[1]


def test_each_leak_is_reported_once(untracked, leak_log):
    ResourceLeakDetector.set_level("paranoid")
    with untracked():
        _leak_direct(hint="once")
        gc.collect()
        assert ResourceLeakDetector.report_pending() == 1
        assert ResourceLeakDetector.report_pending() == 0
        Unpooled.direct_buffer(1).release()
    assert len(leak_log()) == 1


def test_identical_reports_are_logged_once_like_netty(untracked, leak_log):
    ResourceLeakDetector.set_level("paranoid")
    with untracked():
        for _ in range(3):
            _leak_direct(hint="same place")
        gc.collect()
        ResourceLeakDetector.report_pending()
    assert len(leak_log()) == 1


def test_released_buffers_are_never_reported(untracked, leak_log):
    ResourceLeakDetector.set_level("paranoid")
    with untracked():
        for _ in range(10):
            buf = Unpooled.direct_buffer(8)
            buf.retain().release()
            buf.release()
        del buf
        gc.collect()
        assert ResourceLeakDetector.report_pending() == 0
    assert leak_log() == []


def test_simple_level_reports_only_the_creation_site(untracked, leak_log):
    ResourceLeakDetector.set_level("simple")
    ResourceLeakDetector.set_sampling_interval(1)
    with untracked():
        _leak_direct(hint="not kept at simple")
        gc.collect()
        ResourceLeakDetector.report_pending()
    [report] = leak_log()
    assert "#1:" not in report and "Hint" not in report
    assert "Created at:\n\t" in report


def test_record_does_not_keep_the_buffer_alive(untracked):
    ResourceLeakDetector.set_level("paranoid")
    import weakref

    with untracked():
        buf = ByteBufAllocator.DEFAULT.direct_buffer(8)
        ref = weakref.ref(buf)
        del buf
        assert ref() is None
        ResourceLeakDetector.report_pending()


def test_leaks_from_other_threads_are_reported(untracked, leak_log):
    ResourceLeakDetector.set_level("paranoid")
    with untracked():
        threads = [threading.Thread(target=_leak_direct, args=(f"thread {n}",)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        gc.collect()
        ResourceLeakDetector.report_pending()
    assert sorted(r.split("Hint: ")[1].split("\n")[0] for r in leak_log()) == [f"thread {n}" for n in range(4)]
