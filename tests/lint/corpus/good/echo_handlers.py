"""Echo handlers that write or fire each reference exactly once."""

from pytest_bufleak import ByteBuf
from pytest_bufleak.channel import ChannelInboundHandlerAdapter, SimpleChannelInboundHandler


class EchoServerHandler(ChannelInboundHandlerAdapter):
    """The user guide's echo server: the write takes the message."""

    def channel_read(self, ctx, msg):
        ctx.write(msg)

    def channel_read_complete(self, ctx):
        ctx.flush()

    def exception_caught(self, ctx, cause):
        ctx.close()


class TeeHandler(ChannelInboundHandlerAdapter):
    """Echoes the message and passes it on: one extra reference for the write."""

    def channel_read(self, ctx, msg):
        msg.retain()
        ctx.write(msg)
        ctx.fire_channel_read(msg)

    def channel_read_complete(self, ctx):
        ctx.flush()
        ctx.fire_channel_read_complete()


class SimpleEchoHandler(SimpleChannelInboundHandler):
    """Auto-release is on, so the write gets its own reference."""

    inbound_message_type = ByteBuf

    def channel_read0(self, ctx, msg):
        ctx.write_and_flush(msg.retain())


class EchoClientHandler(ChannelInboundHandlerAdapter):
    """Sends a pattern on connect; the pattern is built once and duplicated per write."""

    def __init__(self, first_message):
        self.first_message = first_message

    def channel_active(self, ctx):
        ctx.write_and_flush(self.first_message.retained_duplicate())

    def channel_read(self, ctx, msg):
        ctx.write(msg)

    def handler_removed(self, ctx):
        self.first_message.release()
