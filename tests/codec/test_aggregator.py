"""MessageAggregator: parts joined into one message whose composite content owns every part's bytes;
inputs released; an unfinished message released on close or removal; oversized ones dropped."""
from __future__ import annotations

import pytest
from codec_helpers import buf

from pytest_bufleak import CompositeByteBuf, DefaultByteBufHolder
from pytest_bufleak.channel import (
    DecoderResult,
    EmbeddedChannel,
    MessageAggregationException,
    MessageAggregator,
    TooLongFrameException,
)


class Start(DefaultByteBufHolder):
    pass


class Part(DefaultByteBufHolder):
    def __init__(self, content, last=False, result=DecoderResult.SUCCESS):
        super().__init__(content)
        self.last, self.result = last, result

    def decoder_result(self):
        return self.result


class Full(DefaultByteBufHolder):
    pass


class Aggregator(MessageAggregator):
    def is_start_message(self, msg):
        return isinstance(msg, Start)

    def is_content_message(self, msg):
        return isinstance(msg, Part)

    def is_last_content_message(self, msg):
        return msg.last

    def is_aggregated(self, msg):
        return isinstance(msg, Full)

    def begin_aggregation(self, start, content):
        return Full(content)


def test_parts_are_joined_and_every_input_released():
    inputs = [Start(buf(b"head:")), Part(buf(b"one,")), Part(buf(b"two"), last=True)]
    ch = EmbeddedChannel(Aggregator(1024))
    ch.write_inbound(*inputs)
    full = ch.read_inbound()
    assert isinstance(full, Full) and isinstance(full.content(), CompositeByteBuf)
    assert bytes(full.content()) == b"head:one,two"
    assert all(m.ref_cnt() == 1 for m in inputs)  # each part's bytes are retained by the composite only
    full.release()
    assert all(m.ref_cnt() == 0 for m in inputs)
    assert not ch.finish()


def test_already_whole_messages_pass_through():
    ch = EmbeddedChannel(Aggregator(8))
    full = Full(buf(b"whole"))
    ch.write_inbound(full)
    assert ch.read_inbound() is full and full.release()
    assert not ch.finish()


def test_oversized_content_is_released_and_reported():
    ch = EmbeddedChannel(Aggregator(4))
    with pytest.raises(TooLongFrameException, match="content length exceeded 4 bytes."):
        ch.write_inbound(Start(buf(b"ab")), Part(buf(b"cde")))
    ch.write_inbound(Part(buf(b"skipped"), last=True))  # content with no start: dropped (and released)
    assert ch.read_inbound() is None
    assert not ch.finish()


def test_unfinished_message_is_released_when_the_channel_closes():
    start, part = Start(buf(b"a")), Part(buf(b"b"))
    ch = EmbeddedChannel(Aggregator(64))
    ch.write_inbound(start, part)
    assert not ch.finish()
    assert start.ref_cnt() == 0 and part.ref_cnt() == 0


def test_unfinished_message_is_released_when_the_handler_is_removed():
    start = Start(buf(b"a"))
    ch = EmbeddedChannel(Aggregator(64))
    ch.write_inbound(start)
    ch.pipeline().remove_first()
    assert start.ref_cnt() == 0
    assert not ch.finish()


def test_a_second_start_before_the_end_is_an_error_and_both_are_released():
    first, second = Start(buf(b"1")), Start(buf(b"2"))
    ch = EmbeddedChannel(Aggregator(64))
    ch.write_inbound(first)
    with pytest.raises(MessageAggregationException):
        ch.write_inbound(second)
    assert first.ref_cnt() == 0 and second.ref_cnt() == 0
    assert not ch.finish()


def test_failed_part_ends_the_message():
    ch = EmbeddedChannel(Aggregator(64))
    ch.write_inbound(Start(buf(b"a")), Part(buf(b"b"), result=DecoderResult.failure(ValueError("bad chunk"))))
    full = ch.read_inbound()
    assert bytes(full.content()) == b"ab" and full.release()
    assert not ch.finish()


def test_max_content_length_is_checked():
    with pytest.raises(ValueError, match="max_content_length"):
        Aggregator(-1)
    assert DecoderResult.SUCCESS.is_success() and DecoderResult.failure(ValueError()).is_failure()
