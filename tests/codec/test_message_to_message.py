"""MessageToMessageDecoder/Encoder/Codec and ByteToMessageCodec: the input is released after decode/encode,
even when it raises; what was produced goes on; other messages pass untouched."""
from __future__ import annotations

import pytest
from codec_helpers import buf

from pytest_bufleak import ByteBuf, DefaultByteBufHolder
from pytest_bufleak.channel import (
    ByteToMessageCodec,
    DecoderException,
    EmbeddedChannel,
    EncoderException,
    MessageToMessageCodec,
    MessageToMessageDecoder,
    MessageToMessageEncoder,
)


class HalfSplitter(MessageToMessageDecoder):
    """Passes on the two halves of each buffer as retained slices (the input itself is released after)."""

    inbound_message_type = ByteBuf

    def decode(self, ctx, msg, out):
        half = msg.readable_bytes() // 2
        out.append(msg.read_retained_slice(half))
        out.append(msg.retained_slice())


def test_decoder_releases_its_input_and_outputs_own_their_reference():
    msg = buf(b"abcd")
    ch = EmbeddedChannel(HalfSplitter())
    ch.write_inbound(msg)
    first, second = ch.read_inbound(), ch.read_inbound()
    assert (bytes(first), bytes(second), msg.ref_cnt()) == (b"ab", b"cd", 2)
    first.release()
    second.release()
    assert msg.ref_cnt() == 0
    assert not ch.finish()


def test_decoder_releases_input_when_decode_raises_and_fires_what_it_made():
    class Failing(MessageToMessageDecoder):
        def decode(self, ctx, msg, out):
            out.append("made first")
            raise RuntimeError("boom")

    msg = buf(b"x")
    ch = EmbeddedChannel(Failing(ByteBuf))
    with pytest.raises(DecoderException, match="RuntimeError: boom"):
        ch.write_inbound(msg)
    assert msg.ref_cnt() == 0
    assert ch.read_inbound() == "made first"
    assert not ch.finish()


def test_decoder_passes_other_types_untouched():
    msg = buf(b"x")
    ch = EmbeddedChannel(HalfSplitter())
    holder = DefaultByteBufHolder(msg)
    ch.write_inbound(holder, "text")
    assert ch.read_inbound() is holder and msg.ref_cnt() == 1
    assert ch.read_inbound() == "text"
    holder.release()
    assert not ch.finish()


def test_decoder_type_is_checked_when_made():
    with pytest.raises(TypeError, match="inbound_message_type"):
        HalfSplitter("bytes")


class Repeat(MessageToMessageEncoder):
    outbound_message_type = ByteBuf

    def encode(self, ctx, msg, out):
        out.append(msg.retained_duplicate())
        out.append(msg.retained_duplicate())


def test_encoder_releases_input_and_completes_the_promise_after_every_write():
    msg = buf(b"hi")
    ch = EmbeddedChannel(Repeat())
    promise = ch.write_and_flush(msg)
    assert promise.is_success()
    outs = [ch.read_outbound(), ch.read_outbound()]
    assert [bytes(o) for o in outs] == [b"hi", b"hi"] and msg.ref_cnt() == 2
    for o in outs:
        o.release()
    assert not ch.finish()


def test_encoder_raising_releases_input_and_still_writes_what_it_made():
    class Failing(MessageToMessageEncoder):
        def encode(self, ctx, msg, out):
            out.append(msg.retained_slice())
            raise ValueError("late failure")

    msg = buf(b"payload")
    ch = EmbeddedChannel(Failing())
    with pytest.raises(EncoderException, match="late failure"):
        ch.write_outbound(msg)
    ch.flush()
    out = ch.read_outbound()
    assert bytes(out) == b"payload"
    out.release()
    assert msg.ref_cnt() == 0
    assert not ch.finish()


def test_encoder_producing_nothing_is_an_error_and_the_input_is_released():
    class Silent(MessageToMessageEncoder):
        def encode(self, ctx, msg, out):
            pass

    msg = buf(b"x")
    ch = EmbeddedChannel(Silent())
    with pytest.raises(EncoderException, match="Silent must produce at least one message"):
        ch.write_outbound(msg)
    assert msg.ref_cnt() == 0
    assert not ch.finish()


class TextCodec(MessageToMessageCodec):
    inbound_message_type = ByteBuf
    outbound_message_type = str

    def decode(self, ctx, msg, out):
        out.append(msg.to_string())

    def encode(self, ctx, msg, out):
        b = ctx.alloc().buffer()
        b.write_char_sequence(msg)
        out.append(b)


def test_message_to_message_codec_both_ways():
    ch = EmbeddedChannel(TextCodec())
    msg = buf(b"in")
    ch.write_inbound(msg)
    assert ch.read_inbound() == "in" and msg.ref_cnt() == 0
    ch.write_outbound("out")
    out = ch.read_outbound()
    assert bytes(out) == b"out"
    out.release()
    assert not ch.finish()


class IntCodec(ByteToMessageCodec):
    outbound_message_type = int

    def decode(self, ctx, buf_, out):
        while buf_.readable_bytes() >= 4:
            out.append(buf_.read_int())

    def encode(self, ctx, msg, out):
        out.write_int(msg)


def test_byte_to_message_codec_decodes_across_reads_and_releases_the_rest_on_close():
    ch = EmbeddedChannel(IntCodec())
    ch.write_inbound(buf(b"\x00\x00"), buf(b"\x00\x07\x00"))
    assert ch.read_inbound() == 7
    ch.write_outbound(9)
    out = ch.read_outbound()
    assert bytes(out) == b"\x00\x00\x00\x09"
    out.release()
    assert not ch.finish()  # the one byte left in the cumulation is released
