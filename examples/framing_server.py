"""A length-prefixed command protocol: each frame is a 4-byte big-endian length and UTF-8 text.

Commands: ``ECHO <text>``, ``UPPER <text>``, ``SUM <int> <int> ...``, ``QUIT``. Each reply is a frame
``OK <result>`` or ``ERR <reason>``. A frame longer than ``MAX_FRAME`` or a corrupt header gets an
``ERR`` reply and the connection is closed.

Run:  python examples/framing_server.py [port]      (default 8008)
"""
from __future__ import annotations

import asyncio
import sys

from pytest_bufleak import ByteBuf
from pytest_bufleak.channel import (
    ChannelFutureListener,
    DecoderException,
    LengthFieldBasedFrameDecoder,
    LengthFieldPrepender,
    SimpleChannelInboundHandler,
    aio,
)

MAX_FRAME = 4096


class CommandHandler(SimpleChannelInboundHandler):
    """Answers one command per frame; frames are released automatically after ``channel_read0``."""

    inbound_message_type = ByteBuf

    def channel_read0(self, ctx, frame):
        try:
            command, _, argument = frame.to_string().partition(" ")  # UnicodeDecodeError is a ValueError
            if command == "QUIT":
                self.reply(ctx, "OK bye").add_listener(ChannelFutureListener.CLOSE)
                return
            result = "OK " + self.execute(command, argument)
        except ValueError as exc:
            result = f"ERR {exc}"
        self.reply(ctx, result)

    @staticmethod
    def execute(command: str, argument: str) -> str:
        if command == "ECHO":
            return argument
        if command == "UPPER":
            return argument.upper()
        if command == "SUM":
            return str(sum(int(x) for x in argument.split()))
        raise ValueError(f"unknown command {command!r}")

    @staticmethod
    def reply(ctx, text: str):
        buf = ctx.alloc().buffer()
        buf.write_char_sequence(text)
        return ctx.write_and_flush(buf)

    def exception_caught(self, ctx, cause):
        if isinstance(cause, DecoderException):  # too long or corrupt: the stream can't be trusted any more
            self.reply(ctx, f"ERR {cause}").add_listener(ChannelFutureListener.CLOSE)
        else:
            ctx.close()


def init_pipeline(channel) -> None:
    """Frame decoder, frame encoder, then the command handler."""
    channel.pipeline().add_last(
        "frames", LengthFieldBasedFrameDecoder(MAX_FRAME, 0, 4, 0, 4)
    ).add_last(
        "prepender", LengthFieldPrepender(4)
    ).add_last(
        "commands", CommandHandler()
    )


async def start(host: str = "127.0.0.1", port: int = 8008) -> aio.AioServer:
    """Start the command server."""
    return await aio.serve(init_pipeline, host, port)


async def main(port: int) -> None:
    async with await start(port=port) as server:
        print(f"framing server on 127.0.0.1:{server.port}")
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 8008))
    except KeyboardInterrupt:
        pass
