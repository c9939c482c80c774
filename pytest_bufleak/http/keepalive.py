"""``HttpServerKeepAliveHandler``: closes a server connection once keep-alive ends (Netty's).

Place it after ``HttpServerCodec``. It counts requests and responses: when a request says
``Connection: close`` (or is HTTP/1.0 without keep-alive), or a response cannot be delimited without
closing (no ``Content-Length``, not chunked), the last response gets ``Connection: close`` and the
channel is closed once that response's ``LastHttpContent`` is written.
"""
from __future__ import annotations

from typing import Any

from ..channel import ChannelDuplexHandler
from .headers import HttpHeaderNames
from .messages import HttpRequest, HttpResponse, LastHttpContent
from .util import HttpUtil


def _self_delimited(response: HttpResponse) -> bool:
    content_type = response.headers().get(HttpHeaderNames.CONTENT_TYPE) or ""
    code = response.status().code()
    return (HttpUtil.is_content_length_set(response) or HttpUtil.is_transfer_encoding_chunked(response)
            or content_type[:9].lower() == "multipart" or 100 <= code < 200 or code == 204)


class HttpServerKeepAliveHandler(ChannelDuplexHandler):
    """Keeps a connection open between requests while both sides want it, and closes it after the last response."""

    def __init__(self) -> None:
        self._persistent = True
        self._pending_responses = 0

    def channel_read(self, ctx: Any, msg: Any) -> None:
        if isinstance(msg, HttpRequest) and self._persistent:
            self._pending_responses += 1
            self._persistent = HttpUtil.is_keep_alive(msg)
        ctx.fire_channel_read(msg)

    def write(self, ctx: Any, msg: Any, promise: Any = None) -> None:
        if isinstance(msg, HttpResponse):
            if msg.status().code_class() != 1:
                self._pending_responses -= 1
            if not HttpUtil.is_keep_alive(msg) or not _self_delimited(msg):
                self._pending_responses = 0
                self._persistent = False
            if not self._keep_alive():
                HttpUtil.set_keep_alive(msg, False)
        close = isinstance(msg, LastHttpContent) and not self._keep_alive()
        future = ctx.write(msg, promise)
        if close:
            future.add_listener(lambda _: ctx.close())

    def _keep_alive(self) -> bool:
        return self._pending_responses != 0 or self._persistent
