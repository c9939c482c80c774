"""SimpleChannelInboundHandler: type matching and auto-release (after Netty's SimpleChannelInboundHandlerTest)."""
from __future__ import annotations

import pytest
from channel_helpers import buf

from pytest_bufleak import ByteBuf, track_leaks
from pytest_bufleak.channel import EmbeddedChannel, SimpleChannelInboundHandler


class Collect(SimpleChannelInboundHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen = []

    def channel_read0(self, ctx, msg):
        self.seen.append(bytes(msg) if isinstance(msg, ByteBuf) else msg)


def test_default_type_accepts_everything_and_releases():
    handler = Collect()
    ch = EmbeddedChannel(handler)
    msg = buf(b"x")
    assert not ch.write_inbound(msg, "text")
    assert handler.seen == [b"x", "text"] and msg.ref_cnt() == 0
    assert not ch.finish()


def test_class_attribute_type_and_subclass_without_arguments():
    class OnlyBuffers(SimpleChannelInboundHandler):
        inbound_message_type = ByteBuf

        def channel_read0(self, ctx, msg):
            self.last = bytes(msg)

    handler = OnlyBuffers()
    ch = EmbeddedChannel(handler)
    msg = buf(b"yes")
    assert ch.write_inbound(msg, "passed on")
    assert handler.last == b"yes" and msg.ref_cnt() == 0
    assert ch.read_inbound() == "passed on"
    assert not ch.finish()


def test_constructor_type_passes_other_types_on_untouched():
    handler = Collect(str)
    ch = EmbeddedChannel(handler)
    other = buf(b"other")
    assert ch.write_inbound(other, "mine")
    assert handler.seen == ["mine"]
    got = ch.read_inbound()
    assert got is other and other.ref_cnt() == 1
    got.release()
    assert not ch.finish()


def test_auto_release_off_leaves_ownership_to_the_handler():
    handler = Collect(auto_release=False)
    ch = EmbeddedChannel(handler)
    msg = buf(b"keep")
    ch.write_inbound(msg)
    assert msg.ref_cnt() == 1
    msg.release()
    assert not ch.finish()


def test_released_even_when_channel_read0_raises():
    class Fails(SimpleChannelInboundHandler):
        def channel_read0(self, ctx, msg):
            raise ValueError("bad message")

    ch = EmbeddedChannel(Fails())
    msg = buf(b"x")
    with pytest.raises(ValueError, match="bad message"):
        ch.write_inbound(msg)
    assert msg.ref_cnt() == 0
    assert not ch.finish()


def test_tuple_of_types():
    handler = Collect((int, str))
    ch = EmbeddedChannel(handler)
    assert ch.write_inbound(1, "a", 2.5)
    assert handler.seen == [1, "a"] and ch.read_inbound() == 2.5
    assert not ch.finish()


def test_missing_channel_read0_is_reported():
    ch = EmbeddedChannel(SimpleChannelInboundHandler())
    with pytest.raises(NotImplementedError, match="channel_read0"):
        ch.write_inbound("x")
    assert not ch.finish()


def test_auto_release_of_an_already_released_message_warns_instead_of_hiding_the_error(caplog):
    class ReleasesAndFails(SimpleChannelInboundHandler):
        def channel_read0(self, ctx, msg):
            msg.release()  # a bug: the handler releases what auto-release will release again
            raise KeyError("the error that matters")

    with track_leaks() as tracker:  # the over-release is reported to the buffer's tracker (this one)
        ch = EmbeddedChannel(ReleasesAndFails())
        msg = buf(b"x")
        with caplog.at_level("WARNING", logger="pytest_bufleak"):
            with pytest.raises(KeyError, match="the error that matters"):
                ch.write_inbound(msg)
        assert msg.ref_cnt() == 0
        assert "refCnt: 0, decrement: 1" in caplog.text
        assert not ch.finish()
    assert len(tracker.over_released) == 1


def test_netty_style_boolean_constructor_argument_is_auto_release():
    # Netty's SimpleChannelInboundHandler(boolean autoRelease): False used to become the message
    # type, and every read then failed in isinstance() after releasing the message.
    class Keep(SimpleChannelInboundHandler):
        def __init__(self):
            super().__init__(False)

        def channel_read0(self, ctx, msg):
            ctx.fire_channel_read(msg)

    handler = Keep()
    assert handler.auto_release is False and handler.inbound_message_type is object
    ch = EmbeddedChannel(handler)
    msg = buf(b"x")
    assert ch.write_inbound(msg)
    assert ch.read_inbound() is msg and msg.ref_cnt() == 1
    msg.release()
    assert not ch.finish()


def test_a_wrong_message_type_fails_when_the_handler_is_made():
    with pytest.raises(TypeError, match=r"inbound_message_type: \[<class"):
        SimpleChannelInboundHandler([ByteBuf])
    with pytest.raises(TypeError, match="Bad.inbound_message_type: 'ByteBuf'"):
        class Bad(SimpleChannelInboundHandler):
            inbound_message_type = "ByteBuf"
    SimpleChannelInboundHandler((ByteBuf, str))  # a tuple of classes is fine


def test_auto_release_class_attribute_survives_super_init():
    # Like inbound_message_type, auto_release may be set in the class body; super().__init__()
    # used to overwrite it with True, so the handler released messages it meant to keep.
    class Keep(SimpleChannelInboundHandler):
        auto_release = False

        def __init__(self):
            super().__init__()

        def channel_read0(self, ctx, msg):
            ctx.fire_channel_read(msg)

    ch = EmbeddedChannel(Keep())
    msg = buf(b"x")
    assert ch.write_inbound(msg)
    assert ch.read_inbound() is msg and msg.ref_cnt() == 1
    msg.release()
    assert Collect(auto_release=False).auto_release is False and Collect().auto_release is True
    assert not ch.finish()
