"""Releases in finally although the try body may already have passed the buffer on."""

import logging

from pytest_bufleak import ReferenceCountUtil
from pytest_bufleak.channel import ChannelInboundHandlerAdapter

log = logging.getLogger(__name__)


class RoutingHandler(ChannelInboundHandlerAdapter):
    """Local traffic goes down the pipeline; remote traffic is only counted (for now)."""

    def __init__(self, router):
        self.router = router
        self.remote = 0

    def channel_read(self, ctx, msg):
        try:
            if self.router.is_local(ctx.channel()):
                ctx.fire_channel_read(msg)
                return
            self.remote += 1
        finally:
            msg.release()  # expect: BUF005


def publish(ctx, alloc, event: str, subscribed: bool):
    buf = alloc.buffer()
    try:
        buf.write_char_sequence(event)
        if subscribed:
            ctx.write_and_flush(buf)
            log.info("published %s", event)
    finally:
        ReferenceCountUtil.release(buf)  # expect: BUF005
