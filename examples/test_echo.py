"""Tests of the echo example: the handler in EmbeddedChannel, then server and client on loopback.

Run:  pytest --bufleak examples/test_echo.py
"""
from __future__ import annotations

import asyncio

from echo_client import run_client
from echo_server import EchoServerHandler, start

from pytest_bufleak import Unpooled
from pytest_bufleak.channel import EmbeddedChannel


def test_handler_writes_back_the_same_buffer():
    ch = EmbeddedChannel(EchoServerHandler())
    msg = Unpooled.copied_buffer(b"ping")
    assert not ch.write_inbound(msg)
    echoed = ch.read_outbound()
    assert echoed is msg and bytes(echoed) == b"ping"  # ownership went out, not a copy
    echoed.release()
    assert not ch.finish()


def test_server_and_client_on_loopback():
    async def main():
        async with await start(port=0) as server:
            data = await run_client(server.port, b"0123456789", rounds=20)
            assert data == b"0123456789" * 20

    asyncio.run(main())
