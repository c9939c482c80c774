"""``HttpObjectEncoder``, ``HttpRequestEncoder``, ``HttpResponseEncoder`` (Netty's).

``HttpObject``s in, bytes out: a head, then its content pieces; a message whose headers say
``Transfer-Encoding: chunked`` is written in chunks ending with ``0\\r\\n`` and the trailers. Every
message is released once encoded; large bodies go out as retained slices (no copy). A message of the
wrong kind for the state (content before a head, a head before the last content) raises
``EncoderException`` (``unexpected message type``).
"""
from __future__ import annotations

from typing import Any, List, Optional

from ..buffer.bytebuf import ByteBuf
from ..buffer.unpooled import Unpooled
from ..channel import MessageToMessageEncoder
from .headers import HttpHeaderNames, HttpHeaders
from .messages import HttpContent, HttpMessage, HttpObject, HttpRequest, HttpResponse, LastHttpContent
from .util import HttpUtil

ST_INIT, ST_CONTENT_NON_CHUNK, ST_CONTENT_CHUNK, ST_CONTENT_ALWAYS_EMPTY = range(4)
_STATE_NAMES = ("ST_INIT", "ST_CONTENT_NON_CHUNK", "ST_CONTENT_CHUNK", "ST_CONTENT_ALWAYS_EMPTY")

#: Bodies up to this size are copied into the head's buffer (one write); larger ones are passed on retained.
COPY_THRESHOLD = 1024


def _encode_headers(headers: HttpHeaders, parts: List[str]) -> None:
    for name, value in headers:
        parts.append(f"{name}: {value}\r\n")


class HttpObjectEncoder(MessageToMessageEncoder):
    """The HTTP/1.x encoder; use ``HttpRequestEncoder`` or ``HttpResponseEncoder``."""

    outbound_message_type = (HttpObject, ByteBuf)

    def __init__(self) -> None:
        super().__init__()
        self._state = ST_INIT

    def encode_initial_line(self, message: HttpMessage) -> str:
        """The start line, without its CRLF."""
        raise NotImplementedError

    def is_content_always_empty(self, message: HttpMessage) -> bool:
        """True when ``message`` may carry no body (its content is dropped)."""
        return False

    def sanitize_headers_before_encode(self, message: HttpMessage, is_always_empty: bool) -> None:
        """Adjust the headers of a bodiless message before they are written; nothing by default."""

    def encode(self, ctx: Any, msg: Any, out: List[Any]) -> None:
        if isinstance(msg, ByteBuf) and not msg.is_readable():
            out.append(msg.retain())  # an empty buffer passes as it is (a flush marker)
            return
        parts: List[str] = []
        if isinstance(msg, HttpMessage):
            if self._state != ST_INIT:
                self._unexpected(msg)
            always_empty = self.is_content_always_empty(msg)
            self.sanitize_headers_before_encode(msg, always_empty)
            parts.append(self.encode_initial_line(msg) + "\r\n")
            _encode_headers(msg.headers(), parts)
            parts.append("\r\n")
            if always_empty:
                self._state = ST_CONTENT_ALWAYS_EMPTY
            elif HttpUtil.is_transfer_encoding_chunked(msg):
                self._state = ST_CONTENT_CHUNK
            else:
                self._state = ST_CONTENT_NON_CHUNK
        if isinstance(msg, (HttpContent, ByteBuf)):
            if self._state == ST_INIT:
                self._unexpected(msg)
            self._encode_content(ctx, msg, parts, out)
        else:
            _emit(ctx, out, "".join(parts), None, "")

    def _encode_content(self, ctx: Any, msg: Any, parts: List[str], out: List[Any]) -> None:
        content: ByteBuf = msg if isinstance(msg, ByteBuf) else msg.content()
        last = isinstance(msg, LastHttpContent)
        state = self._state
        if last:
            self._state = ST_INIT
        if state == ST_CONTENT_NON_CHUNK:
            _emit(ctx, out, "".join(parts), content, "")
        elif state == ST_CONTENT_CHUNK:
            size = content.readable_bytes()
            if size:
                parts.append(f"{size:x}\r\n")
            tail = "\r\n" if size else ""
            if last:
                trailer = ["0\r\n"]
                _encode_headers(msg.trailing_headers(), trailer)
                tail += "".join(trailer) + "\r\n"
            _emit(ctx, out, "".join(parts), content if size else None, tail)
        else:  # ST_CONTENT_ALWAYS_EMPTY: the body is dropped
            _emit(ctx, out, "".join(parts), None, "")

    def _unexpected(self, msg: Any) -> None:
        raise RuntimeError(f"unexpected message type: {type(msg).__name__}, state: {_STATE_NAMES[self._state]}")


def _emit(ctx: Any, out: List[Any], head: str, content: Optional[ByteBuf], tail: str) -> None:
    """Append ``head`` + ``content`` + ``tail`` to ``out``: copied into one buffer when small, else the
    content retained between two small buffers."""
    size = content.readable_bytes() if content is not None else 0
    if content is not None and size > COPY_THRESHOLD:
        if head:
            out.append(_buffer(ctx, head.encode("latin-1", "replace")))
        out.append(content.retained_duplicate())
        if tail:
            out.append(_buffer(ctx, tail.encode("latin-1", "replace")))
        return
    data = head.encode("latin-1", "replace")
    if size:
        data += content.get_bytes(content.reader_index, size)  # type: ignore[union-attr]
    data += tail.encode("latin-1")
    out.append(_buffer(ctx, data) if data else Unpooled.EMPTY_BUFFER)


def _buffer(ctx: Any, data: bytes) -> ByteBuf:
    buf = ctx.alloc().buffer(len(data))
    buf.write_bytes(data)
    return buf


class HttpRequestEncoder(HttpObjectEncoder):
    """Encodes ``HttpRequest``s and their content (client side); an empty URI is written as ``/``."""

    def encode_initial_line(self, message: HttpMessage) -> str:
        assert isinstance(message, HttpRequest)
        return f"{message.method()} {_request_target(message.uri())} {message.protocol_version()}"


def _request_target(uri: str) -> str:
    if not uri:
        return "/"
    scheme_end = uri.find("://")
    if scheme_end != -1 and uri[0] != "/":
        authority = scheme_end + 3
        query = uri.find("?", authority)
        if query == -1:
            if uri.rfind("/") < authority:
                return uri + "/"
        elif uri.rfind("/", 0, query) < authority:
            return uri[:query] + "/" + uri[query:]
    return uri


class HttpResponseEncoder(HttpObjectEncoder):
    """Encodes ``HttpResponse``s and their content (server side); 1xx, 204, 205 and 304 carry no body."""

    def encode_initial_line(self, message: HttpMessage) -> str:
        assert isinstance(message, HttpResponse)
        return f"{message.protocol_version()} {message.status().code()} {message.status().reason_phrase()}"

    def is_content_always_empty(self, message: HttpMessage) -> bool:
        assert isinstance(message, HttpResponse)
        code = message.status().code()
        if 100 <= code < 200:
            # A websocket (hixie-76) 101 carries a body.
            return code != 101 or "sec-websocket-version" in message.headers()
        return code in (204, 205, 304)

    def sanitize_headers_before_encode(self, message: HttpMessage, is_always_empty: bool) -> None:
        if not is_always_empty:
            return
        assert isinstance(message, HttpResponse)
        code = message.status().code()
        headers = message.headers()
        if 100 <= code < 200 or code == 204:
            headers.remove(HttpHeaderNames.CONTENT_LENGTH)
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING)
        elif code == 205:
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING)
            headers.set(HttpHeaderNames.CONTENT_LENGTH, 0)
