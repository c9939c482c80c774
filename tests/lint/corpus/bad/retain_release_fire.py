"""An auditing handler whose retain/release bookkeeping brings the count to zero before it fires."""

import time

from pytest_bufleak.channel import ChannelInboundHandlerAdapter


class AuditHandler(ChannelInboundHandlerAdapter):
    """Notes when each message went through; an old audit queue used to hold a reference."""

    def __init__(self):
        self.arrivals = []

    def channel_read(self, ctx, msg):
        msg.retain()  # the audit queue's reference (the queue is gone now)
        msg.release()
        msg.release()
        ctx.fire_channel_read(msg)  # expect: BUF002
        self.arrivals.append(time.monotonic())


class TeeHandler(ChannelInboundHandlerAdapter):
    """Echoes every message and passes it on: one reference each, correctly."""

    def channel_read(self, ctx, msg):
        msg.retain()
        ctx.write(msg)
        ctx.fire_channel_read(msg)

    def channel_read_complete(self, ctx):
        ctx.flush()
