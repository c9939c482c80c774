"""The HTTP codec's exceptions (Netty's names); all are ``ValueError``s through ``DecoderException``.

Decoders never raise these out of the pipeline: they come as the cause of a failed ``decoder_result()``.
"""
from __future__ import annotations

from ..channel import CorruptedFrameException, DecoderException, PrematureChannelClosureException, TooLongFrameException

__all__ = [
    "HttpExpectationFailedEvent",
    "InvalidChunkExtensionException",
    "InvalidChunkTerminationException",
    "InvalidLineSeparatorException",
    "PrematureChannelClosureException",
    "TooLongHttpContentException",
    "TooLongHttpHeaderException",
    "TooLongHttpLineException",
]


class TooLongHttpLineException(TooLongFrameException):
    """The start line (or a chunk-size line) is longer than ``max_initial_line_length``."""


class TooLongHttpHeaderException(TooLongFrameException):
    """The header block (or the trailers) is larger than ``max_header_size``."""


class TooLongHttpContentException(TooLongFrameException):
    """A body is larger than the aggregator's ``max_content_length``."""


class InvalidLineSeparatorException(DecoderException):
    """A start or header line ended with a bare LF (strict line parsing)."""

    def __init__(self, message: str = "Line Feed must be preceded by Carriage Return when terminating HTTP "
                                      "start- and header field-lines") -> None:
        super().__init__(message)


class InvalidChunkExtensionException(CorruptedFrameException):
    """A chunk-size line ended with a bare LF."""

    def __init__(self, message: str = "Line Feed must be preceded by Carriage Return when terminating HTTP "
                                      "chunk header lines") -> None:
        super().__init__(message)


class InvalidChunkTerminationException(CorruptedFrameException):
    """Chunk data was not followed by CRLF (a request-smuggling signature)."""

    def __init__(self, message: str = "Chunk data sections must be terminated by a CR LF octet pair") -> None:
        super().__init__(message)


class HttpExpectationFailedEvent:
    """User event fired by the aggregator when it refused an ``Expect: 100-continue``; decoders reset on it."""

    INSTANCE: "HttpExpectationFailedEvent"

    def __repr__(self) -> str:
        return "HttpExpectationFailedEvent"


HttpExpectationFailedEvent.INSTANCE = HttpExpectationFailedEvent()
