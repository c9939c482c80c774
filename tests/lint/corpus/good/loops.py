"""Loops that release a buffer before continue or break, and loops that write each buffer."""

from pytest_bufleak.channel import ChannelHandlerContext, ChannelInboundHandlerAdapter

RECORD_HEADER = 12


class SnapshotWriter(ChannelInboundHandlerAdapter):
    """Sends a snapshot of the table to every client that connects; deleted records are skipped."""

    def __init__(self, table):
        self.table = table

    def channel_active(self, ctx):
        for record in self.table.records():
            buf = ctx.alloc().buffer(RECORD_HEADER + len(record.value))
            if record.deleted:
                buf.release()
                continue
            buf.write_long(record.key)
            buf.write_int(len(record.value))
            buf.write_bytes(record.value)
            ctx.write(buf)
        ctx.flush()
        ctx.fire_channel_active()


def send_until_marker(ctx: ChannelHandlerContext, items, marker=None):
    for item in items:
        out = ctx.alloc().buffer()
        if item is marker:
            out.release()
            break
        out.write_bytes(item)
        ctx.write(out)
    ctx.flush()


def send_chunks(ctx: ChannelHandlerContext, chunks, max_chunk: int):
    for chunk in chunks:
        if len(chunk) > max_chunk:
            break
        buf = ctx.alloc().buffer(len(chunk))
        buf.write_bytes(chunk)
        ctx.write(buf)
    ctx.flush()
