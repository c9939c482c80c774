"""The same echo server, written the way Netty's docs recommend."""

from pytest_bufleak import ReferenceCountUtil
from pytest_bufleak.channel import ChannelInboundHandlerAdapter, SimpleChannelInboundHandler


class EchoHandler(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        ctx.write(msg)

    def channel_read_complete(self, ctx):
        ctx.flush()


class CountingHandler(SimpleChannelInboundHandler):
    def channel_read0(self, ctx, msg):
        self.count += msg.readable_bytes()


class ForwardingHandler(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        if not hasattr(msg, "readable_bytes"):
            ctx.fire_channel_read(msg)
            return
        try:
            self.lines.extend(msg.to_string().splitlines())
        finally:
            ReferenceCountUtil.safe_release(msg)


class TeeHandler(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        ctx.write(msg.retain())
        ctx.fire_channel_read(msg)


class QueueingHandler(ChannelInboundHandlerAdapter):
    def __init__(self):
        self.pending = []

    def channel_read(self, ctx, msg):
        self.pending.append(msg)

    def flush_pending(self, ctx):
        for msg in self.pending:
            ctx.write(msg)
        self.pending.clear()
