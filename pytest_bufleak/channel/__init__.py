"""The channel pipeline, sans-I/O: handlers, contexts, codecs, ``EmbeddedChannel``; ``aio`` runs it on asyncio TCP."""
from .channel import Channel, ChannelOutboundBuffer, WriteBufferWaterMark
from .chunked import ChunkedInput, ChunkedStream, ChunkedWriteHandler
from .codec import (
    ByteToMessageDecoder,
    CodecException,
    CorruptedFrameException,
    DecoderException,
    EncoderException,
    MessageToByteEncoder,
    TooLongFrameException,
)
from .embedded import EmbeddedChannel
from .frame import LengthFieldBasedFrameDecoder, LengthFieldPrepender
from .future import ChannelFutureListener, ChannelPromise, ClosedChannelException
from .handlers import (
    ChannelDuplexHandler,
    ChannelHandler,
    ChannelInboundHandlerAdapter,
    ChannelInitializer,
    ChannelOutboundHandlerAdapter,
    SimpleChannelInboundHandler,
    skip,
)
from .pipeline import ChannelHandlerContext, ChannelPipeline, ChannelPipelineException

__all__ = [
    "ByteToMessageDecoder",
    "Channel",
    "ChannelDuplexHandler",
    "ChannelFutureListener",
    "ChannelHandler",
    "ChannelHandlerContext",
    "ChannelInboundHandlerAdapter",
    "ChannelInitializer",
    "ChannelOutboundBuffer",
    "ChannelOutboundHandlerAdapter",
    "ChannelPipeline",
    "ChannelPipelineException",
    "ChannelPromise",
    "ChunkedInput",
    "ChunkedStream",
    "ChunkedWriteHandler",
    "ClosedChannelException",
    "CodecException",
    "CorruptedFrameException",
    "DecoderException",
    "EmbeddedChannel",
    "EncoderException",
    "LengthFieldBasedFrameDecoder",
    "LengthFieldPrepender",
    "MessageToByteEncoder",
    "SimpleChannelInboundHandler",
    "TooLongFrameException",
    "WriteBufferWaterMark",
    "skip",
]
