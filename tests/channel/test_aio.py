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


async def eventually(condition, timeout=TIMEOUT):
    """Wait until ``condition()`` holds (polling), or fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.005)


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
            await eventually(lambda: alloc.metric().num_active_allocations >= 1)  # the decoder holds the partial frame
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

    refused = []  # the event, made inside the loop (on Python 3.9 an Event binds to a loop when made)

    class Picky(SimpleChannelInboundHandler):
        def channel_read0(self, ctx, msg):
            if bytes(msg).startswith(b"bad"):
                refused[0].set()
                raise ValueError("bad request")
            reply = ctx.alloc().buffer()
            reply.write_bytes(b"ok")
            ctx.write_and_flush(reply)

    async def main():
        refused.append(asyncio.Event())
        async with await aio.serve(lambda ch: ch.pipeline().add_last(Picky()), alloc=alloc) as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(b"bad")
            await writer.drain()
            await asyncio.wait_for(refused[0].wait(), TIMEOUT)  # so that "good" arrives in a read of its own
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
                await eventually(lambda: False in changes)  # not reading: the server's transport fills up
                assert "sent" not in done
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


def _pattern(seed, n):
    return bytes((seed * 31 + i * 7) & 0xFF for i in range(n))


def test_large_writes_to_a_slow_reader_arrive_intact():
    """Big buffers (sent without a copy where the transport keeps nothing) and small ones, flushed one by one
    and in batches, to a peer that is not reading yet: every byte arrives in order, every buffer comes back."""
    alloc = PooledByteBufAllocator()
    sizes = [100, 300_000, 5000, 64, 70_000, 2048, 2047, 250_000]
    expected = b"".join(_pattern(i, n) for i, n in enumerate(sizes))

    class Writer(ChannelInboundHandlerAdapter):
        def channel_active(self, ctx):
            for i, n in enumerate(sizes):
                msg = ctx.alloc().buffer(n)
                msg.write_bytes(_pattern(i, n))
                if i % 3 == 2:
                    ctx.write_and_flush(msg)  # a batch of three
                elif i % 2:
                    ctx.write(msg)
                else:
                    ctx.write_and_flush(msg)
            ctx.flush()
            # Reuse the pool's memory at once: a transport still holding a view would send these bytes.
            for _ in range(8):
                with ctx.alloc().buffer(300_000) as junk:
                    junk.write_zero(300_000)

    async def main():
        async with await aio.serve(lambda ch: ch.pipeline().add_last(Writer()), alloc=alloc) as server:
            loop = asyncio.get_running_loop()
            with socket.socket() as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                sock.setblocking(False)
                await loop.sock_connect(sock, ("127.0.0.1", server.port))
                await asyncio.sleep(0.1)  # not reading: the server's transport keeps what the socket refused
                data = bytearray()
                while len(data) < len(expected):
                    data += await asyncio.wait_for(loop.sock_recv(sock, 1 << 20), TIMEOUT)
                assert bytes(data) == expected

    run(main())
    assert alloc.metric().num_active_allocations == 0


def test_writability_regained_during_a_flush_keeps_the_byte_order():
    """A handler that writes again when the channel turns writable: its bytes follow what was being flushed."""
    alloc = PooledByteBufAllocator()
    events = []

    class Refill(ChannelInboundHandlerAdapter):
        def channel_active(self, ctx):
            for tag in (b"A", b"B", b"C"):
                msg = ctx.alloc().buffer(600)
                msg.write_bytes(tag * 600)
                ctx.write(msg)
            events.append(ctx.channel().is_writable())  # 1800 bytes pending > high (1024)
            ctx.flush()

        def channel_writability_changed(self, ctx):
            events.append(ctx.channel().is_writable())
            if ctx.channel().is_writable():
                ctx.write_and_flush(b"D" * 10)

    async def main():
        mark = WriteBufferWaterMark(low=512, high=1024)
        async with await aio.serve(lambda ch: ch.pipeline().add_last(Refill()), alloc=alloc, water_mark=mark) as server:
            collect = Collect()
            ch = await aio.connect(lambda c: c.pipeline().add_last(collect), "127.0.0.1", server.port, alloc=alloc)
            assert await collect.wait(1810) == b"A" * 600 + b"B" * 600 + b"C" * 600 + b"D" * 10
            ch.close()
            await asyncio.wait_for(ch.close_future(), TIMEOUT)

    run(main())
    assert events[:3] == [False, False, True]
    assert alloc.metric().num_active_allocations == 0


def test_a_subclass_do_write_is_still_called():
    alloc = PooledByteBufAllocator()
    seen = []

    class Counting(aio.AioSocketChannel):
        def _do_write(self, outbound):
            seen.append(len(outbound.flushed))
            super()._do_write(outbound)

    async def main():
        loop = asyncio.get_running_loop()
        async with await aio.serve(lambda ch: ch.pipeline().add_last(Echo()), alloc=alloc) as server:
            collect = Collect()
            ch = Counting(loop, alloc)
            await loop.create_connection(lambda: aio.ChannelProtocol(ch, lambda c: c.pipeline().add_last(collect)),
                                         "127.0.0.1", server.port)
            msg = ch.alloc().buffer()
            msg.write_bytes(b"through the subclass")
            await ch.write_and_flush(msg)
            assert await collect.wait(20) == b"through the subclass"
            ch.close()
            await asyncio.wait_for(ch.close_future(), TIMEOUT)

    run(main())
    assert seen == [1]
    assert alloc.metric().num_active_allocations == 0


def test_bulk_echo_reuses_read_memory_and_gives_it_back_on_close():
    """Reads of every size (up to 256 KiB, above what thread caches keep) reuse the memory of the read before
    once it was released; closing hands that memory back, so the arenas end with nothing out."""
    alloc = PooledByteBufAllocator()
    total = 3 * 1024 * 1024
    payload = _pattern(5, 64 * 1024)

    class Sender(ChannelInboundHandlerAdapter):
        def channel_active(self, ctx):
            for _ in range(total // len(payload)):
                msg = ctx.alloc().buffer(len(payload))
                msg.write_bytes(payload)
                ctx.write(msg)
            ctx.flush()

    async def main():
        async with await aio.serve(lambda ch: ch.pipeline().add_last(Echo()), alloc=alloc) as server:
            collect = Collect()
            ch = await aio.connect(lambda c: c.pipeline().add_last(Sender(), collect), "127.0.0.1", server.port,
                                   alloc=alloc)
            assert await collect.wait(total) == payload * (total // len(payload))
            assert ch._reads is not None and ch.recv_buffer_size.size > 32 * 1024
            ch.close()
            await asyncio.wait_for(ch.close_future(), TIMEOUT)
        alloc.trim()  # this thread's cache, where closing put the waiting regions

    run(main())
    m = alloc.metric()
    assert m.num_active_allocations == 0
    assert sum(a.num_active_allocations for a in m.direct_arenas) == 0


def test_a_message_a_server_handler_leaks_is_reported_with_that_handlers_name():
    # The transport allocated the buffer, so its creation site is in the event loop; the access record
    # the pipeline adds on the hand-over (Netty's pipeline.touch) names the handler that lost it.
    from pytest_bufleak import LeakLevel, ResourceLeakDetector, track_leaks

    class Forgetful(ChannelInboundHandlerAdapter):
        def channel_read(self, ctx, msg):
            self.kept = msg  # neither released nor passed on
            received.set_result(None)

    alloc = PooledByteBufAllocator()
    handler = Forgetful()

    async def main():
        async with await aio.serve(lambda ch: ch.pipeline().add_last("forgetful", handler), alloc=alloc) as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(b"ping")
            await writer.drain()
            await asyncio.wait_for(received, TIMEOUT)
            writer.close()
            await writer.wait_closed()

    previous = ResourceLeakDetector.get_level()
    ResourceLeakDetector.set_level(LeakLevel.ADVANCED)
    try:
        with track_leaks() as tracker:
            loop = asyncio.new_event_loop()
            try:
                received = loop.create_future()
                loop.run_until_complete(asyncio.wait_for(main(), TIMEOUT * 2))
            finally:
                loop.close()
    finally:
        ResourceLeakDetector.set_level(previous)
    (leak,) = tracker.leaks()
    assert leak.buffer is handler.kept
    assert [record.hint for record in leak.records] == ["'forgetful' will handle the message from this point."]
    handler.kept.release()
    assert alloc.metric().num_active_allocations == 0
