"""``ClientResponse`` (status, headers, and a body to consume exactly once), ``ResponseEntity``, ``BodyFlux``.

Every coroutine here follows one rule: ``try: ... except BaseException: exchange.abort(); raise``, with
no ``await`` between the result and ``return``. So a cancellation or an error at any await point
releases every buffer the exchange holds and ends the connection lease before the exception leaves.
"""
from __future__ import annotations

import asyncio
import inspect
import warnings
from typing import Any, Awaitable, Callable, NamedTuple, Optional

from ..buffer.bytebuf import ByteBuf
from ..leak import detector as _leak_detector
from .errors_client import HttpClientResponseException
from .exchange import ABORTED, Exchange


class ResponseEntity(NamedTuple):
    """``ResponseEntity(status, headers, body)``: ``status`` an int, ``body`` None for a bodiless entity."""

    status: int
    headers: Any
    body: Any = None


def charset_of(headers: Any, default: str = "utf-8") -> str:
    """The ``charset`` parameter of ``Content-Type``, else ``default``."""
    content_type = headers.get("content-type")
    if content_type:
        for param in content_type.split(";")[1:]:
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "charset" and value:
                return value.strip().strip('"')
    return default


class ClientResponse:
    """A response whose head arrived: ``status`` (int), ``reason``, ``headers``; its body is consumed once,
    by one of the ``body_to_*``/``to_*`` methods, ``release_body()``, or ``async with``.

    Garbage-collected with its body neither consumed nor released, it releases the body, closes the
    connection and warns ``ResourceWarning("Unclosed response ...")``.
    """

    def __init__(self, exchange: Exchange, client: Any) -> None:
        head = exchange.head
        status = head.status()
        self.status: int = status.code()
        self.reason: str = status.reason_phrase()
        self.headers = head.headers()
        self.version: str = head.protocol_version().text()
        self.request = f"{exchange.method} {exchange.url}"
        self._exchange = exchange
        self._client = client
        self._claimed = False

    # ------------------------------------------------------------------ consuming

    def _claim(self) -> Exchange:
        if self._claimed:
            raise RuntimeError(f"the body of the response to {self.request} was consumed or released already")
        self._claimed = True
        return self._exchange

    def _abort(self, cause: Optional[BaseException] = None) -> None:
        """Release everything and end the lease at once (closing the connection unless it was pooled)."""
        self._claimed = True
        self._exchange.abort(cause)

    async def body_to_bytes(self) -> bytes:
        """The whole body as ``bytes`` (at most the client's ``max_content_length``)."""
        exchange = self._claim()
        try:
            await exchange.aggregate(self._client.max_content_length)
            return exchange.take_bytes()
        except BaseException as exc:
            exchange.abort(exc)
            raise

    async def body_to_str(self, encoding: Optional[str] = None) -> str:
        """The body decoded with ``encoding``, else the ``Content-Type`` charset, else UTF-8."""
        data = await self.body_to_bytes()
        return data.decode(encoding or charset_of(self.headers))

    async def body_to_byte_buf(self) -> ByteBuf:
        """The whole body in one ``ByteBuf`` that the CALLER owns and must release."""
        exchange = self._claim()
        try:
            await exchange.aggregate(self._client.max_content_length)
            buf = exchange.take_byte_buf(self._client.alloc)
        except BaseException as exc:
            exchange.abort(exc)
            raise
        if _leak_detector.keeps_records:
            buf.touch(f"{exchange.hint}: body_to_byte_buf() handed the body to the caller, who releases it")
        return buf

    async def body_to_mono(self, target: Any = bytes) -> Any:
        """The body as ``bytes``, ``str`` (the response charset), ``ByteBuf`` (caller-owned) or ``target(bytes)``."""
        if target is ByteBuf:
            return await self.body_to_byte_buf()
        if target is str:
            return await self.body_to_str()
        data = await self.body_to_bytes()
        return data if target is bytes else target(data)

    async def to_entity(self, target: Any = bytes) -> ResponseEntity:
        """``ResponseEntity(status, headers, body)`` with the body as ``body_to_mono(target)`` gives it."""
        body = await self.body_to_mono(target)
        return ResponseEntity(self.status, self.headers, body)

    async def to_bodiless_entity(self) -> ResponseEntity:
        """``ResponseEntity(status, headers, None)``; the body is drained (bounded) or the connection closed."""
        await self.release_body()
        return ResponseEntity(self.status, self.headers, None)

    def body_to_flux(self) -> BodyFlux:
        """Stream the body: ``async with resp.body_to_flux() as chunks: async for chunk in chunks: ...``.

        Each chunk (a ``ByteBuf``) is released when the loop asks for the next one (``retain()`` it to
        keep it); leaving the block early releases what is queued and closes the connection.
        """
        self._claim()
        return BodyFlux(self._opened)

    async def _opened(self) -> ClientResponse:
        return self

    async def release_body(self) -> None:
        """Discard the body: drained up to the client's ``max_drain_bytes`` so the connection can be pooled,
        else (or on any error) the connection is closed. Never raises but for cancellation; idempotent."""
        if self._claimed and self._exchange.drained:
            return
        self._claimed = True
        exchange = self._exchange
        budget = self._client.max_drain_bytes
        try:
            while True:
                msg = await exchange.next_content()
                if msg is None:
                    return
                budget -= msg.content().readable_bytes()
                msg.release()
                if budget < 0:
                    exchange.abort()
                    return
        except asyncio.CancelledError as exc:
            exchange.abort(exc)
            raise
        except Exception as exc:  # noqa: BLE001 - a release that fails has released: the connection is closed
            exchange.abort(exc)

    async def create_exception(self) -> HttpClientResponseException:
        """An ``HttpClientResponseException`` with this response's body (at most ``max_error_body`` bytes;
        a body that cannot be read gives an empty one, as Spring's). The body is consumed."""
        exchange = self._claim()
        limit = self._client.max_error_body
        parts = []
        size = 0
        truncated = False
        try:
            while True:
                msg = await exchange.next_content()
                if msg is None:
                    break
                try:
                    parts.append(bytes(msg.content()))
                finally:
                    msg.release()
                size += len(parts[-1])
                if size > limit:
                    truncated = True
                    exchange.abort()
                    break
        except asyncio.CancelledError as exc:
            exchange.abort(exc)
            raise
        except Exception as exc:  # noqa: BLE001 - an unreadable error body is an empty one
            exchange.abort(exc)
            parts = []
        body = b"".join(parts)[:limit]
        return HttpClientResponseException(self.status, self.reason, self.headers, body, self.request, truncated)

    # ------------------------------------------------------------------ scoping

    async def __aenter__(self) -> ClientResponse:
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:
            self._abort(exc)
        else:
            await self.release_body()

    def __del__(self) -> None:
        exchange = self.__dict__.get("_exchange")
        if exchange is None or exchange.state == ABORTED or (not exchange.queue and exchange.conn is None):
            return  # nothing held: consumed, released, or a body that was empty and is back in the pool
        warnings.warn(ResourceWarning(
            f"Unclosed response to {self.request} (status {self.status}): its body was neither consumed nor "
            "released; use retrieve(), exchange_to(fn) or 'async with response'"), stacklevel=2)
        _call_on_loop(exchange.loop, exchange.abort)

    def __repr__(self) -> str:
        return f"<ClientResponse {self.request} {self.status} {self.reason}>"


def _call_on_loop(loop: asyncio.AbstractEventLoop, fn: Callable[[], None]) -> None:
    """Run ``fn`` now when on ``loop``'s thread (or when the loop is gone), else on the loop's next turn."""
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is not loop and not loop.is_closed():
        try:
            loop.call_soon_threadsafe(fn)
            return
        except RuntimeError:
            pass
    fn()


class BodyFlux:
    """``async with ... as chunks: async for chunk in chunks``: the body as ``ByteBuf`` chunks, each
    released when the loop moves on; leaving early (break, error, cancel) releases what is queued and
    closes the connection unless the body had been read to its end."""

    def __init__(self, opener: Callable[[], Awaitable[ClientResponse]]) -> None:
        self._opener = opener
        self._response: Optional[ClientResponse] = None
        self._current: Any = None

    async def __aenter__(self) -> BodyFlux:
        if self._response is not None:
            raise RuntimeError("body_to_flux() can be entered once")
        self._response = await self._opener()
        self._response._claimed = True
        return self

    def __aiter__(self) -> BodyFlux:
        return self

    async def __anext__(self) -> ByteBuf:
        response = self._response
        if response is None:
            raise RuntimeError("use 'async with ....body_to_flux() as chunks' before iterating")
        current, self._current = self._current, None
        if current is not None:
            current.release()
        exchange = response._exchange
        try:
            msg = await exchange.next_content()
        except BaseException as exc:
            exchange.abort(exc)
            raise
        if msg is None:
            raise StopAsyncIteration
        self._current = msg
        if _leak_detector.keeps_records:
            msg.touch(f"{exchange.hint}: chunk handed to the body_to_flux() loop")
        return msg.content()

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        current, self._current = self._current, None
        if current is not None:
            current.release()
        response = self._response
        if response is not None and (exc_type is not None or not response._exchange.drained):
            response._exchange.abort(exc)


async def call_handler(fn: Callable[[Any], Any], arg: Any) -> Any:
    """``fn(arg)``, awaited when it returns an awaitable."""
    result = fn(arg)
    if inspect.isawaitable(result):
        result = await result
    return result
