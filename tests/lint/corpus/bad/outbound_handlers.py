"""Outbound code: a counter that reads a buffer it already wrote, and an encoder that leaks its scratch buffer."""

import zlib

from pytest_bufleak.channel import ChannelOutboundHandlerAdapter, MessageToByteEncoder


class TrafficCounter(ChannelOutboundHandlerAdapter):
    """Counts outbound bytes; the count is taken after the write, when the buffer is no longer ours."""

    def __init__(self):
        self.bytes_out = 0

    def write(self, ctx, msg, promise=None):
        ctx.write(msg, promise)
        self.bytes_out += msg.readable_bytes()  # expect: BUF002


class ChecksummedTextEncoder(MessageToByteEncoder):
    """str -> length (4 bytes), CRC-32 (4 bytes), UTF-8 text."""

    outbound_message_type = str

    def encode(self, ctx, msg, out):
        body = ctx.alloc().buffer(len(msg))  # expect: BUF006
        body.write_char_sequence(msg, "utf-8")
        out.write_int(body.readable_bytes())
        out.write_int(zlib.crc32(bytes(body)))
        out.write_bytes(bytes(body))
