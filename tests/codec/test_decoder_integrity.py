"""ByteToMessageDecoder when the buffer it holds was freed behind its back: the first error wins, nothing raises twice."""
from __future__ import annotations

import pytest

from pytest_bufleak import Unpooled, track_leaks
from pytest_bufleak.channel import ByteToMessageDecoder, ChannelInboundHandlerAdapter, DecoderException, EmbeddedChannel


class Pairs(ByteToMessageDecoder):
    """Two-byte frames."""

    def decode(self, ctx, buf, out):
        if buf.readable_bytes() >= 2:
            out.append(buf.read_bytes(2))


class ReleaseThenFire(ChannelInboundHandlerAdapter):
    """The classic bug: releases the message, then passes it on anyway."""

    def channel_read(self, ctx, msg):
        msg.release()
        ctx.fire_channel_read(msg)


class ReleasesItsInput(ByteToMessageDecoder):
    """A decoder that releases the cumulation (it must not) and then fails for a reason of its own."""

    def decode(self, ctx, buf, out):
        buf.release()
        raise ValueError("the error that matters")


def test_release_then_fire_upstream_is_named_and_reported_once():
    decoder = Pairs()
    with track_leaks() as tracker:
        ch = EmbeddedChannel(ReleaseThenFire(), decoder)
        with pytest.raises(DecoderException, match=r"'Pairs#0' \(Pairs\) received a released buffer from 'ReleaseThenFire#0'"):
            ch.write_inbound(Unpooled.copied_buffer(b"abc"))
        assert decoder.actual_readable_bytes() == 0  # the freed buffer was never kept as the cumulation
        ch.pipeline().remove(ReleaseThenFire)
        assert ch.write_inbound(Unpooled.copied_buffer(b"xy"))  # the decoder still works
        frame = ch.read_inbound()
        assert bytes(frame) == b"xy"
        frame.release()
        assert not ch.finish()  # and closing raises nothing more
    [over] = tracker.over_released
    report = over.report()
    assert "release-then-fire" in report
    assert "test_decoder_integrity.py" in report.split("Freed first at:")[1]  # where the handler released it


def test_a_decoder_that_frees_its_cumulation_keeps_its_own_error():
    with track_leaks() as tracker:
        ch = EmbeddedChannel(ReleasesItsInput())
        with pytest.raises(DecoderException, match="the error that matters") as caught:
            ch.write_inbound(Unpooled.copied_buffer(b"abc"))
        assert isinstance(caught.value.__cause__, ValueError)
        assert ch.pipeline().first().actual_readable_bytes() == 0  # the freed cumulation was dropped
        assert not ch.finish()
    assert len(tracker.over_released) == 1  # the decoder's own release of the freed buffer, reported
    assert not tracker.leaks()
