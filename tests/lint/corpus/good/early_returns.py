"""Early returns that release first, or that happen before anything is allocated."""

from pytest_bufleak import ByteBufAllocator
from pytest_bufleak.channel import ChannelDuplexHandler

MAX_PAYLOAD = 64 * 1024
TYPE_DATA = 0x01


def encode_data(payload: bytes, alloc=ByteBufAllocator.DEFAULT):
    """Type byte, 4-byte length, payload; None when the payload is too large."""
    if len(payload) > MAX_PAYLOAD:
        return None
    buf = alloc.buffer(5 + len(payload))
    buf.write_byte(TYPE_DATA)
    buf.write_int(len(payload))
    buf.write_bytes(payload)
    return buf


class ClosingAwareHandler(ChannelDuplexHandler):
    """Drops input that arrives after close() was requested; forwards the rest."""

    def __init__(self):
        self.closing = False

    def close(self, ctx, promise=None):
        self.closing = True
        ctx.close(promise)

    def channel_read(self, ctx, msg):
        if self.closing:
            msg.release()
            return
        ctx.fire_channel_read(msg)


class Session:
    def __init__(self, channel):
        self.channel = channel
        self.closed = False

    def send_ping(self, alloc):
        ping = alloc.buffer(1)
        if self.closed:
            ping.release()
            return False
        ping.write_byte(0x09)
        self.channel.write_and_flush(ping)
        return True
