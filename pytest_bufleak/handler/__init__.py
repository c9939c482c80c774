"""Netty's ``io.netty.handler`` handlers; import them from ``pytest_bufleak.channel``."""
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
    "IdleState",
    "IdleStateEvent",
    "IdleStateHandler",
    "ReadTimeoutException",
    "ReadTimeoutHandler",
    "TimeoutException",
    "WriteTimeoutException",
    "WriteTimeoutHandler",
]
