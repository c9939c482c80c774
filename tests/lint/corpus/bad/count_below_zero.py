"""A discard handler that releases traffic of a closed session twice."""

from pytest_bufleak import ReferenceCountUtil
from pytest_bufleak.channel import ChannelInboundHandlerAdapter


class SessionDiscardHandler(ChannelInboundHandlerAdapter):
    """Discards everything; traffic after the session closed is counted separately."""

    def __init__(self):
        self.closed = False
        self.dropped_after_close = 0

    def user_event_triggered(self, ctx, evt):
        if evt == "session-closed":
            self.closed = True
        ctx.fire_user_event_triggered(evt)

    def channel_read(self, ctx, msg):
        if self.closed:
            ReferenceCountUtil.release(msg)
            self.dropped_after_close += 1
        ReferenceCountUtil.release(msg)  # expect: BUF008
