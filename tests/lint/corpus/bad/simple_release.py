"""SimpleChannelInboundHandler subclasses that release the message the base class releases again."""

from pytest_bufleak import ReferenceCountUtil
from pytest_bufleak.channel import SimpleChannelInboundHandler


class StatsHandler(SimpleChannelInboundHandler):
    """Counts inbound bytes."""

    def __init__(self):
        super().__init__()
        self.bytes_in = 0

    def channel_read0(self, ctx, msg):
        self.bytes_in += msg.readable_bytes()
        msg.release()  # expect: BUF008


class CommandHandler(SimpleChannelInboundHandler):
    """Ported from a ChannelInboundHandlerAdapter; the finally block came along with it."""

    def __init__(self, commands):
        super().__init__()
        self.commands = commands

    def handle(self, line: str):
        name, _, arg = line.partition(" ")
        self.commands[name](arg)

    def channel_read0(self, ctx, msg):
        try:
            self.handle(msg.to_string("utf-8").strip())
        finally:
            ReferenceCountUtil.release(msg)  # expect: BUF008
