"""track_leaks(): presence-based tracking of every buffer a scope allocates, usable without pytest."""
import asyncio
import gc
import threading
import weakref

import pytest

from pytest_bufleak import ByteBufAllocator, ResourceLeakDetector, Unpooled, UnpooledByteBufAllocator, track_leaks
from pytest_bufleak.leak import HandOver


def _line_of(marker):
    """The line of this file holding ``marker`` (so tests never hard-code line numbers)."""
    with open(__file__) as source:
        for number, line in enumerate(source, 1):
            if marker in line and "_line_of" not in line:
                return number
    raise LookupError(marker)


def test_every_buffer_kind_is_tracked_and_released_ones_drop_out():
    allocators = [UnpooledByteBufAllocator.DEFAULT, ByteBufAllocator.DEFAULT]
    with track_leaks() as tracker:
        bufs = [Unpooled.buffer(4), Unpooled.direct_buffer(4), Unpooled.copied_buffer(b"abc"),
                Unpooled.wrapped_buffer(bytearray(b"xy"))]
        bufs += [alloc.heap_buffer(4) for alloc in allocators] + [alloc.direct_buffer(4) for alloc in allocators]
        assert len(tracker.live()) == len(bufs)
        for buf in bufs[1:]:
            buf.release()
    assert [leak.buffer for leak in tracker.leaks()] == [bufs[0]]
    bufs[0].release()
    assert tracker.leaks() == []


def test_a_strongly_held_leak_is_caught_at_once_with_its_site():
    with track_leaks() as tracker:
        held = Unpooled.buffer(8)  # strongly held leak
        held.write_short(7)
    [leak] = tracker.leaks()
    assert leak.buffer is held and not leak.collected
    assert leak.ref_cnt == 1
    assert leak.description == repr(held)
    assert leak.site == f"{__file__}:{_line_of('# strongly held leak')}"
    assert leak.frame.name == "test_a_strongly_held_leak_is_caught_at_once_with_its_site"
    assert "is still live (refCnt: 1)" in leak.report()
    held.release()


def test_a_garbage_collected_leak_is_still_a_leak():
    with track_leaks() as tracker:
        Unpooled.direct_buffer(8).retain()  # dropped with refCnt 2
        gc.collect()
    [leak] = tracker.leaks()
    assert leak.collected and leak.buffer is None and leak.ref_cnt is None
    assert leak.kind == "UnpooledDirectByteBuf"
    assert leak.report().startswith("LEAK: ByteBuf.release() was not called before it's garbage-collected.")
    assert tracker.live() == []


def test_tracking_never_keeps_a_buffer_alive():
    with track_leaks():
        buf = Unpooled.buffer(8)
        ref = weakref.ref(buf)
        del buf
        assert ref() is None


def test_derived_buffers_share_the_roots_record():
    with track_leaks() as tracker:
        root = Unpooled.copied_buffer(b"0123456789")
        part = root.retained_slice(2, 3)
        root.duplicate()
        root.release()
        assert len(tracker.leaks()) == 1
        part.release()
    assert tracker.leaks() == []


def test_empty_buffer_is_never_tracked():
    with track_leaks() as tracker:
        assert Unpooled.copied_buffer(b"") is Unpooled.EMPTY_BUFFER
    assert tracker.leaks() == []


def test_access_records_newest_first_with_hints_and_creation_last():
    ResourceLeakDetector.set_level("paranoid")
    with track_leaks() as tracker:
        buf = Unpooled.buffer(8)  # created here
        buf.touch("first touch")  # touched here
        buf.retain()  # retained here
        buf.release()  # released here
    [leak] = tracker.leaks()
    lines = [record.frames[0].lineno for record in leak.records]
    assert lines == [_line_of(f"# {what} here") for what in ("released", "retained", "touched")]
    assert [record.hint for record in leak.records] == [None, None, "first touch"]
    text = leak.report()
    assert text.index("#1:") < text.index("#3:\n\tHint: first touch\n") < text.index("Created at:")
    assert f"Created at:\n\t{__file__}:{_line_of('# created here')} in test_access_records" in text
    buf.release()


def test_simple_level_keeps_the_site_but_no_access_records():
    ResourceLeakDetector.set_level("simple")
    with track_leaks() as tracker:
        buf = Unpooled.buffer(8)
        buf.touch("ignored")
    [leak] = tracker.leaks()
    assert leak.records == [] and leak.site.startswith(__file__)
    buf.release()


def test_records_are_dropped_like_netty_keeping_the_oldest_and_the_latest_every_time():
    ResourceLeakDetector.set_level("paranoid")
    with track_leaks() as tracker:
        buf = Unpooled.buffer(8)
        for n in range(200):
            buf.touch(f"touch {n}")
    [leak] = tracker.leaks()
    hints = [record.hint for record in leak.records]
    assert hints == ["touch 199", "touch 1", "touch 0"]  # the newest, and the first ones: no dice
    assert leak.dropped == 197
    assert "197 leak records were discarded because the leak record count is targeted to 4" in leak.report()
    buf.release()


def test_hand_over_records_survive_the_back_off():
    ResourceLeakDetector.set_level("paranoid")
    with track_leaks() as tracker:
        buf = Unpooled.buffer(8)
        for n in range(20):
            buf.touch(f"touch {n}")
        buf.touch(HandOver("'guard' will handle the message from this point."))
        for n in range(20):
            buf.retain()
            buf.release()
    [leak] = tracker.leaks()
    hints = [record.hint for record in leak.records]
    assert hints == [None, "'guard' will handle the message from this point.", "touch 1", "touch 0"]
    buf.release()


def test_target_records_zero_keeps_every_record():
    ResourceLeakDetector.set_level("paranoid")
    ResourceLeakDetector.set_target_records(0)
    with track_leaks() as tracker:
        buf = Unpooled.buffer(8)
        for n in range(50):
            buf.touch(n)
    assert len(tracker.leaks()[0].records) == 50
    buf.release()


def test_buffers_allocated_after_the_block_are_not_its_own():
    with track_leaks() as tracker:
        pass
    buf = Unpooled.buffer(1)
    assert tracker.leaks() == []
    buf.release()


def test_nested_tracker_owns_what_is_allocated_inside_it():
    with track_leaks() as outer:
        a = Unpooled.buffer(1)
        with track_leaks() as inner:
            b = Unpooled.buffer(1)
        c = Unpooled.buffer(1)
    assert [leak.buffer for leak in outer.leaks()] == [a, c]
    assert [leak.buffer for leak in inner.leaks()] == [b]
    for buf in (a, b, c):
        buf.release()


def test_threads_without_an_owner_fall_back_to_the_active_tracker():
    made = []
    with track_leaks() as tracker:
        thread = threading.Thread(target=lambda: made.append(Unpooled.direct_buffer(4)))
        thread.start()
        thread.join()
    assert [leak.buffer for leak in tracker.leaks()] == made
    made[0].release()


def test_asyncio_tasks_are_attributed_to_the_tracker_that_created_them():
    async def allocate(into, gate):
        await gate.wait()
        into.append(Unpooled.buffer(1))

    async def scope(into, gate):
        with track_leaks() as tracker:
            child = asyncio.get_running_loop().create_task(allocate(into, gate))
            await gate.wait()
            await child
        return tracker

    async def main():
        gate = asyncio.Event()
        first, second = [], []
        scopes = asyncio.gather(scope(first, gate), scope(second, gate))
        await asyncio.sleep(0)  # both scopes are open and both children are waiting
        gate.set()
        one, two = await scopes
        return one, two, first, second

    one, two, first, second = asyncio.run(main())
    assert [leak.buffer for leak in one.leaks()] == first
    assert [leak.buffer for leak in two.leaks()] == second
    for buf in first + second:
        buf.release()


def test_a_task_that_outlives_its_tracker_is_found_by_the_active_one_and_named():
    async def main():
        gate = asyncio.Event()
        made = []

        async def late():
            await gate.wait()
            made.append(Unpooled.buffer(1))  # allocated after "first" ended

        with track_leaks("first") as first:
            task = asyncio.get_running_loop().create_task(late())
        with track_leaks("second") as second:
            gate.set()
            await task
            own = Unpooled.buffer(2)
        return first, second, made[0], own

    first, second, late_buf, own = asyncio.run(main())
    assert first.leaks() == []
    late_leak, own_leak = second.leaks()
    assert (late_leak.buffer, late_leak.origin) == (late_buf, "first")
    assert (own_leak.buffer, own_leak.origin) == (own, None)
    assert late_leak.summary().endswith(f":{_line_of('# allocated after')} in late (after first had ended)")
    assert late_leak.to_json()["origin"] == "first" and own_leak.to_json()["origin"] is None
    late_buf.release()
    own.release()


def test_assert_clean_names_every_leak():
    with track_leaks("my scope") as tracker:
        buf = Unpooled.buffer(3)  # leaked for assert_clean
    with pytest.raises(AssertionError) as failure:
        tracker.assert_clean()
    message = str(failure.value)
    assert message.startswith("my scope leaked 1 buffer:\n[1] UnpooledHeapByteBuf(ridx: 0, widx: 0, cap: 3), refCnt: 1")
    assert f"{__file__}:{_line_of('# leaked for assert_clean')}" in message
    buf.release()
    tracker.assert_clean()


def test_clear_forgets_tracked_buffers():
    with track_leaks() as tracker:
        Unpooled.buffer(1)
    tracker.clear()
    assert tracker.leaks() == []


def test_leak_to_json():
    ResourceLeakDetector.set_level("paranoid")
    with track_leaks() as tracker:
        buf = Unpooled.buffer(2).touch("why")
    data = tracker.leaks()[0].to_json()
    assert data["repr"] == repr(buf) and data["ref_cnt"] == 1 and data["collected"] is False
    assert data["site"].startswith(__file__)
    assert data["records"][0]["hint"] == "why"
    assert data["created"][0].endswith("in test_leak_to_json")
    buf.release()


def test_hand_over_moves_a_buffer_to_another_tracker():
    with track_leaks() as wider:
        pass
    with track_leaks() as narrow:
        buf = Unpooled.buffer(2)
        assert narrow.hand_over(buf.slice(0, 1), to=wider).unwrap() is buf
        with pytest.raises(ValueError, match="no scopes outside pytest"):
            narrow.hand_over(buf, scope="module")
    assert narrow.leaks() == [] and [leak.buffer for leak in wider.leaks()] == [buf]
    buf.release()
    assert wider.leaks() == []
