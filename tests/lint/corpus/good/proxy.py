"""An HTTP-ish relay: the frontend forwards to a backend channel, the backend relays replies back."""

import logging

from pytest_bufleak import ReferenceCountUtil, Unpooled
from pytest_bufleak.channel import ChannelInboundHandlerAdapter

log = logging.getLogger(__name__)
BAD_GATEWAY = b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n"


class FrontendHandler(ChannelInboundHandlerAdapter):
    """Relays client bytes to the backend connection, or answers 502 when there is none."""

    def __init__(self, connector):
        self.connector = connector
        self.outbound_channel = None
        self.bytes_relayed = 0

    def channel_active(self, ctx):
        self.outbound_channel = self.connector.connect(ctx.channel(), BackendHandler(ctx.channel()))

    def channel_read(self, ctx, msg):
        if self.outbound_channel is None:
            ReferenceCountUtil.release(msg)
            ctx.write_and_flush(Unpooled.copied_buffer(BAD_GATEWAY))
            return
        self.bytes_relayed += msg.readable_bytes()
        self.outbound_channel.write_and_flush(msg)

    def channel_inactive(self, ctx):
        log.info("client gone after %d bytes", self.bytes_relayed)
        if self.outbound_channel is not None:
            self.outbound_channel.close()


class BackendHandler(ChannelInboundHandlerAdapter):
    """Relays backend replies to the client; once the client is closing, replies are dropped."""

    def __init__(self, inbound_channel):
        self.inbound_channel = inbound_channel
        self.closing = False

    def user_event_triggered(self, ctx, evt):
        if evt == "client-closing":
            self.closing = True
        ctx.fire_user_event_triggered(evt)

    def channel_read(self, ctx, msg):
        if self.closing:
            ReferenceCountUtil.release(msg)
            return
        self.inbound_channel.write_and_flush(msg)
