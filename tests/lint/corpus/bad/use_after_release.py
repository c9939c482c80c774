"""Reading or writing a buffer after this code released it."""

from pytest_bufleak import ReferenceCountUtil
from pytest_bufleak.channel import ChannelInboundHandlerAdapter


class ByteCounter(ChannelInboundHandlerAdapter):
    """Counts inbound bytes; the release was moved to the top to 'fix' a leak report."""

    def __init__(self):
        self.total = 0

    def channel_read(self, ctx, msg):
        ReferenceCountUtil.release(msg)
        self.total += msg.readable_bytes()  # expect: BUF002


def flush_batch(ctx, records):
    """Packs records into one buffer and sends it."""
    batch = ctx.alloc().buffer(1024)
    try:
        for record in records:
            batch.write_int(len(record))
            batch.write_bytes(record)
    finally:
        batch.release()
    ctx.write_and_flush(batch)  # expect: BUF002
