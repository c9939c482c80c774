"""Over-release reports outside pytest: the owning tracker keeps them, listeners hear of them, else a log."""
import logging

from pytest_bufleak import ReferenceCountUtil, ResourceLeakDetector, Unpooled, track_leaks


def test_the_owning_tracker_gets_the_report_with_both_sites():
    with track_leaks() as tracker:
        buf = Unpooled.buffer(4)
        buf.release()  # freed here
        assert ReferenceCountUtil.safe_release(buf) is False  # released again here
    [over] = tracker.over_released
    assert over.freed.frames[0].lineno == over.created.frames[0].lineno + 1
    assert over.released.frames[0].lineno == over.freed.frames[0].lineno + 1
    assert "Freed first at:" in over.report() and "refCnt: 0, decrement: 1" in over.report()
    try:
        tracker.assert_clean()
    except AssertionError as error:
        assert "over-released 1 buffer" in str(error)
    else:
        raise AssertionError("assert_clean() passed over an over-release")


def test_listeners_hear_of_every_over_release_and_a_view_finds_its_root(untracked):
    heard = []
    ResourceLeakDetector.set_level("paranoid")  # tracks every buffer outside a tracker too
    ResourceLeakDetector.add_over_release_listener(heard.append)
    try:
        with untracked():
            view = Unpooled.direct_buffer(4).slice(0, 2)
            view.release()
            ReferenceCountUtil.safe_release(view)
    finally:
        ResourceLeakDetector.remove_over_release_listener(heard.append)
    [over] = heard
    assert over.description.startswith("UnpooledSlicedByteBuf(freed)") and over.freed is not None


def test_without_owner_or_listener_it_is_logged(untracked, caplog):
    caplog.set_level(logging.ERROR, logger="pytest_bufleak")
    with untracked():
        buf = Unpooled.buffer(1)
        buf.release()
        ReferenceCountUtil.safe_release(buf)
    assert any(record.getMessage().startswith("OVER-RELEASE: UnpooledHeapByteBuf(freed)") for record in caplog.records)
