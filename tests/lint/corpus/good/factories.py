"""Module-level buffer factories and callers that hand over or release what they get."""

from pytest_bufleak import ReferenceCountUtil, Unpooled

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


def make_frame(kind: int, payload: bytes):
    """Header and payload in one buffer; released here if writing fails."""
    frame = make_header(kind, len(payload))
    try:
        frame.write_bytes(payload)
    except BaseException:
        ReferenceCountUtil.safe_release(frame)
        raise
    return frame


def send_message(ctx, kind: int, payload: bytes):
    h = make_header(kind, len(payload))
    h.write_int(1)
    ctx.write(h)
    ctx.write_and_flush(Unpooled.copied_buffer(payload))


def describe_header(kind: int, length: int) -> str:
    h = make_header(kind, length)
    try:
        return bytes(h).hex()
    finally:
        h.release()


def send_all(channel, messages):
    for kind, payload in messages:
        channel.write(make_frame(kind, payload))
    channel.flush()
