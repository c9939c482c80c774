"""A time server that allocates its reply before checking whether it is shutting down."""

import time

from pytest_bufleak.channel import ChannelFutureListener, ChannelInboundHandlerAdapter

EPOCH_OFFSET = 2208988800  # 1900-01-01 to 1970-01-01, in seconds


class TimeServerHandler(ChannelInboundHandlerAdapter):
    """Writes the current time as a 32-bit RFC 868 timestamp and closes."""

    def __init__(self, clock=time.time):
        self.clock = clock
        self.shutting_down = False

    def channel_active(self, ctx):
        reply = ctx.alloc().buffer(4)
        if self.shutting_down:
            ctx.close()
            return  # expect: BUF007
        reply.write_int((int(self.clock()) + EPOCH_OFFSET) & 0xFFFFFFFF)
        ctx.write_and_flush(reply).add_listener(ChannelFutureListener.CLOSE)

    def exception_caught(self, ctx, cause):
        ctx.close()
