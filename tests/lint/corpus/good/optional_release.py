"""Buffers that may not exist yet: allocated inside try, released in finally only if they were."""

from pytest_bufleak import ReferenceCountUtil
from pytest_bufleak.channel import ByteToMessageDecoder


def checksum16(alloc, chunks) -> int:
    scratch = None
    try:
        scratch = alloc.buffer()
        for chunk in chunks:
            scratch.write_bytes(chunk)
        total = 0
        while scratch.is_readable():
            total = (total + scratch.read_unsigned_byte()) & 0xFFFF
        return total
    finally:
        if scratch is not None:
            scratch.release()


class AccumulatingDecoder(ByteToMessageDecoder):
    """Gathers a whole message across frames in its own buffer, released if the handler goes."""

    def __init__(self):
        super().__init__()
        self.pending = None

    def decode(self, ctx, in_, out):
        if self.pending is None:
            self.pending = ctx.alloc().buffer()
        self.pending.write_bytes(in_)
        if self.pending.readable_bytes() >= 4 and self.pending.get_int(0) == self.pending.readable_bytes():
            out.append(self.pending)
            self.pending = None

    def handler_removed(self, ctx):
        if self.pending is not None:
            ReferenceCountUtil.safe_release(self.pending)
            self.pending = None
        super().handler_removed(ctx)
