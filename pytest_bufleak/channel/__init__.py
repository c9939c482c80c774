"""The channel pipeline, sans-I/O: handlers, contexts, codecs, ``EmbeddedChannel``; ``aio`` runs it on asyncio TCP."""
from .channel import Channel, ChannelOutboundBuffer, WriteBufferWaterMark
from .embedded import EmbeddedChannel
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
from .. import codec as _codec, handler as _handler

# The package face: Netty's codec family and its handlers.  Those packages import this one's
# modules; when a user imports one of them first, it is still half-initialised here, and its
# names are then served on first access by ``__getattr__`` below.
_FACES = (_codec, _handler)
_codec_names = list(getattr(_codec, "__all__", ()))
_handler_names = list(getattr(_handler, "__all__", ()))
for _face in _FACES:
    for _name in getattr(_face, "__all__", ()):
        globals()[_name] = getattr(_face, _name)


def __getattr__(name: str):
    for face in _FACES:
        if name in getattr(face, "__all__", ()):
            return getattr(face, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
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
    "ClosedChannelException",
    "EmbeddedChannel",
    "SimpleChannelInboundHandler",
    "WriteBufferWaterMark",
    "ScheduledTask",
    "skip",
    *_codec_names,
    *_handler_names,
]
