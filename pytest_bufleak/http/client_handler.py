"""The client connection's last handler: routes what ``HttpClientCodec`` decodes to the current exchange.

Without an exchange (the connection is idle in the pool, or between leases) anything that arrives is
released at once and the connection closed: an unsolicited response must never reach the next request.
"""
from __future__ import annotations

from typing import Any, Optional

from ..buffer.refcount import ReferenceCountUtil
from ..channel import ChannelInboundHandlerAdapter, DecoderException
from .errors_client import HttpProtocolException
from .messages import HttpContent, HttpResponse, LastHttpContent


class ClientConnectionHandler(ChannelInboundHandlerAdapter):
    """Feeds one connection's responses into ``exchange`` (set while a lease is open)."""

    def __init__(self) -> None:
        super().__init__()
        self.exchange: Any = None
        self.conn: Any = None

    def channel_read(self, ctx: Any, msg: Any) -> None:
        exchange = self.exchange
        if exchange is None:
            ReferenceCountUtil.release(msg)
            self._unsolicited(ctx)
            return
        if isinstance(msg, HttpResponse):
            exchange.on_head(msg)
            if isinstance(msg, HttpContent):
                exchange.on_content(msg, True)
        elif isinstance(msg, HttpContent):
            exchange.on_content(msg, isinstance(msg, LastHttpContent))
        else:
            ReferenceCountUtil.release(msg)

    def channel_read_complete(self, ctx: Any) -> None:
        exchange = self.exchange
        if exchange is not None:
            exchange.on_read_complete()

    def channel_inactive(self, ctx: Any) -> None:
        exchange = self.exchange
        if exchange is not None:
            exchange.on_inactive()
        elif self.conn is not None:
            self.conn.evict()

    def exception_caught(self, ctx: Any, cause: BaseException) -> None:
        exchange = self.exchange
        if exchange is None:
            ctx.close()
            return
        if isinstance(cause, DecoderException):
            error: BaseException = HttpProtocolException(f"malformed response to {exchange.method} {exchange.url}")
            error.__cause__ = cause
            cause = error
        exchange.fail(cause)

    def _unsolicited(self, ctx: Any) -> None:
        conn: Optional[Any] = self.conn
        if conn is not None:
            conn.evict()
        ctx.close()
