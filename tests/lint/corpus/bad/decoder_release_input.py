"""A fixed-record decoder that releases the cumulation it was only lent."""

from pytest_bufleak import ReferenceCountUtil
from pytest_bufleak.channel import ByteToMessageDecoder

RECORD_SIZE = 16


class FixedRecordDecoder(ByteToMessageDecoder):
    """Cuts the stream into 16-byte records."""

    def decode(self, ctx, in_, out):
        while in_.readable_bytes() >= RECORD_SIZE:
            out.append(in_.read_retained_slice(RECORD_SIZE))
        if not in_.is_readable():
            in_.release()  # expect: BUF008

    def decode_last(self, ctx, in_, out):
        if in_.is_readable():
            ctx.fire_user_event_triggered("truncated-record")
        ReferenceCountUtil.release(in_)  # expect: BUF008
