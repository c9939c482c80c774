"""Writing large data in chunks: ``ChunkedInput``, ``ChunkedStream`` and ``ChunkedWriteHandler`` (Netty's).

``ctx.write(ChunkedStream(file))`` queues the stream; the handler then reads and writes one chunk at a
time, each a buffer from the channel's allocator, for as long as the channel stays writable, and
resumes when it turns writable again. The write's promise completes after the last chunk.
"""
from __future__ import annotations

import logging
from collections import deque
from typing import Any, Deque, Optional

from ..buffer.bytebuf import ByteBuf
from ..buffer.refcount import ReferenceCountUtil
from ..buffer.unpooled import Unpooled
from ..channel.future import ChannelPromise, ClosedChannelException
from ..channel.handlers import ChannelDuplexHandler

logger = logging.getLogger("pytest_bufleak")


class ChunkedInput:
    """A source of chunks: ``read_chunk(alloc)`` returns a buffer (the caller owns it) or None for "not yet"."""

    def is_end_of_input(self) -> bool:
        """True when every chunk has been read."""
        raise NotImplementedError

    def read_chunk(self, alloc: Any) -> Optional[ByteBuf]:
        """The next chunk, allocated from ``alloc``; None when no data is available right now."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the input holds."""
        raise NotImplementedError

    def length(self) -> int:
        """The total length in bytes, or -1 when unknown."""
        return -1

    def progress(self) -> int:
        """Bytes read so far."""
        raise NotImplementedError


class ChunkedStream(ChunkedInput):
    """Chunks of at most ``chunk_size`` bytes read from a binary file-like object (``read(n)``).

    ``close()`` closes the file-like object.
    """

    def __init__(self, file_like: Any, chunk_size: int = 8192) -> None:
        if chunk_size <= 0:
            raise ValueError(f"chunkSize: {chunk_size} (expected: > 0)")
        self._in = file_like
        self.chunk_size = chunk_size
        self._offset = 0
        self._closed = False
        self._next: bytes = b""

    def transferred_bytes(self) -> int:
        """Bytes handed out in chunks so far."""
        return self._offset

    def is_end_of_input(self) -> bool:
        if self._closed:
            return True
        if not self._next:
            self._next = self._in.read(self.chunk_size) or b""
        return not self._next

    def read_chunk(self, alloc: Any) -> Optional[ByteBuf]:
        if self.is_end_of_input():
            return None
        data, self._next = self._next, b""
        buf = alloc.buffer(len(data))
        try:
            buf.write_bytes(data)
        except BaseException:
            ReferenceCountUtil.safe_release(buf)
            raise
        self._offset += len(data)
        return buf

    def close(self) -> None:
        self._closed = True
        self._next = b""
        self._in.close()

    def progress(self) -> int:
        return self._offset


class _PendingWrite:
    __slots__ = ("msg", "promise")

    def __init__(self, msg: Any, promise: ChannelPromise) -> None:
        self.msg = msg
        self.promise = promise

    def fail(self, cause: BaseException) -> None:
        ReferenceCountUtil.release(self.msg)
        self.promise.try_failure(cause)

    def success(self) -> None:
        self.promise.try_success()


def _close_input(chunks: ChunkedInput) -> None:
    try:
        chunks.close()
    except Exception:  # noqa: BLE001 - as Netty: a failing close is logged, the transfer is over anyway
        logger.warning("Failed to close a chunked input.", exc_info=True)


class ChunkedWriteHandler(ChannelDuplexHandler):
    """Queues writes and sends ``ChunkedInput`` messages chunk by chunk while the channel is writable.

    Other messages pass through in order. Put it before the handlers that write chunked inputs.
    """

    def __init__(self) -> None:
        self._queue: Deque[_PendingWrite] = deque()
        self._ctx: Any = None

    def handler_added(self, ctx: Any) -> None:
        self._ctx = ctx

    def handler_removed(self, ctx: Any) -> None:
        # Nothing more will be sent through this handler: release what waits and fail its promises.
        self._discard(ClosedChannelException("ChunkedWriteHandler removed from the pipeline"))

    def resume_transfer(self) -> None:
        """Continue sending (after a chunked input that returned None has data again)."""
        if self._ctx is not None:
            self._do_flush(self._ctx)

    def write(self, ctx: Any, msg: Any, promise: Any = None) -> None:
        self._queue.append(_PendingWrite(msg, promise if promise is not None else ctx.new_promise()))

    def flush(self, ctx: Any) -> None:
        self._do_flush(ctx)

    def channel_inactive(self, ctx: Any) -> None:
        self._do_flush(ctx)
        ctx.fire_channel_inactive()

    def channel_writability_changed(self, ctx: Any) -> None:
        if ctx.channel().is_writable():
            self._do_flush(ctx)
        ctx.fire_channel_writability_changed()

    def _discard(self, cause: Optional[BaseException] = None) -> None:
        queue = self._queue
        while queue:
            current = queue.popleft()
            msg = current.msg
            if isinstance(msg, ChunkedInput):
                try:
                    if not msg.is_end_of_input():
                        current.fail(cause if cause is not None else ClosedChannelException())
                    else:
                        current.success()
                except Exception as exc:  # noqa: BLE001
                    current.fail(exc)
                finally:
                    _close_input(msg)
            else:
                current.fail(cause if cause is not None else ClosedChannelException())

    def _do_flush(self, ctx: Any) -> None:
        channel = ctx.channel()
        if not channel.is_active():
            self._discard()
            return
        requires_flush = True
        alloc = ctx.alloc()
        queue = self._queue
        while channel.is_writable():
            if not queue:
                break
            current = queue[0]
            if current.promise.is_done():
                # The write was cancelled or failed already (the channel closed under it, say).
                queue.popleft()
                if isinstance(current.msg, ChunkedInput):
                    _close_input(current.msg)
                else:
                    ReferenceCountUtil.release(current.msg)
                continue
            pending = current.msg
            if isinstance(pending, ChunkedInput):
                message = None
                try:
                    message = pending.read_chunk(alloc)
                    end_of_input = pending.is_end_of_input()
                    suspend = message is None and not end_of_input
                except Exception as exc:  # noqa: BLE001 - the transfer fails, the channel goes on
                    queue.popleft()
                    if message is not None:
                        ReferenceCountUtil.safe_release(message)
                    _close_input(pending)
                    current.fail(exc)
                    break
                if suspend:
                    break
                if message is None:
                    message = Unpooled.EMPTY_BUFFER
                if end_of_input:
                    queue.popleft()
                future = ctx.write_and_flush(message)
                if end_of_input:
                    future.add_listener(lambda f, c=current, p=pending: self._end_of_input(f, c, p))
                else:
                    resume = not channel.is_writable()
                    future.add_listener(lambda f, c=current, p=pending, r=resume: self._chunk_written(f, c, p, r))
                requires_flush = False
            else:
                queue.popleft()
                ctx.write(pending, current.promise)
                requires_flush = True
            if not channel.is_active():
                self._discard(ClosedChannelException())
                break
        if requires_flush:
            ctx.flush()

    def _end_of_input(self, future: ChannelPromise, current: _PendingWrite, chunks: ChunkedInput) -> None:
        _close_input(chunks)
        if future.is_success():
            current.success()
        else:
            current.fail(future.cause())  # type: ignore[arg-type]

    def _chunk_written(self, future: ChannelPromise, current: _PendingWrite, chunks: ChunkedInput, resume: bool) -> None:
        if not future.is_success():
            _close_input(chunks)
            current.fail(future.cause())  # type: ignore[arg-type]
        elif resume and future.channel().is_writable():
            self.resume_transfer()
