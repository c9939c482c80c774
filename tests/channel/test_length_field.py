"""LengthFieldBasedFrameDecoder and LengthFieldPrepender (after Netty's LengthFieldBasedFrameDecoderTest)."""
from __future__ import annotations

import pytest
from channel_helpers import buf, drain

from pytest_bufleak.channel import (
    CorruptedFrameException,
    DecoderException,
    EmbeddedChannel,
    EncoderException,
    LengthFieldBasedFrameDecoder,
    LengthFieldPrepender,
    TooLongFrameException,
)


HELLO = b"HELLO, WORLD"


@pytest.mark.parametrize(
    "args, before, after",
    [
        # The seven examples of Netty's LengthFieldBasedFrameDecoder javadoc, verbatim:
        # (length_field_offset, length_field_length, length_adjustment, initial_bytes_to_strip).
        ((0, 2, 0, 0), b"\x00\x0c" + HELLO, b"\x00\x0c" + HELLO),
        ((0, 2, 0, 2), b"\x00\x0c" + HELLO, HELLO),
        ((0, 2, -2, 0), b"\x00\x0e" + HELLO, b"\x00\x0e" + HELLO),
        ((2, 3, 0, 0), b"\xca\xfe\x00\x00\x0c" + HELLO, b"\xca\xfe\x00\x00\x0c" + HELLO),
        ((0, 3, 2, 0), b"\x00\x00\x0c\xca\xfe" + HELLO, b"\x00\x00\x0c\xca\xfe" + HELLO),
        ((1, 2, 1, 3), b"\xca\x00\x0c\xfe" + HELLO, b"\xfe" + HELLO),
        ((1, 2, -3, 3), b"\xca\x00\x10\xfe" + HELLO, b"\xfe" + HELLO),
    ],
)
def test_netty_javadoc_examples(args, before, after):
    ch = EmbeddedChannel(LengthFieldBasedFrameDecoder(1024, *args))
    assert ch.write_inbound(buf(before + before + before[:3]))  # two frames and the start of a third
    assert drain(ch.read_inbound) == [after, after]
    for i in range(3, len(before)):  # the rest of the third, byte by byte
        assert ch.write_inbound(buf(before[i:i + 1])) == (i == len(before) - 1)
    assert drain(ch.read_inbound) == [after]
    assert not ch.finish()


def test_strips_header_and_decodes_split_frames():
    ch = EmbeddedChannel(LengthFieldBasedFrameDecoder(1024, 0, 2, 0, 2))
    assert not ch.write_inbound(buf(b"\x00\x05he"))
    assert ch.write_inbound(buf(b"llo\x00\x01!\x00"))
    assert drain(ch.read_inbound) == [b"hello", b"!"]
    assert not ch.finish()  # a lone length byte is dropped with the cumulation


def test_keeps_header_and_applies_adjustment():
    # The length counts the whole frame, header included (adjustment -2).
    ch = EmbeddedChannel(LengthFieldBasedFrameDecoder(1024, 0, 2, -2, 0))
    assert ch.write_inbound(buf(b"\x00\x05abc"))
    assert drain(ch.read_inbound) == [b"\x00\x05abc"]
    assert not ch.finish()


def test_offset_and_little_endian():
    ch = EmbeddedChannel(LengthFieldBasedFrameDecoder(1024, 1, 4, 0, 5, byte_order="little"))
    assert ch.write_inbound(buf(b"\xca\x03\x00\x00\x00xyz"))
    assert drain(ch.read_inbound) == [b"xyz"]
    assert not ch.finish()


@pytest.mark.parametrize("width", [1, 2, 3, 4, 8])
def test_every_length_field_width(width):
    ch = EmbeddedChannel(LengthFieldBasedFrameDecoder(1024, 0, width, 0, width))
    assert ch.write_inbound(buf((4).to_bytes(width, "big") + b"data"))
    assert drain(ch.read_inbound) == [b"data"]
    assert not ch.finish()


def test_discard_too_long_frame_fail_fast():
    """Netty's testDiscardTooLongFrame1: the error comes with the header; the next frame decodes."""
    ch = EmbeddedChannel(LengthFieldBasedFrameDecoder(16, 0, 4))
    data = buf(b"\x00\x00\x00\x20" + b"a" * 20)
    with pytest.raises(TooLongFrameException, match="Adjusted frame length exceeds 16: 36 - discarded"):
        ch.write_inbound(data)
    assert data.ref_cnt() == 0  # fully skipped, so released
    assert ch.write_inbound(buf(b"a" * 12 + b"\x00\x00\x00\x01" + b"b"))
    assert drain(ch.read_inbound) == [b"\x00\x00\x00\x01b"]
    assert not ch.finish()


def test_discard_too_long_frame_not_fail_fast():
    """Netty's testDiscardTooLongFrame2: the error comes once the frame was discarded."""
    ch = EmbeddedChannel(LengthFieldBasedFrameDecoder(16, 0, 4, fail_fast=False))
    ch.write_inbound(buf(b"\x00\x00\x00\x20" + b"a" * 20))
    with pytest.raises(TooLongFrameException, match="exceeds 16: 36 - discarded"):
        ch.write_inbound(buf(b"a" * 12 + b"\x00\x00\x00\x01b"))
    assert drain(ch.read_inbound) == []  # the error stopped this read; the next frame waits in the cumulation
    assert ch.finish()
    assert drain(ch.read_inbound) == [b"\x00\x00\x00\x01b"]


def test_too_long_frame_already_complete_is_skipped():
    ch = EmbeddedChannel(LengthFieldBasedFrameDecoder(8, 0, 1, 0, 1))
    data = buf(b"\x0a" + b"z" * 10 + b"\x01k")
    with pytest.raises(TooLongFrameException):
        ch.write_inbound(data)
    # The skipped frame is gone; the next one waits in the cumulation and decodes on the next read.
    assert ch.write_inbound(buf(b"\x01m"))
    assert drain(ch.read_inbound) == [b"k", b"m"]
    assert not ch.finish()
    assert data.ref_cnt() == 0


def test_negative_length_is_corrupted_and_nothing_leaks():
    ch = EmbeddedChannel(LengthFieldBasedFrameDecoder(64, 0, 8, 0, 8))
    data = buf(b"\xff" * 8 + b"rest")
    with pytest.raises(CorruptedFrameException, match="negative pre-adjustment length field: -1"):
        ch.write_inbound(data)
    assert isinstance(CorruptedFrameException("x"), ValueError)
    assert not ch.finish()
    assert data.ref_cnt() == 0


def test_adjusted_length_below_header_is_corrupted():
    ch = EmbeddedChannel(LengthFieldBasedFrameDecoder(64, 0, 1, -5))
    with pytest.raises(CorruptedFrameException, match=r"Adjusted frame length \(-2\) is less than lengthFieldEndOffset: 1"):
        ch.write_inbound(buf(b"\x02ab"))
    with pytest.raises(TooLongFrameException):
        ch.finish()  # closing decodes the leftover "ab" as a header: garbage again, released all the same


def test_strip_more_than_frame_is_corrupted():
    ch = EmbeddedChannel(LengthFieldBasedFrameDecoder(64, 0, 1, 0, 4))
    with pytest.raises(CorruptedFrameException, match=r"Adjusted frame length \(2\) is less than initialBytesToStrip: 4"):
        ch.write_inbound(buf(b"\x01a"))
    assert not ch.finish()


def test_unsupported_length_field_length():
    ch = EmbeddedChannel(LengthFieldBasedFrameDecoder(64, 0, 5))
    with pytest.raises(DecoderException, match=r"unsupported lengthFieldLength: 5 \(expected: 1, 2, 3, 4, or 8\)"):
        ch.write_inbound(buf(b"\x00" * 6))
    with pytest.raises(DecoderException):
        ch.finish()


def test_constructor_checks():
    with pytest.raises(ValueError, match="maxFrameLength"):
        LengthFieldBasedFrameDecoder(0, 0, 4)
    with pytest.raises(ValueError, match="must be equal to or greater than lengthFieldOffset"):
        LengthFieldBasedFrameDecoder(4, 2, 4)
    with pytest.raises(ValueError, match="byte_order"):
        LengthFieldBasedFrameDecoder(10, 0, 4, byte_order="middle")


def test_peer_closing_mid_frame_loses_no_buffer():
    ch = EmbeddedChannel(LengthFieldBasedFrameDecoder(1024, 0, 4, 0, 4))
    head, part = buf(b"\x00\x00"), buf(b"\x00\x10half")
    ch.write_inbound(head)
    ch.write_inbound(part)
    assert not ch.finish()
    assert head.ref_cnt() == 0 and part.ref_cnt() == 0


def test_prepender_round_trip():
    out = EmbeddedChannel(LengthFieldPrepender(2))
    assert out.write_outbound(buf(b"payload"))
    header, body = out.read_outbound(), out.read_outbound()
    wire = bytes(header) + bytes(body)
    header.release()
    body.release()
    assert wire == b"\x00\x07payload"
    assert not out.finish()
    decoder = EmbeddedChannel(LengthFieldBasedFrameDecoder(64, 0, 2, 0, 2))
    assert decoder.write_inbound(buf(wire))
    assert drain(decoder.read_inbound) == [b"payload"]
    assert not decoder.finish()


def test_prepender_refuses_a_length_that_does_not_fit():
    ch = EmbeddedChannel(LengthFieldPrepender(1))
    big = buf(b"x" * 300)
    with pytest.raises(EncoderException, match="length does not fit into a byte: 300"):
        ch.write_outbound(big)
    assert big.ref_cnt() == 0
    assert not ch.finish()


def test_prepender_errors_are_encoder_exceptions_and_fail_the_promise():
    # Netty's encoders wrap what encode raised in an EncoderException (a ValueError here).
    ch = EmbeddedChannel(LengthFieldPrepender(2, length_adjustment=-5))
    short = buf(b"abc")
    promise = ch.write(short)
    assert isinstance(promise.cause(), EncoderException)
    assert "Adjusted frame length (-2) is less than zero" in str(promise.cause())
    assert short.ref_cnt() == 0
    big = buf(b"x" * 70000)
    with pytest.raises(EncoderException, match="length does not fit into a short integer: 69995"):
        ch.write_outbound(big)
    assert big.ref_cnt() == 0
    assert not ch.finish()
