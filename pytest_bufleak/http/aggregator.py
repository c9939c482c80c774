"""``HttpObjectAggregator``: a head and its content pieces joined into one ``FullHttpRequest``/``FullHttpResponse``.

Built on ``MessageAggregator``: each piece's content is retained into a ``CompositeByteBuf`` that the
full message owns, and every input is released. The full message arrives with a count of 1: **the
handler that receives it releases it**. Over ``max_content_length``: a request gets ``413 Request
Entity Too Large`` (the connection closed unless the client can still be told before it sends the
body), a response raises ``TooLongHttpContentException`` and closes the channel. ``Expect:
100-continue`` is answered with ``100 Continue``, ``413`` or ``417`` as Netty does.
"""
from __future__ import annotations

from typing import Any

from ..buffer.bytebuf import ByteBuf
from ..buffer.unpooled import Unpooled
from ..channel import MessageAggregator, PrematureChannelClosureException
from .errors import HttpExpectationFailedEvent, TooLongHttpContentException
from .headers import HttpHeaderNames
from .messages import (
    DefaultFullHttpRequest,
    DefaultFullHttpResponse,
    FullHttpMessage,
    HttpContent,
    HttpMessage,
    HttpObject,
    HttpRequest,
    HttpResponse,
    LastHttpContent,
)
from .names import HttpResponseStatus, HttpVersion
from .util import HttpUtil


def _bodiless_response(status: HttpResponseStatus, close: bool = False) -> DefaultFullHttpResponse:
    response = DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER)
    if status.code() != 100:
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0)
    if close:
        response.headers().set(HttpHeaderNames.CONNECTION, "close")
    return response


class HttpObjectAggregator(MessageAggregator):
    """``HttpObjectAggregator(max_content_length)``: full messages of at most ``max_content_length`` body bytes."""

    inbound_message_type = HttpObject

    def __init__(self, max_content_length: int) -> None:
        super().__init__(max_content_length)

    def is_start_message(self, msg: Any) -> bool:
        return isinstance(msg, HttpMessage)

    def is_content_message(self, msg: Any) -> bool:
        return isinstance(msg, HttpContent)

    def is_last_content_message(self, msg: Any) -> bool:
        return isinstance(msg, LastHttpContent)

    def is_aggregated(self, msg: Any) -> bool:
        return isinstance(msg, FullHttpMessage)

    def is_content_length_invalid(self, start: Any, max_content_length: int) -> bool:
        try:
            return HttpUtil.get_content_length(start, -1) > max_content_length
        except ValueError:
            return False  # an unparsable length is not a large one

    def new_continue_response(self, start: Any, max_content_length: int, pipeline: Any) -> Any:
        if HttpUtil.is_unsupported_expectation(start):
            response = _bodiless_response(HttpResponseStatus.EXPECTATION_FAILED)
        elif HttpUtil.is_100_continue_expected(start):
            try:
                length = HttpUtil.get_content_length(start, -1)
            except ValueError:
                length = -1
            if length <= max_content_length:
                start.headers().remove(HttpHeaderNames.EXPECT)
                return _bodiless_response(HttpResponseStatus.CONTINUE)
            response = _bodiless_response(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE)
        else:
            return None
        pipeline.fire_user_event_triggered(HttpExpectationFailedEvent.INSTANCE)
        start.headers().remove(HttpHeaderNames.EXPECT)
        return response

    def ignore_content_after_continue_response(self, response: Any) -> bool:
        return isinstance(response, HttpResponse) and response.status().code_class() == 4

    def begin_aggregation(self, start: Any, content: ByteBuf) -> FullHttpMessage:
        HttpUtil.set_transfer_encoding_chunked(start, False)
        if isinstance(start, HttpRequest):
            full: FullHttpMessage = DefaultFullHttpRequest(start.protocol_version(), start.method(), start.uri(),
                                                           content, start.headers())
        else:
            full = DefaultFullHttpResponse(start.protocol_version(), start.status(), content, start.headers())
        full.set_decoder_result(start.decoder_result())
        return full

    def aggregate(self, aggregated: Any, content: Any) -> None:
        if isinstance(content, LastHttpContent):
            aggregated.trailing_headers().add_headers(content.trailing_headers())

    def finish_aggregation(self, aggregated: Any) -> None:
        if not HttpUtil.is_content_length_set(aggregated):
            aggregated.headers().set(HttpHeaderNames.CONTENT_LENGTH, aggregated.content().readable_bytes())

    def handle_oversized_message(self, ctx: Any, oversized: Any) -> None:
        if isinstance(oversized, HttpRequest):
            # The client already sent (part of) the body, or will not wait for a 100: nothing to recover, close.
            if isinstance(oversized, FullHttpMessage) or (
                    not HttpUtil.is_100_continue_expected(oversized) and not HttpUtil.is_keep_alive(oversized)):
                ctx.write_and_flush(_bodiless_response(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, close=True)
                                    ).add_listener(lambda _: ctx.close())
            else:
                ctx.write_and_flush(_bodiless_response(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE)).add_listener(
                    lambda future: None if future.is_success() else ctx.close())
        elif isinstance(oversized, HttpResponse):
            ctx.close()
            raise TooLongHttpContentException(f"Response entity too large: {oversized!r}")
        else:
            raise RuntimeError(f"not an HTTP message: {oversized!r}")

    def channel_inactive(self, ctx: Any) -> None:
        if self._current is not None:
            ctx.fire_exception_caught(PrematureChannelClosureException(
                "Channel closed while still aggregating message"))
        super().channel_inactive(ctx)
