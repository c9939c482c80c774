"""Netty's ``io.netty.handler.codec`` building blocks; import them from ``pytest_bufleak.channel``."""
from .aggregator import MessageAggregationException, MessageAggregator
from .byte_to_message import (
    ByteToMessageDecoder,
    CodecException,
    CorruptedFrameException,
    DecoderException,
    EncoderException,
    MessageToByteEncoder,
    TooLongFrameException,
)
from .byte_to_message_codec import ByteToMessageCodec
from .delimiter import DelimiterBasedFrameDecoder, Delimiters
from .fixed import FixedLengthFrameDecoder
from .length_field import LengthFieldBasedFrameDecoder, LengthFieldPrepender
from .line import LineBasedFrameDecoder
from .message_to_message import MessageToMessageCodec, MessageToMessageDecoder, MessageToMessageEncoder
from .result import DecoderResult, PrematureChannelClosureException
from .string import StringDecoder, StringEncoder

__all__ = [
    "ByteToMessageDecoder",
    "CodecException",
    "CorruptedFrameException",
    "DecoderException",
    "EncoderException",
    "LengthFieldBasedFrameDecoder",
    "LengthFieldPrepender",
    "MessageToByteEncoder",
    "TooLongFrameException",
    "ByteToMessageCodec",
    "DecoderResult",
    "DelimiterBasedFrameDecoder",
    "Delimiters",
    "FixedLengthFrameDecoder",
    "LineBasedFrameDecoder",
    "MessageAggregationException",
    "MessageAggregator",
    "MessageToMessageCodec",
    "MessageToMessageDecoder",
    "MessageToMessageEncoder",
    "PrematureChannelClosureException",
    "StringDecoder",
    "StringEncoder",
]
