"""A small binary key/value server (GET/PUT/DEL) that owns its stored values and replies correctly."""

from pytest_bufleak import ReferenceCountUtil, Unpooled
from pytest_bufleak.channel import ChannelInboundHandlerAdapter

OP_GET, OP_PUT, OP_DEL = 1, 2, 3
STATUS_OK, STATUS_MISSING, STATUS_TOO_BIG = 0, 1, 2
MAX_REPLY = 1 << 20


def status_frame(status: int):
    frame = Unpooled.buffer(1)
    frame.write_byte(status)
    return frame


class KeyValueHandler(ChannelInboundHandlerAdapter):
    """Requests: op (1 byte), key length (2 bytes), key, value (PUT only)."""

    def __init__(self):
        self.store = {}

    def channel_read(self, ctx, msg):
        try:
            op = msg.read_unsigned_byte()
            key = msg.read_slice(msg.read_unsigned_short()).to_string("utf-8")
            if op == OP_PUT:
                self.forget(key)
                self.store[key] = msg.read_retained_slice(msg.readable_bytes())
                ctx.write_and_flush(status_frame(STATUS_OK))
            elif op == OP_GET:
                self.reply_get(ctx, key)
            elif op == OP_DEL:
                self.forget(key)
                ctx.write_and_flush(status_frame(STATUS_OK))
        finally:
            ReferenceCountUtil.safe_release(msg)

    def forget(self, key: str):
        old = self.store.pop(key, None)
        if old is not None:
            old.release()

    def reply_get(self, ctx, key: str):
        value = self.store.get(key)
        if value is None:
            ctx.write_and_flush(status_frame(STATUS_MISSING))
            return
        if value.readable_bytes() > MAX_REPLY:
            ctx.write_and_flush(status_frame(STATUS_TOO_BIG))
            return
        ctx.write(status_frame(STATUS_OK))
        ctx.write_and_flush(value.retained_duplicate())

    def channel_inactive(self, ctx):
        for key in list(self.store):
            self.forget(key)
        ctx.fire_channel_inactive()
