"""Retained slices and messages stored on the handler, to be released when the handler goes."""

from pytest_bufleak import ReferenceCountUtil
from pytest_bufleak.channel import ChannelInboundHandlerAdapter

HEADER_LENGTH = 4


class HandshakeHandler(ChannelInboundHandlerAdapter):
    """Keeps the first message's header for later frames, then passes every message on."""

    def __init__(self):
        self.header = None

    def channel_read(self, ctx, msg):
        if self.header is None:
            self.header = msg.retained_slice(msg.reader_index, HEADER_LENGTH)
        ctx.fire_channel_read(msg)

    def handler_removed(self, ctx):
        if self.header is not None:
            self.header.release()
            self.header = None


class StreamAssembler(ChannelInboundHandlerAdapter):
    """Collects the parts of a multi-part message by stream id."""

    def __init__(self):
        self.parts = {}

    def channel_read(self, ctx, msg):
        stream_id = msg.get_int(msg.reader_index)
        self.parts.setdefault(stream_id, [])
        self.parts[stream_id].append(msg)

    def handler_removed(self, ctx):
        for parts in self.parts.values():
            for part in parts:
                ReferenceCountUtil.safe_release(part)
        self.parts.clear()


class LastMessageKeeper(ChannelInboundHandlerAdapter):
    """Remembers the last message for the debug page; the one it replaces is released."""

    def __init__(self):
        self.last = None

    def channel_read(self, ctx, msg):
        previous = self.last
        self.last = msg.retained_duplicate()
        ctx.fire_channel_read(msg)
        if previous is not None:
            previous.release()
