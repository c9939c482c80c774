"""Releases left behind after the cleanup moved into finally, into a with block, or was duplicated."""

import zlib

from pytest_bufleak import ReferenceCountUtil, Unpooled
from pytest_bufleak.channel import ChannelInboundHandlerAdapter


def crc_of(data: bytes) -> int:
    scratch = Unpooled.copied_buffer(data)
    try:
        crc = zlib.crc32(bytes(scratch))
    finally:
        ReferenceCountUtil.safe_release(scratch)
    scratch.release()  # expect: BUF002
    return crc


def latin1_preview(alloc, data: bytes) -> str:
    with alloc.heap_buffer(len(data)) as buf:
        buf.write_bytes(data)
        text = buf.to_string("latin-1")
    buf.release()  # expect: BUF002
    return text[:40]


class PingHandler(ChannelInboundHandlerAdapter):
    """Pings carry no payload: count them and drop them."""

    def __init__(self):
        self.pings = 0

    def channel_read(self, ctx, msg):
        msg.release()
        self.pings += 1
        ReferenceCountUtil.release(msg)  # expect: BUF002
