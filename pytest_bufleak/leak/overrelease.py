"""Over-release reports: a release of a freed buffer that the runtime's own paths caught and swallowed.

``ReferenceCountUtil.safe_release`` (which ``SimpleChannelInboundHandler``'s auto-release and the
codecs use) and the pipeline's tail hand each ``IllegalReferenceCountException`` they catch to
:func:`report`. Like AddressSanitizer's double-free report it names both sites: where the buffer was
freed first (its leak record keeps that site) and where the second release happened. The report goes
to the tracker that owns the buffer (which fails its test under ``pytest --bufleak``) and to every
listener added with ``ResourceLeakDetector.add_over_release_listener``; with neither, it is logged
at ERROR on the ``pytest_bufleak`` logger.
"""
from __future__ import annotations

import logging
import os
import sys
from typing import Any, Optional

from . import detector, sites
from .records import AccessRecord, LeakRecord, record_of

logger = logging.getLogger("pytest_bufleak")

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
#: The modules that only relay a release (the report is about who called them).
_RELAYS = tuple(
    os.path.join(_PACKAGE_DIR, *parts) for parts in (("buffer", "refcount.py"), ("buffer", "tracking.py"), ("leak", ""))
)
#: Methods of a user's handler that the runtime calls with the message it then releases.
_HANDLER_METHODS = ("channel_read0", "channel_read", "decode", "encode", "write")


class OverRelease:
    """One release of an already freed buffer: ``description`` (its repr), ``error`` (the exception's text),
    and the access records ``released`` (the second release), ``freed`` (the first, None when the buffer was
    not tracked when it was freed) and ``created`` (its allocation, None when untracked)."""

    __slots__ = ("description", "error", "released", "freed", "created")

    def __init__(self, msg: Any, error: BaseException, record: Optional[LeakRecord], by: Optional[str]) -> None:
        self.description = repr(msg)
        self.error = f"{type(error).__name__}: {error}"
        self.released = AccessRecord(*_released_by(by))
        self.freed = self.created = None
        if record is not None:
            self.created = AccessRecord(None, sites.resolve(record.created))
            if record.freed is not None:
                self.freed = AccessRecord(None, sites.resolve(record.freed))

    def summary(self, relative_to: Optional[str] = None) -> str:
        """One line: the buffer, where it was released again, and where it had been freed."""
        text = f"{self.description} released again at {_first(self.released, relative_to)}"
        if self.freed is not None:
            text += f" after it was freed at {_first(self.freed, relative_to)}"
        return text

    def report(self, relative_to: Optional[str] = None) -> str:
        """The full report: the headline, then ``Released again at:``, ``Freed first at:``, ``Created at:``."""
        parts = [f"OVER-RELEASE: {self.description} was released after it was freed ({self.error}).\n"]
        for title, record in (("Released again at", self.released), ("Freed first at", self.freed),
                              ("Created at", self.created)):
            if record is not None:
                parts.append(f"{title}:\n{record.format(relative_to)}")
        return "".join(parts)

    def to_json(self, relative_to: Optional[str] = None) -> dict:
        """A JSON-ready dict: repr, error, and released, freed, created (each hint and frames, or None)."""
        return {
            "repr": self.description,
            "error": self.error,
            "released": self.released.to_json(relative_to),
            "freed": None if self.freed is None else self.freed.to_json(relative_to),
            "created": None if self.created is None else self.created.to_json(relative_to),
        }

    def __repr__(self) -> str:
        return f"<OverRelease {self.summary()}>"


def report(msg: Any, error: BaseException, by: Optional[str] = None) -> OverRelease:
    """Report that the runtime caught ``error`` releasing ``msg`` (already freed); ``by`` names the path.

    Without ``by``, the path is the package function that asked for the release (``SimpleChannelInboundHandler
    .channel_read``, ...). The owning tracker is the one the buffer was allocated under, else the current one.
    """
    record = record_of(msg)
    over = OverRelease(msg, error, record, by)
    tracker = getattr(getattr(record, "pool", None), "tracker", None)
    if tracker is None or tracker.closed:
        tracker = detector.current_tracker()
    if tracker is not None:
        tracker.over_released.append(over)
    listeners = tuple(detector.over_release_listeners)
    for listener in listeners:
        listener(over)
    if tracker is None and not listeners:
        logger.error(over.report())
    return over


def _released_by(by: Optional[str]) -> tuple:
    """(hint, frames) of the second release: the runtime path, the user's handler method, the user's call."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_RELAYS):
        frame = frame.f_back
    handler = None
    if frame is not None:
        owner = frame.f_locals.get("self")
        if by is None:
            by = _method_name(frame.f_code, owner)
        handler = None if owner is None else sites.user_method(owner, _HANDLER_METHODS)
    frames = sites.resolve(sites.capture())
    return f"released by {by}", ([handler] if handler else []) + frames


def _method_name(code: Any, owner: Any) -> str:
    """``Class.method`` for the method of ``owner``'s class that ``code`` belongs to, ``of Subclass`` if inherited."""
    for cls in type(owner).__mro__:
        if getattr(cls.__dict__.get(code.co_name), "__code__", None) is code:
            inherited = "" if cls is type(owner) else f" of {type(owner).__name__}"
            return f"{cls.__name__}.{code.co_name}{inherited}"
    return code.co_name


def _first(record: AccessRecord, relative_to: Optional[str]) -> str:
    frames = record.frames
    return frames[0].format(relative_to) if frames else "<unknown>"
