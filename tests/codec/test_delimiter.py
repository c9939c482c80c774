"""DelimiterBasedFrameDecoder and Delimiters, after Netty's DelimiterBasedFrameDecoderTest (both of them)."""
from __future__ import annotations

import pytest
from codec_helpers import buf, frames

from pytest_bufleak import Unpooled
from pytest_bufleak.channel import DelimiterBasedFrameDecoder, Delimiters, EmbeddedChannel, TooLongFrameException


def test_multiple_lines_stripped():
    ch = EmbeddedChannel(DelimiterBasedFrameDecoder(8192, Delimiters.line_delimiter()))
    ch.write_inbound(buf(b"TestLine\r\ng\r\n"))
    assert frames(ch) == [b"TestLine", b"g"]
    assert not ch.finish()


def test_incomplete_lines_stripped():
    ch = EmbeddedChannel(DelimiterBasedFrameDecoder(8192, *Delimiters.line_delimiter()))
    assert not ch.write_inbound(buf(b"Test"))
    ch.write_inbound(buf(b"Line\r\ng\r\n"))
    assert frames(ch) == [b"TestLine", b"g"]
    assert not ch.finish()


def test_multiple_lines_kept():
    ch = EmbeddedChannel(DelimiterBasedFrameDecoder(8192, Delimiters.line_delimiter(), strip_delimiter=False))
    ch.write_inbound(buf(b"TestLine\r\ng\r\n"))
    assert frames(ch) == [b"TestLine\r\n", b"g\r\n"]
    assert not ch.finish()


def test_nul_delimited_frames_and_a_rest_released_at_finish():
    ch = EmbeddedChannel(DelimiterBasedFrameDecoder(8192, Delimiters.nul_delimiter()))
    ch.write_inbound(buf(b"first\x00second\x00third"))
    assert frames(ch) == [b"first", b"second"]
    assert not ch.finish()


def test_shortest_frame_wins_among_delimiters():
    ch = EmbeddedChannel(DelimiterBasedFrameDecoder(8192, b"\n", b"XY", strip_delimiter=False))
    ch.write_inbound(buf(b"abXYcd\nefXY"))
    assert frames(ch) == [b"abXY", b"cd\n", b"efXY"]
    assert not ch.finish()


def test_fail_slow_recovers_after_the_delimiter():
    ch = EmbeddedChannel(DelimiterBasedFrameDecoder(1, Delimiters.nul_delimiter(), fail_fast=False))
    for _ in range(2):
        assert not ch.write_inbound(buf(b"\x01\x02"))
        with pytest.raises(TooLongFrameException, match=r"^frame length exceeds 1: 2 - discarded$"):
            ch.write_inbound(buf(b"\x00"))
        ch.write_inbound(buf(b"A\x00"))
        assert frames(ch) == [b"A"]
    assert not ch.finish()


def test_fail_fast_reports_at_once_and_recovers():
    ch = EmbeddedChannel(DelimiterBasedFrameDecoder(1, Delimiters.nul_delimiter()))
    for _ in range(2):
        with pytest.raises(TooLongFrameException, match=r"^frame length exceeds 1: 2 - discarded$"):
            ch.write_inbound(buf(b"\x01\x02"))
        assert not ch.write_inbound(buf(b"\x00"))
        ch.write_inbound(buf(b"A\x00"))
        assert frames(ch) == [b"A"]
    assert not ch.finish()


def test_too_long_frame_with_its_delimiter_is_skipped_and_the_next_frames_follow():
    ch = EmbeddedChannel(DelimiterBasedFrameDecoder(3, b";"))
    with pytest.raises(TooLongFrameException, match="frame length exceeds 3: 5 - discarded"):
        ch.write_inbound(buf(b"abcde;ok;"))
    ch.write_inbound(buf(b""))
    assert frames(ch) == [b"ok"]
    assert not ch.finish()


def test_bytebuf_delimiter_is_copied_not_retained():
    delim = Unpooled.copied_buffer(b"||")
    decoder = DelimiterBasedFrameDecoder(64, delim)
    assert delim.ref_cnt() == 1 and delim.release()  # the caller's to release, at once
    ch = EmbeddedChannel(decoder)
    ch.write_inbound(buf(b"a||b||"))
    assert frames(ch) == [b"a", b"b"]
    assert not ch.finish()


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="max_frame_length"):
        DelimiterBasedFrameDecoder(0, b"\n")
    with pytest.raises(ValueError, match="empty delimiter"):
        DelimiterBasedFrameDecoder(8, b"")
    with pytest.raises(ValueError, match="delimiters"):
        DelimiterBasedFrameDecoder(8)
    with pytest.raises(TypeError, match="delimiter"):
        DelimiterBasedFrameDecoder(8, "\n")
