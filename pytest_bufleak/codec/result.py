"""``DecoderResult`` and ``PrematureChannelClosureException`` (Netty's ``io.netty.handler.codec``)."""
from __future__ import annotations

from typing import Optional

from .byte_to_message import CodecException


class PrematureChannelClosureException(CodecException):
    """The channel closed before a codec received or sent everything it expected (a half-read response)."""


class DecoderResult:
    """Whether a decoded message is whole: ``DecoderResult.SUCCESS`` or ``DecoderResult.failure(cause)``."""

    __slots__ = ("_cause",)

    SUCCESS: "DecoderResult"

    def __init__(self, cause: Optional[BaseException] = None) -> None:
        self._cause = cause

    @staticmethod
    def failure(cause: BaseException) -> DecoderResult:
        """A failed result carrying ``cause`` (an exception)."""
        if not isinstance(cause, BaseException):
            raise TypeError(f"cause must be an exception, not {type(cause).__name__}")
        return DecoderResult(cause)

    def is_success(self) -> bool:
        """True for ``SUCCESS``."""
        return self._cause is None

    def is_failure(self) -> bool:
        """True for a ``failure(cause)``."""
        return self._cause is not None

    def cause(self) -> Optional[BaseException]:
        """The failure's cause, or None."""
        return self._cause

    def __repr__(self) -> str:
        return "success" if self._cause is None else f"failure({self._cause!r})"


DecoderResult.SUCCESS = DecoderResult()
