"""HTTP message types (Netty's ``HttpObject`` family).

A decoded message arrives as a head (``HttpRequest``/``HttpResponse``: start line and headers, not
reference counted) followed by ``HttpContent`` pieces and a ``LastHttpContent``; the aggregator joins
them into a ``FullHttpRequest``/``FullHttpResponse``. Contents are ``ByteBufHolder``s: whoever receives
one releases it (``msg.release()``, ``ReferenceCountUtil.release(msg)``, or ``with msg:``), or passes it on.
Each object has a ``decoder_result()``: a failed one carries the decoder's exception.
"""
from __future__ import annotations

from typing import Any, ClassVar, Optional

from ..buffer.bytebuf import ByteBuf
from ..buffer.holder import DefaultByteBufHolder
from ..buffer.unpooled import Unpooled
from ..channel import DecoderResult
from .headers import EMPTY_HEADERS, HttpHeaders
from .names import HttpMethod, HttpResponseStatus, HttpVersion


def _check(value: Any, kind: type, name: str) -> Any:
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be an {kind.__name__}, not {type(value).__name__}")
    return value


class HttpObject:
    """What the HTTP codecs pass around; ``decoder_result()`` says whether it was decoded whole."""

    _decoder_result: DecoderResult = DecoderResult.SUCCESS

    def decoder_result(self) -> DecoderResult:
        """``DecoderResult.SUCCESS``, or the failure of the decoder that made this object."""
        return self._decoder_result

    def set_decoder_result(self, result: DecoderResult) -> None:
        """Set the decoding result (decoders mark a bad message so)."""
        self._decoder_result = _check(result, DecoderResult, "result")


class HttpMessage(HttpObject):
    """A request or response head: ``protocol_version()`` and ``headers()``."""

    def __init__(self, version: HttpVersion, headers: Optional[HttpHeaders] = None, validate: bool = True) -> None:
        self._version = _check(version, HttpVersion, "version")
        self._headers = HttpHeaders(validate) if headers is None else _check(headers, HttpHeaders, "headers")

    def protocol_version(self) -> HttpVersion:
        """The message's ``HttpVersion``."""
        return self._version

    def set_protocol_version(self, version: HttpVersion) -> HttpMessage:
        """Change the version."""
        self._version = _check(version, HttpVersion, "version")
        return self

    def headers(self) -> HttpHeaders:
        """The headers (mutable)."""
        return self._headers


class HttpRequest(HttpMessage):
    """A request head: ``method()``, ``uri()``, ``protocol_version()``, ``headers()``."""

    def __init__(self, version: HttpVersion, method: HttpMethod, uri: str,
                 headers: Optional[HttpHeaders] = None, validate: bool = True) -> None:
        super().__init__(version, headers, validate)
        self._method = _check(method, HttpMethod, "method")
        self._uri = _check(uri, str, "uri")

    def method(self) -> HttpMethod:
        """The request method."""
        return self._method

    def set_method(self, method: HttpMethod) -> HttpRequest:
        """Change the method."""
        self._method = _check(method, HttpMethod, "method")
        return self

    def uri(self) -> str:
        """The request target, as sent (``/path?query``)."""
        return self._uri

    def set_uri(self, uri: str) -> HttpRequest:
        """Change the request target."""
        self._uri = _check(uri, str, "uri")
        return self

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(decodeResult: {self._decoder_result!r}, version: {self._version})\n"
                f"{self._method} {self._uri} {self._version}")


class HttpResponse(HttpMessage):
    """A response head: ``status()``, ``protocol_version()``, ``headers()``."""

    def __init__(self, version: HttpVersion, status: HttpResponseStatus,
                 headers: Optional[HttpHeaders] = None, validate: bool = True) -> None:
        super().__init__(version, headers, validate)
        self._status = _check(status, HttpResponseStatus, "status")

    def status(self) -> HttpResponseStatus:
        """The ``HttpResponseStatus`` (``int(msg.status())`` is the code)."""
        return self._status

    def set_status(self, status: HttpResponseStatus) -> HttpResponse:
        """Change the status."""
        self._status = _check(status, HttpResponseStatus, "status")
        return self

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(decodeResult: {self._decoder_result!r}, version: {self._version})\n"
                f"{self._version} {self._status}")


class DefaultHttpRequest(HttpRequest):
    """``DefaultHttpRequest(version, method, uri, headers=None, validate=True)``: a request head."""


class DefaultHttpResponse(HttpResponse):
    """``DefaultHttpResponse(version, status, headers=None, validate=True)``: a response head."""


class HttpContent(HttpObject, DefaultByteBufHolder):
    """A piece of a message body: a ``ByteBufHolder`` (release it, pass it on, or ``with piece:``)."""

    def __init__(self, content: ByteBuf) -> None:
        DefaultByteBufHolder.__init__(self, content)

    def replace(self, content: ByteBuf) -> HttpContent:
        return DefaultHttpContent(content)

    def __enter__(self) -> HttpContent:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        """``with msg:`` releases the content on exit if it is still live (as ``with buf:``)."""
        if self.ref_cnt() > 0:
            self.release()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(data: {self.content_to_string()}, decoderResult: {self._decoder_result!r})"


class DefaultHttpContent(HttpContent):
    """``DefaultHttpContent(content)``: a body piece that takes over the caller's reference to ``content``."""


class LastHttpContent(HttpContent):
    """The last piece of a body, with the trailing headers; ``LastHttpContent.EMPTY_LAST_CONTENT`` ends a body."""

    EMPTY_LAST_CONTENT: ClassVar[LastHttpContent]

    def __init__(self, content: ByteBuf, trailing_headers: Optional[HttpHeaders] = None) -> None:
        super().__init__(content)
        self._trailers = HttpHeaders() if trailing_headers is None else _check(
            trailing_headers, HttpHeaders, "trailing_headers")

    def trailing_headers(self) -> HttpHeaders:
        """The trailer fields of a chunked body (mutable)."""
        return self._trailers

    def replace(self, content: ByteBuf) -> LastHttpContent:
        return DefaultLastHttpContent(content, self._trailers.copy())


class DefaultLastHttpContent(LastHttpContent):
    """``DefaultLastHttpContent(content=EMPTY_BUFFER, trailing_headers=None)``."""

    def __init__(self, content: Optional[ByteBuf] = None, trailing_headers: Optional[HttpHeaders] = None) -> None:
        super().__init__(Unpooled.EMPTY_BUFFER if content is None else content, trailing_headers)


class _EmptyLastHttpContent(LastHttpContent):
    """The shared empty last piece: count 1 forever, ``retain``/``release`` do nothing, nothing to change."""

    def __init__(self) -> None:
        super().__init__(Unpooled.EMPTY_BUFFER, EMPTY_HEADERS)

    def ref_cnt(self) -> int:
        return 1

    def retain(self, n: int = 1) -> _EmptyLastHttpContent:
        return self

    def release(self, n: int = 1) -> bool:
        return False

    def touch(self, hint: Any = None) -> _EmptyLastHttpContent:
        return self

    def set_decoder_result(self, result: DecoderResult) -> None:
        raise TypeError("LastHttpContent.EMPTY_LAST_CONTENT is shared: its decoder result cannot change "
                        "(make a DefaultLastHttpContent() instead)")

    def __repr__(self) -> str:
        return "EmptyLastHttpContent"


LastHttpContent.EMPTY_LAST_CONTENT = _EmptyLastHttpContent()


class FullHttpMessage(HttpMessage, LastHttpContent):
    """A whole message: head, body (``content()``, reference counted) and trailers; equal only to itself."""

    __eq__ = object.__eq__
    __hash__ = object.__hash__


class FullHttpRequest(HttpRequest, FullHttpMessage):
    """A whole request (head, body, trailers)."""

    def __init__(self, version: HttpVersion, method: HttpMethod, uri: str, content: Optional[ByteBuf] = None,
                 headers: Optional[HttpHeaders] = None, trailing_headers: Optional[HttpHeaders] = None,
                 validate: bool = True) -> None:
        HttpRequest.__init__(self, version, method, uri, headers, validate)
        LastHttpContent.__init__(self, Unpooled.buffer(0) if content is None else content,
                                 HttpHeaders(validate) if trailing_headers is None else trailing_headers)

    def replace(self, content: ByteBuf) -> FullHttpRequest:
        copy = DefaultFullHttpRequest(self._version, self._method, self._uri, content, self._headers.copy(),
                                      self._trailers.copy())
        copy.set_decoder_result(self._decoder_result)
        return copy

    def __repr__(self) -> str:
        return f"{HttpRequest.__repr__(self)}\ncontent: {self.content_to_string()}"


class FullHttpResponse(HttpResponse, FullHttpMessage):
    """A whole response (head, body, trailers)."""

    def __init__(self, version: HttpVersion, status: HttpResponseStatus, content: Optional[ByteBuf] = None,
                 headers: Optional[HttpHeaders] = None, trailing_headers: Optional[HttpHeaders] = None,
                 validate: bool = True) -> None:
        HttpResponse.__init__(self, version, status, headers, validate)
        LastHttpContent.__init__(self, Unpooled.buffer(0) if content is None else content,
                                 HttpHeaders(validate) if trailing_headers is None else trailing_headers)

    def replace(self, content: ByteBuf) -> FullHttpResponse:
        copy = DefaultFullHttpResponse(self._version, self._status, content, self._headers.copy(),
                                       self._trailers.copy())
        copy.set_decoder_result(self._decoder_result)
        return copy

    def __repr__(self) -> str:
        return f"{HttpResponse.__repr__(self)}\ncontent: {self.content_to_string()}"


class DefaultFullHttpRequest(FullHttpRequest):
    """``DefaultFullHttpRequest(version, method, uri, content=None, headers=None, trailing_headers=None)``.

    Takes over the caller's reference to ``content`` (an empty buffer when None): release the request,
    or write it (the encoder releases it).
    """


class DefaultFullHttpResponse(FullHttpResponse):
    """``DefaultFullHttpResponse(version, status, content=None, headers=None, trailing_headers=None)``.

    Takes over the caller's reference to ``content``: release the response, or write it.
    """
