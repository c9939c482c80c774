"""Echo handlers moved onto SimpleChannelInboundHandler that write a message they do not own."""

from pytest_bufleak import ByteBuf, Unpooled
from pytest_bufleak.channel import SimpleChannelInboundHandler

HELP = b"commands: ECHO, QUIT\n"


class EchoServerHandler(SimpleChannelInboundHandler):
    """Echoes every read back to the client."""

    def channel_read0(self, ctx, msg):
        ctx.write_and_flush(msg)  # expect: BUF008

    def exception_caught(self, ctx, cause):
        ctx.close()


class HelpingEchoHandler(SimpleChannelInboundHandler):
    """Echoes buffers, except that a lone '?' gets the help text instead."""

    inbound_message_type = ByteBuf

    def channel_read0(self, ctx, msg):
        if msg.readable_bytes() == 1 and msg.get_byte(msg.reader_index) == 0x3F:
            ctx.write_and_flush(Unpooled.copied_buffer(HELP))
            return
        ctx.write(msg)  # expect: BUF008

    def channel_read_complete(self, ctx):
        ctx.flush()
