"""bufleak's HttpClient vs aiohttp's client on the same loopback server, in one run; prints ratios.

Run: ``python benchmarks/bench_http.py`` (about 10 seconds; aiohttp is optional: ``pip install aiohttp``,
httpx is measured too when installed). The server is a minimal asyncio protocol in a child process (so
it does not share the clients' interpreter), answering ``GET /small`` with 64 bytes and ``GET /big``
with 4 MiB, keep-alive. Cases:

* small: sequential 64-byte GETs on one keep-alive connection, requests per second;
* small x8: the same from 8 concurrent tasks (a pool of up to 8 connections);
* big: sequential 4 MiB GETs read whole (``body_to_bytes()`` / ``await resp.read()``), MB/s.

Ratio = bufleak's rate / the other client's (higher is better; the target is >= 0.8x aiohttp). The best
of ``ROUNDS`` rounds each, the clients alternating.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import socket
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional

from pytest_bufleak.http import HttpClient

CLOSERS: List[Callable[[], Awaitable[Any]]] = []

ROUNDS = 3
SMALL_REQUESTS = 2000
BIG_REQUESTS = 20
BIG = 4 * 1024 * 1024
SMALL_BODY = b"x" * 64


class _Server(asyncio.Protocol):
    """Answers each request (a GET, no body) as soon as its head is complete."""

    small = b"HTTP/1.1 200 OK\r\nContent-Length: 64\r\nContent-Type: text/plain\r\n\r\n" + SMALL_BODY
    big = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % BIG + b"y" * BIG

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.pending = b""

    def data_received(self, data: bytes) -> None:
        data = self.pending + data
        while True:
            end = data.find(b"\r\n\r\n")
            if end < 0:
                break
            head, data = data[:end], data[end + 4:]
            self.transport.write(self.big if b" /big " in head else self.small)
        self.pending = data


def _serve(sock: socket.socket) -> None:
    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(_Server, sock=sock)
        await server.serve_forever()

    asyncio.run(main())


Fetch = Callable[[str], Awaitable[bytes]]


async def _rate(run: Callable[[], Awaitable[int]]) -> float:
    start = time.perf_counter()
    units = await run()
    return units / (time.perf_counter() - start)


def cases(fetch: Fetch) -> Dict[str, Callable[[], Awaitable[float]]]:
    """The three cases over one client's ``fetch(path) -> body``."""

    async def small() -> int:
        for _ in range(SMALL_REQUESTS):
            assert len(await fetch("/small")) == 64
        return SMALL_REQUESTS

    async def small8() -> int:
        async def worker() -> None:
            for _ in range(SMALL_REQUESTS // 8):
                await fetch("/small")
        await asyncio.gather(*(worker() for _ in range(8)))
        return SMALL_REQUESTS

    async def big() -> int:
        for _ in range(BIG_REQUESTS):
            assert len(await fetch("/big")) == BIG
        return BIG_REQUESTS * BIG // 10**6

    return {"small": lambda: _rate(small), "small x8": lambda: _rate(small8), "big": lambda: _rate(big)}


def bufleak_fetch(url: str) -> Fetch:
    client = HttpClient.create(url, max_content_length=2 * BIG, max_connections=8)
    CLOSERS.append(client.close)
    return lambda path: client.get(path).retrieve().body_to_bytes()


def aiohttp_fetch(url: str) -> Optional[Fetch]:
    try:
        import aiohttp
    except ImportError:
        return None
    holder: List[Any] = []

    async def fetch(path: str) -> bytes:
        if not holder:  # made inside the running loop
            holder.append(aiohttp.ClientSession(url, connector=aiohttp.TCPConnector(limit=8)))
            CLOSERS.append(holder[0].close)
        async with holder[0].get(path) as resp:
            return await resp.read()

    return fetch


def httpx_fetch(url: str) -> Optional[Fetch]:
    try:
        import httpx
    except ImportError:
        return None
    client = httpx.AsyncClient(base_url=url, limits=httpx.Limits(max_connections=8))
    CLOSERS.append(client.aclose)

    async def fetch(path: str) -> bytes:
        return (await client.get(path)).content

    return fetch


async def measure(url: str) -> None:
    clients = {"bufleak": cases(bufleak_fetch(url))}
    for name, fetch in (("aiohttp", aiohttp_fetch(url)), ("httpx", httpx_fetch(url))):
        if fetch is not None:
            clients[name] = cases(fetch)
    best: Dict[str, Dict[str, float]] = {name: {} for name in clients}
    for case in ("small", "small x8", "big"):
        for _ in range(ROUNDS):
            for name, client_cases in clients.items():
                rate = await client_cases[case]()
                best[name][case] = max(best[name].get(case, 0.0), rate)
    units = {"small": "req/s", "small x8": "req/s", "big": "MB/s"}
    others = [name for name in clients if name != "bufleak"]
    print(f"{'case':<10}" + "".join(f"{name:>14}" for name in clients) + "".join(f"{'vs ' + o:>12}" for o in others))
    for case in ("small", "small x8", "big"):
        row = f"{case:<10}" + "".join(f"{best[name][case]:>9.0f} {units[case]:<4}" for name in clients)
        row += "".join(f"{best['bufleak'][case] / best[o][case]:>11.2f}x" for o in others)
        print(row)
    if not others:
        print("(aiohttp not installed: pip install aiohttp for the comparison)")
    for close in CLOSERS:
        await close()


def main() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(sock,), daemon=True)
    server.start()
    try:
        asyncio.run(measure(f"http://127.0.0.1:{sock.getsockname()[1]}"))
    finally:
        server.terminate()
        server.join(5)
        sock.close()


if __name__ == "__main__":
    main()
