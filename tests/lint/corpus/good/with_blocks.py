"""Buffers managed by with blocks: released on exit whatever happens inside."""

import zlib

from pytest_bufleak import ByteBufAllocator, Unpooled
from pytest_bufleak.channel import ChannelInboundHandlerAdapter


def crc_of(data: bytes) -> int:
    with Unpooled.copied_buffer(data) as scratch:
        return zlib.crc32(bytes(scratch))


def latin1_preview(data: bytes, alloc=ByteBufAllocator.DEFAULT) -> str:
    with alloc.heap_buffer(len(data)) as buf:
        buf.write_bytes(data)
        text = buf.to_string("latin-1")
    return text[:40]


class LoggingSink(ChannelInboundHandlerAdapter):
    """The last handler of a pipeline: logs each message and lets the with block release it."""

    def __init__(self, log):
        self.log = log

    def channel_read(self, ctx, msg):
        with msg:
            self.log.append(msg.to_string("utf-8"))


class ChecksumHandler(ChannelInboundHandlerAdapter):
    """Checksums a copy of each message, then passes the original on."""

    def __init__(self):
        self.crc = 0

    def channel_read(self, ctx, msg):
        with msg.copy() as copy:
            self.crc = zlib.crc32(bytes(copy), self.crc)
        ctx.fire_channel_read(msg)
