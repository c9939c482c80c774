"""Tests of the length-prefixed command server: its handlers in EmbeddedChannel, then on a real socket.

Run:  pytest --bufleak examples/test_framing.py
"""
from __future__ import annotations

import asyncio
import struct

import pytest
from framing_server import MAX_FRAME, init_pipeline, start

from pytest_bufleak import Unpooled
from pytest_bufleak.channel import EmbeddedChannel


def frame(text: str) -> bytes:
    data = text.encode()
    return struct.pack(">I", len(data)) + data


def replies(ch) -> bytes:
    """Every outbound buffer joined (the prepender writes header and body separately), released."""
    out = b""
    while True:
        msg = ch.read_outbound()
        if msg is None:
            return out
        out += bytes(msg)
        msg.release()


def new_channel() -> EmbeddedChannel:
    ch = EmbeddedChannel()
    init_pipeline(ch)
    return ch


@pytest.mark.parametrize("command, answer", [
    ("ECHO hi there", "OK hi there"),
    ("UPPER shout", "OK SHOUT"),
    ("SUM 1 2 39", "OK 42"),
    ("DANCE", "ERR unknown command 'DANCE'"),
    ("SUM 1 x", "ERR invalid literal for int() with base 10: 'x'"),
])
def test_commands(command, answer):
    ch = new_channel()
    assert not ch.write_inbound(Unpooled.copied_buffer(frame(command)))
    assert replies(ch) == frame(answer)
    assert not ch.finish()


def test_invalid_utf8_gets_an_error_reply_and_the_connection_stays():
    ch = new_channel()
    bad = b"ECHO \xff"
    assert not ch.write_inbound(Unpooled.copied_buffer(struct.pack(">I", len(bad)) + bad + frame("ECHO ok")))
    assert replies(ch) == frame(
        "ERR 'utf-8' codec can't decode byte 0xff in position 5: invalid start byte"
    ) + frame("OK ok")
    assert ch.is_open()
    assert not ch.finish()


def test_frames_split_and_batched():
    ch = new_channel()
    wire = frame("ECHO a") + frame("ECHO b")
    for i in range(0, len(wire), 3):
        ch.write_inbound(Unpooled.copied_buffer(wire[i:i + 3]))
    assert replies(ch) == frame("OK a") + frame("OK b")
    assert not ch.finish()


def test_quit_closes_after_the_reply():
    ch = new_channel()
    ch.write_inbound(Unpooled.copied_buffer(frame("QUIT")))
    assert not ch.is_open()
    assert ch.finish()  # the reply is still queued for reading
    assert replies(ch) == frame("OK bye")


def test_too_long_frame_is_refused_and_the_channel_closed():
    ch = new_channel()
    ch.write_inbound(Unpooled.copied_buffer(struct.pack(">I", MAX_FRAME + 1) + b"x" * 10))
    assert not ch.is_open()
    assert ch.finish()
    assert replies(ch) == frame(f"ERR Adjusted frame length exceeds {MAX_FRAME}: {MAX_FRAME + 5} - discarded")


def test_disconnect_mid_frame_releases_the_partial_frame():
    ch = new_channel()
    partial = Unpooled.copied_buffer(frame("ECHO never finished")[:9])
    ch.write_inbound(partial)
    assert not ch.finish()
    assert partial.ref_cnt() == 0


def test_on_a_real_socket():
    async def main():
        async with await start(port=0) as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(frame("SUM 20 22") + frame("UPPER ok") + frame("QUIT"))
            expected = frame("OK 42") + frame("OK OK") + frame("OK bye")
            assert await asyncio.wait_for(reader.readexactly(len(expected)), 5) == expected
            assert await asyncio.wait_for(reader.read(), 5) == b""  # the server closed after QUIT
            writer.close()
            await writer.wait_closed()

    asyncio.run(main())
