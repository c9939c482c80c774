"""The HTTP client's errors (SPEC §4): premature close, timeouts, protocol errors, error statuses.

Each subclasses the builtin a Python user expects: a premature close is a ``ConnectionError``, every
timeout a ``TimeoutError``; a malformed response and an error status are ``HttpClientException``s.
``TooLongHttpContentException`` (over ``max_content_length``) is the codec's, a ``TooLongFrameException``.
"""
from __future__ import annotations

from typing import Any, Optional


class HttpClientException(Exception):
    """Base of the client's own errors that are neither connection errors nor timeouts."""


class PrematureCloseException(ConnectionError):
    """The server closed the connection before the response, or in the middle of it (Reactor Netty's)."""

    BEFORE = "Connection prematurely closed BEFORE response"
    DURING = "Connection prematurely closed DURING response"


class ConnectTimeoutException(TimeoutError):
    """The TCP connection was not established within ``connect_timeout`` seconds."""


class ResponseTimeoutException(TimeoutError):
    """No response head arrived within ``response_timeout`` seconds after the request was sent."""


class PoolAcquireTimeoutException(TimeoutError):
    """No pooled connection became free within ``pending_acquire_timeout`` seconds."""


class HttpProtocolException(HttpClientException):
    """The response was malformed; ``__cause__`` is the decoder's exception. The connection was closed."""


class HttpClientResponseException(HttpClientException):
    """A 4xx or 5xx response met by ``retrieve()``: ``status``, ``reason``, ``headers`` and ``body`` (bytes,
    at most ``max_error_body`` of them; ``truncated`` says whether more were discarded)."""

    def __init__(self, status: int, reason: str, headers: Any, body: bytes = b"",
                 request: Optional[str] = None, truncated: bool = False) -> None:
        target = f" from {request}" if request else ""
        super().__init__(f"{status} {reason}{target}")
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.request = request
        self.truncated = truncated

    def body_as_str(self, encoding: str = "utf-8") -> str:
        """The error body decoded (undecodable bytes replaced)."""
        return self.body.decode(encoding, "replace")
