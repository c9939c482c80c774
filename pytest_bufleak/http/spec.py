"""Request and response specs: ``client.get(url).header(...).body_value(...)`` then ``retrieve()...``,
``exchange_to(fn)`` or the deprecated ``exchange()``.

``retrieve()`` applies the status handlers (``on_status``, then the default: 4xx/5xx raise
``HttpClientResponseException``) before the body is read, and releases the body on every path.
"""
from __future__ import annotations

import warnings
from typing import Any, Awaitable, Callable, List, Optional, Tuple, Union

from ..buffer.bytebuf import ByteBuf
from ..buffer.refcount import ReferenceCountUtil
from .response import BodyFlux, ClientResponse, ResponseEntity, call_handler

Body = Union[bytes, bytearray, memoryview, str, ByteBuf, None]
StatusPredicate = Callable[[int], bool]
StatusHandler = Callable[[ClientResponse], Any]

_SENT = object()  # a ByteBuf body after it was handed to the client

EXCHANGE_DEPRECATION = (
    "exchange() is deprecated: the caller must consume or release the response body on every path, or it "
    "leaks pooled buffers and the connection; use retrieve() or exchange_to(fn)")


class RequestSpec:
    """One request being built: ``uri()``, ``header()``, ``body_value()``; then ``retrieve()``,
    ``exchange_to(fn)`` or (deprecated) ``exchange()``. Builder calls return the spec itself."""

    __slots__ = ("_client", "_method", "_url", "_headers", "_body")

    def __init__(self, client: Any, method: str, url: Optional[str]) -> None:
        self._client = client
        self._method = method
        self._url = url
        self._headers: List[Tuple[str, str]] = []
        self._body: Any = None

    def uri(self, url: str) -> RequestSpec:
        """Set the URL (absolute, or a path under the client's ``base_url``); ``get().uri(url)`` = ``get(url)``."""
        if not isinstance(url, str):
            raise TypeError(f"url must be a str, not {type(url).__name__}")
        self._url = url
        return self

    def header(self, name: str, *values: Any) -> RequestSpec:
        """Add a header (one or more values); ``Host`` and ``Content-Length`` are set by the client."""
        if not isinstance(name, str) or not name:
            raise TypeError(f"a header name must be a non-empty str, not {name!r}")
        if not values:
            raise TypeError(f"header({name!r}) needs a value")
        for value in values:
            text = str(value)
            if "\r" in text or "\n" in text:
                raise ValueError(f"a header value cannot contain CR or LF: {name}: {text!r}")
            self._headers.append((name, text))
        return self

    def body_value(self, body: Body) -> RequestSpec:
        """The request body: bytes-like, ``str`` (UTF-8) or a ``ByteBuf``, which becomes the client's to
        release (after writing it, or when the request fails)."""
        if body is not None and not isinstance(body, (bytes, bytearray, memoryview, str, ByteBuf)):
            raise TypeError(f"body must be bytes, str or a ByteBuf, not {type(body).__name__}")
        old, self._body = self._body, body
        if isinstance(old, ByteBuf) and old is not body:
            ReferenceCountUtil.safe_release(old)
        return self

    def retrieve(self) -> ResponseSpec:
        """Declare how to read the response: ``body_to_bytes()``, ``to_entity()``, ``on_status()``, ..."""
        return ResponseSpec(self)

    async def exchange_to(self, fn: StatusHandler) -> Any:
        """``fn(response)`` (sync or async) and its result; the body is released after ``fn`` unless it
        consumed it (drained when small, else the connection closed)."""
        response = await self._send()
        try:
            result = await call_handler(fn, response)
        except BaseException as exc:
            response._abort(exc)
            raise
        await response.release_body()
        return result

    def exchange(self) -> Awaitable[ClientResponse]:
        """Deprecated: the response, whose body the CALLER must consume or release on every path."""
        warnings.warn(EXCHANGE_DEPRECATION, DeprecationWarning, stacklevel=2)
        return self._send()

    def _send(self) -> Awaitable[ClientResponse]:
        if self._url is None:
            raise ValueError(f"{self._method} needs a URL: client.{self._method.lower()}(url) or .uri(url)")
        body = self._body
        if body is _SENT:
            raise RuntimeError("this spec's ByteBuf body was sent already (a ByteBuf body is sent once)")
        if isinstance(body, ByteBuf):
            self._body = _SENT
        return self._client._execute(self._method, self._url, self._headers, body)

    def __repr__(self) -> str:
        return f"RequestSpec({self._method} {self._url})"


class ResponseSpec:
    """What ``retrieve()`` returns: status handlers and the terminal methods, each performing the request."""

    __slots__ = ("_request", "_handlers")

    def __init__(self, request: RequestSpec) -> None:
        self._request = request
        self._handlers: List[Tuple[StatusPredicate, StatusHandler]] = []

    def on_status(self, predicate: StatusPredicate, handler: StatusHandler) -> ResponseSpec:
        """When ``predicate(status)``, ``handler(response)`` (sync or async) returns the exception to raise,
        or None to treat the response as a normal one. The body is released unless treated as normal."""
        if not callable(predicate) or not callable(handler):
            raise TypeError("on_status(predicate, handler) takes two callables")
        self._handlers.append((predicate, handler))
        return self

    async def body_to_bytes(self) -> bytes:
        """The body as ``bytes``."""
        return await (await self._open()).body_to_bytes()

    async def body_to_str(self, encoding: Optional[str] = None) -> str:
        """The body decoded (``encoding``, else the response charset, else UTF-8)."""
        return await (await self._open()).body_to_str(encoding)

    async def body_to_mono(self, target: Any = bytes) -> Any:
        """The body as ``bytes``, ``str``, a caller-owned ``ByteBuf``, or ``target(bytes)``."""
        return await (await self._open()).body_to_mono(target)

    async def body_to_byte_buf(self) -> ByteBuf:
        """The body in one ``ByteBuf`` that the CALLER owns and must release."""
        return await (await self._open()).body_to_byte_buf()

    async def to_entity(self, target: Any = bytes) -> ResponseEntity:
        """``ResponseEntity(status, headers, body)``."""
        return await (await self._open()).to_entity(target)

    async def to_bodiless_entity(self) -> ResponseEntity:
        """``ResponseEntity(status, headers, None)``; the body is drained or the connection closed."""
        return await (await self._open()).to_bodiless_entity()

    def body_to_flux(self) -> BodyFlux:
        """``async with spec.retrieve().body_to_flux() as chunks: async for chunk in chunks: ...``;
        no size limit; each chunk is released when the loop moves on."""
        return BodyFlux(self._open)

    async def _open(self) -> ClientResponse:
        """Send, then apply the status handlers; the response returned is ready for its body to be read."""
        response = await self._request._send()
        try:
            error = await self._status_error(response)
        except BaseException as exc:
            response._abort(exc)
            raise
        if error is not None:
            raise error
        return response

    async def _status_error(self, response: ClientResponse) -> Optional[BaseException]:
        status = response.status
        for predicate, handler in self._handlers:
            if predicate(status):
                error = await call_handler(handler, response)
                if error is None:
                    return None
                await response.release_body()
                if not isinstance(error, BaseException):
                    raise TypeError(f"an on_status handler must return an exception or None, not {error!r}")
                return error
        if status >= 400:
            return await response.create_exception()
        return None
