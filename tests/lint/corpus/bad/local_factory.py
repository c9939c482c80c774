"""A protocol module whose header factory has a caller that never lets go of the header."""

from pytest_bufleak import Unpooled

MAGIC = 0xCAFE
VERSION = 2


def make_header(kind: int, length: int):
    """A fresh 8-byte header; the caller owns it."""
    header = Unpooled.buffer(8)
    header.write_short(MAGIC)
    header.write_byte(VERSION)
    header.write_byte(kind)
    header.write_int(length)
    return header


def send_message(ctx, kind: int, payload: bytes):
    header = make_header(kind, len(payload))
    ctx.write(header)
    ctx.write_and_flush(Unpooled.copied_buffer(payload))


def describe_header(kind: int, length: int) -> str:
    """Used by the debug shell: the hex of the header we would send."""
    h = make_header(kind, length)  # expect: BUF006
    h.write_int(0)  # the reserved word added in version 2
    return bytes(h).hex()
