"""An echo handler ported from Java, with the leaks a port typically keeps."""

from pytest_bufleak import ReferenceCountUtil
from pytest_bufleak.channel import ChannelInboundHandlerAdapter


class EchoHandler(ChannelInboundHandlerAdapter):
    def __init__(self):
        self.received = 0

    def channelRead(self, ctx, msg):
        self.received += msg.readable_bytes()
        ctx.writeAndFlush(msg)
        ctx.fireChannelRead(msg)  # expect: BUF002

    def channel_read_complete(self, ctx):
        ctx.flush()


class LoggingHandler(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):  # expect: BUF004
        if msg.readable_bytes() == 0:
            return
        self.log.debug("got %d bytes", msg.readable_bytes())
        ctx.fire_channel_read(msg)


class DecodingHandler(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        text = msg.to_string()
        self.lines.extend(text.splitlines())
        ReferenceCountUtil.release(msg)  # expect: BUF001
