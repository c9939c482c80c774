"""A line-based key/value server: ``SET key value``, ``GET key``, ``DEL key``, ``QUIT``, one per line.

Each reply is one line: ``OK``, ``VALUE <value>``, ``NIL`` or ``ERR <reason>``. The pipeline is
Netty's classic text stack: ``LineBasedFrameDecoder`` (frames are retained slices), ``StringDecoder``
(releases each frame), ``StringEncoder`` (replies are buffers the transport releases), and an
``IdleStateHandler`` that closes a connection idle for ``IDLE_SECONDS``.

Run:  python examples/line_server.py [port]      (default 8009)
"""
from __future__ import annotations

import asyncio
import sys
from typing import Dict

from pytest_bufleak.channel import (
    ChannelFutureListener,
    IdleStateEvent,
    IdleStateHandler,
    LineBasedFrameDecoder,
    SimpleChannelInboundHandler,
    StringDecoder,
    StringEncoder,
    TooLongFrameException,
    aio,
)

MAX_LINE = 1024
IDLE_SECONDS = 60.0


class KeyValueHandler(SimpleChannelInboundHandler):
    """Answers one command per line; lines arrive as ``str`` (nothing to release)."""

    inbound_message_type = str

    def __init__(self, store: Dict[str, str]) -> None:
        super().__init__()
        self.store = store

    def channel_read0(self, ctx, line):
        command, _, rest = line.partition(" ")
        if command == "QUIT":
            ctx.write_and_flush("OK bye\n").add_listener(ChannelFutureListener.CLOSE)
            return
        ctx.write_and_flush(self.execute(command, rest) + "\n")

    def execute(self, command: str, rest: str) -> str:
        key, _, value = rest.partition(" ")
        if command == "SET" and key and value:
            self.store[key] = value
            return "OK"
        if command == "GET" and key:
            return f"VALUE {self.store[key]}" if key in self.store else "NIL"
        if command == "DEL" and key:
            return "OK" if self.store.pop(key, None) is not None else "NIL"
        return f"ERR bad command {command!r}"

    def user_event_triggered(self, ctx, evt):
        if isinstance(evt, IdleStateEvent):
            ctx.close()

    def exception_caught(self, ctx, cause):
        if isinstance(cause, TooLongFrameException):  # the line was dropped; the connection goes on
            ctx.write_and_flush(f"ERR {cause}\n")
        else:
            ctx.close()


def init_pipeline(channel, store: Dict[str, str]) -> None:
    """Idle check, line framing, string decoding and encoding, then the key/value handler."""
    pipeline = channel.pipeline()
    pipeline.add_last("idle", IdleStateHandler(0, 0, IDLE_SECONDS))
    pipeline.add_last("lines", LineBasedFrameDecoder(MAX_LINE))
    pipeline.add_last("text", StringDecoder())
    pipeline.add_last("encoder", StringEncoder())
    pipeline.add_last("kv", KeyValueHandler(store))


async def start(host: str = "127.0.0.1", port: int = 8009) -> aio.AioServer:
    """Start the server; every connection shares one store."""
    store: Dict[str, str] = {}
    return await aio.serve(lambda ch: init_pipeline(ch, store), host, port)


async def main(port: int) -> None:
    async with await start(port=port) as server:
        print(f"line server on 127.0.0.1:{server.port}")
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 8009))
    except KeyboardInterrupt:
        pass
