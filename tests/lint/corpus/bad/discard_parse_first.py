"""Discard-server handlers that look at the message first and release it afterwards, outside finally."""

import logging

from pytest_bufleak import ReferenceCountUtil
from pytest_bufleak.channel import ChannelInboundHandlerAdapter

log = logging.getLogger(__name__)


class DiscardServerHandler(ChannelInboundHandlerAdapter):
    """Discards everything it receives, after recording what it was."""

    def __init__(self, parser):
        self.parser = parser
        self.records = 0

    def parse(self, msg):
        return self.parser.parse_record(msg)

    def channel_read(self, ctx, msg):
        record = self.parse(msg)
        self.records += 1
        log.debug("discarding record %s", record)
        ReferenceCountUtil.release(msg)  # expect: BUF001

    def exception_caught(self, ctx, cause):
        log.warning("discard channel failed: %s", cause)
        ctx.close()


class DiscardAndLogHandler(ChannelInboundHandlerAdapter):
    """Logs a short preview of every message, then drops it."""

    def channel_read(self, ctx, msg):
        preview = msg.to_string("latin-1")[:32]
        log.info("dropping %r", preview)
        msg.release()  # expect: BUF001
