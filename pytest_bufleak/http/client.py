"""``HttpClient``: a WebClient-style HTTP/1.1 client on the asyncio transport, bodies in pooled ``ByteBuf``s.

    async with HttpClient.create("http://127.0.0.1:8080") as client:
        data = await client.get("/items/1").retrieve().body_to_bytes()

Requests go out over pooled keep-alive connections (one pool per scheme, host and port; see ``pool``);
each runs as one ``Exchange`` whose ``abort()`` releases everything it holds, which every coroutine calls
on its way out by an exception or a cancellation (see ``response``).
"""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..buffer.allocator import ByteBufAllocator
from ..buffer.bytebuf import ByteBuf
from ..buffer.refcount import ReferenceCountUtil
from .connector import build_request, open_connection, resolve
from .errors_client import PrematureCloseException
from .exchange import Exchange
from .pool import Origin, OriginPool, PoolMetric, sum_metrics
from .response import ClientResponse
from .spec import RequestSpec

#: Methods retried once when a reused keep-alive connection turns out closed before any response byte.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})


def _positive(name: str, value: Any, allow_none: bool = True) -> Any:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"{name} must be a positive number{' or None' if allow_none else ''}, not {value!r}")
    return value


class HttpClient:
    """An HTTP/1.1 client: ``HttpClient.create(...)``, then ``get/post/put/patch/delete/head/request``.

    Options: ``base_url`` (relative URLs are appended to it), ``max_connections`` per origin,
    ``connect_timeout``, ``response_timeout`` (request sent -> response head; None: no limit),
    ``max_content_length`` (what the aggregating methods accept), ``alloc`` (the channels' allocator),
    ``pending_acquire_timeout`` (waiting for a free connection), ``max_idle_time`` and ``max_life_time``
    (of pooled connections), ``max_error_body`` (bytes kept in ``HttpClientResponseException.body``) and
    ``max_drain_bytes`` (how much ``release_body()`` reads to keep a connection before closing it).
    """

    def __init__(self, base_url: Optional[str] = None, *, max_connections: int = 16,
                 connect_timeout: Optional[float] = 30.0,
                 response_timeout: Optional[float] = None, max_content_length: int = 256 * 1024,
                 alloc: Optional[ByteBufAllocator] = None, pending_acquire_timeout: Optional[float] = 45.0,
                 max_idle_time: Optional[float] = None, max_life_time: Optional[float] = None,
                 max_error_body: int = 64 * 1024, max_drain_bytes: int = 64 * 1024) -> None:
        if base_url is not None:
            resolve(base_url, "")  # refuses what is not an http(s) URL, now rather than at the first request
        if isinstance(max_connections, bool) or not isinstance(max_connections, int) or max_connections < 1:
            raise ValueError(f"max_connections must be an int >= 1, not {max_connections!r}")
        for name, value in (("max_content_length", max_content_length), ("max_error_body", max_error_body),
                            ("max_drain_bytes", max_drain_bytes)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be an int >= 0, not {value!r}")
        if alloc is not None and not isinstance(alloc, ByteBufAllocator):
            raise TypeError(f"alloc must be a ByteBufAllocator, not {type(alloc).__name__}")
        self.base_url = base_url
        self.max_connections = max_connections
        self.connect_timeout = _positive("connect_timeout", connect_timeout)
        self.response_timeout = _positive("response_timeout", response_timeout)
        self.pending_acquire_timeout = _positive("pending_acquire_timeout", pending_acquire_timeout)
        self.max_idle_time = _positive("max_idle_time", max_idle_time)
        self.max_life_time = _positive("max_life_time", max_life_time)
        self.max_content_length = max_content_length
        self.max_error_body = max_error_body
        self.max_drain_bytes = max_drain_bytes
        self.alloc = alloc if alloc is not None else ByteBufAllocator.DEFAULT
        self._pools: Dict[Origin, OriginPool] = {}
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._closed = False

    @classmethod
    def create(cls, base_url: Optional[str] = None, **options: Any) -> HttpClient:
        """A new client (Reactor Netty's ``HttpClient.create()``); see the class for the options."""
        return cls(base_url, **options)

    # ------------------------------------------------------------------ request specs

    def request(self, method: str, url: Optional[str] = None) -> RequestSpec:
        """A request spec for ``method`` (any token, upper-cased) and ``url``."""
        if not isinstance(method, str) or not method.isascii() or not method.isalpha():
            raise ValueError(f"not an HTTP method: {method!r}")
        return RequestSpec(self, method.upper(), url)

    def get(self, url: Optional[str] = None) -> RequestSpec:
        """A GET request spec."""
        return RequestSpec(self, "GET", url)

    def head(self, url: Optional[str] = None) -> RequestSpec:
        """A HEAD request spec (the response never has a body)."""
        return RequestSpec(self, "HEAD", url)

    def post(self, url: Optional[str] = None) -> RequestSpec:
        """A POST request spec."""
        return RequestSpec(self, "POST", url)

    def put(self, url: Optional[str] = None) -> RequestSpec:
        """A PUT request spec."""
        return RequestSpec(self, "PUT", url)

    def patch(self, url: Optional[str] = None) -> RequestSpec:
        """A PATCH request spec."""
        return RequestSpec(self, "PATCH", url)

    def delete(self, url: Optional[str] = None) -> RequestSpec:
        """A DELETE request spec."""
        return RequestSpec(self, "DELETE", url)

    # ------------------------------------------------------------------ state

    def metric(self) -> PoolMetric:
        """The pools' figures: ``active_connections``, ``idle_connections``, ``pending_acquires``,
        ``connections_created`` (every origin added up)."""
        return sum_metrics(self._pools)

    async def close(self) -> None:
        """Close every pooled connection (leased ones when their lease ends) and wait until they let go of
        their buffers; the client accepts no more requests."""
        self._closed = True
        closed: List[Any] = []
        for pool in self._pools.values():
            closed.extend(pool.close())
        for channel in closed:
            await channel.close_future()

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    # ------------------------------------------------------------------ sending

    def _pool(self, origin: Origin) -> OriginPool:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop = loop  # a new event loop (asyncio.run again): the old loop's connections are gone
            self._pools = {}
        pool = self._pools.get(origin)
        if pool is None:
            pool = self._pools[origin] = OriginPool(
                origin, self._connect, loop, max_connections=self.max_connections,
                pending_acquire_timeout=self.pending_acquire_timeout, max_idle_time=self.max_idle_time,
                max_life_time=self.max_life_time)
        return pool

    async def _connect(self, pool: OriginPool) -> Any:
        return await open_connection(pool, self.alloc, self.connect_timeout)

    async def _execute(self, method: str, url: str, headers: Sequence[Tuple[str, str]], body: Any) -> ClientResponse:
        """Send one request and return the response once its head arrived (the body follows)."""
        try:
            if self._closed:
                raise RuntimeError("the HttpClient is closed")
            origin, target, host, full_url = resolve(self.base_url, url)
            pool = self._pool(origin)
        except BaseException:
            if isinstance(body, ByteBuf):
                ReferenceCountUtil.safe_release(body)
            raise
        retry = method in IDEMPOTENT and not isinstance(body, ByteBuf)
        while True:
            exchange = Exchange(method, full_url, pool.loop)
            try:
                conn = await pool.acquire()
            except BaseException:
                if isinstance(body, ByteBuf):
                    ReferenceCountUtil.safe_release(body)
                raise
            try:
                reused = conn.uses > 1
                exchange.conn = conn
                conn.handler.exchange = exchange
                request = build_request(method, target, host, headers, body)
                exchange.keep_alive = request.keep_alive
                promise = conn.channel.write_and_flush(request.message)
                body = None if isinstance(body, ByteBuf) else body  # the channel released it
                promise.add_listener(exchange.on_write_done)
                exchange.start_response_timer(self.response_timeout)
                await exchange.read_head()
            except PrematureCloseException as exc:
                exchange.abort(exc)
                if retry and reused and not exchange.received:  # closed before any response byte
                    retry = False
                    continue
                raise
            except BaseException as exc:
                exchange.abort(exc)
                if isinstance(body, ByteBuf):
                    ReferenceCountUtil.safe_release(body)
                raise
            return ClientResponse(exchange, self)
