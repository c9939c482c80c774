"""FixedLengthFrameDecoder, after Netty's FixedLengthFrameDecoderTest, including a composite input."""
from __future__ import annotations

import pytest
from codec_helpers import buf, frames

from pytest_bufleak import Unpooled
from pytest_bufleak.channel import EmbeddedChannel, FixedLengthFrameDecoder


def test_frames_of_fixed_length_from_odd_reads():
    ch = EmbeddedChannel(FixedLengthFrameDecoder(10))
    data = bytes(range(25))
    for i in range(0, 25, 7):
        ch.write_inbound(buf(data[i:i + 7]))
    assert frames(ch) == [data[:10], data[10:20]]
    assert not ch.finish()  # the 5 bytes left are released with the decoder


def test_composite_input_is_framed_and_fully_released():
    ch = EmbeddedChannel(FixedLengthFrameDecoder(3))
    ch.write_inbound(Unpooled.wrapped_buffer(buf(b"ab"), buf(b"cdef"), buf(b"g")))
    ch.write_inbound(buf(b"hi"))
    assert frames(ch) == [b"abc", b"def", b"ghi"]
    assert not ch.finish()


@pytest.mark.parametrize("bad, error", [(0, ValueError), (None, TypeError)])
def test_bad_frame_length_is_named(bad, error):
    with pytest.raises(error, match="frame_length"):
        FixedLengthFrameDecoder(bad)
