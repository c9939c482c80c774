"""The pipeline on real loopback sockets (127.0.0.1, a free port, every wait bounded by a timeout).

Each test runs its own allocator so it can prove that every buffer came back:
``metric().num_active_allocations == 0`` at the end.
"""
from __future__ import annotations

import asyncio
import logging
import socket

import pytest

from pytest_bufleak import PooledByteBufAllocator
from pytest_bufleak.channel import (
    ChannelInboundHandlerAdapter,
    LengthFieldBasedFrameDecoder,
    LengthFieldPrepender,
    SimpleChannelInboundHandler,
    WriteBufferWaterMark,
)
from pytest_bufleak.channel import aio

TIMEOUT = 5.0


def run(coro):
    asyncio.run(asyncio.wait_for(coro, TIMEOUT * 2))


class Echo(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        ctx.write(msg)

    def channel_read_complete(self, ctx):
        ctx.flush()


class Collect(SimpleChannelInboundHandler):
    """Collects received bytes; ``wait(n)`` returns once ``n`` bytes arrived."""

    def __init__(self):
        super().__init__()
        self.data = bytearray()
        self.event = asyncio.Event()
        self.want = 0

    def channel_read0(self, ctx, msg):
        self.data += bytes(msg)
        if len(self.data) >= self.want:
            self.event.set()

    async def wait(self, n):
        self.want = n
        if len(self.data) < n:
            self.event.clear()
            await asyncio.wait_for(self.event.wait(), TIMEOUT)
        return bytes(self.data)


def test_echo_round_trip_returns_every_buffer():
    alloc = PooledByteBufAllocator()

    async def main():
        async with await aio.serve(lambda ch: ch.pipeline().add_last(Echo()), "127.0.0.1", 0, alloc=alloc) as server:
            collect = Collect()
            ch = await aio.connect(lambda c: c.pipeline().add_last(collect), "127.0.0.1", server.port, alloc=alloc)
            assert ch.is_active() and ch.remote_address()[1] == server.port
            msg = ch.alloc().buffer()
            msg.write_bytes(b"hello, loopback")
            await ch.write_and_flush(msg)
            assert msg.ref_cnt() == 0  # released once handed to the transport
            assert await collect.wait(15) == b"hello, loopback"
            await ch.write_and_flush(b"bytes too")
            assert (await collect.wait(24))[15:] == b"bytes too"
            ch.close()
            await asyncio.wait_for(ch.close_future(), TIMEOUT)

    run(main())
    assert alloc.metric().num_active_allocations == 0


def test_length_prefixed_frames_split_across_reads():
    alloc = PooledByteBufAllocator()
    frames = []

    class Upper(SimpleChannelInboundHandler):
        def channel_read0(self, ctx, msg):
            frames.append(bytes(msg))
            reply = ctx.alloc().buffer()
            reply.write_bytes(bytes(msg).upper())
            ctx.write_and_flush(reply)

    def init(ch):
        ch.pipeline().add_last(LengthFieldBasedFrameDecoder(1024, 0, 2, 0, 2), LengthFieldPrepender(2), Upper())

    async def main():
        async with await aio.serve(init, alloc=alloc) as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            wire = b"\x00\x03abc\x00\x05hello"
            for i in range(len(wire)):  # one byte at a time: frames span many reads
                writer.write(wire[i:i + 1])
                await writer.drain()
                await asyncio.sleep(0)
            reply = await asyncio.wait_for(reader.readexactly(12), TIMEOUT)
            assert reply == b"\x00\x03ABC\x00\x05HELLO"
            writer.close()
            await writer.wait_closed()

    run(main())
    assert frames == [b"abc", b"hello"]
    assert alloc.metric().num_active_allocations == 0


def test_peer_disconnecting_mid_frame_loses_no_buffer():
    alloc = PooledByteBufAllocator()
    inactive = []

    class Watch(ChannelInboundHandlerAdapter):
        def channel_inactive(self, ctx):
            inactive.append(ctx.channel())
            ctx.fire_channel_inactive()

    async def main():
        async with await aio.serve(
            lambda ch: ch.pipeline().add_last(LengthFieldBasedFrameDecoder(1024, 0, 4, 0, 4), Watch()), alloc=alloc
        ) as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(b"\x00\x00\x01\x00partial frame")
            await writer.drain()
            await asyncio.sleep(0.05)
            assert alloc.metric().num_active_allocations >= 1  # the decoder holds the partial frame
            writer.close()
            await writer.wait_closed()
            for _ in range(200):
                if inactive:
                    break
                await asyncio.sleep(0.01)
            await asyncio.wait_for(inactive[0].close_future(), TIMEOUT)

    run(main())
    assert alloc.metric().num_active_allocations == 0


def test_raising_handler_keeps_the_connection_alive(caplog):
    alloc = PooledByteBufAllocator()

    class Picky(SimpleChannelInboundHandler):
        def channel_read0(self, ctx, msg):
            if bytes(msg).startswith(b"bad"):
                raise ValueError("bad request")
            reply = ctx.alloc().buffer()
            reply.write_bytes(b"ok")
            ctx.write_and_flush(reply)

    async def main():
        async with await aio.serve(lambda ch: ch.pipeline().add_last(Picky()), alloc=alloc) as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(b"bad")
            await writer.drain()
            await asyncio.sleep(0.05)
            writer.write(b"good")
            assert await asyncio.wait_for(reader.readexactly(2), TIMEOUT) == b"ok"
            writer.close()
            await writer.wait_closed()

    with caplog.at_level(logging.WARNING, logger="pytest_bufleak"):
        run(main())
    assert "bad request" in caplog.text
    assert alloc.metric().num_active_allocations == 0


def test_backpressure_turns_the_channel_unwritable_and_back():
    alloc = PooledByteBufAllocator()
    changes = []
    total = 16 * 1024 * 1024
    done = {}

    class Flood(ChannelInboundHandlerAdapter):
        """Writes while writable; resumes on writability."""

        def channel_active(self, ctx):
            self.sent = 0
            self.pump(ctx)

        def channel_writability_changed(self, ctx):
            changes.append(ctx.channel().is_writable())
            self.pump(ctx)

        def pump(self, ctx):
            ch = ctx.channel()
            while ch.is_writable() and self.sent < total:
                chunk = ctx.alloc().buffer(65536)
                chunk.write_zero(65536)
                ctx.write_and_flush(chunk)
                self.sent += 65536
            if self.sent >= total and "sent" not in done:
                done["sent"] = True

    async def main():
        mark = WriteBufferWaterMark(low=16 * 1024, high=64 * 1024)
        async with await aio.serve(lambda ch: ch.pipeline().add_last(Flood()), alloc=alloc, water_mark=mark) as server:
            loop = asyncio.get_running_loop()
            with socket.socket() as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                sock.setblocking(False)
                await loop.sock_connect(sock, ("127.0.0.1", server.port))
                await asyncio.sleep(0.2)  # not reading: the server's transport fills up
                assert False in changes and "sent" not in done
                received = 0
                while received < total:
                    received += len(await asyncio.wait_for(loop.sock_recv(sock, 1 << 20), TIMEOUT))
                assert changes[-1] is True and done.get("sent")

    run(main())
    assert alloc.metric().num_active_allocations == 0


def test_close_releases_writes_still_queued():
    alloc = PooledByteBufAllocator()
    queued = []

    async def main():
        async with await aio.serve(lambda ch: None, alloc=alloc) as server:
            ch = await aio.connect(lambda c: None, "127.0.0.1", server.port, alloc=alloc)
            msg = ch.alloc().buffer()
            msg.write_bytes(b"never flushed")
            queued.append(msg)
            promise = ch.write(msg)
            await ch.close()
            await asyncio.wait_for(ch.close_future(), TIMEOUT)
            assert promise.cause() is not None
            late = ch.alloc().buffer()
            assert ch.write_and_flush(late).cause() is not None and late.ref_cnt() == 0

    run(main())
    assert queued[0].ref_cnt() == 0
    assert alloc.metric().num_active_allocations == 0


def test_unsupported_message_type_is_refused():
    alloc = PooledByteBufAllocator()

    async def main():
        async with await aio.serve(lambda ch: None, alloc=alloc) as server:
            ch = await aio.connect(lambda c: None, "127.0.0.1", server.port, alloc=alloc)
            with pytest.raises(TypeError, match="unsupported message type: int"):
                await ch.write_and_flush(42)
            ch.close()
            await asyncio.wait_for(ch.close_future(), TIMEOUT)

    run(main())
    assert alloc.metric().num_active_allocations == 0


def test_auto_read_off_pauses_reading():
    alloc = PooledByteBufAllocator()

    async def main():
        collect = Collect()
        holder = {}

        def init(ch):
            holder["ch"] = ch
            ch.set_auto_read(False)
            ch.pipeline().add_last(collect)

        async with await aio.serve(init, alloc=alloc) as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(b"wait for it")
            await writer.drain()
            await asyncio.sleep(0.05)
            assert collect.data == b""
            holder["ch"].set_auto_read(True)
            assert await collect.wait(11) == b"wait for it"
            writer.close()
            await writer.wait_closed()

    run(main())
    assert alloc.metric().num_active_allocations == 0
