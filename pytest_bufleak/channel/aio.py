"""The pipeline on asyncio TCP: ``serve(initializer, host, port)`` and ``connect(initializer, host, port)``.

Reads land in buffers from the channel's allocator (``alloc.io_buffer``, pooled by default) through
``asyncio.BufferedProtocol``: each read is fired into the pipeline as a ``ByteBuf`` the handlers own.
Writes queue in the channel's outbound buffer; ``flush()`` hands them to the transport.

Memory given to the transport: on Python >= 3.12 ``transport.write`` may keep a view of the memory it
was given until the socket takes it. So a flush passes the transport a ``bytes`` copy of the flushed
buffers (one copy, all flushed buffers joined into a single write) and releases the buffers at once:
no pooled memory is ever held by the transport, and a buffer's life ends at the flush that sent it.
The one exception, ``ZERO_COPY_TRANSPORTS``: before 3.12 the standard selector socket transport sends
at once or copies what the socket refused, keeping nothing of the caller's, so a flush of one buffer
hands it a view of the buffer, without a copy (of several, those of ``ZERO_COPY_MIN_BYTES`` or more
are joined from views).

Backpressure: the transport's write buffer limits are the channel's water marks; ``pause_writing``
and ``resume_writing`` turn the channel unwritable and writable again (``channel_writability_changed``),
as do pending outbound bytes. ``set_auto_read(False)`` pauses reading.

Closing releases everything still queued (failing its promises), fires ``channel_inactive`` and removes
every handler; ``await channel.close_future()`` waits for that.
"""
from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any, Callable, List, Optional, Set, Tuple, Union

from ..buffer.allocator import ByteBufAllocator
from ..buffer.bytebuf import ByteBuf
from ..buffer.pooled import ReadBufferCache
from ..buffer.refcount import IllegalReferenceCountException, ReferenceCountUtil
from ..leak import detector as _leak_detector
from ..leak.overrelease import report as report_over_release
from .scheduler import delay_arg
from .channel import (
    BYTEBUF_PASSING_FILTERS,
    WRITABILITY_PENDING_BYTES,
    WRITABILITY_TRANSPORT,
    Channel,
    ChannelOutboundBuffer,
    WriteBufferWaterMark,
)
from .checks import check_channel_options, check_initializer
from .future import _PENDING, _SUCCESS, ChannelPromise, ClosedChannelException
from .pipeline import touch

logger = logging.getLogger("pytest_bufleak")


def _zero_copy_transports() -> Tuple[type, ...]:
    """Transport classes whose ``write`` never keeps the memory it was given once it returns.

    Before Python 3.12 the selector socket transport either sends at once or copies what is left into
    its own ``bytearray``; from 3.12 on it keeps a view of the caller's memory. Every other transport
    (SSL, proactor, uvloop, 3.12+) gets a ``bytes`` copy.
    """
    if sys.version_info >= (3, 12):
        return ()
    try:
        from asyncio.selector_events import _SelectorSocketTransport
    except ImportError:  # pragma: no cover - not on CPython's asyncio
        return ()
    return (_SelectorSocketTransport,)


#: Transports a flushed buffer's memory may be handed to without a copy (see _zero_copy_transports).
ZERO_COPY_TRANSPORTS = _zero_copy_transports()
#: Below this many bytes a copy is cheaper than a view.
ZERO_COPY_MIN_BYTES = 2048

Initializer = Union[Callable[["AioSocketChannel"], Any], Any]


class AdaptiveRecvBufferSize:
    """Guesses the next read's buffer size from the last ones (Netty's ``AdaptiveRecvByteBufAllocator``):
    doubles after a read that filled the buffer, halves after two reads that used at most half of it.
    The maximum matches asyncio's own 256 KiB reads."""

    __slots__ = ("minimum", "maximum", "size", "_shrink")

    def __init__(self, minimum: int = 64, initial: int = 2048, maximum: int = 256 * 1024) -> None:
        if not 0 < minimum <= initial <= maximum:
            raise ValueError(f"expected 0 < minimum ({minimum}) <= initial ({initial}) <= maximum ({maximum})")
        self.minimum, self.maximum, self.size = minimum, maximum, initial
        self._shrink = False

    def record(self, nbytes: int) -> None:
        """Adapt to a read of ``nbytes``."""
        size = self.size
        if nbytes >= size:
            self.size = min(size << 1, self.maximum)
            self._shrink = False
        elif nbytes <= size >> 1 and size > self.minimum:
            if self._shrink:
                self.size = max(size >> 1, self.minimum)
                self._shrink = False
            else:
                self._shrink = True
        else:
            self._shrink = False


class AioSocketChannel(Channel):
    """A TCP connection running a pipeline on an asyncio event loop (all calls on the loop's thread)."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        alloc: Optional[ByteBufAllocator] = None,
        water_mark: Optional[WriteBufferWaterMark] = None,
    ) -> None:
        if type(self)._do_write is not AioSocketChannel._do_write:
            # A subclass hands flushed messages on itself: the head's flush must call it.
            self._head_flush_from_ctx = self._head_flush_via_do_write
        super().__init__(alloc, water_mark)
        self._loop = loop
        self._transport: Optional[asyncio.Transport] = None
        self._auto_read = True
        self.recv_buffer_size = AdaptiveRecvBufferSize()
        #: Where reads get their buffers when the allocator is pooled (made on the loop's thread).
        self._reads: Optional[ReadBufferCache] = None

    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop this channel runs on."""
        return self._loop

    def local_address(self) -> Any:
        """The local socket address, or None before connecting."""
        return None if self._transport is None else self._transport.get_extra_info("sockname")

    def remote_address(self) -> Any:
        """The peer's socket address, or None before connecting."""
        return None if self._transport is None else self._transport.get_extra_info("peername")

    def is_auto_read(self) -> bool:
        """True while the channel reads whenever data arrives."""
        return self._auto_read

    def set_auto_read(self, auto_read: bool) -> AioSocketChannel:
        """Pause (False) or resume (True) reading from the socket: backpressure towards the peer."""
        self._auto_read = auto_read
        transport = self._transport
        if transport is not None and not transport.is_closing():
            if auto_read:
                transport.resume_reading()
            else:
                transport.pause_reading()
        return self

    # ------------------------------------------------------------------ transport hooks

    def _filter_outbound_message(self, msg: Any) -> Any:
        if isinstance(msg, ByteBuf):
            return msg
        if isinstance(msg, (bytes, bytearray, memoryview)):
            return bytes(msg)
        raise TypeError(f"unsupported message type: {type(msg).__name__} (expected: ByteBuf or bytes-like)")

    def _head_flush_from_ctx(self, ctx: Any) -> None:
        """The head's flush: ``add_flush`` and ``_do_write`` in one, with a fast path for one message."""
        outbound = self._outbound
        if outbound is None:
            return
        unflushed = outbound.unflushed
        transport = self._transport
        if len(unflushed) != 1 or outbound.flushed or transport is None or transport.is_closing():
            if unflushed:
                outbound.flushed.extend(unflushed)
                unflushed.clear()
            if outbound.flushed:
                self._do_write_all(outbound, transport)
            return
        # One message written since the last flush, on an open transport: the request/response case.
        msg, size, promise = unflushed.pop()
        failure: Optional[BaseException] = None
        try:
            if size:
                data = msg
                if type(msg) is not bytes:
                    if msg._cap < 0:
                        msg._ensure_accessible()  # released after it was written: raises
                    data = msg._mem[msg._ridx:msg._widx]
                    if type(transport) not in ZERO_COPY_TRANSPORTS:
                        # A copy: the transport may keep what it is given (Python >= 3.12), and the
                        # buffer is released right below, its memory going back to the pool.
                        data = data.tobytes()
                transport.write(data)
        except Exception as exc:  # noqa: BLE001 - reported through the promise
            failure = exc
            data = None  # the traceback keeps this frame: let it hold no view of pooled memory
        finally:
            if type(msg) is not bytes:
                try:
                    msg.release()
                except Exception as exc:  # noqa: BLE001 - ReferenceCountUtil.safe_release, inlined
                    logger.warning("Failed to release a message: %r (decrement: %d)", msg, 1, exc_info=True)
                    if isinstance(exc, IllegalReferenceCountException):
                        report_over_release(msg, exc, by="the transport, after writing it")
        # The bytes left the outbound buffer: only now may writability flip (and handlers write more).
        pending = outbound._pending = outbound._pending - size
        if outbound._unwritable & WRITABILITY_PENDING_BYTES and pending < outbound._water_mark.low:
            outbound.set_unwritable(WRITABILITY_PENDING_BYTES, False)
        if failure is not None:
            promise.try_failure(failure)
        elif promise._state == _PENDING:  # try_success, inlined
            promise._state = _SUCCESS
            if promise._listeners is not None:
                promise._notify_all()

    def _do_write(self, outbound: ChannelOutboundBuffer) -> None:
        self._do_write_all(outbound, self._transport)

    def _do_write_all(self, outbound: ChannelOutboundBuffer, transport: Optional[asyncio.Transport]) -> None:
        failure: Optional[BaseException] = None
        if transport is None or transport.is_closing():
            failure = ClosedChannelException()
        flushed = outbound.flushed
        done: List[Tuple[Any, ChannelPromise]] = []
        chunks: List[Any] = []
        views: List[memoryview] = []
        total = 0
        try:
            while flushed:
                msg, size, promise = flushed.popleft()
                total += size
                done.append((msg, promise))
                if failure is None and size:
                    if type(msg) is bytes:
                        chunks.append(msg)
                    elif size >= ZERO_COPY_MIN_BYTES:
                        # Joined below (one copy) or handed to a transport that keeps nothing.
                        view = msg.nio_buffer()
                        views.append(view)
                        chunks.append(view)
                    else:
                        chunks.append(bytes(msg))
            if chunks:
                if len(chunks) > 1:
                    data = b"".join(chunks)
                else:
                    data = chunks[0]
                    if type(data) is memoryview and type(transport) not in ZERO_COPY_TRANSPORTS:
                        data = bytes(data)
                transport.write(data)  # type: ignore[union-attr]
        except Exception as exc:  # noqa: BLE001 - reported through the promises
            failure = exc
        finally:
            for view in views:
                view.release()
            for msg, _ in done:
                if isinstance(msg, ByteBuf):
                    ReferenceCountUtil.safe_release(msg)
        if total:
            outbound.decrement_pending(total)
        for _, promise in done:
            if failure is None:
                promise.try_success()
            else:
                promise.try_failure(failure)

    def _do_close(self) -> None:
        reads = self._reads
        if reads is not None:
            reads.close()
        transport = self._transport
        if transport is not None and not transport.is_closing():
            transport.close()

    def _execute_later(self, task: Callable[[], None]) -> None:
        self._loop.call_soon(task)

    def schedule(self, delay_seconds: float, fn: Callable[[], None]) -> asyncio.TimerHandle:
        """Run ``fn`` after ``delay_seconds`` on the loop's timer (an error goes to ``exception_caught``)."""
        if not callable(fn):
            raise TypeError(f"fn must be callable, not {type(fn).__name__}")

        def run() -> None:
            try:
                fn()
            except Exception as exc:  # noqa: BLE001 - a task's error goes down the pipeline, as in Netty
                self._pipeline.fire_exception_caught(exc)

        return self._loop.call_later(max(delay_arg(delay_seconds), 0.0), run)

    def time(self) -> float:
        """The event loop's clock (``loop.time()``)."""
        return self._loop.time()

    def _set_transport_writable(self, writable: bool) -> None:
        outbound = self._outbound
        if outbound is not None:
            outbound.set_unwritable(WRITABILITY_TRANSPORT, not writable)

    def __repr__(self) -> str:
        state = "active" if self._active else ("open" if self._open else "closed")
        return f"AioSocketChannel({state}, L:{self.local_address()} - R:{self.remote_address()})"


BYTEBUF_PASSING_FILTERS.add(AioSocketChannel._filter_outbound_message)


def _initialize(channel: AioSocketChannel, initializer: Initializer) -> None:
    """Apply an initializer: a handler (e.g. a ``ChannelInitializer``) is added, a plain callable is called."""
    if hasattr(initializer, "handler_added"):
        channel.pipeline().add_last(initializer)
    else:
        initializer(channel)


class ChannelProtocol(asyncio.BufferedProtocol):
    """Connects one asyncio transport to one :class:`AioSocketChannel`."""

    def __init__(self, channel: AioSocketChannel, initializer: Initializer) -> None:
        self.channel = channel
        self._initializer = initializer
        self._buf: Optional[ByteBuf] = None
        self._view: Optional[memoryview] = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        channel = self.channel
        channel._transport = transport  # type: ignore[assignment]
        channel._reads = ReadBufferCache.for_allocator(channel._alloc)
        mark = channel._water_mark
        transport.set_write_buffer_limits(high=mark.high, low=mark.low)  # type: ignore[attr-defined]
        channel._active = True
        try:
            _initialize(channel, self._initializer)
        except Exception as exc:  # noqa: BLE001 - a channel that cannot be set up is closed
            channel.pipeline().fire_exception_caught(exc)
            channel.close()
            return
        if not channel._auto_read and sys.version_info < (3, 11):
            # Before 3.11 the selector transport registers its reader only after connection_made, and
            # ignores a pause made before that: pause again once the reader is there.
            channel._loop.call_soon(self._pause_again, transport)
        channel.pipeline().fire_channel_active()

    def _pause_again(self, transport: Any) -> None:
        if not self.channel._auto_read and not transport.is_closing():
            transport.resume_reading()  # clears the paused flag, so that the pause below takes effect
            transport.pause_reading()

    def get_buffer(self, sizehint: int) -> memoryview:
        buf = self._buf
        if buf is None:
            channel = self.channel
            size = channel.recv_buffer_size.size
            reads = channel._reads
            buf = self._buf = reads.buffer(size) if reads is not None else channel._alloc.io_buffer(size)
            # The buffer's memory itself when it is exactly the capacity (a pooled one may be longer). The
            # transport only reads into it (recv_into), keeping nothing, so the view is never released.
            mem, capacity = buf._mem, buf._cap
            self._view = mem if len(mem) == capacity else mem[:capacity]
        return self._view  # type: ignore[return-value]

    def buffer_updated(self, nbytes: int) -> None:
        buf, self._buf = self._buf, None
        self._view = None
        channel = self.channel
        if buf is None:
            return
        if not channel._open:
            buf.release()
            return
        buf._widx = nbytes  # the writer_index setter's checks hold: 0 < nbytes <= len(view) <= capacity
        recv = channel.recv_buffer_size
        size = recv.size
        if size >> 1 < nbytes < size:
            recv._shrink = False  # AdaptiveRecvBufferSize.record's common case: the size stays
        else:
            recv.record(nbytes)
        # head.fire_channel_read(buf) and head.fire_channel_read_complete(), inlined.
        head = channel._pipeline._head
        ctx = head._n_read
        leak = buf._leak
        if leak is not None:  # a leak report names this channel and handler, not asyncio's frames
            leak.source = (channel, ctx)
        if _leak_detector.keeps_records:
            touch(buf, ctx)
        try:
            ctx._handler.channel_read(ctx, buf)
        except Exception as exc:  # noqa: BLE001 - a handler's failure goes to exception_caught
            ctx._invoke_exception_caught(exc)
        ctx = head._n_complete
        try:
            ctx._handler.channel_read_complete(ctx)
        except Exception as exc:  # noqa: BLE001
            ctx._invoke_exception_caught(exc)

    def eof_received(self) -> bool:
        # No half-closure, as Netty's default: the transport closes and connection_lost follows.
        return False

    def pause_writing(self) -> None:
        self.channel._set_transport_writable(False)

    def resume_writing(self) -> None:
        self.channel._set_transport_writable(True)

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        buf, self._buf = self._buf, None
        self._view = None
        if buf is not None:
            buf.release()
        channel = self.channel
        if channel._open:
            if exc is not None:
                channel.pipeline().fire_exception_caught(exc)
            channel._head_close(channel.new_promise())
        reads = channel._reads
        if reads is not None:
            reads.close()  # done by _do_close already, unless a subclass replaced it


class AioServer:
    """A listening server made by :func:`serve`; ``async with`` it, or ``await server.close()``."""

    def __init__(self, server: asyncio.AbstractServer, channels: Set[AioSocketChannel]) -> None:
        self._server = server
        self._channels = channels

    @property
    def sockets(self) -> Tuple[Any, ...]:
        """The listening sockets."""
        return tuple(self._server.sockets or ())

    @property
    def port(self) -> int:
        """The port of the first listening socket (handy with ``port=0``)."""
        return self.sockets[0].getsockname()[1]

    def channels(self) -> List[AioSocketChannel]:
        """The accepted connections still open."""
        return list(self._channels)

    async def serve_forever(self) -> None:
        """Accept connections until cancelled."""
        await self._server.serve_forever()

    async def close(self) -> None:
        """Stop listening, close every accepted connection, and wait until each has let go of its buffers."""
        self._server.close()
        channels = list(self._channels)
        for channel in channels:
            channel.close()
        for channel in channels:
            await channel.close_future()
        await self._server.wait_closed()

    async def __aenter__(self) -> AioServer:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()


async def serve(
    initializer: Initializer,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    alloc: Optional[ByteBufAllocator] = None,
    water_mark: Optional[WriteBufferWaterMark] = None,
    **server_kwargs: Any,
) -> AioServer:
    """Listen on ``host:port``; each accepted connection gets a channel set up by ``initializer``.

    ``initializer`` is a handler added to each new pipeline (typically a ``ChannelInitializer``) or a
    callable receiving the new channel. Extra keyword arguments go to ``loop.create_server``.
    """
    check_initializer(initializer)
    check_channel_options(alloc, water_mark)
    loop = asyncio.get_running_loop()
    channels: Set[AioSocketChannel] = set()

    def factory() -> ChannelProtocol:
        channel = AioSocketChannel(loop, alloc, water_mark)
        channels.add(channel)
        channel.close_future().add_listener(lambda _: channels.discard(channel))
        return ChannelProtocol(channel, initializer)

    server = await loop.create_server(factory, host, port, **server_kwargs)
    return AioServer(server, channels)


async def connect(
    initializer: Initializer,
    host: str,
    port: int,
    *,
    alloc: Optional[ByteBufAllocator] = None,
    water_mark: Optional[WriteBufferWaterMark] = None,
    **connection_kwargs: Any,
) -> AioSocketChannel:
    """Connect to ``host:port`` and return the active channel, its pipeline set up by ``initializer``."""
    check_initializer(initializer)
    check_channel_options(alloc, water_mark)
    loop = asyncio.get_running_loop()
    channel = AioSocketChannel(loop, alloc, water_mark)
    await loop.create_connection(lambda: ChannelProtocol(channel, initializer), host, port, **connection_kwargs)
    return channel
