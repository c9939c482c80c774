"""One request/response exchange: the lease, the inbound queue, and a synchronous, idempotent ``abort``.

The connection's handler pushes what the codec decodes (the head, then ``HttpContent`` pieces, each a
``ByteBufHolder``) into the exchange; the client's coroutines wait on a future the handler completes,
never on an inner task. Every buffer the exchange holds is in ``queue`` until ownership moves to the
caller (``next_content``) or the exchange releases it (``take_bytes``, ``release_queue``, ``abort``).

The lease ends exactly once (``end_lease``): reusable only if the request was fully written and the
response read to its ``LastHttpContent`` with keep-alive on both sides, framed by Content-Length or
chunked encoding, with nothing after it; otherwise the connection is closed. Cleanup never awaits.
"""
from __future__ import annotations

import asyncio
import collections
from typing import Any, Deque, List, Optional

from ..buffer.bytebuf import ByteBuf
from ..buffer.refcount import ReferenceCountUtil
from ..channel import ClosedChannelException
from ..leak import detector as _leak_detector
from .errors import PrematureChannelClosureException, TooLongHttpContentException
from .errors_client import HttpProtocolException, PrematureCloseException, ResponseTimeoutException
from .headers import HttpHeaderNames
from .util import HttpUtil

#: Pause reading a streamed body when this many bytes wait in the queue, resume below LOW_WATER.
HIGH_WATER = 1024 * 1024
LOW_WATER = 256 * 1024

SENDING, BODY, COMPLETE, FAILED, ABORTED = range(5)
_STATE_NAMES = ("sending", "body", "complete", "failed", "aborted")


class Exchange:
    """The state of one request on one leased connection (see the module docstring)."""

    __slots__ = (
        "method", "url", "loop", "conn", "state", "head", "queue", "queued", "error", "waiter",
        "written", "received", "keep_alive", "read_until_close", "interim", "timer", "paused", "aggregating",
        "hint",
    )

    def __init__(self, method: str, url: str, loop: asyncio.AbstractEventLoop) -> None:
        self.method = method
        self.url = url
        self.loop = loop
        self.conn: Any = None
        self.state = SENDING
        self.head: Any = None
        self.queue: Deque[Any] = collections.deque()
        self.queued = 0
        self.error: Optional[BaseException] = None
        self.waiter: Optional[asyncio.Future] = None
        self.written = False
        #: True once anything of a response arrived (a request that got nothing back may be retried).
        self.received = False
        self.keep_alive = True
        self.read_until_close = False
        self.interim = False
        self.timer: Any = None
        self.paused = False
        self.aggregating = False
        self.hint = f"HttpClient: {method} {url}"

    # ------------------------------------------------------------------ from the connection's handler

    def on_head(self, msg: Any) -> None:
        """A response head (``HttpResponse``). Does not take over ``msg``: the content of a
        ``FullHttpResponse`` (as a failed decode makes) goes on through ``on_content``."""
        result = msg.decoder_result()
        if result.is_failure():
            self.fail(self._decoder_error(result.cause()))
            return
        code = msg.status().code()
        if self.state == COMPLETE:
            self.end_lease(False)  # a second response: ignored (as Reactor Netty), the connection closed
            return
        if self.state != SENDING:
            self.fail(HttpProtocolException(f"a second response head to {self.method} {self.url}"))
            return
        if 100 <= code < 200:
            if code == 101:
                self.fail(HttpProtocolException(f"101 Switching Protocols is not supported ({self.method} {self.url})"))
            else:
                self.interim = True  # 100 Continue and the like: skipped, with their empty last content
            return
        self._cancel_timer()
        headers = msg.headers()
        self.head = msg
        self.state = BODY
        self.keep_alive = self.keep_alive and HttpUtil.is_keep_alive(msg)
        self.read_until_close = (
            self.method != "HEAD" and code not in (204, 304)
            and HttpHeaderNames.CONTENT_LENGTH not in headers
            and not HttpUtil.is_transfer_encoding_chunked(msg))
        self._wake()

    def on_content(self, msg: Any, last: bool) -> None:
        """A body piece; ``last`` for a ``LastHttpContent``. Takes over ``msg``."""
        if self.interim:
            msg.release()
            self.interim = not last
            return
        if self.state != BODY:
            msg.release()
            if self.state == COMPLETE:
                self.end_lease(False)  # bytes after the response: never handed to the next request
            return
        result = msg.decoder_result()
        if result.is_failure():
            msg.release()
            self.fail(self._decoder_error(result.cause()))
            return
        content = msg.content()
        size = content._widx - content._ridx
        if size:
            if _leak_detector.keeps_records:
                msg.touch(f"{self.hint}: queued in the response body, not yet consumed")
            self.queue.append(msg)
            queued = self.queued = self.queued + size
            if queued > HIGH_WATER and not self.aggregating and not self.paused:
                self.paused = True
                self.conn.channel.set_auto_read(False)
        else:
            msg.release()
        if last:
            self.state = COMPLETE
        self._wake()

    def on_read_complete(self) -> None:
        """After a read: a completed response gives the connection back (read-complete, so that anything
        the same read carried after the response is seen first and makes the connection unusable)."""
        if self.state == COMPLETE:
            self.end_lease(self.written and self.keep_alive and not self.read_until_close)

    def on_inactive(self) -> None:
        """The connection closed under the exchange."""
        if self.state == COMPLETE:
            self.end_lease(False)
        elif self.state in (SENDING, BODY):
            self.fail(PrematureCloseException(
                PrematureCloseException.BEFORE if self.head is None else PrematureCloseException.DURING))

    def on_write_done(self, promise: Any) -> None:
        """The request's write promise completed."""
        if promise.is_success():
            self.written = True
        elif self.state in (SENDING, BODY):
            cause = promise.cause()
            if isinstance(cause, ClosedChannelException):  # closed before the request went out
                error = PrematureCloseException(PrematureCloseException.BEFORE)
                error.__cause__ = cause
                cause = error
            self.fail(cause)

    def _decoder_error(self, cause: Any) -> BaseException:
        if isinstance(cause, PrematureChannelClosureException):
            error: BaseException = PrematureCloseException(PrematureCloseException.BEFORE)
        else:
            error = HttpProtocolException(f"malformed response to {self.method} {self.url}: {cause}")
        error.__cause__ = cause
        return error

    # ------------------------------------------------------------------ timeouts

    def start_response_timer(self, timeout: Optional[float]) -> None:
        """Fail with ``ResponseTimeoutException`` unless the head arrives within ``timeout`` seconds."""
        if timeout is not None and self.state == SENDING:
            self.timer = self.loop.call_later(timeout, self._response_timeout, timeout)

    def _response_timeout(self, timeout: float) -> None:
        self.timer = None
        if self.state == SENDING:
            self.fail(ResponseTimeoutException(
                f"Response timeout of {timeout * 1000:.0f}ms for {self.method} {self.url}"))

    def _cancel_timer(self) -> None:
        timer = self.timer
        if timer is not None:
            self.timer = None
            timer.cancel()

    # ------------------------------------------------------------------ ending

    def fail(self, error: BaseException) -> None:
        """The exchange failed: release what is queued, close the connection, wake the reader with ``error``."""
        if self.state in (FAILED, ABORTED):
            return
        self.state = FAILED
        self.error = error
        self.release_queue()
        self.end_lease(False)
        self._wake()

    def abort(self, cause: Optional[BaseException] = None) -> None:
        """Synchronous and idempotent: release every buffer held, and end the lease (closing the connection
        unless the response was already complete and the connection pooled)."""
        if self.state != ABORTED:
            self.state = ABORTED
            if self.error is None:
                self.error = RuntimeError(
                    f"the response body of {self.method} {self.url} was released already"
                    + (f" ({type(cause).__name__})" if cause is not None else ""))
        self.release_queue()
        self.end_lease(False)
        self._wake()

    def end_lease(self, reusable: bool) -> None:
        """Give the connection back (``reusable``) or close it; only the first call does anything."""
        conn = self.conn
        if conn is None:
            return
        self.conn = None
        self._cancel_timer()
        conn.handler.exchange = None
        if self.paused and reusable:
            conn.channel.set_auto_read(True)
        conn.pool.release(conn, reusable)

    def release_queue(self) -> None:
        """Release every queued body piece."""
        queue = self.queue
        self.queued = 0
        while queue:
            ReferenceCountUtil.safe_release(queue.popleft())

    # ------------------------------------------------------------------ the reader's side

    @property
    def complete(self) -> bool:
        """True once the whole body has arrived (or the exchange ended)."""
        return self.state != SENDING and self.state != BODY

    @property
    def drained(self) -> bool:
        """True when nothing more will come and nothing is queued: the body is consumed."""
        return self.state != SENDING and self.state != BODY and not self.queue

    async def read_head(self) -> Any:
        """The response head, once it arrived; raises the exchange's error."""
        while self.head is None:
            if self.error is not None:
                raise self.error
            await self._wait()
        return self.head

    async def next_content(self) -> Optional[Any]:
        """The next body piece (the caller owns it), or None at the end; raises the exchange's error."""
        while True:
            queue = self.queue
            if queue:
                msg = queue.popleft()
                content = msg.content()
                queued = self.queued = self.queued - (content._widx - content._ridx)
                if self.paused and queued < LOW_WATER:
                    self.paused = False
                    if self.conn is not None:
                        self.conn.channel.set_auto_read(True)
                return msg
            if self.error is not None:
                raise self.error
            if self.state == COMPLETE:
                return None
            await self._wait()

    async def aggregate(self, limit: Optional[int]) -> int:
        """Wait until the whole body is queued; ``TooLongHttpContentException`` past ``limit`` bytes."""
        self.aggregating = True
        if self.paused:
            self.paused = False
            if self.conn is not None:
                self.conn.channel.set_auto_read(True)
        if limit is not None:
            length = self.head.headers().get(HttpHeaderNames.CONTENT_LENGTH)
            if length is not None and length.isdigit() and int(length) > limit:
                self._too_long(limit)
        while True:
            if self.error is not None:
                raise self.error
            if limit is not None and self.queued > limit:
                self._too_long(limit)
            if self.state == COMPLETE:
                return self.queued
            await self._wait()

    def _too_long(self, limit: int) -> None:
        error = TooLongHttpContentException(
            f"Response entity too large: {self.head.status()} for {self.method} {self.url} "
            f"(max_content_length: {limit} bytes)")
        self.fail(error)
        raise error

    def take_bytes(self) -> bytes:
        """The queued body as ``bytes`` (one copy); every piece is released."""
        queue = self.queue
        if len(queue) == 1:
            msg = queue.popleft()
            self.queued = 0
            try:
                return bytes(msg.content())
            finally:
                msg.release()
        views: List[memoryview] = []
        try:
            for msg in queue:
                views.append(msg.content().nio_buffer())
            return b"".join(views)
        finally:
            for view in views:
                view.release()
            self.release_queue()

    def take_byte_buf(self, alloc: Any) -> ByteBuf:
        """The queued body in one buffer the caller owns; every piece is released."""
        queue = self.queue
        if len(queue) == 1:
            msg = queue.popleft()
            self.queued = 0
            return msg.content()  # the piece's count is its content's: the reference moves to the caller
        total = self.queued
        buf = alloc.buffer(total, max(total, 1))
        try:
            for msg in queue:
                buf.write_bytes(msg.content().nio_buffer())
        except BaseException:
            buf.release()
            raise
        finally:
            self.release_queue()
        return buf

    async def _wait(self) -> None:
        waiter = self.waiter = self.loop.create_future()
        try:
            await waiter
        finally:
            self.waiter = None

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def __repr__(self) -> str:
        return f"Exchange({self.method} {self.url}, {_STATE_NAMES[self.state]}, queued={self.queued})"
