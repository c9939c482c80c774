"""A frame builder that validates its arguments only after it allocated the frame."""

from pytest_bufleak.channel import ChannelHandlerContext

KINDS = {"data": 0, "ping": 1, "close": 2}
MAX_FRAME = 16 * 1024


def send_frame(ctx: ChannelHandlerContext, kind: str, payload: bytes):
    frame = ctx.alloc().buffer(3 + len(payload))
    if kind not in KINDS:
        raise ValueError(f"unknown frame kind {kind!r}")  # expect: BUF007
    frame.write_byte(KINDS[kind])
    frame.write_short(len(payload))
    frame.write_bytes(payload)
    ctx.write_and_flush(frame)


def send_close(ctx, reason: str):
    send_frame(ctx, "close", reason.encode("utf-8")[:MAX_FRAME])
