"""Netty's ``io.netty.handler`` handlers; import them from ``pytest_bufleak.channel``."""
from .logging_handler import ByteBufFormat, LoggingHandler
from .stream import ChunkedInput, ChunkedStream, ChunkedWriteHandler
from .timeout import (
    IdleState,
    IdleStateEvent,
    IdleStateHandler,
    ReadTimeoutException,
    ReadTimeoutHandler,
    TimeoutException,
    WriteTimeoutException,
    WriteTimeoutHandler,
)

__all__ = [
    "ByteBufFormat",
    "ChunkedInput",
    "ChunkedStream",
    "ChunkedWriteHandler",
    "IdleState",
    "IdleStateEvent",
    "IdleStateHandler",
    "LoggingHandler",
    "ReadTimeoutException",
    "ReadTimeoutHandler",
    "TimeoutException",
    "WriteTimeoutException",
    "WriteTimeoutHandler",
]
