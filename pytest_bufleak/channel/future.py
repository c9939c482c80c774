"""ChannelPromise: the outcome of an outbound operation (Netty's ``ChannelPromise``/``ChannelFuture``).

Everything in the pipeline runs synchronously, so a promise is a small callback holder: listeners run
when it completes (at once if it already has). In asyncio code a promise can also be awaited.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Generator, List, Optional

logger = logging.getLogger("pytest_bufleak")

Listener = Callable[["ChannelPromise"], Any]

_PENDING, _SUCCESS, _FAILURE = 0, 1, 2


class ClosedChannelException(OSError):
    """An operation on a channel that is closed (Netty's ``ClosedChannelException``)."""

    def __init__(self, message: str = "channel is closed") -> None:
        super().__init__(message)


class ChannelPromise:
    """A writable future for one outbound operation on ``channel``.

    ``add_listener(fn)`` calls ``fn(promise)`` on completion; ``is_done()``, ``is_success()`` and
    ``cause()`` report the outcome; ``await promise`` inside a running event loop waits for it and
    raises its cause on failure.
    """

    __slots__ = ("_channel", "_state", "_cause", "_listeners")

    def __init__(self, channel: Any) -> None:
        self._channel = channel
        self._state = _PENDING
        self._cause: Optional[BaseException] = None
        self._listeners: Optional[List[Listener]] = None

    def channel(self) -> Any:
        """The channel this operation belongs to."""
        return self._channel

    def is_done(self) -> bool:
        """True once the promise succeeded or failed."""
        return self._state != _PENDING

    def is_success(self) -> bool:
        """True when the operation completed successfully."""
        return self._state == _SUCCESS

    def cause(self) -> Optional[BaseException]:
        """The exception the operation failed with, or None."""
        return self._cause

    def add_listener(self, listener: Listener) -> ChannelPromise:
        """Call ``listener(self)`` when the promise completes (at once if it already has)."""
        if self._state != _PENDING:
            _notify(self, listener)
        elif self._listeners is None:
            self._listeners = [listener]
        else:
            self._listeners.append(listener)
        return self

    def set_success(self) -> ChannelPromise:
        """Mark the operation successful; raises if the promise was already completed."""
        if not self.try_success():
            raise RuntimeError(f"complete already: {self!r}")
        return self

    def set_failure(self, cause: BaseException) -> ChannelPromise:
        """Mark the operation failed with ``cause``; raises if the promise was already completed."""
        if not self.try_failure(cause):
            raise RuntimeError(f"complete already: {self!r}") from cause
        return self

    def try_success(self) -> bool:
        """Mark the operation successful unless it already completed; True when this call completed it."""
        if self._state != _PENDING:
            return False
        self._state = _SUCCESS
        self._notify_all()
        return True

    def try_failure(self, cause: BaseException) -> bool:
        """Mark the operation failed unless it already completed; True when this call completed it."""
        if self._state != _PENDING:
            return False
        self._state = _FAILURE
        self._cause = cause
        self._notify_all()
        return True

    def _notify_all(self) -> None:
        listeners, self._listeners = self._listeners, None
        if listeners:
            for listener in listeners:
                _notify(self, listener)

    def __await__(self) -> Generator[Any, None, ChannelPromise]:
        if self._state == _PENDING:
            waiter = asyncio.get_running_loop().create_future()

            def wake(_: ChannelPromise) -> None:
                if not waiter.done():
                    waiter.set_result(None)

            self.add_listener(wake)
            yield from waiter.__await__()
        if self._state == _FAILURE:
            raise self._cause  # type: ignore[misc]
        return self

    def __repr__(self) -> str:
        state = ("incomplete", "success", f"failure: {self._cause!r}")[self._state]
        return f"ChannelPromise({state})"


def _notify(promise: ChannelPromise, listener: Listener) -> None:
    try:
        listener(promise)
    except Exception:  # noqa: BLE001 - a listener must not break the operation that completed
        logger.warning("An exception was thrown by %r.operation_complete()", listener, exc_info=True)


class ChannelFutureListener:
    """Ready-made listeners (Netty's ``ChannelFutureListener`` constants)."""

    @staticmethod
    def CLOSE(future: ChannelPromise) -> None:  # noqa: N802 - Netty's constant name
        """Close the channel once the operation completed."""
        future.channel().close()

    @staticmethod
    def CLOSE_ON_FAILURE(future: ChannelPromise) -> None:  # noqa: N802
        """Close the channel when the operation failed."""
        if not future.is_success():
            future.channel().close()

    @staticmethod
    def FIRE_EXCEPTION_ON_FAILURE(future: ChannelPromise) -> None:  # noqa: N802
        """Send the failure through the pipeline's ``exception_caught``."""
        if not future.is_success():
            future.channel().pipeline().fire_exception_caught(future.cause())
