"""An echo client that releases its first message after handing it to the channel."""

from pytest_bufleak import Unpooled
from pytest_bufleak.channel import ChannelInboundHandlerAdapter


class EchoClientHandler(ChannelInboundHandlerAdapter):
    """Sends a 256-byte pattern on connect and echoes back whatever the server returns."""

    def __init__(self, size=256):
        self.size = size
        self.received = 0

    def channel_active(self, ctx):
        first = Unpooled.buffer(self.size)
        for i in range(self.size):
            first.write_byte(i & 0xFF)
        ctx.write_and_flush(first)
        first.release()  # expect: BUF002

    def channel_read(self, ctx, msg):
        self.received += msg.readable_bytes()
        ctx.write(msg)

    def channel_read_complete(self, ctx):
        ctx.flush()
