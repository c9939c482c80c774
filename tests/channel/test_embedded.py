"""EmbeddedChannel semantics (after Netty's EmbeddedChannelTest)."""
from __future__ import annotations

import pytest
from channel_helpers import Recorder, buf

from pytest_bufleak import LeakLevel, ReferenceCounted, ResourceLeakDetector, track_leaks
from pytest_bufleak.channel import (
    ChannelInboundHandlerAdapter,
    ChannelOutboundHandlerAdapter,
    ClosedChannelException,
    EmbeddedChannel,
)


def test_constructed_channel_is_active_and_fired_channel_active():
    events = []
    ch = EmbeddedChannel(Recorder(events))
    assert ch.is_open() and ch.is_active() and ch.is_writable()
    assert events == [("", "added"), ("", "active")]
    assert not ch.finish()


def test_write_inbound_returns_whether_anything_reached_the_end():
    class Swallow(ChannelInboundHandlerAdapter):
        def channel_read(self, ctx, msg):
            msg.release()

    ch = EmbeddedChannel(Swallow())
    msg = buf(b"x")
    assert ch.write_inbound(msg) is False
    assert msg.ref_cnt() == 0
    assert ch.read_inbound() is None
    assert ch.finish() is False


def test_read_inbound_and_outbound_are_fifo_and_none_when_empty():
    ch = EmbeddedChannel()
    assert ch.read_inbound() is None and ch.read_outbound() is None
    assert ch.write_inbound(1, 2, 3)
    assert [ch.read_inbound() for _ in range(4)] == [1, 2, 3, None]
    assert ch.write_outbound("a", "b")
    assert [ch.read_outbound() for _ in range(3)] == ["a", "b", None]
    assert not ch.finish()


def test_write_outbound_without_messages_reports_queue_state():
    ch = EmbeddedChannel()
    assert ch.write_outbound() is False
    ch.write_one_outbound("pending")
    assert ch.read_outbound() is None  # not flushed yet
    ch.flush_outbound()
    assert ch.read_outbound() == "pending"
    assert not ch.finish()


def test_finish_reports_leftovers_and_finish_and_release_all_releases():
    ch = EmbeddedChannel()
    inbound, outbound = buf(b"in"), buf(b"out")
    ch.write_inbound(inbound)
    ch.write_outbound(outbound)
    assert ch.finish_and_release_all() is True
    assert inbound.ref_cnt() == 0 and outbound.ref_cnt() == 0
    assert ch.read_inbound() is None


def test_finish_keeps_messages_for_reading():
    ch = EmbeddedChannel()
    msg = buf(b"keep")
    ch.write_inbound(msg)
    assert ch.finish() is True
    got = ch.read_inbound()
    assert got is msg and got.ref_cnt() == 1
    got.release()


def test_release_inbound_and_outbound_return_whether_anything_was_released():
    ch = EmbeddedChannel()
    assert ch.release_inbound() is False and ch.release_outbound() is False
    a, b = buf(b"a"), buf(b"b")
    ch.write_inbound(a)
    ch.write_outbound(b)
    assert ch.release_inbound() is True and ch.release_outbound() is True
    assert a.ref_cnt() == 0 and b.ref_cnt() == 0
    assert ch.finish() is False


def test_exception_in_handler_is_raised_by_write_inbound():
    class Boom(ChannelInboundHandlerAdapter):
        def channel_read(self, ctx, msg):
            msg.release()
            raise KeyError("boom")

    ch = EmbeddedChannel(Boom())
    msg = buf(b"x")
    with pytest.raises(KeyError):
        ch.write_inbound(msg)
    assert msg.ref_cnt() == 0
    ch.check_exception()  # cleared once raised
    assert not ch.finish()


def test_check_exception_reports_the_first_and_logs_the_others(caplog):
    ch = EmbeddedChannel()
    ch.pipeline().fire_exception_caught(ValueError("first"))
    ch.pipeline().fire_exception_caught(ValueError("second"))
    assert "More than one exception was raised" in caplog.text
    with pytest.raises(ValueError, match="first"):
        ch.check_exception()
    ch.check_exception()
    assert not ch.finish()


def test_failed_outbound_write_raises_from_write_outbound():
    class Refuse(ChannelOutboundHandlerAdapter):
        def write(self, ctx, msg, promise):
            msg.release()
            promise.set_failure(OSError("refused"))

    ch = EmbeddedChannel(Refuse())
    msg = buf(b"x")
    with pytest.raises(OSError, match="refused"):
        ch.write_outbound(msg)
    assert msg.ref_cnt() == 0
    assert not ch.finish()


def test_writes_after_close_raise_and_release_the_message():
    ch = EmbeddedChannel()
    assert not ch.finish()
    a, b = buf(b"a"), buf(b"b")
    with pytest.raises(ClosedChannelException):
        ch.write_inbound(a)
    with pytest.raises(ClosedChannelException):
        ch.write_outbound(b)
    assert a.ref_cnt() == 0 and b.ref_cnt() == 0


def test_close_from_handler_is_deferred_until_the_read_is_done():
    events = []

    class Closer(ChannelInboundHandlerAdapter):
        def channel_read(self, ctx, msg):
            ctx.close()
            events.append(("after close", ctx.channel().is_active()))
            ctx.fire_channel_read(msg)

    ch = EmbeddedChannel(Closer(), Recorder(events, "next"))
    assert ch.write_inbound("m")
    assert ("next", "read", "m") in events and events.index(("after close", False)) < events.index(("next", "inactive"))
    assert not ch.is_open()
    assert ch.finish()
    assert ch.read_inbound() == "m"


def test_close_twice_is_harmless_and_promise_completes():
    ch = EmbeddedChannel()
    first = ch.close()
    second = ch.close()
    assert first.is_success() and second.is_success()


def test_channel_alloc_is_read_at_construction(monkeypatch):
    from pytest_bufleak import ByteBufAllocator, UnpooledByteBufAllocator

    mine = UnpooledByteBufAllocator()
    monkeypatch.setattr(ByteBufAllocator, "DEFAULT", mine)
    ch = EmbeddedChannel()
    assert ch.alloc() is mine
    assert not ch.finish()


def test_none_is_refused_as_a_message_and_the_others_are_released():
    # None is what read_inbound()/read_outbound() return for an empty queue: as a message it made
    # write_inbound() return True and read_inbound() answer None. Netty refuses null messages too.
    ch = EmbeddedChannel()
    first, last = buf(b"a"), buf(b"b")
    with pytest.raises(TypeError, match="None cannot be a message"):
        ch.write_inbound(first, None, last)
    assert first.ref_cnt() == 0 and last.ref_cnt() == 0
    assert ch.read_inbound() is None
    out = buf(b"c")
    with pytest.raises(TypeError, match="None cannot be a message"):
        ch.write_outbound(out, None)
    assert out.ref_cnt() == 0
    with pytest.raises(TypeError):
        ch.write_one_inbound(None)
    with pytest.raises(TypeError):
        ch.write_one_outbound(None)
    assert not ch.finish()


def test_read_messages_are_touched_for_the_leak_report():
    # As Netty's readInbound()/readOutbound(): a leaked message's records show where the test took it.
    level = ResourceLeakDetector.get_level()
    ResourceLeakDetector.set_level(LeakLevel.PARANOID)  # access records are kept from ADVANCED on
    try:
        with track_leaks() as tracker:
            ch = EmbeddedChannel()
            ch.write_inbound(buf(b"in"))
            ch.write_outbound(buf(b"out"))
            inbound, outbound = ch.read_inbound(), ch.read_outbound()
            assert not ch.finish()
    finally:
        ResourceLeakDetector.set_level(level)
    hints = sorted([record.hint for record in leak.records] for leak in tracker.leaks())  # newest first
    inbound.release()
    outbound.release()
    assert hints == [
        # the pipeline touches each message it hands on (Netty's pipeline.touch), then read_*() does
        ["Caller of read_inbound() will handle the message from this point",
         "'TailContext#0' will handle the message from this point."],
        ["Caller of read_outbound() will handle the message from this point",
         "'HeadContext#0' will handle the message from this point."],
    ]


def test_a_leaked_message_names_the_handler_that_had_it_last():
    # Netty's pipeline.touch: with access records on, each hand-over is recorded with the handler's name.
    class Forgetful(ChannelInboundHandlerAdapter):
        def channel_read(self, ctx, msg):
            self.seen = bytes(msg)  # neither released nor passed on

    level = ResourceLeakDetector.get_level()
    ResourceLeakDetector.set_level(LeakLevel.ADVANCED)
    try:
        with track_leaks() as tracker:
            ch = EmbeddedChannel(Forgetful())
            msg = buf(b"lost")
            ch.write_inbound(msg)
            assert not ch.finish()
    finally:
        ResourceLeakDetector.set_level(level)
    (leak,) = tracker.leaks()
    msg.release()
    assert [record.hint for record in leak.records] == ["'Forgetful#0' will handle the message from this point."]


class _Touched(ReferenceCounted):
    """A reference-counted message that remembers the hints it was touched with."""

    def __init__(self):
        self.count, self.hints = 1, []

    def ref_cnt(self):
        return self.count

    def retain(self, n=1):
        self.count += n
        return self

    def release(self, n=1):
        self.count -= n
        return self.count == 0

    def touch(self, hint=None):
        self.hints.append(hint)
        return self


@pytest.mark.parametrize("level, touched", [(LeakLevel.SIMPLE, False), (LeakLevel.ADVANCED, True)])
def test_the_pipeline_touches_messages_only_while_access_records_are_kept(level, touched):
    previous = ResourceLeakDetector.get_level()
    ResourceLeakDetector.set_level(level)
    try:
        ch = EmbeddedChannel()
        msg = _Touched()
        ch.write_inbound(msg)
        assert ch.read_inbound() is msg
        assert not ch.finish()
    finally:
        ResourceLeakDetector.set_level(previous)
    pipeline_hints = [h for h in msg.hints if h.endswith("will handle the message from this point.")]
    assert pipeline_hints == (["'TailContext#0' will handle the message from this point."] if touched else [])
