"""LineBasedFrameDecoder, after Netty's LineBasedFrameDecoderTest: frames are retained slices that the
reader releases; bytes left without a line end are released by finish()."""
from __future__ import annotations

import pytest
from codec_helpers import buf, frames

from pytest_bufleak.channel import EmbeddedChannel, LineBasedFrameDecoder, TooLongFrameException


def test_strips_both_line_ends_and_releases_the_unterminated_rest():
    ch = EmbeddedChannel(LineBasedFrameDecoder(8192, strip_delimiter=True))
    ch.write_inbound(buf(b"first\r\nsecond\nthird"))
    assert frames(ch) == [b"first", b"second"]
    assert not ch.finish()  # "third" never ended: the decoder releases it


def test_keeps_line_ends_when_asked():
    ch = EmbeddedChannel(LineBasedFrameDecoder(8192, strip_delimiter=False))
    ch.write_inbound(buf(b"first\r\nsecond\nthird"))
    assert frames(ch) == [b"first\r\n", b"second\n"]
    assert not ch.finish()


def test_too_long_line_is_reported_then_decoding_goes_on():
    ch = EmbeddedChannel(LineBasedFrameDecoder(16, strip_delimiter=False))
    with pytest.raises(TooLongFrameException, match=r"^frame length \(17\) exceeds the allowed maximum \(16\)$"):
        ch.write_inbound(buf(b"12345678901234567\r\nfirst\r\nsecond\r\n"))
    assert frames(ch) == [b"first\r\n", b"second\r\n"]
    assert not ch.finish()


def test_too_long_line_split_across_reads_fails_at_its_end():
    ch = EmbeddedChannel(LineBasedFrameDecoder(16, strip_delimiter=False))
    assert not ch.write_inbound(buf(b"12345678901234567"))
    with pytest.raises(TooLongFrameException, match=r"frame length \(17\)"):
        ch.write_inbound(buf(b"\r\nfirst\r\n"))
    assert frames(ch) == [b"first\r\n"]
    assert not ch.finish()


def test_fail_fast_reports_as_soon_as_the_limit_is_passed():
    ch = EmbeddedChannel(LineBasedFrameDecoder(16, strip_delimiter=False, fail_fast=True))
    with pytest.raises(TooLongFrameException, match=r"frame length \(over 17\) exceeds"):
        ch.write_inbound(buf(b"12345678901234567"))
    assert not ch.write_inbound(buf(b"890"))
    assert ch.write_inbound(buf(b"123\r\nfirst\r\n"))
    assert frames(ch) == [b"first\r\n"]
    assert not ch.finish()


def test_not_fail_fast_waits_for_the_line_end():
    ch = EmbeddedChannel(LineBasedFrameDecoder(2, fail_fast=False))
    assert not ch.write_inbound(buf(b"\x00\x01\x02"))
    assert not ch.write_inbound(buf(b"\x03\x04"))
    with pytest.raises(TooLongFrameException, match=r"frame length \(5\)"):
        ch.write_inbound(buf(b"\n"))
    ch.write_inbound(buf(b"ab\n"))
    assert frames(ch) == [b"ab"]
    assert not ch.finish()


def test_splits_correctly_and_fragments_join():
    ch = EmbeddedChannel(LineBasedFrameDecoder(8192, strip_delimiter=False))
    ch.write_inbound(buf(b"line\r\n.\r\n"))
    assert frames(ch) == [b"line\r\n", b".\r\n"]
    ch.write_inbound(buf(b"huu"))
    ch.write_inbound(buf(b"haa\r"))
    ch.write_inbound(buf(b"\nhuuhaa\r\n"))
    assert frames(ch) == [b"huuhaa\r\n", b"huuhaa\r\n"]
    assert not ch.finish()


def test_empty_line_is_an_empty_frame():
    ch = EmbeddedChannel(LineBasedFrameDecoder(8192))
    ch.write_inbound(buf(b"\nabcna\r\n"))
    assert frames(ch) == [b"", b"abcna"]
    assert not ch.finish()


def test_frames_outlive_the_cumulation_until_released():
    ch = EmbeddedChannel(LineBasedFrameDecoder(64))
    ch.write_inbound(buf(b"a\nb\n"))
    first, second = ch.read_inbound(), ch.read_inbound()
    assert first.ref_cnt() == 2  # two retained slices of one cumulation
    assert bytes(second) == b"b" and second.release() is False  # the first frame still holds the memory
    assert bytes(first) == b"a" and first.release() is True
    assert not ch.finish()


def test_single_decode_gives_one_frame_per_read():
    decoder = LineBasedFrameDecoder(64)
    decoder.single_decode = True
    ch = EmbeddedChannel(decoder)
    ch.write_inbound(buf(b"a\nb\n"))
    assert frames(ch) == [b"a"]
    ch.finish_and_release_all()


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-1, ValueError), ("8", TypeError), (1.5, TypeError)])
def test_bad_max_length_is_named(bad, error):
    with pytest.raises(error, match="max_length"):
        LineBasedFrameDecoder(bad)
