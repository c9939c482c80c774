"""SimpleChannelInboundHandlers with auto-release off that release or pass on the message themselves."""

from pytest_bufleak import ReferenceCountUtil
from pytest_bufleak.channel import SimpleChannelInboundHandler


class JsonLineHandler(SimpleChannelInboundHandler):
    """Auto-release off by class attribute; releases in finally."""

    auto_release = False

    def __init__(self, sink):
        super().__init__()
        self.sink = sink

    def channel_read0(self, ctx, msg):
        try:
            self.sink.append(msg.to_string("utf-8"))
        finally:
            ReferenceCountUtil.safe_release(msg)


class ForwardingHandler(SimpleChannelInboundHandler):
    """Auto-release off by keyword; the message goes on to the next handler untouched."""

    def __init__(self):
        super().__init__(auto_release=False)
        self.seen = 0

    def channel_read0(self, ctx, msg):
        self.seen += 1
        ctx.fire_channel_read(msg)


class BatchingHandler(SimpleChannelInboundHandler):
    """Auto-release off by position; keeps messages until the batch is full."""

    def __init__(self, batch_size=16):
        super().__init__(False)
        self.batch_size = batch_size
        self.batch = []

    def channel_read0(self, ctx, msg):
        self.batch.append(msg)
        if len(self.batch) >= self.batch_size:
            for queued in self.batch:
                ctx.fire_channel_read(queued)
            self.batch.clear()

    def handler_removed(self, ctx):
        for queued in self.batch:
            ReferenceCountUtil.safe_release(queued)
        self.batch.clear()
