"""Allocations that no path releases, returns, stores or hands over."""

from pytest_bufleak.channel import ChannelInboundHandlerAdapter

BANNER = "220 bufleak ready\r\n"


class SnapshotHandler(ChannelInboundHandlerAdapter):
    """Meant to keep a copy of the last message for the debug page; only its size survived."""

    def __init__(self):
        self.last_size = 0

    def channel_read(self, ctx, msg):
        snapshot = msg.copy()  # expect: BUF006
        self.last_size = snapshot.readable_bytes()
        ctx.fire_channel_read(msg)


class GreetingHandler(ChannelInboundHandlerAdapter):
    """Should greet each client; the write got lost in a merge."""

    def channel_active(self, ctx):
        banner = ctx.alloc().buffer(64)  # expect: BUF006
        banner.write_char_sequence(BANNER, "ascii")
        ctx.fire_channel_active()
