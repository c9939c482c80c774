"""ByteToMessageDecoder and MessageToByteEncoder (after Netty's ByteToMessageDecoderTest, MessageToByteEncoderTest)."""
from __future__ import annotations

import pytest
from channel_helpers import buf, drain

from pytest_bufleak import ByteBuf
from pytest_bufleak.channel import (
    ByteToMessageDecoder,
    ChannelInboundHandlerAdapter,
    DecoderException,
    EmbeddedChannel,
    EncoderException,
    MessageToByteEncoder,
)


class FixedLength(ByteToMessageDecoder):
    def __init__(self, n):
        super().__init__()
        self.n = n

    def decode(self, ctx, in_, out):
        if in_.readable_bytes() >= self.n:
            out.append(in_.read_retained_slice(self.n))


def test_decodes_across_reads_and_releases_the_cumulation():
    decoder = FixedLength(3)
    ch = EmbeddedChannel(decoder)
    first, second = buf(b"ab"), buf(b"cdef")
    assert not ch.write_inbound(first)
    assert decoder.actual_readable_bytes() == 2
    assert ch.write_inbound(second)
    assert drain(ch.read_inbound) == [b"abc", b"def"]
    assert decoder.internal_buffer().readable_bytes() == 0
    assert first.ref_cnt() == 0 and second.ref_cnt() == 0
    assert not ch.finish()


def test_cumulation_released_on_close():
    decoder = FixedLength(10)
    ch = EmbeddedChannel(decoder)
    partial = buf(b"abc")
    assert not ch.write_inbound(partial)
    assert partial.ref_cnt() == 1  # it is the cumulation
    assert not ch.finish()
    assert partial.ref_cnt() == 0


def test_removal_passes_leftover_bytes_on():
    """Netty's testRemoveItself / testRemoveItselfWriteBuffer: what is left goes to the next handler."""

    class Once(ByteToMessageDecoder):
        def decode(self, ctx, in_, out):
            out.append(in_.read_retained_slice(1))
            ctx.pipeline().remove(self)

    ch = EmbeddedChannel(Once())
    data = buf(b"abcd")
    assert ch.write_inbound(data)
    assert drain(ch.read_inbound) == [b"a", b"bcd"]
    assert data.ref_cnt() == 0
    assert not ch.finish()


def test_removal_with_empty_cumulation_releases_it():
    decoder = FixedLength(2)
    ch = EmbeddedChannel(decoder)
    data = buf(b"ab")
    ch.write_inbound(data)
    ch.pipeline().remove(decoder)
    assert drain(ch.read_inbound) == [b"ab"] and data.ref_cnt() == 0
    assert not ch.finish()


def test_decode_last_on_inactive_fires_read_complete():
    """Netty's testFireChannelReadCompleteOnInactive."""
    events = []

    class Last(ByteToMessageDecoder):
        def decode(self, ctx, in_, out):
            pass

        def decode_last(self, ctx, in_, out):
            out.append(in_.read_retained_slice(in_.readable_bytes()))

    class Watch(ChannelInboundHandlerAdapter):
        def channel_read(self, ctx, msg):
            events.append(bytes(msg))
            msg.release()

        def channel_read_complete(self, ctx):
            events.append("complete")

        def channel_inactive(self, ctx):
            events.append("inactive")

    ch = EmbeddedChannel(Last(), Watch())
    data = buf(b"tail")
    ch.write_inbound(data)
    events.clear()
    assert not ch.finish()
    assert events == [b"tail", "complete", "inactive"]
    assert data.ref_cnt() == 0


def test_decoder_error_is_wrapped_and_cumulation_survives_until_close():
    class Broken(ByteToMessageDecoder):
        def decode(self, ctx, in_, out):
            in_.skip_bytes(1)
            raise KeyError("nope")

    ch = EmbeddedChannel(Broken())
    data = buf(b"xy")
    with pytest.raises(DecoderException, match="KeyError") as info:
        ch.write_inbound(data)
    assert isinstance(info.value.__cause__, KeyError)
    assert isinstance(info.value, ValueError)
    with pytest.raises(DecoderException):
        ch.finish()  # decode_last meets the same garbage
    assert data.ref_cnt() == 0


def test_decoded_message_without_progress_is_an_error():
    class Stuck(ByteToMessageDecoder):
        def decode(self, ctx, in_, out):
            out.append("same")

    ch = EmbeddedChannel(Stuck())
    data = buf(b"z")
    with pytest.raises(DecoderException, match="did not read anything but decoded a message"):
        ch.write_inbound(data)
    assert ch.read_inbound() == "same"
    ch.close()
    with pytest.raises(DecoderException):
        ch.check_exception()
    assert data.ref_cnt() == 0


def test_non_buffers_pass_through():
    ch = EmbeddedChannel(FixedLength(4))
    assert ch.write_inbound("text")
    assert ch.read_inbound() == "text"
    assert not ch.finish()


def test_merge_copies_when_slices_share_the_cumulation():
    """A retained slice of the cumulation must keep its bytes when more data is merged in."""

    class KeepSlice(ByteToMessageDecoder):
        def decode(self, ctx, in_, out):
            if in_.readable_bytes() >= 2:
                out.append(in_.read_retained_slice(2))

    ch = EmbeddedChannel(KeepSlice())
    big = ch.alloc().buffer(4, 4)
    big.write_bytes(b"abc")
    assert ch.write_inbound(big)
    held = ch.read_inbound()
    assert ch.write_inbound(buf(b"defgh"))
    assert bytes(held) == b"ab"
    held.release()
    assert drain(ch.read_inbound) == [b"cd", b"ef", b"gh"]
    assert big.ref_cnt() == 0
    assert not ch.finish()


def test_single_decode_decodes_one_message_per_read():
    class One(FixedLength):
        single_decode = True

    ch = EmbeddedChannel(One(1))
    assert ch.write_inbound(buf(b"abc"))
    assert drain(ch.read_inbound) == [b"a"]
    assert ch.finish()  # closing decodes what is left
    assert drain(ch.read_inbound) == [b"b", b"c"]


class IntEncoder(MessageToByteEncoder):
    outbound_message_type = int

    def encode(self, ctx, msg, out):
        out.write_int(msg)


def test_encoder_encodes_matching_messages_and_passes_others():
    ch = EmbeddedChannel(IntEncoder())
    assert ch.write_outbound(258, "raw")
    out = ch.read_outbound()
    assert isinstance(out, ByteBuf) and bytes(out) == b"\x00\x00\x01\x02"
    out.release()
    assert ch.read_outbound() == "raw"
    assert not ch.finish()


def test_encoder_releases_the_message_and_its_buffer_on_error():
    class Bad(MessageToByteEncoder):
        outbound_message_type = ByteBuf

        def encode(self, ctx, msg, out):
            raise RuntimeError("cannot encode")

    ch = EmbeddedChannel(Bad())
    msg = buf(b"x")
    with pytest.raises(EncoderException, match="cannot encode"):
        ch.write_outbound(msg)
    assert msg.ref_cnt() == 0
    assert not ch.finish()


def test_encoder_writes_empty_buffer_when_nothing_encoded():
    class Nothing(MessageToByteEncoder):
        def encode(self, ctx, msg, out):
            pass

    ch = EmbeddedChannel(Nothing())
    assert ch.write_outbound("x")
    assert ch.read_outbound().readable_bytes() == 0
    assert not ch.finish()


def test_subclasses_whose_init_skips_super_init_still_work():
    # Java calls the super constructor implicitly; a port that forgets super().__init__() used to fail
    # with AttributeError on the first read, and the decoder leaked the buffer it was given.
    class FixedLength(ByteToMessageDecoder):
        def __init__(self, n):
            self.n = n

        def decode(self, ctx, buf, out):
            while buf.readable_bytes() >= self.n:
                out.append(buf.read_retained_slice(self.n))

    class Prefixed(MessageToByteEncoder):
        def __init__(self, prefix):
            self.prefix = prefix

        def encode(self, ctx, msg, out):
            out.write_bytes(self.prefix + msg)

    ch = EmbeddedChannel(FixedLength(2), Prefixed(b">"))
    assert ch.write_inbound(buf(b"abc"))
    assert drain(ch.read_inbound) == [b"ab"]
    assert ch.write_outbound(b"x")
    out = ch.read_outbound()
    assert bytes(out) == b">x"
    out.release()
    assert not ch.finish()  # the partial "c" is released with the cumulation at close


def test_encoder_netty_style_boolean_argument_and_type_check():
    # Netty's MessageToByteEncoder(boolean preferDirect); a type that isinstance() refuses fails at once.
    class Heap(MessageToByteEncoder):
        def __init__(self):
            super().__init__(False)

        def encode(self, ctx, msg, out):
            out.write_bytes(msg)

    encoder = Heap()
    assert encoder.prefer_direct is False and encoder.outbound_message_type is object
    ch = EmbeddedChannel(encoder)
    assert ch.write_outbound(b"x")
    out = ch.read_outbound()
    assert not out.is_direct() and bytes(out) == b"x"
    out.release()
    assert not ch.finish()
    with pytest.raises(TypeError, match="outbound_message_type: 'int'"):
        IntEncoder("int")


def test_encoder_prefer_direct_class_attribute_survives_super_init():
    class Heap(MessageToByteEncoder):
        prefer_direct = False

        def __init__(self):
            super().__init__(bytes)

        def encode(self, ctx, msg, out):
            out.write_bytes(msg)

    assert Heap().prefer_direct is False
    ch = EmbeddedChannel(Heap())
    assert ch.write_outbound(b"x")
    out = ch.read_outbound()
    assert not out.is_direct()
    out.release()
    assert not ch.finish()
