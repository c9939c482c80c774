"""Tests of the HTTP server example: its pipeline in EmbeddedChannel, then the real server on loopback
with the standard library's client (keep-alive reuse, echo, 404, a bad request).

Run:  pytest --bufleak examples/test_http_server.py
"""
from __future__ import annotations

import asyncio
import http.client

from http_server import initialize, start

from pytest_bufleak import Unpooled
from pytest_bufleak.channel import EmbeddedChannel


def test_pipeline_answers_in_embedded_channel():
    channel = EmbeddedChannel()
    initialize(channel)
    channel.write_inbound(Unpooled.copied_buffer(b"POST /echo HTTP/1.1\r\nContent-Length: 4\r\n\r\nping"))
    written = b""
    while (buf := channel.read_outbound()) is not None:
        written += bytes(buf)
        buf.release()
    assert written.startswith(b"HTTP/1.1 200 OK\r\n") and written.endswith(b"\r\n\r\nping")
    assert not channel.finish()


def _requests(port: int) -> list:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    results = []
    try:
        for method, path, payload in [("GET", "/hello", None), ("POST", "/echo", b"x" * 100_000),
                                      ("GET", "/missing", None)]:
            connection.request(method, path, body=payload)
            response = connection.getresponse()
            results.append((response.status, response.read()))
        connection.request("GET", "/hello", headers={"Connection": "close"})
        response = connection.getresponse()
        results.append((response.status, response.read(), response.getheader("connection")))
    finally:
        connection.close()
    return results


def test_server_on_loopback_with_keep_alive():
    async def main():
        async with await start(port=0) as server:
            return await asyncio.get_running_loop().run_in_executor(None, _requests, server.port)

    results = asyncio.run(main())
    assert results[0] == (200, b"hello, world\n")
    assert results[1] == (200, b"x" * 100_000)
    assert results[2] == (404, b"not found\n")
    assert results[3] == (200, b"hello, world\n", "close")
