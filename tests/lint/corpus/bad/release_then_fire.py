"""Handlers that pass a message on after they already released it or wrote it."""

from pytest_bufleak import ReferenceCountUtil
from pytest_bufleak.channel import ChannelInboundHandlerAdapter


class CountingRelay(ChannelInboundHandlerAdapter):
    """Counts messages; the release was meant for a copy that a refactoring removed."""

    def __init__(self):
        self.messages = 0

    def channel_read(self, ctx, msg):
        self.messages += 1
        ReferenceCountUtil.release(msg)
        ctx.fire_channel_read(msg)  # expect: BUF002


class EchoAndForward(ChannelInboundHandlerAdapter):
    """Echoes every message back and also hands it to the next handler."""

    def channel_read(self, ctx, msg):
        ctx.write(msg)
        ctx.fire_channel_read(msg)  # expect: BUF002

    def channel_read_complete(self, ctx):
        ctx.flush()
