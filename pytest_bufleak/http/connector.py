"""What the client needs below the pool: URL resolution, the request message, and opening a connection
(``HttpClientCodec`` + ``ClientConnectionHandler`` on ``aio.connect``, within ``connect_timeout``)."""
from __future__ import annotations

import asyncio
import functools
import ssl
import sys
from typing import Any, Awaitable, Callable, NamedTuple, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from ..buffer.bytebuf import ByteBuf
from ..buffer.unpooled import Unpooled
from ..channel import aio
from .client_handler import ClientConnectionHandler
from .codec import HttpClientCodec
from .errors_client import ConnectTimeoutException
from .headers import HttpHeaders
from .messages import DefaultFullHttpRequest
from .names import HttpMethod, HttpVersion
from .pool import Origin, OriginPool, PooledConnection

_DEFAULT_PORTS = {"http": 80, "https": 443}
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
#: Body pieces up to one socket read (the transport's largest): one ``HttpContent`` per read, as it arrives.
READ_SIZE = 256 * 1024


@functools.lru_cache(maxsize=1024)
def resolve(base_url: Optional[str], url: str) -> Tuple[Origin, str, str, str]:
    """``(origin, request target, Host header, full URL)`` for ``url``, relative ones under ``base_url``."""
    if "://" not in url:
        if base_url is None:
            raise ValueError(f"a relative URL needs the client's base_url: {url!r}")
        url = base_url.rstrip("/") + "/" + url.lstrip("/") if url else base_url
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"not an http or https URL: {url!r}")
    host = parts.hostname
    if not host:
        raise ValueError(f"no host in the URL {url!r}")
    port = parts.port or _DEFAULT_PORTS[scheme]
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    name = f"[{host}]" if ":" in host else host
    host_header = name if port == _DEFAULT_PORTS[scheme] else f"{name}:{port}"
    return Origin(scheme, host, port), target, host_header, url.split("#", 1)[0]


class Request(NamedTuple):
    """The request message to write, and whether it asks for keep-alive."""

    message: Any
    keep_alive: bool


def build_request(method: str, target: str, host: str, headers: Sequence[Tuple[str, str]], body: Any) -> Request:
    """A ``DefaultFullHttpRequest`` with ``Host`` and ``Content-Length``; a ``ByteBuf`` body is taken over."""
    fields = HttpHeaders(validate=False)
    fields.add("host", host)
    keep_alive = True
    for name, value in headers:
        lower = name.lower()
        if lower in ("host", "content-length"):
            continue
        if lower == "connection" and value.lower() == "close":
            keep_alive = False
        fields.add(name, value)
    if isinstance(body, str):
        body = body.encode("utf-8")
        if not any(name.lower() == "content-type" for name, _ in headers):
            fields.add("content-type", "text/plain; charset=utf-8")
    if body is None:
        content = Unpooled.EMPTY_BUFFER
    elif isinstance(body, ByteBuf):
        content = body
    else:
        content = Unpooled.wrapped_buffer(bytes(body)) if not isinstance(body, bytes) else Unpooled.wrapped_buffer(body)
    size = content.readable_bytes()
    if size or method in _BODY_METHODS:
        fields.add("content-length", size)
    message = DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.value_of(method), target, content, fields)
    return Request(message, keep_alive)


async def open_connection(pool: OriginPool, alloc: Any, timeout: Optional[float]) -> PooledConnection:
    """A new connection to ``pool.origin``, leased to the caller."""
    handler = ClientConnectionHandler()

    def init(channel: Any) -> None:
        pipeline = channel.pipeline()
        pipeline.add_last("codec", HttpClientCodec(max_chunk_size=READ_SIZE))
        pipeline.add_last("client", handler)

    origin = pool.origin
    options: dict = {}
    if origin.scheme == "https":
        options = {"ssl": ssl.create_default_context(), "server_hostname": origin.host}
    channel = await with_deadline(
        aio.connect(init, origin.host, origin.port, alloc=alloc, **options), timeout,
        lambda: ConnectTimeoutException(f"connection timed out after {timeout * 1000:.0f}ms: "
                                        f"{origin.host}:{origin.port}"))
    conn = PooledConnection(channel, handler, pool, pool.loop.time())
    handler.conn = conn
    return conn


async def with_deadline(awaitable: Awaitable[Any], timeout: Optional[float],
                        error: Callable[[], BaseException]) -> Any:
    """``await awaitable``, cancelled after ``timeout`` seconds and then raising ``error()`` instead."""
    if timeout is None:
        return await awaitable
    if sys.version_info >= (3, 11):
        scope = asyncio.timeout(timeout)
        try:
            async with scope:
                return await awaitable
        except TimeoutError:
            if scope.expired():
                raise error() from None
            raise
    task = asyncio.current_task()
    fired = []

    def expire() -> None:
        fired.append(True)
        task.cancel()  # type: ignore[union-attr]

    handle = asyncio.get_running_loop().call_later(timeout, expire)
    try:
        return await awaitable
    except asyncio.CancelledError:
        if fired:
            raise error() from None
        raise
    finally:
        handle.cancel()
