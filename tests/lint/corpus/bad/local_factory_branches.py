"""A length-prefix factory with two branches, and a sender that bails out after calling it."""

from pytest_bufleak import Unpooled

SHORT_FORM_LIMIT = 0x80


def encode_length(n: int):
    """DER-style length: one byte below 128, else 0x84 and four bytes. Always a new buffer."""
    if n < SHORT_FORM_LIMIT:
        buf = Unpooled.buffer(1)
        buf.write_byte(n)
        return buf
    buf = Unpooled.buffer(5)
    buf.write_byte(0x84)
    buf.write_int(n)
    return buf


class RecordSender:
    def __init__(self, channel):
        self.channel = channel
        self.closed = False

    def send(self, payload: bytes) -> bool:
        prefix = encode_length(len(payload))
        if self.closed:
            return False  # expect: BUF007
        self.channel.write(prefix)
        self.channel.write_and_flush(Unpooled.copied_buffer(payload))
        return True
