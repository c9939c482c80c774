"""The time protocol's server and client handlers, releasing and handing over as Netty's guide does."""

import time

from pytest_bufleak.channel import ChannelFutureListener, ChannelInboundHandlerAdapter

EPOCH_OFFSET = 2208988800  # 1900-01-01 to 1970-01-01, in seconds


class TimeServerHandler(ChannelInboundHandlerAdapter):
    """Writes one 32-bit timestamp and closes."""

    def __init__(self, clock=time.time):
        self.clock = clock

    def channel_active(self, ctx):
        reply = ctx.alloc().buffer(4)
        reply.write_int((int(self.clock()) + EPOCH_OFFSET) & 0xFFFFFFFF)
        ctx.write_and_flush(reply).add_listener(ChannelFutureListener.CLOSE)

    def exception_caught(self, ctx, cause):
        ctx.close()


class TimeClientHandler(ChannelInboundHandlerAdapter):
    """Reads the timestamp, reports it and hangs up; the reply is released in finally."""

    def __init__(self, on_time):
        self.on_time = on_time

    def channel_read(self, ctx, msg):
        try:
            seconds = msg.read_unsigned_int() - EPOCH_OFFSET
            self.on_time(seconds)
            ctx.close()
        finally:
            msg.release()

    def exception_caught(self, ctx, cause):
        ctx.close()
