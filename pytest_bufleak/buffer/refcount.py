"""Reference counting: the ReferenceCounted contract, its exception, and ReferenceCountUtil."""
from __future__ import annotations

import logging
from typing import Any

from . import tracking
from .args import int_arg

logger = logging.getLogger("pytest_bufleak")

#: Netty caps a reference count at Integer.MAX_VALUE.
MAX_REF_CNT = 2**31 - 1


class IllegalReferenceCountException(RuntimeError):
    """A reference count was used after it reached 0, or would leave its valid range.

    The message follows Netty: ``refCnt: 0``, ``refCnt: 0, decrement: 1``, ``refCnt: 1, increment: 5``.
    """

    def __init__(self, ref_cnt: int | str = 0, delta: int = 0) -> None:
        if isinstance(ref_cnt, str):
            message = ref_cnt
        elif delta > 0:
            message = f"refCnt: {ref_cnt}, increment: {delta}"
        elif delta < 0:
            message = f"refCnt: {ref_cnt}, decrement: {-delta}"
        else:
            message = f"refCnt: {ref_cnt}"
        super().__init__(message)


class ReferenceCounted:
    """An object that must be explicitly released: Netty's ``ReferenceCounted``.

    A new object starts with a count of 1; ``retain`` adds, ``release`` subtracts and frees the
    object when the count reaches 0. Subclass it to make your own messages reference counted: every
    method must be overridden. (A plain class, not an ``abc.ABC``: ``isinstance`` checks against it
    run on every message a pipeline handles, and an ABC's check costs several times more.)
    """

    __slots__ = ()

    def ref_cnt(self) -> int:
        """The current reference count; 0 means the object has been freed."""
        raise NotImplementedError(f"{type(self).__name__}.ref_cnt")

    def retain(self, n: int = 1) -> ReferenceCounted:
        """Increase the count by ``n`` and return self."""
        raise NotImplementedError(f"{type(self).__name__}.retain")

    def release(self, n: int = 1) -> bool:
        """Decrease the count by ``n``; True when it reached 0 and the object was freed."""
        raise NotImplementedError(f"{type(self).__name__}.release")

    def touch(self, hint: Any = None) -> ReferenceCounted:
        """Record the current access point (and ``hint``) for leak reports; return self."""
        raise NotImplementedError(f"{type(self).__name__}.touch")


def check_positive(value: int, name: str) -> int:
    """Netty's ``ObjectUtil.checkPositive``: ``value`` as an int, a ValueError naming ``name`` unless it is > 0.

    A value that is not an integer (``1.5``, ``"1"``, ``True``) raises TypeError: a count never becomes fractional.
    """
    value = int_arg(value, name)
    if value <= 0:
        raise ValueError(f"{name}: {value} (expected: > 0)")
    return value


class ReferenceCountUtil:
    """Static helpers that apply to any message, reference counted or not (Netty's ``ReferenceCountUtil``)."""

    @staticmethod
    def retain(msg: Any, n: int = 1) -> Any:
        """Retain ``msg`` (``n`` times) if it is reference counted; return it either way."""
        if isinstance(msg, ReferenceCounted):
            return msg.retain(n)
        return msg

    @staticmethod
    def release(msg: Any, n: int = 1) -> bool:
        """Release ``msg`` (``n`` times) if it is reference counted; False for anything else."""
        if isinstance(msg, ReferenceCounted):
            return msg.release(n)
        return False

    @staticmethod
    def safe_release(msg: Any, n: int = 1) -> bool:
        """Release ``msg`` (``n`` times) and never raise: a failure is logged as a warning and gives False."""
        try:
            return ReferenceCountUtil.release(msg, n)
        except Exception as exc:  # noqa: BLE001 - the whole point is to swallow and log
            logger.warning("Failed to release a message: %r (decrement: %s)", msg, n, exc_info=True)
            if isinstance(exc, IllegalReferenceCountException):
                tracking.report_over_release(msg, exc)  # leak detection fails the owner's test on it
            return False

    @staticmethod
    def touch(msg: Any, hint: Any = None) -> Any:
        """Record an access point on ``msg`` if it is reference counted; return it either way."""
        if isinstance(msg, ReferenceCounted):
            return msg.touch(hint)
        return msg

    @staticmethod
    def ref_cnt(msg: Any) -> int:
        """The count of ``msg``, or -1 when it is not reference counted (as Netty)."""
        if isinstance(msg, ReferenceCounted):
            return msg.ref_cnt()
        return -1
