"""Retained views taken for side work and never released."""

from pytest_bufleak.channel import ByteToMessageDecoder, ChannelInboundHandlerAdapter

HEADER_LENGTH = 4


class MirrorHandler(ChannelInboundHandlerAdapter):
    """Reports the size of each message to a traffic mirror, then passes it on."""

    def __init__(self, mirror):
        self.mirror = mirror

    def channel_read(self, ctx, msg):
        mirrored = msg.retained_duplicate()  # expect: BUF006
        self.mirror.record_size(mirrored.readable_bytes())
        ctx.fire_channel_read(msg)


class KindDecoder(ByteToMessageDecoder):
    """Frames: kind (1 byte), 3-byte length, payload; only kinds below 16 are decoded."""

    def decode(self, ctx, in_, out):
        if in_.readable_bytes() < HEADER_LENGTH:
            return
        head = in_.retained_slice(in_.reader_index, HEADER_LENGTH)  # expect: BUF006
        kind = head.get_unsigned_byte(0)
        length = head.get_unsigned_medium(1)
        if in_.readable_bytes() < HEADER_LENGTH + length:
            return
        if kind >= 16:
            in_.skip_bytes(HEADER_LENGTH + length)
            return
        in_.skip_bytes(HEADER_LENGTH)
        out.append(in_.read_retained_slice(length))
