"""Outbound handlers that pass every message on exactly once, and an encoder that writes into out."""

import zlib

from pytest_bufleak import ReferenceCountUtil
from pytest_bufleak.channel import ChannelOutboundHandlerAdapter, MessageToByteEncoder


class LengthPrepender(ChannelOutboundHandlerAdapter):
    """Writes a 4-byte length header before each buffer."""

    def write(self, ctx, msg, promise=None):
        header = ctx.alloc().buffer(4)
        header.write_int(msg.readable_bytes())
        ctx.write(header)
        ctx.write(msg, promise)


class MuteHandler(ChannelOutboundHandlerAdapter):
    """Suppresses outbound traffic while muted (used during failover)."""

    def __init__(self):
        self.muted = False

    def write(self, ctx, msg, promise=None):
        if self.muted:
            ReferenceCountUtil.release(msg)
            return
        ctx.write(msg, promise)


class ChecksummedTextEncoder(MessageToByteEncoder):
    """str -> length (4 bytes), CRC-32 (4 bytes), UTF-8 text; the base class handles the out buffer."""

    outbound_message_type = str

    def encode(self, ctx, msg, out):
        body = msg.encode("utf-8")
        out.write_int(len(body))
        out.write_int(zlib.crc32(body))
        out.write_bytes(body)
