"""Echo client: sends a message, sends back what returns, ``rounds`` times (Netty's EchoClient, bounded).

Run:  python examples/echo_client.py [port] [rounds]      (against examples/echo_server.py)
"""
from __future__ import annotations

import asyncio
import sys

from pytest_bufleak import ReferenceCountUtil
from pytest_bufleak.channel import ChannelInboundHandlerAdapter, aio


class EchoClientHandler(ChannelInboundHandlerAdapter):
    """Sends ``message`` when connected; echoes the echo back until ``rounds`` messages came home."""

    def __init__(self, message: bytes, rounds: int) -> None:
        self.message = message
        self.rounds = rounds
        self.received = bytearray()
        self.done = asyncio.get_running_loop().create_future()

    def channel_active(self, ctx):
        first = ctx.alloc().buffer(len(self.message))
        first.write_bytes(self.message)
        ctx.write_and_flush(first)

    def channel_read(self, ctx, msg):
        if len(self.received) + msg.readable_bytes() < len(self.message) * self.rounds:
            self.received += bytes(msg)
            ctx.write(msg)  # ownership goes back out: no release
            return
        try:
            self.received += bytes(msg)
        finally:
            ReferenceCountUtil.safe_release(msg)
        if not self.done.done():
            self.done.set_result(bytes(self.received))
        ctx.close()

    def channel_read_complete(self, ctx):
        ctx.flush()

    def exception_caught(self, ctx, cause):
        if not self.done.done():
            self.done.set_exception(cause)
        ctx.close()


async def run_client(port: int, message: bytes = b"hello, echo", rounds: int = 10, host: str = "127.0.0.1") -> bytes:
    """Connect, play ``rounds`` echoes and return every byte received."""
    handler = EchoClientHandler(message, rounds)
    channel = await aio.connect(lambda ch: ch.pipeline().add_last(handler), host, port)
    try:
        return await asyncio.wait_for(handler.done, 10)
    finally:
        channel.close()
        await channel.close_future()


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8007
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    data = asyncio.run(run_client(port, rounds=rounds))
    print(f"received {len(data)} bytes in {rounds} rounds")
