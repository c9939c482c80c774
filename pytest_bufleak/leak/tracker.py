"""Presence-based leak tracking for a scope (Netty 4.2's ``LeakPresenceDetector``).

A :class:`LeakTracker` owns every root buffer allocated while it is active, of every kind, unpooled
heap buffers included. Whatever is not released when asked (:meth:`LeakTracker.leaks`) is a leak,
whether it is still reachable or was garbage-collected: no waiting for the garbage collector.
Ownership is decided at allocation: a context variable names the owning tracker (asyncio tasks
inherit it from the code that created them); threads without one fall back to the tracker activated
last.
"""
from __future__ import annotations

import contextlib
from typing import Any, Dict, Iterator, List, Optional

from . import detector
from .records import Leak, LeakRecord, format_leaks


class LeakTracker:
    """The buffers one scope allocated and has not released. Use :func:`track_leaks` to make one.

    As a context manager it is active inside the ``with`` block and closed at its end (buffers
    allocated later are not its own); :meth:`leaks` keeps answering after that.
    """

    def __init__(self, name: Optional[str] = None, relative_to: Optional[str] = None) -> None:
        #: What the tracker tracks, for messages (a test id, "session", ...).
        self.name = name
        #: Directory that reports show paths relative to (None: absolute paths).
        self.relative_to = relative_to
        #: The records of the unreleased buffers it owns, in order of allocation.
        self.pool: Dict[LeakRecord, None] = {}
        #: True once the scope ended: buffers are no longer attributed to it.
        self.closed = False
        self._activations: List[contextlib.AbstractContextManager] = []

    @contextlib.contextmanager
    def active(self) -> Iterator[LeakTracker]:
        """Make this tracker the owner of buffers allocated inside the block (re-entrant)."""
        token = detector.owner.set(self)
        with detector.active_lock:
            detector.active.append(self)
        detector.update_hook()
        try:
            yield self
        finally:
            try:
                detector.owner.reset(token)
            except ValueError:  # exited in another context than it was entered in
                detector.owner.set(token.old_value if token.old_value is not token.MISSING else None)
            with detector.active_lock:
                stack = detector.active
                for index in range(len(stack) - 1, -1, -1):
                    if stack[index] is self:
                        del stack[index]
                        break
            detector.update_hook()

    def __enter__(self) -> LeakTracker:
        activation = self.active()
        result = activation.__enter__()
        self._activations.append(activation)
        return result

    def __exit__(self, *exc_info: Any) -> None:
        self._activations.pop().__exit__(*exc_info)
        if not self._activations:
            self.close()

    def close(self) -> None:
        """End the scope: buffers allocated from now on belong to someone else."""
        self.closed = True

    def leaks(self) -> List[Leak]:
        """The buffers it owns that are not released: still live, or garbage-collected unreleased."""
        return [Leak(record) for record in tuple(self.pool)]

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


def track_leaks(name: Optional[str] = None, relative_to: Optional[str] = None) -> LeakTracker:
    """Track every buffer allocated inside ``with track_leaks() as tracker:``; no pytest needed.

    After the block, ``tracker.leaks()`` lists the buffers not released (with allocation sites and
    access records) and ``tracker.assert_clean()`` raises ``AssertionError`` if there are any.
    ``relative_to`` is a directory that reports show paths relative to.
    """
    return LeakTracker(name, relative_to)
