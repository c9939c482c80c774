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
from .scheduler import ScheduledTask
from ..codec import *  # noqa: F401,F403 - the package face: Netty's codec family
from ..codec import __all__ as _codec_names
from ..handler import *  # noqa: F401,F403 - and its handlers
from ..handler import __all__ as _handler_names

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
    "ScheduledTask",
    "skip",
    *_codec_names,
    *_handler_names,
]
