"""Echo server: writes back every byte it receives (Netty's EchoServer, in Python).

Run:  python examples/echo_server.py [port]      (default 8007; Ctrl-C stops it)
"""
from __future__ import annotations

import asyncio
import sys

from pytest_bufleak.channel import ChannelInboundHandlerAdapter, aio


class EchoServerHandler(ChannelInboundHandlerAdapter):
    """Writes each received buffer back: ``ctx.write`` takes ownership, so nothing is released here."""

    sharable = True

    def channel_read(self, ctx, msg):
        ctx.write(msg)

    def channel_read_complete(self, ctx):
        ctx.flush()

    def exception_caught(self, ctx, cause):
        ctx.close()


async def start(host: str = "127.0.0.1", port: int = 8007) -> aio.AioServer:
    """Start listening; one shared handler serves every connection."""
    handler = EchoServerHandler()
    return await aio.serve(lambda ch: ch.pipeline().add_last(handler), host, port)


async def main(port: int) -> None:
    async with await start(port=port) as server:
        print(f"echo server on 127.0.0.1:{server.port}")
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 8007))
    except KeyboardInterrupt:
        pass
