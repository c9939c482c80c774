"""Inbound handlers with a path that neither releases nor passes on the message."""

from pytest_bufleak import ByteBuf
from pytest_bufleak.channel import ChannelInboundHandlerAdapter

HEARTBEAT = 0x00


class HeartbeatFilter(ChannelInboundHandlerAdapter):
    """Swallows heartbeat frames and forwards everything else."""

    def __init__(self):
        self.heartbeats = 0

    def channel_read(self, ctx, msg):  # expect: BUF004
        if isinstance(msg, ByteBuf) and msg.get_byte(msg.reader_index) == HEARTBEAT:
            self.heartbeats += 1
            return
        ctx.fire_channel_read(msg)


class AuthGate(ChannelInboundHandlerAdapter):
    """Closes the connection on traffic that arrives before the login completed."""

    def __init__(self):
        self.authenticated = False

    def user_event_triggered(self, ctx, evt):
        if evt == "login-ok":
            self.authenticated = True
        ctx.fire_user_event_triggered(evt)

    def channel_read(self, ctx, msg):  # expect: BUF004
        if not self.authenticated:
            ctx.close()
            return
        ctx.fire_channel_read(msg)
