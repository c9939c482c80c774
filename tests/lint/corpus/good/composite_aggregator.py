"""An aggregator that gathers chunks in a composite buffer it stores, and fires it when complete."""

from pytest_bufleak import ReferenceCountUtil
from pytest_bufleak.channel import ChannelInboundHandlerAdapter


class ChunkAggregator(ChannelInboundHandlerAdapter):
    """Chunks end with an empty buffer; the composite takes ownership of each chunk."""

    def __init__(self, max_content_length=1 << 20):
        self.max_content_length = max_content_length
        self.current = None

    def channel_read(self, ctx, msg):
        last = not msg.is_readable()
        if self.current is None:
            self.current = ctx.alloc().composite_buffer()
        self.current.add_component(True, msg)
        if last:
            ctx.fire_channel_read(self.current)
            self.current = None
        elif self.current.readable_bytes() > self.max_content_length:
            ReferenceCountUtil.safe_release(self.current)
            self.current = None
            ctx.close()

    def channel_inactive(self, ctx):
        if self.current is not None:
            ReferenceCountUtil.safe_release(self.current)
            self.current = None
        ctx.fire_channel_inactive()
