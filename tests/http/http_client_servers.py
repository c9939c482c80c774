"""Servers for the client tests, on 127.0.0.1 and a free port, bounded and self-stopping.

``real_server()``: the standard library's ``ThreadingHTTPServer`` speaking HTTP/1.1 (keep-alive), with a
few routes; it counts the connections it accepted, so tests can prove reuse. ``scripted_server(script)``:
an ``asyncio.start_server`` whose connections run ``script(reader, writer)``, for malformed traffic.
"""
from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Awaitable, Callable, Iterator
from urllib.parse import parse_qs, urlsplit

from pytest_bufleak import PooledByteBufAllocator
from pytest_bufleak.http import HttpClient

TIMEOUT = 10.0


def run(coro):
    """Run ``coro`` on a fresh event loop, bounded by TIMEOUT."""
    return asyncio.run(asyncio.wait_for(coro, TIMEOUT))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = TIMEOUT  # a stuck connection ends by itself

    def log_message(self, *args):
        pass

    def _query(self):
        parts = urlsplit(self.path)
        return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}

    def _send(self, status, body=b"", headers=(), length=True):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):  # noqa: N802 - the stdlib's naming
        path, query = self._query()
        if path == "/small":
            self._send(200, b"x" * 64, [("Content-Type", "text/plain; charset=utf-8")])
        elif path == "/big":
            size = int(query.get("n", 1 << 20))
            self._send(200, bytes(range(256)) * (size // 256) + b"z" * (size % 256))
        elif path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(int(query.get("n", 5))):
                piece = f"chunk{i};".encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        elif path.startswith("/status/"):
            status = int(path.rsplit("/", 1)[1])
            if status in (204, 304):
                self._send(status, length=False)
            else:
                size = int(query.get("n", 0))
                self._send(status, (f"error {status}".encode() + b"." * size), [("Content-Type", "text/plain")])
        elif path == "/close":
            self._send(200, b"bye", [("Connection", "close")])
            self.close_connection = True
        elif path == "/slow":
            time.sleep(float(query.get("s", 0.5)))
            self._send(200, b"slow")
        elif path == "/json":
            self._send(200, b'{"id": 1, "name": "bufleak"}', [("Content-Type", "application/json")])
        elif path == "/headers":
            self._send(200, "\n".join(f"{k.lower()}: {v}" for k, v in self.headers.items()).encode())
        else:
            self._send(404, b"no such route: " + path.encode())

    do_HEAD = do_GET  # noqa: N815

    def _echo(self):
        body = self._read_body()
        self._send(200, self.command.encode() + b" " + body)

    do_POST = do_PUT = do_PATCH = do_DELETE = _echo  # noqa: N815


class RealServer(ThreadingHTTPServer):
    daemon_threads = True
    accepted = 0

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that closed early is expected
            super().handle_error(request, client_address)

    def get_request(self):
        request = super().get_request()
        self.accepted += 1
        return request

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextlib.contextmanager
def real_server() -> Iterator[RealServer]:
    """A ThreadingHTTPServer (HTTP/1.1) on a free port, stopped on exit."""
    server = RealServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(TIMEOUT)


Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class ScriptedServer:
    """``async with ScriptedServer(script) as server``: each connection runs ``script`` (then is closed)."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.accepted = 0
        self._server = None
        self._tasks = set()

    async def _serve(self, reader, writer):
        self.accepted += 1
        self._tasks.add(asyncio.current_task())
        try:
            await asyncio.wait_for(self.script(reader, writer), TIMEOUT)
        except (ConnectionError, asyncio.CancelledError, asyncio.TimeoutError):
            pass
        finally:
            self._tasks.discard(asyncio.current_task())
            writer.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def __aenter__(self) -> ScriptedServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc_info) -> None:
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await self._server.wait_closed()


async def read_request(reader: asyncio.StreamReader) -> bytes:
    """One request head (and its Content-Length body) from ``reader``; b"" at EOF."""
    head = await reader.readuntil(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            await reader.readexactly(int(line.split(b":", 1)[1]))
    return head


def replying(*responses: bytes, close: bool = True) -> Script:
    """A script answering each request with the next of ``responses`` (raw bytes), then closing."""

    async def script(reader, writer):
        for response in responses:
            try:
                await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            writer.write(response)
            await writer.drain()
        if not close:
            await reader.read()

    return script


def new_client(base_url=None, **options):
    """A client with its own allocator (``client.alloc``), so a test can prove every buffer came back."""
    options.setdefault("alloc", PooledByteBufAllocator())
    return HttpClient.create(base_url, **options)


async def at_rest(client, idle=None):
    """Assert the pool is at rest (nothing leased or waiting) and, after the loop settled, no buffer live."""
    metric = client.metric()
    assert metric.active_connections == 0, metric
    assert metric.pending_acquires == 0, metric
    if idle is not None:
        assert metric.idle_connections == idle, metric
    for _ in range(50):  # closed channels let go of their buffers on a later turn of the loop
        if client.alloc.metric().num_active_allocations == 0:
            break
        await asyncio.sleep(0.002)
    assert client.alloc.metric().num_active_allocations == 0, client.alloc.metric()
