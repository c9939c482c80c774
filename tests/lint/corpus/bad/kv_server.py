"""A small binary key/value server (GET/PUT/DEL) whose GET path drops the reply it prepared."""

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
                old = self.store.pop(key, None)
                if old is not None:
                    old.release()
                self.store[key] = msg.read_retained_slice(msg.readable_bytes())
                ctx.write_and_flush(status_frame(STATUS_OK))
            elif op == OP_GET:
                self.reply_get(ctx, key)
            elif op == OP_DEL:
                old = self.store.pop(key, None)
                if old is not None:
                    old.release()
                ctx.write_and_flush(status_frame(STATUS_OK))
        finally:
            ReferenceCountUtil.safe_release(msg)

    def reply_get(self, ctx, key: str):
        value = self.store.get(key)
        if value is None:
            ctx.write_and_flush(status_frame(STATUS_MISSING))
            return
        reply = status_frame(STATUS_OK)
        if value.readable_bytes() > MAX_REPLY:
            ctx.write_and_flush(status_frame(STATUS_TOO_BIG))
            return  # expect: BUF007
        ctx.write(reply)
        ctx.write_and_flush(value.retained_duplicate())

    def channel_inactive(self, ctx):
        for value in self.store.values():
            value.release()
        self.store.clear()
