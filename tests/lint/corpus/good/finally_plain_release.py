"""release() in finally where nothing in the try body can already have released or passed it on."""

from pytest_bufleak import Unpooled
from pytest_bufleak.channel import ChannelInboundHandlerAdapter


def parse(buf):
    """Reads a (type, length) pair; the buffer stays the caller's."""
    return buf.read_unsigned_byte(), buf.read_unsigned_short()


def header_of(data: bytes):
    buf = Unpooled.wrapped_buffer(bytearray(data))
    try:
        return parse(buf)
    finally:
        buf.release()


class HeaderSniffer(ChannelInboundHandlerAdapter):
    """Records the type of each message and consumes it."""

    def __init__(self):
        self.types = []

    def channel_read(self, ctx, msg):
        try:
            kind, _ = parse(msg)
            self.types.append(kind)
        finally:
            msg.release()

