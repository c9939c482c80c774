"""A time-protocol (RFC 868) client handler that releases the reply only after closing the channel."""

import datetime

from pytest_bufleak.channel import ChannelInboundHandlerAdapter

# Seconds between 1900-01-01, the protocol's epoch, and the Unix epoch.
EPOCH_OFFSET = 2208988800


class TimeClientHandler(ChannelInboundHandlerAdapter):
    """Reads one 32-bit timestamp, reports it and hangs up."""

    def __init__(self, on_time):
        self.on_time = on_time

    def channel_read(self, ctx, msg):
        seconds = msg.read_unsigned_int() - EPOCH_OFFSET
        when = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
        self.on_time(when)
        ctx.close()
        msg.release()  # expect: BUF001

    def exception_caught(self, ctx, cause):
        ctx.close()
