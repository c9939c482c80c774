"""LoggingHandler: Netty's LoggingHandlerTest cases ported (caplog in place of a logback appender), and the
ownership rule: it only looks, so under ``pytest --bufleak`` every buffer is released exactly once, by its owner."""
from __future__ import annotations

import logging
import re

import pytest

from pytest_bufleak import (
    ByteBufUtil,
    DefaultByteBufHolder,
    PooledByteBufAllocator,
    Unpooled,
)
from pytest_bufleak.channel import (
    ByteBufFormat,
    ChannelInboundHandlerAdapter,
    EmbeddedChannel,
    LoggingHandler,
    WriteBufferWaterMark,
)
from pytest_bufleak.handler.logging_handler import channel_string

LOGGER = "pytest_bufleak.handler.logging_handler.LoggingHandler"
CHANNEL = "[id: 0xembedded, L:embedded - R:embedded]"


@pytest.fixture
def log(caplog):
    """The messages LoggingHandler logs at WARNING and above (as Netty's test uses LogLevel.WARN)."""
    caplog.set_level(logging.WARNING, logger=LOGGER)

    def messages():
        return [r.getMessage() for r in caplog.records if r.name == LOGGER]

    return messages


def matching(messages, pattern, newline=False):
    """The messages whose first line matches ``pattern`` and that have a hex dump iff ``newline``
    (Netty's RegexLogMatcher)."""
    return [m for m in messages if re.fullmatch(pattern, m.split("\n")[0]) and ("\n" in m) == newline]


def warn_channel(*handlers, **kwargs):
    return EmbeddedChannel(LoggingHandler(logging.WARNING), *handlers, **kwargs)


# ---------------------------------------------------------------------------- construction


def test_default_level_is_debug_and_logger_named_after_the_class():
    handler = LoggingHandler()
    assert handler.level() == logging.DEBUG
    assert handler.logger().name == LOGGER
    assert handler.byte_buf_format() is ByteBufFormat.HEX_DUMP


def test_custom_level_logger_name_and_format():
    handler = LoggingHandler(logging.INFO, "my.wire", ByteBufFormat.SIMPLE)
    assert handler.level() == logging.INFO
    assert handler.logger().name == "my.wire"
    assert handler.byte_buf_format() is ByteBufFormat.SIMPLE
    assert LoggingHandler("warn").level() == logging.WARNING
    assert LoggingHandler(logger_name=ChannelInboundHandlerAdapter).logger().name == (
        "pytest_bufleak.channel.handlers.ChannelInboundHandlerAdapter")


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"level": None}, TypeError, "level"),
        ({"level": True}, TypeError, "level"),
        ({"level": 1.5}, TypeError, "level"),
        ({"level": "LOUD"}, ValueError, "level"),
        ({"level": -1}, ValueError, "level"),
        ({"logger_name": 3}, TypeError, "logger_name"),
        ({"logger_name": ""}, ValueError, "logger_name"),
        ({"byte_buf_format": "SIMPLE"}, TypeError, "byte_buf_format"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        LoggingHandler(**kwargs)


# ---------------------------------------------------------------------------- Netty's cases


def test_logs_channel_active(log):
    warn_channel()
    assert log() == [f"{CHANNEL} ACTIVE"]


def test_logs_channel_writability_changed(log):
    ch = warn_channel(water_mark=WriteBufferWaterMark(5, 10))
    ch.write(Unpooled.copied_buffer(b"hello, world"))   # 12 bytes pending, over the high mark
    assert matching(log(), r".+WRITABILITY CHANGED")
    assert not ch.finish_and_release_all()


def test_logs_channel_close(log):
    ch = warn_channel()
    ch.close()
    assert matching(log(), r".+CLOSE")


def test_logs_channel_inactive(log):
    ch = warn_channel()
    ch.pipeline().fire_channel_inactive()
    assert matching(log(), r".+INACTIVE")
    ch.finish()


def test_inactive_channel_is_shown_with_an_exclamation_mark(log):
    ch = warn_channel()
    ch.finish()
    assert log()[-2:] == [f"{CHANNEL} CLOSE", "[id: 0xembedded, L:embedded ! R:embedded] INACTIVE"]


def test_logs_user_event(log):
    ch = warn_channel()
    ch.pipeline().fire_user_event_triggered("iAmCustom!")
    assert matching(log(), r".+USER_EVENT: iAmCustom!")
    ch.finish()


def test_logs_exception_with_its_traceback(log, caplog):
    ch = warn_channel()
    cause = RuntimeError("illegalState")
    ch.pipeline().fire_exception_caught(cause)
    assert matching(log(), r".+EXCEPTION: RuntimeError: illegalState")
    (record,) = [r for r in caplog.records if "EXCEPTION" in r.getMessage()]
    assert record.exc_info[1] is cause
    with pytest.raises(RuntimeError, match="illegalState"):   # passed on to the tail, unchanged
        ch.check_exception()
    ch.finish()


def test_exception_of_a_module_class_is_shown_qualified(log):
    from pytest_bufleak.channel import TooLongFrameException

    ch = warn_channel()
    ch.pipeline().fire_exception_caught(TooLongFrameException("too long"))
    assert matching(log(), rf".+EXCEPTION: {re.escape(TooLongFrameException.__module__)}\.TooLongFrameException: too long")
    with pytest.raises(TooLongFrameException):
        ch.check_exception()


def test_logs_data_written_and_flush(log):
    ch = warn_channel()
    ch.write_outbound("hello")
    assert matching(log(), r".+WRITE: hello")
    assert matching(log(), r".+FLUSH")
    assert ch.read_outbound() == "hello"
    assert not ch.finish()


def test_logs_non_bytebuf_data_read(log):
    msg = "hello"
    ch = warn_channel()
    ch.write_inbound(msg)
    assert matching(log(), r".+READ: hello")
    assert ch.read_inbound() is msg
    assert ch.read_inbound() is None


def test_logs_bytebuf_data_read_with_a_hex_dump(log):
    msg = Unpooled.copied_buffer(b"hello")
    ch = warn_channel()
    ch.write_inbound(msg)
    assert matching(log(), r".+READ: 5B", newline=True)
    (line,) = [m for m in log() if "READ: 5B" in m]
    assert line == f"{CHANNEL} READ: 5B\n" + ByteBufUtil.pretty_hex_dump(msg)
    assert "|00000000| 68 65 6c 6c 6f                                  |hello           |" in line
    handled = ch.read_inbound()
    assert handled is msg
    handled.release()
    assert ch.read_inbound() is None


def test_logs_bytebuf_data_read_with_simple_format(log):
    msg = Unpooled.copied_buffer(b"hello")
    ch = EmbeddedChannel(LoggingHandler(logging.WARNING, byte_buf_format=ByteBufFormat.SIMPLE))
    ch.write_inbound(msg)
    assert matching(log(), r".+READ: 5B", newline=False)
    handled = ch.read_inbound()
    assert handled is msg
    handled.release()


def test_logs_empty_bytebuf_data_read(log):
    msg = Unpooled.EMPTY_BUFFER
    ch = warn_channel()
    ch.write_inbound(msg)
    assert matching(log(), r".+READ: 0B", newline=False)
    assert ch.read_inbound() is msg
    assert ch.read_inbound() is None


def test_logs_bytebuf_holder_data_read(log):
    class Foobar(DefaultByteBufHolder):
        def __str__(self):
            return "foobar"

    msg = Foobar(Unpooled.copied_buffer(b"hello"))
    ch = warn_channel()
    ch.write_inbound(msg)
    assert matching(log(), r".+READ: foobar, 5B", newline=True)
    handled = ch.read_inbound()
    assert handled is msg
    handled.release()
    assert ch.read_inbound() is None


def test_logs_channel_read_complete(log):
    ch = warn_channel()
    ch.write_inbound(Unpooled.EMPTY_BUFFER)
    assert matching(log(), r".+READ COMPLETE")
    ch.read_inbound()


# ---------------------------------------------------------------------------- ownership and cost


def test_passes_every_buffer_on_untouched_and_never_retains_or_releases(log):
    alloc = PooledByteBufAllocator()
    inbound, outbound = alloc.buffer(16), alloc.buffer(16)
    inbound.write_bytes(b"xxin-bytes")
    inbound.skip_bytes(2)
    outbound.write_bytes(b"out-bytes")
    ch = EmbeddedChannel(LoggingHandler(logging.WARNING), alloc=alloc)

    ch.write_inbound(inbound)
    ch.write_outbound(outbound)

    got_in, got_out = ch.read_inbound(), ch.read_outbound()
    assert got_in is inbound and got_out is outbound
    assert (got_in.ref_cnt(), got_in.reader_index, got_in.writer_index) == (1, 2, 10)
    assert (got_out.ref_cnt(), got_out.reader_index) == (1, 0)
    assert matching(log(), r".+READ: 8B", newline=True) and matching(log(), r".+WRITE: 9B", newline=True)
    got_in.release()   # the only release: a second one, or none, fails this test under --bufleak
    got_out.release()
    assert not ch.finish()


def test_is_sharable_between_channels(log):
    handler = LoggingHandler(logging.WARNING)
    first, second = EmbeddedChannel(handler), EmbeddedChannel(handler)
    assert len(matching(log(), r".+ACTIVE")) == 2
    assert not first.finish() and not second.finish()


def test_nothing_is_formatted_when_the_logger_is_not_enabled(caplog, monkeypatch):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    handler = LoggingHandler(logging.DEBUG)

    def refuse(*args):
        raise AssertionError("format called for a disabled level")

    monkeypatch.setattr(handler, "format", refuse)
    buf = Unpooled.copied_buffer(b"quiet")
    ch = EmbeddedChannel(handler)
    ch.write_inbound(buf)
    ch.write_outbound("x")
    ch.pipeline().fire_user_event_triggered("evt")
    assert not [r for r in caplog.records if r.name == LOGGER]
    handled = ch.read_inbound()
    assert handled is buf
    handled.release()
    assert ch.finish_and_release_all()


def test_a_message_that_can_not_be_formatted_is_still_passed_on(log):
    class Unprintable:
        def __str__(self):
            raise RuntimeError("no text")

    msg = Unprintable()
    ch = warn_channel()
    ch.write_inbound(msg)
    assert ch.read_inbound() is msg
    assert matching(log(), r".+READ: <Unprintable not formatted: RuntimeError: no text>")


def test_a_released_buffer_is_shown_without_reading_it():
    handler = LoggingHandler()
    ch = EmbeddedChannel()
    ctx = ch.pipeline().add_last("log", handler).context("log")
    buf = Unpooled.copied_buffer(b"gone")
    buf.release()
    assert handler.format(ctx, "WRITE", buf).endswith(f"WRITE: {buf!r}")
    assert handler.format(ctx, "CONNECT", "a", "b") == f"{CHANNEL} CONNECT: a, b"


def test_channel_string_of_a_connected_channel():
    class Socketish:
        def __init__(self, local, remote, active):
            self._local, self._remote, self._active = local, remote, active

        def id(self):
            return "0a1b2c3d"

        def local_address(self):
            return self._local

        def remote_address(self):
            return self._remote

        def is_active(self):
            return self._active

    connected = Socketish(("127.0.0.1", 8080), ("127.0.0.1", 55555), True)
    assert channel_string(connected) == "[id: 0x0a1b2c3d, L:/127.0.0.1:8080 - R:/127.0.0.1:55555]"
    closed = Socketish(("127.0.0.1", 8080), ("127.0.0.1", 55555), False)
    assert channel_string(closed) == "[id: 0x0a1b2c3d, L:/127.0.0.1:8080 ! R:/127.0.0.1:55555]"
    assert channel_string(Socketish(("::", 80), None, False)) == "[id: 0x0a1b2c3d, L:/:::80]"
    assert channel_string(Socketish(None, None, False)) == "[id: 0x0a1b2c3d]"


def test_a_channel_without_an_id_keeps_one_random_id():
    class Bare:
        pass

    bare = Bare()
    text = channel_string(bare)
    assert re.fullmatch(r"\[id: 0x[0-9a-f]{8}\]", text)
    assert channel_string(bare) == text
