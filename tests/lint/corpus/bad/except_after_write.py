"""Error handling that releases a buffer the try body may already have written."""

from pytest_bufleak.channel import ChannelInboundHandlerAdapter


class ReplyHandler(ChannelInboundHandlerAdapter):
    """Answers every request with a status line; the reply is counted after it is written."""

    def __init__(self, stats):
        self.stats = stats

    def send_reply(self, ctx, status: int, text: str):
        reply = ctx.alloc().buffer()
        try:
            reply.write_char_sequence(f"{status} {text}\r\n", "ascii")
            ctx.write_and_flush(reply)
            self.stats.replied(status)
        except Exception:
            reply.release()  # expect: BUF005
            raise

    def channel_read(self, ctx, msg):
        ctx.fire_channel_read(msg)
        self.send_reply(ctx, 200, "OK")
