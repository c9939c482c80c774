"""``HttpObjectDecoder`` and its two faces, ``HttpRequestDecoder`` and ``HttpResponseDecoder`` (Netty's).

Bytes in, ``HttpObject``s out: a head (``HttpRequest``/``HttpResponse``), then the body as it arrives
in ``HttpContent`` pieces of at most ``max_chunk_size`` bytes (retained slices of the read buffer: zero
copy, released by whoever receives them), then a ``LastHttpContent``. Bad input never raises out of
the pipeline: the decoder emits a message (or a ``LastHttpContent``) whose ``decoder_result()`` failed
and discards every later byte until the channel closes.
"""
from __future__ import annotations

import re
from typing import Any, List, NamedTuple, Optional, Tuple

from ..buffer.bytebuf import ByteBuf
from ..buffer.unpooled import Unpooled
from ..channel import ByteToMessageDecoder, DecoderResult, PrematureChannelClosureException
from .errors import (
    HttpExpectationFailedEvent,
    InvalidChunkExtensionException,
    InvalidChunkTerminationException,
    InvalidLineSeparatorException,
    TooLongHttpHeaderException,
    TooLongHttpLineException,
)
from .headers import HttpHeaderNames, HttpHeaders, HttpHeaderValues
from .messages import (
    DefaultFullHttpRequest,
    DefaultFullHttpResponse,
    DefaultHttpContent,
    DefaultHttpRequest,
    DefaultHttpResponse,
    DefaultLastHttpContent,
    HttpContent,
    HttpMessage,
    HttpResponse,
    LastHttpContent,
)
from .names import HttpMethod, HttpResponseStatus, HttpVersion
from .util import HttpUtil, is_http10_or_earlier

(SKIP_CONTROL_CHARS, READ_INITIAL, READ_HEADER, READ_VARIABLE_LENGTH_CONTENT, READ_FIXED_LENGTH_CONTENT,
 READ_CHUNK_SIZE, READ_CHUNKED_CONTENT, READ_CHUNK_DELIMITER, READ_CHUNK_FOOTER, BAD_MESSAGE, UPGRADED) = range(11)

#: Netty's defaults (``HttpDecoderConfig``).
DEFAULT_MAX_INITIAL_LINE_LENGTH = 4096
DEFAULT_MAX_HEADER_SIZE = 8192
DEFAULT_MAX_CHUNK_SIZE = 8192

# Java's Character.isWhitespace over bytes, and ISO control characters (what a start line may not end with).
_WHITESPACE = frozenset(b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f ")
_CONTROL_OR_WHITESPACE = frozenset(range(0x20)) | frozenset(range(0x7F, 0xA0)) | _WHITESPACE
_SP_LENIENT = frozenset(b" \t\x0b\x0c\r")
_OWS = " \t"
_TRAILER_DROPPED = frozenset((HttpHeaderNames.CONTENT_LENGTH, HttpHeaderNames.TRANSFER_ENCODING,
                              HttpHeaderNames.TRAILER))
_HEX = {ord(c): int(c, 16) for c in "0123456789abcdefABCDEF"}
_UNKNOWN_STATUS = HttpResponseStatus(999, "Unknown")
_MAX_INT = 2 ** 31 - 1

# A plain head (a start line of single-space-separated visible words, "name: value" fields with token
# names and visible values, CRLF line ends) is parsed in one pass; any other head goes line by line
# through _LineReader, which alone decides the errors, limits and what is consumed.
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_VALUE = r"[^\x00-\x08\x0a-\x1f\x7f]*"  # no control character but HTAB (what HttpHeaders accepts)
_PLAIN_START_LINE = re.compile(r"([!-~]+) ([!-~]+)(?: ([!-~](?:[ -~]*[!-~])?))?\Z")
_PLAIN_FIELD = re.compile(rf"^({_TOKEN}):[ \t]*({_VALUE})\r\n", re.MULTILINE)  # the value keeps trailing OWS
# How far past the two limits a head's end is looked for (header lines' CRLFs do not count toward them).
_HEAD_SEARCH_SLACK = 4096


class _LineReader:
    """Netty's ``HeaderParser``: one CRLF-terminated line at a time, ``size`` counting toward ``max_length``."""

    __slots__ = ("max_length", "size", "too_long")

    def __init__(self, max_length: int, too_long: Any) -> None:
        self.max_length = max_length
        self.size = 0
        self.too_long = too_long

    def parse(self, buf: ByteBuf, strict_error: Any) -> Optional[bytes]:
        """The next line without its CRLF (``b""`` for an empty line), or None until it is complete."""
        readable = buf.readable_bytes()
        start = buf.reader_index
        room = self.max_length - self.size
        lf = buf.index_of(start, start + min(room + 2, readable), 10)
        if lf < 0:
            if readable > room:
                raise self.too_long(self.max_length)
            return None
        end = lf
        if lf > start and buf.get_unsigned_byte(lf - 1) == 13:
            end = lf - 1
        elif strict_error is not None:
            raise strict_error()
        length = end - start
        if length:
            size = self.size + length
            if size > self.max_length:
                raise self.too_long(self.max_length)
            self.size = size
            line = buf.get_bytes(start, length)
        else:
            line = b""
        buf.reader_index = lf + 1
        return line


def _line_too_long(max_length: int) -> TooLongHttpLineException:
    return TooLongHttpLineException(f"An HTTP line is larger than {max_length} bytes.")


def _header_too_long(max_length: int) -> TooLongHttpHeaderException:
    return TooLongHttpHeaderException(f"HTTP header is larger than {max_length} bytes.")


def _positive(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name}: {value} (expected: > 0)")
    return value


class HttpObjectDecoder(ByteToMessageDecoder):
    """The HTTP/1.x message decoder; use ``HttpRequestDecoder`` or ``HttpResponseDecoder``.

    Limits (Netty's defaults): ``max_initial_line_length`` 4096 (``TooLongHttpLineException``, also for
    a chunk-size line), ``max_header_size`` 8192 for all header lines together
    (``TooLongHttpHeaderException``, and for the trailers), ``max_chunk_size`` 8192: longer content is
    split, never refused. ``strict_line_parsing`` refuses lines ending in a bare LF;
    ``allow_duplicate_content_lengths`` accepts repeated identical ``Content-Length`` values.
    """

    def __init__(self, max_initial_line_length: int = DEFAULT_MAX_INITIAL_LINE_LENGTH,
                 max_header_size: int = DEFAULT_MAX_HEADER_SIZE, max_chunk_size: int = DEFAULT_MAX_CHUNK_SIZE,
                 *, chunked_supported: bool = True, validate_headers: bool = True,
                 allow_duplicate_content_lengths: bool = False, allow_partial_chunks: bool = True,
                 strict_line_parsing: bool = True) -> None:
        self.max_chunk_size = _positive(max_chunk_size, "max_chunk_size")
        self._line = _LineReader(_positive(max_initial_line_length, "max_initial_line_length"), _line_too_long)
        self._header = _LineReader(_positive(max_header_size, "max_header_size"), _header_too_long)
        self.chunked_supported = chunked_supported
        self.validate_headers = validate_headers
        self.allow_duplicate_content_lengths = allow_duplicate_content_lengths
        self.allow_partial_chunks = allow_partial_chunks
        self._strict = InvalidLineSeparatorException if strict_line_parsing else None
        self._state = SKIP_CONTROL_CHARS
        self._message: Optional[HttpMessage] = None
        self._content_length = -1
        self._chunk_size = 0
        self._chunked = False
        self._trailer: Optional[LastHttpContent] = None
        self._reset_requested = False
        self._upgrading = False
        self._pending: Optional[List[str]] = None  # the header field being read: [name, value]

    # ------------------------------------------------------------------ what the two faces say

    def is_decoding_request(self) -> bool:
        """True for a request decoder."""
        raise NotImplementedError

    def create_message(self, initial_line: Tuple[str, str, str]) -> HttpMessage:
        """The head made of the three words of the start line."""
        raise NotImplementedError

    def create_invalid_message(self) -> HttpMessage:
        """The full message that stands for input too broken to make a head from."""
        raise NotImplementedError

    def is_content_always_empty(self, msg: HttpMessage) -> bool:
        """True when ``msg`` has no body whatever its headers say (1xx, 204, 304 responses)."""
        if not isinstance(msg, HttpResponse):
            return False
        code = msg.status().code()
        if 100 <= code < 200:
            # A Hixie-76 websocket handshake response (101 without Sec-WebSocket-Accept) has a body.
            headers = msg.headers()
            return not (code == 101 and "sec-websocket-accept" not in headers
                        and headers.contains(HttpHeaderNames.UPGRADE, "websocket", True))
        return code in (204, 304)

    def reset(self) -> None:
        """Start afresh at the next message (after a refused ``Expect: 100-continue``, say)."""
        self._reset_requested = True

    # ------------------------------------------------------------------ decoding

    def decode(self, ctx: Any, buf: ByteBuf, out: List[Any]) -> None:
        if self._reset_requested:
            self._reset_now()
        state = self._state
        if state <= READ_HEADER:
            self._decode_head(buf, out)
        elif state == READ_FIXED_LENGTH_CONTENT:
            self._read_fixed(buf, out)
        elif state == READ_VARIABLE_LENGTH_CONTENT:
            to_read = min(buf.readable_bytes(), self.max_chunk_size)
            if to_read:
                out.append(DefaultHttpContent(buf.read_retained_slice(to_read)))
        elif state <= READ_CHUNK_FOOTER:
            self._decode_chunked(buf, out)
        elif state == BAD_MESSAGE:
            buf.skip_bytes(buf.readable_bytes())
        elif buf.is_readable():  # UPGRADED: another protocol's bytes pass through
            out.append(buf.read_bytes(buf.readable_bytes()))

    def _decode_head(self, buf: ByteBuf, out: List[Any]) -> None:
        try:
            next_state = self._read_head(buf)
            if next_state is None:
                return
            if next_state == READ_CHUNK_SIZE and not self.chunked_supported:
                raise ValueError("Chunked messages not supported")
        except Exception as exc:
            out.append(self._invalid_message(self._message, buf, exc))
            return
        self._state = next_state
        message, self._message = self._message, None
        out.append(message)
        if next_state == SKIP_CONTROL_CHARS:
            out.append(LastHttpContent.EMPTY_LAST_CONTENT)
            self._reset_now()
        elif next_state == READ_CHUNK_SIZE:
            return
        elif self._content_length == 0 or (self._content_length == -1 and self.is_decoding_request()):
            out.append(LastHttpContent.EMPTY_LAST_CONTENT)
            self._reset_now()
        elif next_state == READ_FIXED_LENGTH_CONTENT:
            self._chunk_size = self._content_length

    def _read_head(self, buf: ByteBuf) -> Optional[int]:
        """The state after the head once it is read whole, else None (what is complete is kept)."""
        if self._state != READ_HEADER:
            next_state = self._read_plain_head(buf)
            if next_state is not None:
                return next_state
            line = self._read_initial_line(buf)
            if line is None:
                return None
            self._message = self.create_message(self._split_initial_line(line))
            self._state = READ_HEADER
        message = self._message
        assert message is not None
        if self._read_lines(buf, message.headers(), fold_separator=" ") is None:
            return None
        return self._framing(message)

    def _read_plain_head(self, buf: ByteBuf) -> Optional[int]:
        """The state after a complete plain head read in one pass; None (nothing read) for any other input."""
        line_limit, header_limit = self._line.max_length, self._header.max_length
        head = _plain_head(buf, header_limit + line_limit + _HEAD_SEARCH_SLACK)
        if head is None or head.line_size > line_limit or head.header_size > header_limit:
            return None
        buf.skip_bytes(head.length)
        self._line.size = head.line_size
        message = self._message = self.create_message(head.start_line)
        self._state = READ_HEADER
        self._header.size = head.header_size
        message.headers()._extend_parsed(head.fields)
        return self._framing(message)

    def _read_initial_line(self, buf: ByteBuf) -> Optional[bytes]:
        reader = self._line
        reader.size = 0
        readable = buf.readable_bytes()
        if not readable:
            return None
        if self._state == SKIP_CONTROL_CHARS:
            start = buf.reader_index
            to_skip = min(reader.max_length, readable)
            skipped = 0
            while skipped < to_skip and buf.get_unsigned_byte(start + skipped) in _CONTROL_OR_WHITESPACE:
                skipped += 1
            buf.skip_bytes(skipped)
            if skipped == to_skip:
                if readable > reader.max_length:
                    raise _line_too_long(reader.max_length)
                return None
            self._state = READ_INITIAL
        return reader.parse(buf, self._strict)

    def _split_initial_line(self, line: bytes) -> Tuple[str, str, str]:
        last = line[-1]
        if last in _CONTROL_OR_WHITESPACE and (self.is_decoding_request() or last not in (32, 9)):
            raise ValueError(f"Illegal character in request line: 0x{last:x}")
        end = len(line)
        a_start = _find_non_sp(line, 0, end)
        a_end = _find_sp(line, a_start, end)
        b_start = _find_non_sp(line, a_end, end)
        b_end = _find_sp(line, b_start, end)
        c_start = _find_non_sp(line, b_end, end)
        c_end = len(line.rstrip(b" \t"))
        text = line.decode("latin-1")
        return (text[a_start:a_end], text[b_start:b_end], text[c_start:c_end] if c_start < c_end else "")

    def _framing(self, message: HttpMessage) -> int:
        """How the body of ``message`` (its head just read) is framed: the state to go on in."""
        headers = message.headers()
        lengths, codings = _framing_fields(headers)
        if lengths:
            self._content_length = HttpUtil.normalize_and_get_content_length(
                lengths, is_http10_or_earlier(message.protocol_version()), self.allow_duplicate_content_lengths)
            if self._content_length != -1 and (len(lengths) > 1 or lengths[0].strip() != str(self._content_length)):
                headers.set(HttpHeaderNames.CONTENT_LENGTH, self._content_length)
        else:
            self._content_length = -1
        if isinstance(message, HttpResponse):
            self._upgrading = _switching_to_non_http1(message)
        if self.is_content_always_empty(message):
            HttpUtil.set_transfer_encoding_chunked(message, False)
            return SKIP_CONTROL_CHARS
        if codings and _lists_chunked(codings):
            self._chunked = True
            if lengths and message.protocol_version() == HttpVersion.HTTP_1_1:
                self.handle_transfer_encoding_chunked_with_content_length(message)
            return READ_CHUNK_SIZE
        return READ_FIXED_LENGTH_CONTENT if self._content_length >= 0 else READ_VARIABLE_LENGTH_CONTENT

    def _read_lines(self, buf: ByteBuf, headers: HttpHeaders, fold_separator: str,
                    dropped: frozenset = frozenset()) -> Optional[bool]:
        """Header lines into ``headers`` up to the empty line (True), or None while one is incomplete.

        Progress is kept across calls: a field is added once its line is complete and the next one
        is not a continuation (``obs-fold``); ``fold_separator`` joins continuation lines to it.
        """
        pending = self._pending
        while True:
            line = self._header.parse(buf, self._strict)
            if line is None:
                self._pending = pending
                return None
            if not line:
                break
            if pending is not None and line[0] in (32, 9):
                pending[1] = pending[1] + fold_separator + line.decode("latin-1").strip()
                continue
            if pending is not None and pending[0].lower() not in dropped:
                headers.add(pending[0], pending[1])
            pending = list(self._split_header(line))
        if pending is not None and pending[0].lower() not in dropped:
            headers.add(pending[0], pending[1])
        self._pending = None
        return True

    def _split_header(self, line: bytes) -> Tuple[str, str]:
        text = line.decode("latin-1")
        name_end = text.find(":")
        if not self.is_decoding_request():  # a response's name may be followed by spaces before the colon
            for index, ch in enumerate(text[:name_end if name_end >= 0 else len(text)]):
                if ch in _OWS:
                    name_end = index
                    break
        if name_end < 0:
            raise ValueError("No colon found")
        colon = text.find(":", name_end)
        rest = text[colon + 1:] if colon >= 0 else ""
        start = 0
        while start < len(rest) and ord(rest[start]) in _WHITESPACE:
            if rest[start] not in _OWS:
                raise ValueError(f"Invalid separator, only a single space or horizontal tab allowed, but received "
                                 f"a '{ord(rest[start])}' (0x{ord(rest[start]):x})")
            start += 1
        return text[:name_end], rest[start:].rstrip(_OWS)

    def handle_transfer_encoding_chunked_with_content_length(self, message: HttpMessage) -> None:
        """``Transfer-Encoding: chunked`` beside ``Content-Length`` on HTTP/1.1: chunked wins, the length
        header is removed (RFC 9112 section 6.3). Override to refuse such messages instead (raise)."""
        message.headers().remove(HttpHeaderNames.CONTENT_LENGTH)
        self._content_length = -1

    def _read_fixed(self, buf: ByteBuf, out: List[Any]) -> None:
        readable = buf.readable_bytes()
        if not readable:
            return
        to_read = min(readable, self.max_chunk_size, self._chunk_size)
        content = buf.read_retained_slice(to_read)
        self._chunk_size -= to_read
        if self._chunk_size == 0:
            out.append(DefaultLastHttpContent(content))
            self._reset_now()
        else:
            out.append(DefaultHttpContent(content))

    def _decode_chunked(self, buf: ByteBuf, out: List[Any]) -> None:
        state = self._state
        try:
            if state == READ_CHUNK_FOOTER:
                trailer = self._read_trailers(buf)
                if trailer is not None:
                    out.append(trailer)
                    self._reset_now()
                return
            if state == READ_CHUNK_SIZE:
                self._line.size = 0
                line = self._line.parse(buf, InvalidChunkExtensionException)
                if line is None:
                    return
                self._chunk_size = _chunk_size(line)
                if self._chunk_size == 0:
                    self._state = READ_CHUNK_FOOTER
                    return
                state = self._state = READ_CHUNKED_CONTENT
        except Exception as exc:
            out.append(self._invalid_chunk(buf, exc))
            return
        if state == READ_CHUNKED_CONTENT:
            to_read = min(self._chunk_size, self.max_chunk_size)
            if not self.allow_partial_chunks and buf.readable_bytes() < to_read:
                return
            to_read = min(to_read, buf.readable_bytes())
            if not to_read:
                return
            out.append(DefaultHttpContent(buf.read_retained_slice(to_read)))
            self._chunk_size -= to_read
            if self._chunk_size:
                return
            self._state = READ_CHUNK_DELIMITER
        if buf.readable_bytes() >= 2:
            start = buf.reader_index
            if buf.get_unsigned_byte(start) == 13 and buf.get_unsigned_byte(start + 1) == 10:
                buf.skip_bytes(2)
                self._state = READ_CHUNK_SIZE
            else:
                out.append(self._invalid_chunk(buf, InvalidChunkTerminationException()))

    def _read_trailers(self, buf: ByteBuf) -> Optional[LastHttpContent]:
        if self._trailer is None:
            self._trailer = DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, HttpHeaders(self.validate_headers))
        if self._read_lines(buf, self._trailer.trailing_headers(), "", _TRAILER_DROPPED) is None:
            return None
        trailer, self._trailer = self._trailer, None
        if trailer.trailing_headers().is_empty():
            return LastHttpContent.EMPTY_LAST_CONTENT
        return trailer

    # ------------------------------------------------------------------ failures and the end

    def _invalid_message(self, current: Optional[HttpMessage], buf: ByteBuf, cause: Exception) -> HttpMessage:
        self._state = BAD_MESSAGE
        self._message = None
        self._trailer = None
        self._pending = None
        buf.skip_bytes(buf.readable_bytes())
        message = self.create_invalid_message() if current is None else current
        message.set_decoder_result(DecoderResult.failure(cause))
        return message

    def _invalid_chunk(self, buf: ByteBuf, cause: Exception) -> HttpContent:
        self._state = BAD_MESSAGE
        self._message = None
        self._trailer = None
        self._pending = None
        buf.skip_bytes(buf.readable_bytes())
        chunk = DefaultLastHttpContent(Unpooled.EMPTY_BUFFER)
        chunk.set_decoder_result(DecoderResult.failure(cause))
        return chunk

    def _reset_now(self) -> None:
        self._message = None
        self._content_length = -1
        self._chunked = False
        self._line.size = 0
        self._header.size = 0
        self._trailer = None
        self._pending = None
        if self._upgrading:
            self._upgrading = False
            self._state = UPGRADED
            return
        self._reset_requested = False
        self._state = SKIP_CONTROL_CHARS

    def decode_last(self, ctx: Any, buf: ByteBuf, out: List[Any]) -> None:
        super().decode_last(ctx, buf, out)
        if self._reset_requested:
            self._reset_now()
        state = self._state
        if state == READ_VARIABLE_LENGTH_CONTENT:
            if not self._chunked and not buf.is_readable():
                out.append(LastHttpContent.EMPTY_LAST_CONTENT)
                self._reset_now()
        elif state == READ_HEADER:
            out.append(self._invalid_message(self._message, Unpooled.EMPTY_BUFFER, PrematureChannelClosureException(
                "Connection closed before received headers")))
            self._reset_now()
        elif READ_FIXED_LENGTH_CONTENT <= state <= READ_CHUNK_FOOTER:
            # A body cut short emits nothing: no LastHttpContent tells upstream it ended (they must notice).
            premature = self.is_decoding_request() or self._chunked or self._content_length > 0
            if not premature:
                out.append(LastHttpContent.EMPTY_LAST_CONTENT)
            self._reset_now()

    def user_event_triggered(self, ctx: Any, evt: Any) -> None:
        if isinstance(evt, HttpExpectationFailedEvent) and self._state in (
                READ_FIXED_LENGTH_CONTENT, READ_VARIABLE_LENGTH_CONTENT, READ_CHUNK_SIZE):
            self.reset()
        ctx.fire_user_event_triggered(evt)


class _PlainHead(NamedTuple):
    start_line: Tuple[str, ...]  # its three words
    fields: List[Tuple[str, str]]
    line_size: int  # what counts toward max_initial_line_length
    header_size: int  # what counts toward max_header_size: the header lines without their CRLFs
    length: int  # in bytes, with the empty line


def _plain_head(buf: ByteBuf, search_limit: int) -> Optional[_PlainHead]:
    """A complete plain head at the start of the readable bytes, parsed; None when the head is not
    complete within ``search_limit`` bytes or not plain."""
    window = buf.get_bytes(buf.reader_index, min(buf.readable_bytes(), search_limit))
    end = window.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = window[:end + 2].decode("latin-1")
    line_end = head.find("\r\n")
    start_line = _PLAIN_START_LINE.match(head, 0, line_end)
    if start_line is None:
        return None
    # Each field found spans a whole line (it starts after a LF and ends at the CRLF that ends its value),
    # so as many fields as LFs, all of them in CRLFs, means every line is one.
    fields = _PLAIN_FIELD.findall(head, line_end + 2)
    lines = head.count("\n", line_end + 2)
    if len(fields) != lines or head.count("\r\n", line_end + 2) != lines:
        return None
    if " \r\n" in head or "\t\r\n" in head:
        fields = [(name, value.rstrip(" \t")) for name, value in fields]
    header_size = len(head) - line_end - 2 - 2 * len(fields)
    return _PlainHead(start_line.groups(""), fields, line_end, header_size, end + 4)


def _framing_fields(headers: HttpHeaders) -> Tuple[List[str], List[str]]:
    """The values of ``Content-Length`` and of ``Transfer-Encoding``, in one pass."""
    lengths: List[str] = []
    codings: List[str] = []
    for name, value in headers:
        lower = name.lower()
        if lower == HttpHeaderNames.CONTENT_LENGTH:
            lengths.append(value)
        elif lower == HttpHeaderNames.TRANSFER_ENCODING:
            codings.append(value)
    return lengths, codings


def _lists_chunked(codings: List[str]) -> bool:
    """``HttpUtil.is_transfer_encoding_chunked`` over the ``Transfer-Encoding`` values."""
    return any(element.strip().lower() == HttpHeaderValues.CHUNKED
               for value in codings for element in value.split(","))


def _find_non_sp(line: bytes, offset: int, end: int) -> int:
    for index in range(offset, end):
        byte = line[index]
        if byte in _SP_LENIENT:
            continue
        if byte in _WHITESPACE:
            raise ValueError("Invalid separator")
        return index
    return end


def _find_sp(line: bytes, offset: int, end: int) -> int:
    for index in range(offset, end):
        if line[index] in _SP_LENIENT:
            return index
    return end


def _chunk_size(line: bytes) -> int:
    """Netty's ``getChunkSize``: hex digits after optional whitespace, up to ``;`` (extensions) or whitespace."""
    start = 0
    while start < len(line) and line[start] in _WHITESPACE:
        start += 1
    if start == len(line):
        raise ValueError("Empty chunk size")
    result = 0
    for index in range(start, len(line)):
        byte = line[index]
        digit = _HEX.get(byte)
        if digit is None:
            if byte == 59 or byte in _CONTROL_OR_WHITESPACE:
                if index == start:
                    raise ValueError("Empty chunk size")
                return result
            raise ValueError(f"Invalid character in chunk size: {line.decode('latin-1')!r}")
        result = result * 16 + digit
        if result > _MAX_INT:
            raise ValueError(f"Chunk size overflow: {line.decode('latin-1')!r}")
    return result


def _switching_to_non_http1(response: HttpResponse) -> bool:
    if response.status().code() != 101:
        return False
    protocol = response.headers().get(HttpHeaderNames.UPGRADE)
    return protocol is None or ("HTTP/1.0" not in protocol and "HTTP/1.1" not in protocol)


class HttpRequestDecoder(HttpObjectDecoder):
    """Decodes requests (server side): ``HttpRequest``, ``HttpContent``..., ``LastHttpContent``.

    A request without ``Content-Length`` or ``Transfer-Encoding`` has no body. Input too broken for a
    head comes as a ``DefaultFullHttpRequest`` (``GET /bad-request``) whose ``decoder_result()`` failed.
    """

    def is_decoding_request(self) -> bool:
        return True

    def create_message(self, initial_line: Tuple[str, str, str]) -> HttpMessage:
        method, uri, version = initial_line
        return DefaultHttpRequest(HttpVersion.value_of(version, strict=True), HttpMethod.value_of(method), uri,
                                  HttpHeaders(self.validate_headers))

    def create_invalid_message(self) -> HttpMessage:
        return DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request", Unpooled.buffer(0),
                                      HttpHeaders(self.validate_headers), HttpHeaders(self.validate_headers))


class HttpResponseDecoder(HttpObjectDecoder):
    """Decodes responses (client side): ``HttpResponse``, ``HttpContent``..., ``LastHttpContent``.

    A response without ``Content-Length`` or ``Transfer-Encoding`` ends when the channel closes. A
    response to ``HEAD`` has no body whatever its headers say, which only ``HttpClientCodec`` knows
    (it remembers the methods sent). Input too broken for a head comes as a ``DefaultFullHttpResponse``
    (``HTTP/1.0 999 Unknown``) whose ``decoder_result()`` failed.
    """

    def is_decoding_request(self) -> bool:
        return False

    def create_message(self, initial_line: Tuple[str, str, str]) -> HttpMessage:
        version, code, reason = initial_line
        return DefaultHttpResponse(HttpVersion.value_of(version, strict=True),
                                   HttpResponseStatus.value_of(_parse_int(code), reason),
                                   HttpHeaders(self.validate_headers))

    def create_invalid_message(self) -> HttpMessage:
        return DefaultFullHttpResponse(HttpVersion.HTTP_1_0, _UNKNOWN_STATUS, Unpooled.buffer(0),
                                       HttpHeaders(self.validate_headers), HttpHeaders(self.validate_headers))


def _parse_int(text: str) -> int:
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits or not (digits.isascii() and digits.isdigit()):
        raise ValueError(f'For input string: "{text}"')
    value = int(text)
    if value < 0 or value > _MAX_INT:
        raise ValueError(f"code: {value} (expected: 0+)")
    return value
