"""StringDecoder and StringEncoder, after Netty's StringDecoderTest/StringEncoderTest: the decoder releases
the buffers it decodes, the encoder's buffers are released by whoever reads them."""
from __future__ import annotations

import pytest
from codec_helpers import buf

from pytest_bufleak.channel import (
    EmbeddedChannel,
    EncoderException,
    LineBasedFrameDecoder,
    StringDecoder,
    StringEncoder,
)


def test_decoder_turns_buffers_into_text_and_releases_them():
    msg = buf("grüße".encode())
    ch = EmbeddedChannel(StringDecoder())
    assert ch.write_inbound(msg)
    assert ch.read_inbound() == "grüße"
    assert msg.ref_cnt() == 0
    assert not ch.finish()


def test_decoder_with_another_encoding_and_a_non_buffer_passing_through():
    ch = EmbeddedChannel(StringDecoder("latin-1"))
    ch.write_inbound(buf(b"\xe9t\xe9"), 42)
    assert ch.read_inbound() == "été" and ch.read_inbound() == 42
    assert not ch.finish()


def test_line_server_pipeline_frames_then_decodes_every_line():
    ch = EmbeddedChannel(LineBasedFrameDecoder(80), StringDecoder())
    ch.write_inbound(buf("ab\r\nc".encode()), buf("é\n".encode()))
    assert [ch.read_inbound(), ch.read_inbound()] == ["ab", "cé"]
    assert not ch.finish()


def test_encoder_makes_buffers_from_the_channel_allocator():
    ch = EmbeddedChannel(StringEncoder("utf-16-be"))
    assert ch.write_outbound("hi")
    out = ch.read_outbound()
    assert bytes(out) == b"\x00h\x00i" and out.alloc() is ch.alloc()
    out.release()
    ch.write_outbound(b"bytes pass")
    assert ch.read_outbound() == b"bytes pass"
    assert not ch.finish()


def test_empty_string_produces_nothing_which_the_encoder_refuses_as_netty_does():
    ch = EmbeddedChannel(StringEncoder())
    with pytest.raises(EncoderException, match="StringEncoder must produce at least one message"):
        ch.write_outbound("")
    assert not ch.finish()


@pytest.mark.parametrize("cls", [StringDecoder, StringEncoder])
def test_bad_encoding_is_refused_when_made(cls):
    with pytest.raises(TypeError, match="encoding"):
        cls(8)
    with pytest.raises(LookupError):
        cls("no-such-codec")
