"""ChannelPipeline: handler management, event order, head/tail behaviour (after Netty's DefaultChannelPipelineTest)."""
from __future__ import annotations

import logging

import pytest
from channel_helpers import OutRecorder, Recorder, buf

from pytest_bufleak.channel import (
    ChannelDuplexHandler,
    ChannelHandler,
    ChannelInboundHandlerAdapter,
    ChannelInitializer,
    ChannelOutboundHandlerAdapter,
    ChannelPipelineException,
    ClosedChannelException,
    EmbeddedChannel,
)
from pytest_bufleak.channel.channel import Channel


class Plain(ChannelInboundHandlerAdapter):
    pass


class LoggingChannel(Channel):
    """A channel whose tail behaves as on a real transport (release and log), with no transport."""

    def __init__(self) -> None:
        super().__init__()
        self.written = []
        self._active = True

    def _do_write(self, outbound):
        while outbound.flushed:
            msg, _, promise = outbound.remove()
            self.written.append(msg)
            promise.try_success()

    def _do_close(self):
        pass

    def _execute_later(self, task):
        task()


def test_add_last_generates_names_and_keeps_order():
    ch = EmbeddedChannel()
    p = ch.pipeline()
    a, b, c = Plain(), Plain(), Plain()
    p.add_last(a, b).add_last("c", c)
    assert list(p.to_dict()) == ["Plain#0", "Plain#1", "c"]
    assert p.first() is a and p.last() is c
    assert p.names()[0] == "HeadContext#0" and p.names()[-1] == "TailContext#0"
    assert p.get("c") is c and p.get(Plain) is a and p.get("nope") is None
    assert "c" in p and len(p) == 3
    assert not ch.finish()


def test_add_first_before_after():
    ch = EmbeddedChannel()
    p = ch.pipeline()
    p.add_last("b", Plain())
    p.add_first("a", Plain())
    p.add_after("b", "d", Plain())
    p.add_before("d", "c", Plain())
    assert list(p.to_dict()) == ["a", "b", "c", "d"]
    with pytest.raises(KeyError):
        p.add_before("zzz", "e", Plain())
    assert not ch.finish()


def test_duplicate_name_is_refused():
    ch = EmbeddedChannel()
    ch.pipeline().add_last("x", Plain())
    with pytest.raises(ValueError, match="Duplicate handler name: x"):
        ch.pipeline().add_last("x", Plain())
    assert not ch.finish()


def test_non_sharable_handler_cannot_be_added_twice():
    handler = Plain()
    ch = EmbeddedChannel(handler)
    with pytest.raises(ValueError, match="is not a @Sharable handler"):
        EmbeddedChannel(handler)
    assert not ch.finish()


def test_a_handler_class_instead_of_an_instance_is_refused_and_leaves_the_class_usable():
    # It used to be added (then fail in handler_added) after marking the class itself as added,
    # so that every later instance was refused as "not a @Sharable handler".
    ch = EmbeddedChannel()
    with pytest.raises(TypeError, match=r"Plain is a class, not a handler: add an instance, Plain\(\)"):
        ch.pipeline().add_last(Plain)
    with pytest.raises(TypeError, match="is a class"):
        EmbeddedChannel(Plain)
    assert len(ch.pipeline()) == 0
    ch.pipeline().add_last(Plain()).add_last(Plain())
    assert len(ch.pipeline()) == 2
    assert not ch.finish()


def test_sharable_handler_in_two_pipelines():
    class Shared(ChannelInboundHandlerAdapter):
        sharable = True

    handler = Shared()
    a, b = EmbeddedChannel(handler), EmbeddedChannel(handler)
    assert a.pipeline().first() is b.pipeline().first() is handler
    assert not a.finish() and not b.finish()


def test_remove_and_replace_call_lifecycle_methods():
    events = []
    ch = EmbeddedChannel()
    p = ch.pipeline()
    p.add_last("one", Recorder(events, "one"))
    p.add_last("two", Recorder(events, "two"))
    assert isinstance(p.remove("one"), Recorder)
    old = p.replace("two", "three", Recorder(events, "three"))
    assert old.tag == "two"
    assert list(p.to_dict()) == ["three"]
    assert events == [("one", "added"), ("two", "added"), ("one", "removed"), ("three", "added"), ("two", "removed")]
    with pytest.raises(KeyError):
        p.remove("one")
    p.remove_last()
    with pytest.raises(KeyError):
        p.remove_first()
    assert not ch.finish()


def test_inbound_and_outbound_order():
    events = []
    ch = EmbeddedChannel(
        Recorder(events, "in1"), OutRecorder(events, "out1"), Recorder(events, "in2"), OutRecorder(events, "out2")
    )
    events.clear()
    assert ch.write_inbound("msg")
    assert ch.read_inbound() == "msg"
    assert ch.write_outbound("reply")
    assert ch.read_outbound() == "reply"
    assert events == [
        ("in1", "read", "msg"), ("in2", "read", "msg"),
        ("in1", "read_complete"), ("in2", "read_complete"),
        ("out2", "write"), ("out1", "write"), ("out2", "flush"), ("out1", "flush"),
    ]
    assert not ch.finish()


def test_close_fires_inactive_then_removes_handlers_last_to_first():
    events = []
    ch = EmbeddedChannel(Recorder(events, "a"), Recorder(events, "b"))
    ch.close()
    assert events[-4:] == [("a", "inactive"), ("b", "inactive"), ("b", "removed"), ("a", "removed")]
    assert ch.close_future().is_done() and not ch.is_open() and not ch.is_active()


def test_context_write_starts_at_previous_handler():
    events = []

    class Responder(ChannelInboundHandlerAdapter):
        def channel_read(self, ctx, msg):
            ctx.write_and_flush(msg)

    ch = EmbeddedChannel(OutRecorder(events, "before"), Responder(), OutRecorder(events, "after"))
    assert not ch.write_inbound(buf(b"ping"))
    assert events == [("before", "write"), ("before", "flush")]
    reply = ch.read_outbound()
    assert bytes(reply) == b"ping"
    reply.release()
    assert not ch.finish()


def test_skipped_methods_are_not_called():
    class OnlyRead(ChannelInboundHandlerAdapter):
        def channel_read(self, ctx, msg):
            ctx.fire_channel_read(msg + "!")

    ch = EmbeddedChannel(OnlyRead())
    ctx = ch.pipeline().context(OnlyRead)
    ch.pipeline().fire_user_event_triggered("evt")
    assert ch.write_inbound("x")
    assert ch.read_inbound() == "x!"
    assert ctx.name() == "OnlyRead#0" and ctx.handler() is ch.pipeline().first()
    assert not ch.finish()


def test_tail_releases_unhandled_message_with_debug_log(caplog):
    ch = LoggingChannel()
    msg = buf(b"lost")
    with caplog.at_level(logging.DEBUG, logger="pytest_bufleak"):
        ch.pipeline().fire_channel_read(msg)
    assert msg.ref_cnt() == 0
    assert "Discarded inbound message" in caplog.text
    assert "that reached at the tail of the pipeline" in caplog.text


def test_tail_logs_unhandled_exception(caplog):
    ch = LoggingChannel()
    with caplog.at_level(logging.WARNING, logger="pytest_bufleak"):
        ch.pipeline().fire_exception_caught(ValueError("boom"))
    assert "reached at the tail of the pipeline" in caplog.text
    assert "boom" in caplog.text


def test_tail_releases_reference_counted_user_event():
    ch = LoggingChannel()
    evt = buf(b"evt")
    ch.pipeline().fire_user_event_triggered(evt)
    assert evt.ref_cnt() == 0


def test_raising_handler_does_not_kill_the_channel():
    seen = []

    class Raises(ChannelInboundHandlerAdapter):
        def channel_read(self, ctx, msg):
            msg.release()
            raise RuntimeError("bad input")

    class Catcher(ChannelInboundHandlerAdapter):
        def exception_caught(self, ctx, cause):
            seen.append(cause)

    ch = EmbeddedChannel(Raises(), Catcher())
    a, b = buf(b"a"), buf(b"b")
    assert not ch.write_inbound(a, b)
    assert [str(e) for e in seen] == ["bad input", "bad input"]
    assert ch.is_active() and a.ref_cnt() == b.ref_cnt() == 0
    assert not ch.finish()


def test_exception_caught_that_raises_is_logged(caplog):
    class Bad(ChannelInboundHandlerAdapter):
        def channel_read(self, ctx, msg):
            raise ValueError("first")

        def exception_caught(self, ctx, cause):
            raise ValueError("second")

    ch = EmbeddedChannel(Bad())
    with caplog.at_level(logging.WARNING, logger="pytest_bufleak"):
        ch.write_inbound("x")
    assert "exception_caught() method while handling" in caplog.text
    assert not ch.finish()


def test_handler_added_that_raises_is_removed_and_reported():
    class Broken(ChannelInboundHandlerAdapter):
        def handler_added(self, ctx):
            raise RuntimeError("cannot start")

    ch = EmbeddedChannel()
    ch.pipeline().add_last("broken", Broken())
    assert "broken" not in ch.pipeline()
    with pytest.raises(ChannelPipelineException, match="handler_added"):
        ch.check_exception()
    assert not ch.finish()


def test_write_after_close_releases_and_fails_promise():
    ch = LoggingChannel()
    ch.close()
    msg = buf(b"late")
    promise = ch.write_and_flush(msg)
    assert msg.ref_cnt() == 0
    assert isinstance(promise.cause(), ClosedChannelException)


def test_close_releases_queued_writes():
    ch = LoggingChannel()
    msg = buf(b"queued")
    promise = ch.write(msg)
    assert not promise.is_done()
    ch.close()
    assert msg.ref_cnt() == 0 and isinstance(promise.cause(), ClosedChannelException)


def test_outbound_handler_with_promise_argument_and_failure():
    class Failing(ChannelOutboundHandlerAdapter):
        def write(self, ctx, msg, promise):
            msg.release()
            raise OSError("disk on fire")

    ch = LoggingChannel()
    ch.pipeline().add_last(Failing())
    msg = buf(b"x")
    promise = ch.write_and_flush(msg)
    assert isinstance(promise.cause(), OSError) and msg.ref_cnt() == 0


def test_promise_inherited_by_first_write_of_promise_less_handler():
    class Doubler(ChannelOutboundHandlerAdapter):
        def write(self, ctx, msg):
            ctx.write(msg)
            ctx.write(msg)

    ch = LoggingChannel()
    ch.pipeline().add_last(Doubler())
    done = []
    ch.write_and_flush("m").add_listener(lambda f: done.append(f.is_success()))
    assert ch.written == ["m", "m"] and done == [True]


def test_duplex_handler_sees_both_directions():
    events = []

    class Both(ChannelDuplexHandler):
        def channel_read(self, ctx, msg):
            events.append("read")
            ctx.fire_channel_read(msg)

        def write(self, ctx, msg):
            events.append("write")
            ctx.write(msg)

    ch = EmbeddedChannel(Both())
    ch.write_inbound("a")
    ch.write_outbound("b")
    assert events == ["read", "write"]
    assert ch.finish()
    assert ch.read_inbound() == "a" and ch.read_outbound() == "b"


def test_channel_initializer_adds_handlers_and_removes_itself():
    class Init(ChannelInitializer):
        def init_channel(self, channel):
            channel.pipeline().add_last("plain", Plain())

    ch = EmbeddedChannel(Init())
    assert list(ch.pipeline().to_dict()) == ["plain"]
    ch2 = EmbeddedChannel(ChannelInitializer(lambda c: c.pipeline().add_last("p", Plain())))
    assert list(ch2.pipeline().to_dict()) == ["p"]
    assert not ch.finish() and not ch2.finish()


def test_handler_removing_itself_during_read():
    class Once(ChannelInboundHandlerAdapter):
        def channel_read(self, ctx, msg):
            ctx.pipeline().remove(self)
            ctx.fire_channel_read(msg.upper())

    ch = EmbeddedChannel(Once())
    ch.write_inbound("a", "b")
    assert list(ch.inbound_messages()) == ["A", "b"]
    assert ch.finish()
    ch.release_inbound()


def test_base_handler_is_usable_for_lifecycle_only():
    added = []

    class Life(ChannelHandler):
        def handler_added(self, ctx):
            added.append(ctx.name())

    ch = EmbeddedChannel(Life())
    assert added == ["Life#0"]
    assert ch.write_inbound("through")
    assert ch.finish()
    assert ch.read_inbound() == "through"


# ---------------------------------------------------------------------------- resolved links (skip masks)


def test_links_follow_adds_and_removes_in_both_directions():
    events = []
    ch = EmbeddedChannel(Recorder(events, "a"), Plain(), Recorder(events, "c"))
    p = ch.pipeline()
    p.add_after("Recorder#0", "b", Recorder(events, "b"))
    ch.write_inbound("x")
    p.remove("Recorder#0")
    p.add_first("z", Recorder(events, "z"))
    ch.write_inbound("y")
    assert [e for e in events if e[1] == "read"] == [
        ("a", "read", "x"), ("b", "read", "x"), ("c", "read", "x"),
        ("z", "read", "y"), ("b", "read", "y"), ("c", "read", "y"),
    ]
    assert ch.read_inbound() == "x" and ch.read_inbound() == "y"
    written = []

    class Tag(ChannelOutboundHandlerAdapter):
        def __init__(self, tag):
            self.tag = tag

        def write(self, ctx, msg, promise=None):
            written.append(self.tag)
            ctx.write(msg, promise)

    p.add_last("t1", Tag("t1")).add_last("t2", Tag("t2"))
    assert ch.write_outbound("m") and written == ["t2", "t1"]
    p.remove("t2")
    p.add_first("t0", Tag("t0"))
    assert ch.write_outbound("n") and written == ["t2", "t1", "t1", "t0"]
    assert ch.finish_and_release_all()


def test_event_in_flight_through_removed_handlers_goes_on():
    """A handler that removes itself and the next one, then fires: the event walks the old links, as in Netty."""
    events = []

    class RemoveSelfAndNext(ChannelInboundHandlerAdapter):
        def channel_read(self, ctx, msg):
            ctx.pipeline().remove(self)
            ctx.pipeline().remove("b")
            ctx.fire_channel_read(msg)

    ch = EmbeddedChannel()
    ch.pipeline().add_last("r", RemoveSelfAndNext()).add_last("b", Recorder(events, "b")).add_last("c", Recorder(events, "c"))
    ch.write_inbound("x")
    assert [e for e in events if e[1] == "read"] == [("c", "read", "x")]
    assert ch.pipeline().names() == ["HeadContext#0", "c", "TailContext#0"]
    assert ch.read_inbound() == "x"
    assert not ch.finish()


def test_write_and_flush_from_a_removed_context_still_reaches_the_head():
    ch = EmbeddedChannel()
    kept = {}

    class Grab(ChannelInboundHandlerAdapter):
        def handler_added(self, ctx):
            kept["ctx"] = ctx

    ch.pipeline().add_last("g", Grab())
    ch.pipeline().remove("g")
    assert kept["ctx"].is_removed()
    promise = kept["ctx"].write_and_flush(buf(b"late"))
    assert promise.is_success()
    out = ch.read_outbound()
    assert bytes(out) == b"late"
    out.release()
    assert not ch.finish()
