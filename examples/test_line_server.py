"""Tests of the line-based key/value server: in EmbeddedChannel (idle close on the virtual clock), then on a socket.

Run:  pytest --bufleak examples/test_line_server.py
"""
from __future__ import annotations

import asyncio

from line_server import IDLE_SECONDS, MAX_LINE, init_pipeline, start

from pytest_bufleak import Unpooled
from pytest_bufleak.channel import EmbeddedChannel


def server_channel():
    ch = EmbeddedChannel()
    init_pipeline(ch, {})
    return ch


def replies(ch) -> bytes:
    out = b""
    while True:
        msg = ch.read_outbound()
        if msg is None:
            return out
        out += bytes(msg)
        msg.release()


def test_commands_split_across_reads():
    ch = server_channel()
    ch.write_inbound(Unpooled.copied_buffer(b"SET colour blue\r\nGE"), Unpooled.copied_buffer(b"T colour\nGET size\n"))
    assert replies(ch) == b"OK\nVALUE blue\nNIL\n"
    assert not ch.finish()


def test_too_long_line_is_refused_and_the_connection_goes_on():
    ch = server_channel()
    ch.write_inbound(Unpooled.copied_buffer(b"x" * (MAX_LINE + 1) + b"\nDEL nothing\n"))
    assert replies(ch) == b"ERR frame length (1025) exceeds the allowed maximum (1024)\nNIL\n"
    assert ch.is_open() and not ch.finish()


def test_idle_connection_is_closed_without_sleeping():
    ch = server_channel()
    ch.advance_time_by(IDLE_SECONDS)
    ch.run_scheduled_pending_tasks()
    assert not ch.is_open()


def test_on_a_real_socket():
    async def main():
        async with await start(port=0) as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(b"SET k v\nGET k\nQUIT\n")
            assert await asyncio.wait_for(reader.read(), 5) == b"OK\nVALUE v\nOK bye\n"
            writer.close()

    asyncio.run(main())
