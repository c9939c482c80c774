"""A time client that gathers a fragmented reply in its own buffer, released when the handler goes."""

from pytest_bufleak.channel import ByteToMessageDecoder, ChannelInboundHandlerAdapter

EPOCH_OFFSET = 2208988800


class CumulatingTimeClientHandler(ChannelInboundHandlerAdapter):
    """Keeps a 4-byte buffer for the lifetime of the handler."""

    def __init__(self, on_time):
        self.on_time = on_time
        self.buf = None

    def handler_added(self, ctx):
        self.buf = ctx.alloc().buffer(4)

    def handler_removed(self, ctx):
        self.buf.release()
        self.buf = None

    def channel_read(self, ctx, msg):
        try:
            self.buf.write_bytes(msg)
        finally:
            msg.release()
        if self.buf.readable_bytes() >= 4:
            self.on_time(self.buf.read_unsigned_int() - EPOCH_OFFSET)
            ctx.close()


class TimeDecoder(ByteToMessageDecoder):
    """The decoder version: emits each complete 4-byte timestamp as its own buffer."""

    def decode(self, ctx, in_, out):
        if in_.readable_bytes() < 4:
            return
        out.append(in_.read_bytes(4))
