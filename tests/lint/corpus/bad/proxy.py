"""An HTTP-ish relay: the frontend forwards to a backend channel, the backend relays replies back."""

import logging

from pytest_bufleak.channel import ChannelInboundHandlerAdapter

log = logging.getLogger(__name__)


class FrontendHandler(ChannelInboundHandlerAdapter):
    """Relays client bytes to the backend connection."""

    def __init__(self, connector):
        self.connector = connector
        self.outbound_channel = None
        self.bytes_relayed = 0

    def channel_active(self, ctx):
        self.outbound_channel = self.connector.connect(ctx.channel(), BackendHandler(ctx.channel()))

    def channel_read(self, ctx, msg):
        self.outbound_channel.write_and_flush(msg)
        self.bytes_relayed += msg.readable_bytes()  # expect: BUF002

    def channel_inactive(self, ctx):
        log.info("client gone after %d bytes", self.bytes_relayed)
        if self.outbound_channel is not None:
            self.outbound_channel.close()


class BackendHandler(ChannelInboundHandlerAdapter):
    """Relays backend replies to the client, unless the client side is closing."""

    def __init__(self, inbound_channel):
        self.inbound_channel = inbound_channel
        self.closing = False

    def user_event_triggered(self, ctx, evt):
        if evt == "client-closing":
            self.closing = True
        ctx.fire_user_event_triggered(evt)

    def channel_read(self, ctx, msg):  # expect: BUF004
        if self.closing:
            return
        self.inbound_channel.write_and_flush(msg)
