"""EmbeddedChannel: run a pipeline without any I/O, for tests (Netty's ``EmbeddedChannel``).

What reaches the tail is queued for ``read_inbound()`` instead of being released; what is flushed
at the head is queued for ``read_outbound()``. Exceptions that reach the tail (and failed writes) are
recorded and raised by ``check_exception()``, which ``write_inbound``/``write_outbound``/``finish``
call for you.
"""
from __future__ import annotations

import logging
from collections import deque
from typing import Any, Callable, Deque, List, Optional

from ..buffer.allocator import ByteBufAllocator
from ..buffer.refcount import ReferenceCountUtil
from .channel import Channel, ChannelOutboundBuffer, WriteBufferWaterMark
from .checks import check_channel_options
from .future import ChannelPromise, ClosedChannelException

logger = logging.getLogger("pytest_bufleak")

#: The touch hints of read_inbound()/read_outbound(), Netty's words.
_READ_INBOUND_HINT = "Caller of read_inbound() will handle the message from this point"
_READ_OUTBOUND_HINT = "Caller of read_outbound() will handle the message from this point"


class EmbeddedChannel(Channel):
    """A channel whose two ends are queues: ``EmbeddedChannel(handler, ...)`` is active at once.

    ``write_inbound(*msgs)`` feeds messages in as if read from a peer; ``write_outbound(*msgs)`` writes
    and flushes; both return whether anything is queued at the matching end afterwards. They take
    ownership even when they raise: after close (``ClosedChannelException``) or for a ``None`` message
    (``TypeError``: ``None`` is what the ``read_*`` methods return when a queue is empty) every message
    given is released. Finish a test
    with ``finish_and_release_all()`` (or ``finish()`` and read/release what is left).
    """

    def __init__(
        self,
        *handlers: Any,
        alloc: Optional[ByteBufAllocator] = None,
        water_mark: Optional[WriteBufferWaterMark] = None,
    ) -> None:
        check_channel_options(alloc, water_mark)
        super().__init__(alloc, water_mark)
        self._inbound_messages: Deque[Any] = deque()
        self._outbound_messages: Deque[Any] = deque()
        self._tasks: Deque[Callable[[], None]] = deque()
        self._exception: Optional[BaseException] = None
        self._pipeline.add_last(*handlers)
        self._active = True
        self._pipeline.fire_channel_active()
        self.run_pending_tasks()

    # ------------------------------------------------------------------ queues

    def inbound_messages(self) -> Deque[Any]:
        """Messages that reached the tail, oldest first."""
        return self._inbound_messages

    def outbound_messages(self) -> Deque[Any]:
        """Messages flushed at the head, oldest first."""
        return self._outbound_messages

    def read_inbound(self) -> Any:
        """The oldest message that reached the tail (you own it), or None.

        As in Netty, the message is touched, so a leak report shows where it was handed over.
        """
        queue = self._inbound_messages
        if not queue:
            return None
        return ReferenceCountUtil.touch(queue.popleft(), _READ_INBOUND_HINT)

    def read_outbound(self) -> Any:
        """The oldest message flushed at the head (you own it), or None; touched like ``read_inbound``'s."""
        queue = self._outbound_messages
        if not queue:
            return None
        return ReferenceCountUtil.touch(queue.popleft(), _READ_OUTBOUND_HINT)

    # ------------------------------------------------------------------ feeding

    def write_inbound(self, *msgs: Any) -> bool:
        """Fire each message through the pipeline, then ``channel_read_complete``.

        Returns whether anything is queued for ``read_inbound()``. Raises what a handler failed with.
        """
        self._accept(msgs)
        pipeline = self._pipeline
        for msg in msgs:
            pipeline.fire_channel_read(msg)
        self.flush_inbound()
        return bool(self._inbound_messages)

    def write_one_inbound(self, msg: Any) -> None:
        """Fire one message through the pipeline, without ``channel_read_complete`` or an exception check."""
        self._accept((msg,))
        self._pipeline.fire_channel_read(msg)

    def flush_inbound(self) -> EmbeddedChannel:
        """Fire ``channel_read_complete``, run pending tasks and raise a recorded exception."""
        if self._open:
            self._pipeline.fire_channel_read_complete()
        self.run_pending_tasks()
        self.check_exception()
        return self

    def write_outbound(self, *msgs: Any) -> bool:
        """Write each message through the pipeline and flush.

        Returns whether anything is queued for ``read_outbound()``. Raises what a handler failed with.
        """
        self._accept(msgs)
        promises = [self.write(msg) for msg in msgs]
        self.run_pending_tasks()
        self.flush()
        for promise in promises:
            promise.add_listener(self._record_failure)
        self.run_pending_tasks()
        self.check_exception()
        return bool(self._outbound_messages)

    def write_one_outbound(self, msg: Any) -> ChannelPromise:
        """Write one message without flushing; returns its promise."""
        self._accept((msg,))
        return self.write(msg)

    def flush_outbound(self) -> EmbeddedChannel:
        """Flush, run pending tasks and raise a recorded exception."""
        self.run_pending_tasks()
        self.flush()
        self.run_pending_tasks()
        self.check_exception()
        return self

    # ------------------------------------------------------------------ finishing

    def finish(self) -> bool:
        """Close the channel and raise a recorded exception; True if anything is left in either queue."""
        return self._finish(False)

    def finish_and_release_all(self) -> bool:
        """Like ``finish()``, then release everything left in both queues (even if an exception is raised)."""
        return self._finish(True)

    def _finish(self, release_all: bool) -> bool:
        try:
            self.close()
            self.check_exception()
            return bool(self._inbound_messages) or bool(self._outbound_messages)
        finally:
            if release_all:
                self.release_inbound()
                self.release_outbound()

    def release_inbound(self) -> bool:
        """Release everything queued for ``read_inbound()``; True if there was anything."""
        return _release_all(self._inbound_messages)

    def release_outbound(self) -> bool:
        """Release everything queued for ``read_outbound()``; True if there was anything."""
        return _release_all(self._outbound_messages)

    def close(self, promise: Optional[ChannelPromise] = None) -> ChannelPromise:
        """Close the channel and run every task it left (``channel_inactive``, ``handler_removed``)."""
        self.run_pending_tasks()
        promise = super().close(promise)
        self.run_pending_tasks()
        return promise

    # ------------------------------------------------------------------ exceptions and tasks

    def check_exception(self) -> None:
        """Raise (and forget) the first exception recorded since the last check, if any."""
        exc, self._exception = self._exception, None
        if exc is not None:
            raise exc

    def run_pending_tasks(self) -> None:
        """Run the tasks the channel deferred (as Netty's ``EmbeddedEventLoop`` does)."""
        tasks = self._tasks
        while tasks:
            try:
                tasks.popleft()()
            except Exception as exc:  # noqa: BLE001 - recorded for check_exception
                self._record_exception(exc)

    def advance_time_by(self, seconds: float) -> None:
        """Move the virtual clock forward; due tasks run at ``run_scheduled_pending_tasks()``."""
        self._clock().advance(seconds)

    def run_scheduled_pending_tasks(self) -> float:
        """Run the scheduled tasks that are due (errors go to ``check_exception``); return the seconds
        until the next one, or -1 when none waits (Netty's ``runScheduledPendingTasks``)."""
        next_delay = self._clock().run_due(self._record_exception)
        self.run_pending_tasks()
        return next_delay

    def _record_exception(self, cause: BaseException) -> None:
        if self._exception is None:
            self._exception = cause
        else:
            logger.warning(
                "More than one exception was raised. Will report only the first one and log others.", exc_info=cause
            )

    def _record_failure(self, promise: ChannelPromise) -> None:
        cause = promise.cause()
        if cause is not None:
            self._record_exception(cause)

    def _accept(self, msgs: tuple) -> None:
        """Refuse messages the channel cannot take (it is closed, or one is None), releasing them all."""
        if self._open and not any(msg is None for msg in msgs):
            return
        for msg in msgs:
            ReferenceCountUtil.safe_release(msg)
        if not self._open:
            raise ClosedChannelException()
        # Netty refuses null messages; here None is what read_inbound()/read_outbound() return for "empty".
        raise TypeError("msg is None: None cannot be a message (read_inbound()/read_outbound() return None when empty)")

    # ------------------------------------------------------------------ transport

    def _do_write(self, outbound: ChannelOutboundBuffer) -> None:
        queue = self._outbound_messages
        while outbound.flushed:
            msg, _, promise = outbound.remove()
            queue.append(msg)
            promise.try_success()

    def _do_close(self) -> None:
        pass

    def _execute_later(self, task: Callable[[], None]) -> None:
        self._tasks.append(task)

    def _on_unhandled_inbound_message(self, msg: Any) -> None:
        self._inbound_messages.append(msg)

    def _on_unhandled_exception(self, cause: BaseException) -> None:
        self._record_exception(cause)

    def __repr__(self) -> str:
        state = "active" if self._active else ("open" if self._open else "closed")
        return f"EmbeddedChannel({state})"


def _release_all(queue: Deque[Any]) -> bool:
    had = bool(queue)
    errors: List[BaseException] = []
    while queue:
        try:
            ReferenceCountUtil.release(queue.popleft())
        except Exception as exc:  # noqa: BLE001 - release the rest, then report
            errors.append(exc)
    if errors:
        raise errors[0]
    return had
