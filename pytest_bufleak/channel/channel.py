"""Channel: a pipeline, an allocator, and the outbound buffer between the head and a transport.

Subclasses supply the transport: ``_do_write`` (take flushed messages), ``_do_close`` and
``_execute_later`` (run a task after the current event, as Netty's event loop would). Closing fails
and releases every write still queued, then fires ``channel_inactive`` and removes every handler
(``handler_removed``), so handlers that hold buffers get the chance to release them.
"""
from __future__ import annotations

import logging
from collections import deque
from typing import Any, Callable, Deque, Optional, Set, Tuple

from ..buffer.allocator import ByteBufAllocator
from ..buffer.bytebuf import ByteBuf
from ..buffer.refcount import IllegalReferenceCountException, ReferenceCountUtil
from ..leak.overrelease import report as report_over_release
from .future import ChannelPromise, ClosedChannelException
from .pipeline import ChannelPipeline
from .scheduler import VirtualScheduler

logger = logging.getLogger("pytest_bufleak")

#: Netty's DefaultMessageSizeEstimator counts a message of unknown size as 8 bytes.
UNKNOWN_SIZE = 8

#: Writability bits: the outbound buffer's own water marks, and the transport's.
WRITABILITY_PENDING_BYTES = 1
WRITABILITY_TRANSPORT = 2


class WriteBufferWaterMark:
    """When pending outbound bytes exceed ``high`` the channel turns unwritable; below ``low`` writable again."""

    __slots__ = ("low", "high")

    def __init__(self, low: int = 32 * 1024, high: int = 64 * 1024) -> None:
        if low < 0 or high < low:
            raise ValueError(f"write buffer's high water mark cannot be less than low water mark ({low}): {high}")
        self.low = low
        self.high = high

    def __repr__(self) -> str:
        return f"WriteBufferWaterMark(low: {self.low}, high: {self.high})"


def message_size(msg: Any) -> int:
    """Bytes a message accounts for in the outbound buffer."""
    if isinstance(msg, ByteBuf):
        return msg.readable_bytes()
    if isinstance(msg, (bytes, bytearray, memoryview)):
        return len(msg)
    return UNKNOWN_SIZE


Entry = Tuple[Any, int, ChannelPromise]

#: ``_filter_outbound_message`` implementations that return a ByteBuf unchanged: with one of these,
#: the head queues a ByteBuf without calling the filter (subclasses in this package add theirs).
BYTEBUF_PASSING_FILTERS: Set[Callable[..., Any]] = set()


class ChannelOutboundBuffer:
    """Writes waiting for a flush (``unflushed``) and flushed writes the transport has not taken yet."""

    __slots__ = ("_channel", "_water_mark", "unflushed", "flushed", "_pending", "_unwritable")

    def __init__(self, channel: Channel, water_mark: WriteBufferWaterMark) -> None:
        self._channel = channel
        self._water_mark = water_mark
        self.unflushed: Deque[Entry] = deque()
        self.flushed: Deque[Entry] = deque()
        self._pending = 0
        self._unwritable = 0

    def add_message(self, msg: Any, promise: ChannelPromise) -> None:
        """Queue a write until the next flush."""
        size = message_size(msg)
        self.unflushed.append((msg, size, promise))
        self._pending += size
        if self._pending > self._water_mark.high:
            self.set_unwritable(WRITABILITY_PENDING_BYTES, True)

    def add_flush(self) -> None:
        """Mark every queued write as flushed."""
        if self.unflushed:
            self.flushed.extend(self.unflushed)
            self.unflushed.clear()

    def remove(self) -> Entry:
        """Take the first flushed entry out; the caller now owns its message and completes its promise."""
        entry = self.flushed.popleft()
        self.decrement_pending(entry[1])
        return entry

    def decrement_pending(self, size: int) -> None:
        """Account for ``size`` bytes leaving the buffer."""
        self._pending -= size
        if self._unwritable & WRITABILITY_PENDING_BYTES and self._pending < self._water_mark.low:
            self.set_unwritable(WRITABILITY_PENDING_BYTES, False)

    def pending_bytes(self) -> int:
        """Bytes queued and not yet handed to the transport."""
        return self._pending

    def is_writable(self) -> bool:
        """True unless a water mark was crossed (ours or the transport's)."""
        return not self._unwritable

    def set_unwritable(self, bit: int, unwritable: bool) -> None:
        """Set or clear one reason for being unwritable; fire ``channel_writability_changed`` on a change."""
        before = self._unwritable
        after = before | bit if unwritable else before & ~bit
        self._unwritable = after
        if bool(before) != bool(after):
            self._channel.pipeline().fire_channel_writability_changed()

    def fail_all(self, cause: BaseException) -> None:
        """Release every queued message and fail its promise (the channel closed)."""
        for queue in (self.flushed, self.unflushed):
            while queue:
                msg, _, promise = queue.popleft()
                ReferenceCountUtil.safe_release(msg)
                promise.try_failure(cause)
        self._pending = 0


class Channel:
    """The base of every channel: ``pipeline()``, ``alloc()``, writability, and the outbound operations.

    The allocator is ``ByteBufAllocator.DEFAULT`` as it is when the channel is made, unless given.
    """

    def __init__(self, alloc: Optional[ByteBufAllocator] = None, water_mark: Optional[WriteBufferWaterMark] = None) -> None:
        self._alloc = alloc if alloc is not None else ByteBufAllocator.DEFAULT
        self._water_mark = water_mark if water_mark is not None else WriteBufferWaterMark()
        cls = type(self)
        if cls._head_write is not Channel._head_write or cls._filter_outbound_message not in BYTEBUF_PASSING_FILTERS:
            # A subclass changed what the head does with a write: no shortcut around it.
            self._head_write_from_ctx = self._head_write_generic
        if cls._head_flush is not Channel._head_flush:
            self._head_flush_from_ctx = self._head_flush_generic
        self._pipeline = ChannelPipeline(self)
        self._outbound: Optional[ChannelOutboundBuffer] = ChannelOutboundBuffer(self, self._water_mark)
        self._open = True
        self._active = False
        self._close_future = ChannelPromise(self)

    # ------------------------------------------------------------------ state

    def pipeline(self) -> ChannelPipeline:
        """This channel's pipeline."""
        return self._pipeline

    def alloc(self) -> ByteBufAllocator:
        """The allocator handlers should allocate from."""
        return self._alloc

    def is_open(self) -> bool:
        """True until the channel is closed."""
        return self._open

    def is_active(self) -> bool:
        """True while the channel is connected (open and active)."""
        return self._active

    def is_writable(self) -> bool:
        """True when writes are not piling up beyond the high water mark."""
        outbound = self._outbound
        return outbound is not None and outbound.is_writable()

    def bytes_before_unwritable(self) -> int:
        """Bytes that can still be written before the channel turns unwritable."""
        outbound = self._outbound
        if outbound is None or not outbound.is_writable():
            return 0
        return max(self._water_mark.high - outbound.pending_bytes() + 1, 0)

    def close_future(self) -> ChannelPromise:
        """A promise completed once the channel has closed, ``channel_inactive`` was fired and every handler
        was removed: after it, nothing in the pipeline holds a buffer any more."""
        return self._close_future

    def new_promise(self) -> ChannelPromise:
        """A fresh promise for an operation on this channel."""
        return ChannelPromise(self)

    # ------------------------------------------------------------------ outbound operations (from the tail)

    def write(self, msg: Any, promise: Optional[ChannelPromise] = None) -> ChannelPromise:
        """Write ``msg`` through the whole pipeline (sent at the next flush)."""
        return self._pipeline.write(msg, promise)

    def flush(self) -> Channel:
        """Flush through the whole pipeline."""
        self._pipeline.flush()
        return self

    def write_and_flush(self, msg: Any, promise: Optional[ChannelPromise] = None) -> ChannelPromise:
        """Write ``msg`` and flush."""
        return self._pipeline.write_and_flush(msg, promise)

    def close(self, promise: Optional[ChannelPromise] = None) -> ChannelPromise:
        """Close the channel through the whole pipeline."""
        return self._pipeline.close(promise)

    # ------------------------------------------------------------------ time

    def schedule(self, delay_seconds: float, fn: Callable[[], None]) -> Any:
        """Run ``fn`` on this channel after ``delay_seconds``; returns a handle with ``cancel()``.

        Sans-I/O channels run on a virtual clock (see ``EmbeddedChannel.advance_time_by``).
        """
        return self._clock().schedule(delay_seconds, fn)

    def time(self) -> float:
        """The channel's clock, in seconds (what ``schedule`` counts from)."""
        return self._clock().time()

    def _clock(self) -> VirtualScheduler:
        clock = self.__dict__.get("_virtual_clock")
        if clock is None:
            clock = self._virtual_clock = VirtualScheduler()
        return clock

    # ------------------------------------------------------------------ what the head does

    def _filter_outbound_message(self, msg: Any) -> Any:
        """Check (and possibly convert) a message before it is queued; raise to refuse it."""
        return msg

    def _head_write_from_ctx(self, ctx: Any, msg: Any, promise: ChannelPromise) -> None:
        """The head context's ``write``: ``_head_write`` with the common case (a ByteBuf) inlined."""
        outbound = self._outbound
        if outbound is None or not isinstance(msg, ByteBuf):
            self._head_write(msg, promise)
            return
        # _filter_outbound_message passes a ByteBuf as it is (BYTEBUF_PASSING_FILTERS); add_message inlined.
        size = msg._widx - msg._ridx  # readable_bytes(), inlined
        if size < 0:
            msg._ensure_accessible()  # a released buffer (writer index -1): raises
        outbound.unflushed.append((msg, size, promise))
        pending = outbound._pending = outbound._pending + size
        if pending > outbound._water_mark.high:
            outbound.set_unwritable(WRITABILITY_PENDING_BYTES, True)

    def _head_write_generic(self, ctx: Any, msg: Any, promise: ChannelPromise) -> None:
        self._head_write(msg, promise)

    def _head_flush_via_do_write(self, ctx: Any) -> None:
        """The head context's ``flush``: ``_head_flush`` inlined."""
        outbound = self._outbound
        if outbound is None:
            return
        unflushed = outbound.unflushed
        if unflushed:
            outbound.flushed.extend(unflushed)
            unflushed.clear()
            self._do_write(outbound)
        elif outbound.flushed:
            self._do_write(outbound)

    #: What the head context's ``flush`` calls (a transport may put a faster one that does ``_do_write``'s work).
    _head_flush_from_ctx = _head_flush_via_do_write

    def _head_flush_generic(self, ctx: Any) -> None:
        self._head_flush()

    def _head_write(self, msg: Any, promise: ChannelPromise) -> None:
        outbound = self._outbound
        if outbound is None:
            ReferenceCountUtil.safe_release(msg)
            promise.try_failure(ClosedChannelException())
            return
        try:
            msg = self._filter_outbound_message(msg)
        except Exception as exc:  # noqa: BLE001 - a refused message is released, its promise failed
            ReferenceCountUtil.safe_release(msg)
            promise.try_failure(exc)
            return
        outbound.add_message(msg, promise)

    def _head_flush(self) -> None:
        outbound = self._outbound
        if outbound is None:
            return
        outbound.add_flush()
        if outbound.flushed:
            self._do_write(outbound)

    def _head_close(self, promise: ChannelPromise) -> None:
        if not self._open:
            self._close_future.add_listener(lambda _: promise.try_success())
            return
        was_active = self._active
        self._open = self._active = False
        try:
            self._do_close()
        except Exception as exc:  # noqa: BLE001 - the channel is closed either way
            logger.warning("Failed to close a channel: %r", self, exc_info=exc)
        outbound, self._outbound = self._outbound, None
        if outbound is not None:
            outbound.fail_all(ClosedChannelException())
        promise.try_success()
        self._execute_later(lambda: self._fire_inactive_and_destroy(was_active))

    def _fire_inactive_and_destroy(self, was_active: bool) -> None:
        try:
            if was_active:
                self._pipeline.fire_channel_inactive()
            self._pipeline._destroy()
        finally:
            self._close_future.try_success()

    # ------------------------------------------------------------------ what the tail does

    def _on_unhandled_inbound_message(self, msg: Any) -> None:
        logger.debug(
            "Discarded inbound message %r that reached at the tail of the pipeline. "
            "Please check your pipeline configuration.", msg,
        )
        try:
            ReferenceCountUtil.release(msg)
        except IllegalReferenceCountException as exc:
            report_over_release(msg, exc, by="the pipeline's tail")
            raise

    def _on_unhandled_exception(self, cause: BaseException) -> None:
        logger.warning(
            "An exception_caught() event was fired, and it reached at the tail of the pipeline. It usually means "
            "the last handler in the pipeline did not handle the exception.", exc_info=cause,
        )

    # ------------------------------------------------------------------ the transport (subclasses)

    def _do_write(self, outbound: ChannelOutboundBuffer) -> None:
        """Take flushed messages from ``outbound`` (``outbound.remove()``), hand them on, complete their promises."""
        raise NotImplementedError

    def _do_close(self) -> None:
        """Close the transport."""
        raise NotImplementedError

    def _execute_later(self, task: Callable[[], None]) -> None:
        """Run ``task`` after the current event has been handled."""
        raise NotImplementedError


BYTEBUF_PASSING_FILTERS.add(Channel._filter_outbound_message)
