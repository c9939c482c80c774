"""A line-based command protocol on SimpleChannelInboundHandler: the base class releases each line."""

from pytest_bufleak import ByteBuf, Unpooled
from pytest_bufleak.channel import SimpleChannelInboundHandler


class CommandHandler(SimpleChannelInboundHandler):
    """One command per line; replies are fresh buffers handed to the write."""

    inbound_message_type = ByteBuf

    def __init__(self, dispatcher):
        super().__init__()
        self.dispatcher = dispatcher

    def channel_read0(self, ctx, msg):
        line = msg.to_string("utf-8").strip()
        if not line:
            return
        reply = self.dispatcher.dispatch(line)
        ctx.write_and_flush(Unpooled.copied_buffer(reply + "\r\n", "utf-8"))


class QuitHandler(SimpleChannelInboundHandler):
    """Closes on QUIT; any other line is passed on with a reference of its own."""

    def channel_read0(self, ctx, msg):
        if msg.to_string("ascii").strip().upper() == "QUIT":
            ctx.write_and_flush(Unpooled.copied_buffer("221 bye\r\n", "ascii"))
            ctx.close()
            return
        ctx.fire_channel_read(msg.retain())


class StatsHandler(SimpleChannelInboundHandler):
    """Counts lines and bytes; it only reads the message."""

    def __init__(self):
        super().__init__()
        self.lines = 0
        self.bytes_in = 0

    def channel_read0(self, ctx, msg):
        self.lines += 1
        self.bytes_in += msg.readable_bytes()
