"""A line-based command protocol whose handlers own their messages and release them too late."""

from pytest_bufleak import ReferenceCountUtil, Unpooled
from pytest_bufleak.channel import SimpleChannelInboundHandler


class CommandHandler(SimpleChannelInboundHandler):
    """One command per line; auto-release is off because long commands used to be queued."""

    auto_release = False

    def __init__(self, dispatcher):
        super().__init__()
        self.dispatcher = dispatcher

    def channel_read0(self, ctx, msg):
        line = msg.to_string("utf-8").strip()
        reply = self.dispatcher.dispatch(line)
        ctx.write_and_flush(Unpooled.copied_buffer(reply + "\r\n", "utf-8"))
        msg.release()  # expect: BUF001


class QuitHandler(SimpleChannelInboundHandler):
    """Closes the connection on QUIT; every line is consumed here."""

    def __init__(self):
        super().__init__(auto_release=False)

    def channel_read0(self, ctx, msg):
        if msg.to_string("ascii").strip().upper() == "QUIT":
            ctx.write_and_flush(Unpooled.copied_buffer("221 bye\r\n", "ascii"))
            ctx.close()
        ReferenceCountUtil.release(msg)  # expect: BUF001
