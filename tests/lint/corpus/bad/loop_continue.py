"""A record writer that skips deleted records after it allocated their buffer."""

from pytest_bufleak.channel import ChannelInboundHandlerAdapter

RECORD_HEADER = 12


class SnapshotWriter(ChannelInboundHandlerAdapter):
    """Sends a snapshot of the table to every client that connects."""

    def __init__(self, table):
        self.table = table

    def channel_active(self, ctx):
        for record in self.table.records():
            buf = ctx.alloc().buffer(RECORD_HEADER + len(record.value))
            if record.deleted:
                continue  # expect: BUF007
            buf.write_long(record.key)
            buf.write_int(len(record.value))
            buf.write_bytes(record.value)
            ctx.write(buf)
        ctx.flush()
        ctx.fire_channel_active()
