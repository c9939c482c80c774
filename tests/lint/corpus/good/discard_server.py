"""Discard-server handlers that always release the message, in finally or with a with block."""

import logging

from pytest_bufleak import ReferenceCountUtil
from pytest_bufleak.channel import ChannelInboundHandlerAdapter

log = logging.getLogger(__name__)


class DiscardServerHandler(ChannelInboundHandlerAdapter):
    """Counts and discards every byte it receives."""

    def __init__(self):
        self.discarded = 0

    def channel_read(self, ctx, msg):
        try:
            self.discarded += msg.readable_bytes()
        finally:
            ReferenceCountUtil.release(msg)

    def exception_caught(self, ctx, cause):
        log.warning("discard channel failed: %s", cause)
        ctx.close()


class PrintingDiscardHandler(ChannelInboundHandlerAdapter):
    """Prints what it discards, like the user guide's first example."""

    def __init__(self, sink):
        self.sink = sink

    def channel_read(self, ctx, msg):
        try:
            while msg.is_readable():
                self.sink.write(chr(msg.read_unsigned_byte()))
            self.sink.flush()
        finally:
            ReferenceCountUtil.safe_release(msg)


class ScopedDiscardHandler(ChannelInboundHandlerAdapter):
    """The same, with the buffer's own context manager doing the release."""

    def channel_read(self, ctx, msg):
        with msg:
            log.debug("discarding %d bytes", msg.readable_bytes())
