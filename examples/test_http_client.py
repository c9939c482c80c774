"""Tests of the HTTP client example against the HTTP server example, on loopback.

Run:  pytest --bufleak examples/test_http_client.py
"""
from __future__ import annotations

import asyncio
import hashlib

import http_client
import pytest
from http_server import start

from pytest_bufleak.http import HttpClient, HttpClientResponseException


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 10))


def test_retrieve_on_status_and_streaming_against_bufleaks_own_server():
    async def main():
        async with await start(port=0) as server:
            async with HttpClient.create(f"http://127.0.0.1:{server.port}", max_content_length=1024) as client:
                assert await http_client.fetch_text(client, "/hello") == "hello, world\n"
                assert await http_client.fetch_or_none(client, "/missing") is None
                with pytest.raises(HttpClientResponseException) as info:
                    await http_client.fetch_text(client, "/missing")
                assert info.value.status == 404 and info.value.body == b"not found\n"
                payload = b"0123456789abcdef" * 40000  # far over max_content_length: streaming has no limit
                size, digest = await http_client.echo_streamed(client, payload)
                assert (size, digest) == (len(payload), hashlib.sha256(payload).hexdigest())
                metric = client.metric()
                assert (metric.active_connections, metric.idle_connections, metric.connections_created) == (0, 1, 1)

    run(main())


def test_main_prints_what_it_did(capsys):
    async def main():
        async with await start(port=0) as server:
            await http_client.main(f"http://127.0.0.1:{server.port}")

    run(main())
    out = capsys.readouterr().out
    assert "GET /hello -> hello, world" in out and "GET /missing -> None" in out
    assert "streamed back 1048576 bytes" in out
