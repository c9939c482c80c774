"""The channel pipeline on loopback vs plain asyncio, side by side in one process; prints ratios.

Run: ``python benchmarks/bench_channel.py`` (about ten seconds). Three cases:

* round trips: a client sends 64 bytes, the echo server returns them, the client sends again;
  bufleak client + server (pipelines, pooled buffers) vs an ``asyncio.Protocol`` client + server.
* bulk: the client streams ``BULK_BYTES`` in 64 KiB writes through an echo server and reads them all back.
* pipeline: ns for one message through 5 handlers in an ``EmbeddedChannel``, vs 5 chained calls.

Ratio = bufleak throughput / asyncio throughput (>= 1 means bufleak is as fast). Each loopback case
takes the best of ``REPEAT`` bounded runs (a count and a timeout), bufleak and asyncio interleaved.
The loopback cases run on asyncio's own event loop, and again on uvloop's when it is installed (it is not a
dependency): both sides of a ratio always run on the same loop.
"""
from __future__ import annotations

import asyncio
import time
import timeit
from typing import Awaitable, Callable

from pytest_bufleak.channel import ChannelInboundHandlerAdapter, EmbeddedChannel, aio

REPEAT = 5
ROUND_TRIPS = 3000
BULK_BYTES = 32 * 1024 * 1024
CHUNK = 64 * 1024
TIMEOUT = 20.0
MESSAGE = b"x" * 64


# ---------------------------------------------------------------------------- plain asyncio


class PlainEcho(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


class PlainPingPong(asyncio.Protocol):
    def __init__(self, rounds, done):
        self.rounds, self.done, self.pending = rounds, done, 0

    def connection_made(self, transport):
        self.transport = transport
        transport.write(MESSAGE)

    def data_received(self, data):
        self.pending += len(data)
        if self.pending >= len(MESSAGE):
            self.pending -= len(MESSAGE)
            self.rounds -= 1
            if self.rounds == 0:
                self.done.set_result(None)
            else:
                self.transport.write(MESSAGE)


class PlainBulk(asyncio.Protocol):
    def __init__(self, total, done):
        self.total, self.done, self.sent, self.received = total, done, 0, 0
        self.paused = False

    def connection_made(self, transport):
        self.transport = transport
        self.pump()

    def pump(self):
        while not self.paused and self.sent < self.total:
            self.transport.write(bytes(CHUNK))
            self.sent += CHUNK

    def pause_writing(self):
        self.paused = True

    def resume_writing(self):
        self.paused = False
        self.pump()

    def data_received(self, data):
        self.received += len(data)
        if self.received >= self.total and not self.done.done():
            self.done.set_result(None)


async def plain_case(client_factory: Callable[[asyncio.Future], asyncio.Protocol]) -> float:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(PlainEcho, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    done = loop.create_future()
    start = time.perf_counter()
    transport, _ = await loop.create_connection(lambda: client_factory(done), "127.0.0.1", port)
    await asyncio.wait_for(done, TIMEOUT)
    elapsed = time.perf_counter() - start
    transport.close()
    server.close()
    await server.wait_closed()
    return elapsed


# ---------------------------------------------------------------------------- bufleak


class Echo(ChannelInboundHandlerAdapter):
    sharable = True

    def channel_read(self, ctx, msg):
        ctx.write(msg)

    def channel_read_complete(self, ctx):
        ctx.flush()


class PingPong(ChannelInboundHandlerAdapter):
    def __init__(self, rounds, done):
        self.rounds, self.done, self.pending = rounds, done, 0

    def send(self, ctx):
        buf = ctx.alloc().buffer(64)
        buf.write_bytes(MESSAGE)
        ctx.write_and_flush(buf)

    def channel_active(self, ctx):
        self.send(ctx)

    def channel_read(self, ctx, msg):
        self.pending += msg.readable_bytes()
        msg.release()
        if self.pending >= len(MESSAGE):
            self.pending -= len(MESSAGE)
            self.rounds -= 1
            if self.rounds == 0:
                self.done.set_result(None)
            else:
                self.send(ctx)


class Bulk(ChannelInboundHandlerAdapter):
    def __init__(self, total, done):
        self.total, self.done, self.sent, self.received = total, done, 0, 0

    def pump(self, ctx):
        channel = ctx.channel()
        while channel.is_writable() and self.sent < self.total:
            buf = ctx.alloc().buffer(CHUNK)
            buf.write_zero(CHUNK)
            ctx.write_and_flush(buf)
            self.sent += CHUNK

    def channel_active(self, ctx):
        self.pump(ctx)

    def channel_writability_changed(self, ctx):
        self.pump(ctx)

    def channel_read(self, ctx, msg):
        self.received += msg.readable_bytes()
        msg.release()
        if self.received >= self.total and not self.done.done():
            self.done.set_result(None)


async def bufleak_case(handler_factory: Callable[[asyncio.Future], ChannelInboundHandlerAdapter]) -> float:
    loop = asyncio.get_running_loop()
    echo = Echo()
    server = await aio.serve(lambda ch: ch.pipeline().add_last(echo), "127.0.0.1", 0)
    done = loop.create_future()
    start = time.perf_counter()
    channel = await aio.connect(lambda ch: ch.pipeline().add_last(handler_factory(done)), "127.0.0.1", server.port)
    await asyncio.wait_for(done, TIMEOUT)
    elapsed = time.perf_counter() - start
    channel.close()
    await channel.close_future()
    await server.close()
    return elapsed


def best_of_interleaved(plain: Callable[[], Awaitable[float]], ours: Callable[[], Awaitable[float]],
                        new_loop: Callable[[], asyncio.AbstractEventLoop]) -> tuple:
    """Best time of each, runs interleaved so that load from elsewhere on the machine hits both alike."""
    plain_times, our_times = [], []
    for _ in range(REPEAT):
        for times, case in ((plain_times, plain), (our_times, ours)):
            loop = new_loop()
            try:
                times.append(loop.run_until_complete(case()))
            finally:
                loop.close()
    return min(plain_times), min(our_times)


def event_loops() -> list:
    """``[(name, new_loop)]``: asyncio's default loop, and uvloop's when it is installed."""
    loops = [("asyncio", asyncio.new_event_loop)]
    try:
        import uvloop
    except ImportError:
        return loops
    return loops + [(f"uvloop {uvloop.__version__}", uvloop.new_event_loop)]


# ---------------------------------------------------------------------------- in-process pipeline


class Pass(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        ctx.fire_channel_read(msg)


class Drop(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        pass


def pipeline_ns(number: int = 100_000) -> tuple:
    ch = EmbeddedChannel(Pass(), Pass(), Pass(), Pass(), Drop())
    fire = ch.pipeline().fire_channel_read
    msg = object()
    pipe = min(timeit.repeat(lambda: fire(msg), number=number, repeat=REPEAT)) / number

    def f5(m):
        return None

    def f4(m):
        return f5(m)

    def f3(m):
        return f4(m)

    def f2(m):
        return f3(m)

    def f1(m):
        return f2(m)

    plain = min(timeit.repeat(lambda: f1(msg), number=number, repeat=REPEAT)) / number
    ch.finish()
    return pipe * 1e9, plain * 1e9


def main() -> None:
    for name, new_loop in event_loops():
        print(f"on {name}:")
        rt_plain, rt_ours = best_of_interleaved(
            lambda: plain_case(lambda d: PlainPingPong(ROUND_TRIPS, d)),
            lambda: bufleak_case(lambda d: PingPong(ROUND_TRIPS, d)), new_loop)
        print(f"  64-byte round trips/s   plain {ROUND_TRIPS / rt_plain:10.0f}   bufleak {ROUND_TRIPS / rt_ours:10.0f}"
              f"   ratio {rt_plain / rt_ours:.2f}x")
        bulk_plain, bulk_ours = best_of_interleaved(
            lambda: plain_case(lambda d: PlainBulk(BULK_BYTES, d)), lambda: bufleak_case(lambda d: Bulk(BULK_BYTES, d)),
            new_loop)
        mb = BULK_BYTES / 1e6
        print(f"  bulk echo MB/s          plain {mb / bulk_plain:10.1f}   bufleak {mb / bulk_ours:10.1f}"
              f"   ratio {bulk_plain / bulk_ours:.2f}x")
    pipe, plain = pipeline_ns()
    print(f"message through 5 handlers (EmbeddedChannel): {pipe:.0f} ns   (5 chained calls: {plain:.0f} ns)")


if __name__ == "__main__":
    main()
