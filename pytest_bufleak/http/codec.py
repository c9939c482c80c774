"""``HttpClientCodec`` and ``HttpServerCodec``: a decoder and an encoder in one handler (Netty's).

Each codec remembers the methods of the requests in flight: a response to ``HEAD`` has no body
whatever its headers say, and the server's encoder writes none for it either.
"""
from __future__ import annotations

from collections import deque
from typing import Any, Deque, List, Optional

from ..buffer.bytebuf import ByteBuf
from ..channel import ChannelDuplexHandler, PrematureChannelClosureException
from .decoder import (
    DEFAULT_MAX_CHUNK_SIZE,
    DEFAULT_MAX_HEADER_SIZE,
    DEFAULT_MAX_INITIAL_LINE_LENGTH,
    HttpRequestDecoder,
    HttpResponseDecoder,
)
from .encoder import HttpObjectEncoder, HttpRequestEncoder, HttpResponseEncoder
from .messages import HttpMessage, HttpRequest, HttpResponse, LastHttpContent
from .names import HttpMethod


class _CombinedCodec(ChannelDuplexHandler):
    """Inbound events go to ``self.decoder``, writes to ``self.encoder``; both work on this handler's context."""

    decoder: Any
    encoder: HttpObjectEncoder

    def channel_read(self, ctx: Any, msg: Any) -> None:
        self.decoder.channel_read(ctx, msg)

    def channel_read_complete(self, ctx: Any) -> None:
        self.decoder.channel_read_complete(ctx)

    def channel_inactive(self, ctx: Any) -> None:
        self.decoder.channel_inactive(ctx)

    def user_event_triggered(self, ctx: Any, evt: Any) -> None:
        self.decoder.user_event_triggered(ctx, evt)

    def handler_removed(self, ctx: Any) -> None:
        self.decoder.handler_removed(ctx)

    def write(self, ctx: Any, msg: Any, promise: Any = None) -> None:
        self.encoder.write(ctx, msg, promise)


class HttpClientCodec(_CombinedCodec):
    """``HttpRequestEncoder`` + ``HttpResponseDecoder`` that pair each response with its request's method.

    ``HEAD`` responses end at their headers; a 200 to ``CONNECT`` ends decoding (the bytes after it
    pass through as ``ByteBuf``s) unless ``parse_http_after_connect_request``. With
    ``fail_on_missing_response`` a channel that closes before every request got its whole response
    fires ``PrematureChannelClosureException("channel gone inactive with N missing response(s)")``.
    """

    def __init__(self, max_initial_line_length: int = DEFAULT_MAX_INITIAL_LINE_LENGTH,
                 max_header_size: int = DEFAULT_MAX_HEADER_SIZE, max_chunk_size: int = DEFAULT_MAX_CHUNK_SIZE,
                 fail_on_missing_response: bool = False, validate_headers: bool = True,
                 parse_http_after_connect_request: bool = False, **decoder_options: Any) -> None:
        self.fail_on_missing_response = fail_on_missing_response
        self.parse_http_after_connect_request = parse_http_after_connect_request
        self.queue: Deque[HttpMethod] = deque()
        self.missing_responses = 0
        self.done = False
        self.decoder = _ClientDecoder(self, max_initial_line_length, max_header_size, max_chunk_size,
                                      validate_headers=validate_headers, **decoder_options)
        self.encoder = _ClientEncoder(self)


class _ClientEncoder(HttpRequestEncoder):
    def __init__(self, codec: HttpClientCodec) -> None:
        super().__init__()
        self._codec = codec

    def write(self, ctx: Any, msg: Any, promise: Any = None) -> None:
        codec = self._codec
        if codec.done:
            ctx.write(msg, promise)
            return
        if isinstance(msg, HttpRequest):
            codec.queue.append(msg.method())
        last = isinstance(msg, LastHttpContent)
        super().write(ctx, msg, promise)
        if last and codec.fail_on_missing_response:
            codec.missing_responses += 1


class _ClientDecoder(HttpResponseDecoder):
    def __init__(self, codec: HttpClientCodec, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._codec = codec

    def decode(self, ctx: Any, buf: ByteBuf, out: List[Any]) -> None:
        if self._codec.done:
            if buf.is_readable():
                out.append(buf.read_bytes(buf.readable_bytes()))
            return
        start = len(out)
        super().decode(ctx, buf, out)
        if self._codec.fail_on_missing_response:
            self._codec.missing_responses -= sum(isinstance(msg, LastHttpContent) for msg in out[start:])

    def is_content_always_empty(self, msg: HttpMessage) -> bool:
        assert isinstance(msg, HttpResponse)
        code = msg.status().code()
        if 100 <= code < 200:  # an informational response is not the answer to the request: no pairing
            return super().is_content_always_empty(msg)
        codec = self._codec
        method: Optional[HttpMethod] = codec.queue.popleft() if codec.queue else None
        if method == HttpMethod.HEAD:
            return True
        if method == HttpMethod.CONNECT and code == 200:
            if not codec.parse_http_after_connect_request:
                codec.done = True
                codec.queue.clear()
            return True
        return super().is_content_always_empty(msg)

    def channel_inactive(self, ctx: Any) -> None:
        super().channel_inactive(ctx)
        missing = self._codec.missing_responses
        if self._codec.fail_on_missing_response and missing > 0:
            ctx.fire_exception_caught(PrematureChannelClosureException(
                f"channel gone inactive with {missing} missing response(s)"))


class HttpServerCodec(_CombinedCodec):
    """``HttpRequestDecoder`` + ``HttpResponseEncoder`` that write no body in a response to ``HEAD``."""

    def __init__(self, max_initial_line_length: int = DEFAULT_MAX_INITIAL_LINE_LENGTH,
                 max_header_size: int = DEFAULT_MAX_HEADER_SIZE, max_chunk_size: int = DEFAULT_MAX_CHUNK_SIZE,
                 validate_headers: bool = True, **decoder_options: Any) -> None:
        self.queue: Deque[HttpMethod] = deque()
        self.decoder = _ServerDecoder(self.queue, max_initial_line_length, max_header_size, max_chunk_size,
                                      validate_headers=validate_headers, **decoder_options)
        self.encoder = _ServerEncoder(self.queue)


class _ServerDecoder(HttpRequestDecoder):
    def __init__(self, queue: Deque[HttpMethod], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queue = queue

    def decode(self, ctx: Any, buf: ByteBuf, out: List[Any]) -> None:
        start = len(out)
        super().decode(ctx, buf, out)
        self._queue.extend(msg.method() for msg in out[start:] if isinstance(msg, HttpRequest))


class _ServerEncoder(HttpResponseEncoder):
    def __init__(self, queue: Deque[HttpMethod]) -> None:
        super().__init__()
        self._queue = queue
        self._method: Optional[HttpMethod] = None

    def is_content_always_empty(self, message: HttpMessage) -> bool:
        assert isinstance(message, HttpResponse)
        if message.status().code_class() != 1:  # 100 Continue answers nothing yet: keep the method queued
            self._method = self._queue.popleft() if self._queue else None
        return self._method == HttpMethod.HEAD or super().is_content_always_empty(message)

    def sanitize_headers_before_encode(self, message: HttpMessage, is_always_empty: bool) -> None:
        assert isinstance(message, HttpResponse)
        if not is_always_empty and self._method == HttpMethod.CONNECT and message.status().code_class() == 2:
            message.headers().remove("transfer-encoding")  # RFC 9110 section 9.3.6: a tunnel has no framing
            return
        super().sanitize_headers_before_encode(message, is_always_empty)
