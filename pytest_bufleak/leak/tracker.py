"""Presence-based leak tracking for a scope (Netty 4.2's ``LeakPresenceDetector``).

A :class:`LeakTracker` owns every root buffer allocated while it is active, of every kind, unpooled
heap buffers included. Whatever is not released when asked (:meth:`LeakTracker.leaks`) is a leak,
whether it is still reachable or was garbage-collected: no waiting for the garbage collector.
Ownership is decided at allocation: a context variable names the owning tracker (asyncio tasks
inherit it from the code that created them); threads without one fall back to the tracker activated
last.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from . import detector
from .records import Leak, LeakRecord, format_leaks


class LeakTracker:
    """The buffers one scope allocated and has not released. Use :func:`track_leaks` to make one.

    As a context manager it is active inside the ``with`` block and closed at its end (buffers
    allocated later are not its own); :meth:`leaks` keeps answering after that. A buffer that a task
    or thread of an ended scope allocates goes to the tracker active at that moment, marked with the
    ended scope's name (:attr:`Leak.origin`), so it is still seen, by the scope running when it was made.
    """

    def __init__(self, name: Optional[str] = None, relative_to: Optional[str] = None) -> None:
        #: What the tracker tracks, for messages (a test id, "session", ...).
        self.name = name
        #: Directory that reports show paths relative to (None: absolute paths).
        self.relative_to = relative_to
        #: The records of the unreleased buffers it holds, in order of allocation, each mapped to None
        #: (its own) or to the name of the ended scope whose task or thread allocated it while this was active.
        self.pool: Dict[LeakRecord, Optional[str]] = {}
        #: True once the scope ended: buffers are no longer attributed to it.
        self.closed = False
        self._activations: List[_Activation] = []

    def active(self) -> _Activation:
        """Make this tracker the owner of buffers allocated inside ``with tracker.active():`` (re-entrant)."""
        return _Activation(self)

    def __enter__(self) -> LeakTracker:
        activation = _Activation(self)
        activation.__enter__()
        self._activations.append(activation)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._activations.pop().__exit__(*exc_info)
        if not self._activations:
            self.close()

    def close(self) -> None:
        """End the scope: buffers allocated from now on belong to someone else."""
        self.closed = True

    def leaks(self) -> List[Leak]:
        """The buffers it owns that are not released: still live, or garbage-collected unreleased."""
        return [Leak(record, origin) for record, origin in tuple(self.pool.items())]

    def live(self) -> List[Leak]:
        """The buffers it owns that are still live (each entry has ``.buffer`` and ``.site``)."""
        return [leak for leak in self.leaks() if not leak.collected]

    def clear(self) -> None:
        """Forget every buffer tracked so far: they will not be reported, here or by the detector."""
        self.pool.clear()

    def assert_clean(self) -> None:
        """Raise ``AssertionError`` naming every leaked buffer (repr, count, site, access records)."""
        __tracebackhide__ = True  # pytest shows the caller's line, not this one
        leaks = self.leaks()
        if leaks:
            raise AssertionError(format_leaks(leaks, self.relative_to, self.name or ""))

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<LeakTracker {self.name or ''} {state}, {len(self.pool)} unreleased>"


class _Activation:
    """One activation of a tracker: owner in this context, and fallback owner for other threads."""

    __slots__ = ("tracker", "token")

    def __init__(self, tracker: LeakTracker) -> None:
        self.tracker = tracker

    def __enter__(self) -> LeakTracker:
        self.token = detector.owner.set(self.tracker)
        with detector.active_lock:
            detector.active.append(self.tracker)
        detector.update_hook()
        return self.tracker

    def __exit__(self, *exc_info: Any) -> None:
        token = self.token
        try:
            detector.owner.reset(token)
        except ValueError:  # exited in another context than it was entered in
            detector.owner.set(None if token.old_value is token.MISSING else token.old_value)
        with detector.active_lock:
            stack = detector.active
            for index in range(len(stack) - 1, -1, -1):
                if stack[index] is self.tracker:
                    del stack[index]
                    break
        detector.update_hook()


def track_leaks(name: Optional[str] = None, relative_to: Optional[str] = None) -> LeakTracker:
    """Track every buffer allocated inside ``with track_leaks() as tracker:``; no pytest needed.

    After the block, ``tracker.leaks()`` lists the buffers not released (with allocation sites and
    access records) and ``tracker.assert_clean()`` raises ``AssertionError`` if there are any.
    ``relative_to`` is a directory that reports show paths relative to.
    """
    return LeakTracker(name, relative_to)
