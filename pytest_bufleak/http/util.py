"""``HttpUtil``: keep-alive, Content-Length, chunked and 100-continue rules over a message's headers (Netty's)."""
from __future__ import annotations

from typing import List, Optional

from .headers import HttpHeaderNames, HttpHeaderValues
from .messages import HttpMessage, HttpRequest
from .names import HttpVersion

_NO_DEFAULT = object()


def _parse_long(text: str) -> int:
    # Java's Long.parseLong: an optional sign and ASCII digits, nothing else (no spaces, no underscores).
    digits = text[1:] if text[:1] in "+-" else text
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ValueError(f'For input string: "{text}"')
    value = int(text)
    if not -(2 ** 63) <= value < 2 ** 63:
        raise ValueError(f'For input string: "{text}"')
    return value


class HttpUtil:
    """Static helpers on ``HttpMessage`` headers."""

    @staticmethod
    def is_keep_alive(message: HttpMessage) -> bool:
        """No ``Connection: close``, and HTTP/1.1 (or ``Connection: keep-alive``)."""
        headers = message.headers()
        if headers.contains_value(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, True):
            return False
        return message.protocol_version().is_keep_alive_default() or headers.contains_value(
            HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE, True)

    @staticmethod
    def set_keep_alive(message: HttpMessage, keep_alive: bool) -> None:
        """Set ``Connection`` for ``keep_alive`` as the version needs (HTTP/1.0: ``keep-alive``; 1.1: ``close``)."""
        headers = message.headers()
        if message.protocol_version().is_keep_alive_default():
            if keep_alive:
                headers.remove(HttpHeaderNames.CONNECTION)
            else:
                headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
        elif keep_alive:
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE)
        else:
            headers.remove(HttpHeaderNames.CONNECTION)

    @staticmethod
    def get_content_length(message: HttpMessage, default: object = _NO_DEFAULT) -> int:
        """The ``Content-Length`` as an int; without the header, ``default`` (ValueError when none was given).

        A value that is not a number raises ValueError, as Netty's ``Long.parseLong``.
        """
        value = message.headers().get(HttpHeaderNames.CONTENT_LENGTH)
        if value is not None:
            return _parse_long(value)
        if default is _NO_DEFAULT:
            raise ValueError(f"header not found: {HttpHeaderNames.CONTENT_LENGTH}")
        return default  # type: ignore[return-value]

    @staticmethod
    def set_content_length(message: HttpMessage, length: int) -> None:
        """Set ``Content-Length``."""
        message.headers().set(HttpHeaderNames.CONTENT_LENGTH, length)

    @staticmethod
    def is_content_length_set(message: HttpMessage) -> bool:
        """True when the message has a ``Content-Length`` header."""
        return HttpHeaderNames.CONTENT_LENGTH in message.headers()

    @staticmethod
    def is_transfer_encoding_chunked(message: HttpMessage) -> bool:
        """True when ``Transfer-Encoding`` lists ``chunked``."""
        return message.headers().contains_value(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED, True)

    @staticmethod
    def set_transfer_encoding_chunked(message: HttpMessage, chunked: bool) -> None:
        """Add ``Transfer-Encoding: chunked`` (dropping ``Content-Length``), or take ``chunked`` out of it."""
        headers = message.headers()
        if chunked:
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
            headers.remove(HttpHeaderNames.CONTENT_LENGTH)
            return
        values = headers.get_all(HttpHeaderNames.TRANSFER_ENCODING)
        if not values:
            return
        kept = [value for value in values if value.lower() != HttpHeaderValues.CHUNKED]
        if kept:
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, kept)
        else:
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING)

    @staticmethod
    def is_100_continue_expected(message: HttpMessage) -> bool:
        """True for an HTTP/1.1+ request with ``Expect: 100-continue``."""
        return _expect_valid(message) and message.headers().contains(
            HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE, True)

    @staticmethod
    def is_unsupported_expectation(message: HttpMessage) -> bool:
        """True for an HTTP/1.1+ request expecting something other than ``100-continue``."""
        if not _expect_valid(message):
            return False
        value = message.headers().get(HttpHeaderNames.EXPECT)
        return value is not None and value.lower() != HttpHeaderValues.CONTINUE

    @staticmethod
    def set_100_continue_expected(message: HttpMessage, expected: bool) -> None:
        """Add or remove ``Expect: 100-continue``."""
        if expected:
            message.headers().set(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE)
        else:
            message.headers().remove(HttpHeaderNames.EXPECT)

    @staticmethod
    def normalize_and_get_content_length(fields: List[str], is_http10_or_earlier: bool,
                                         allow_duplicate_content_lengths: bool) -> int:
        """The one body length that ``Content-Length`` fields state (-1 with none), as RFC 9112 section 6.3.

        Several fields, or a comma list, are refused (ValueError) unless ``allow_duplicate_content_lengths``
        and they all agree (HTTP/1.0 takes the first); a value must start with a digit (no sign) and be a
        non-negative number.
        """
        if not fields:
            return -1
        first: Optional[str] = fields[0]
        if (len(fields) > 1 or "," in fields[0]) and not is_http10_or_earlier:
            if not allow_duplicate_content_lengths:
                raise ValueError(f"Multiple Content-Length values found: {fields}")
            tokens = {token.strip() for field in fields for token in field.split(",")}
            if len(tokens) != 1:
                raise ValueError(f"Multiple Content-Length values found: {fields}")
            first = tokens.pop()
        if not first or not ("0" <= first[0] <= "9"):
            raise ValueError(f"Content-Length value is not a number: {first}")
        try:
            value = _parse_long(first)
        except ValueError:
            raise ValueError(f"Content-Length value is not a number: {first}") from None
        return value


def is_http10_or_earlier(version: HttpVersion) -> bool:
    """True for HTTP/1.0 and older."""
    return (version.major_version(), version.minor_version()) <= (1, 0)


def _expect_valid(message: HttpMessage) -> bool:
    version = message.protocol_version()
    return isinstance(message, HttpRequest) and (version.major_version(), version.minor_version()) >= (1, 1)
