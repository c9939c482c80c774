"""Presence-based leak tracking for a scope (Netty 4.2's ``LeakPresenceDetector``).

A :class:`LeakTracker` owns every root buffer allocated while it is active, of every kind, unpooled
heap buffers included. Whatever is not released when asked (:meth:`LeakTracker.leaks`) is a leak,
whether it is still reachable or was garbage-collected: no waiting for the garbage collector.
Ownership is decided at allocation: a context variable names the owning tracker (asyncio tasks
inherit it from the code that created them, threads and executor jobs from the code that started or
submitted them: see :mod:`.threads`); threads without one fall back to the tracker activated last.
A tracker also collects the over-releases of its buffers (:mod:`.overrelease`), and can hand a
buffer over to another tracker (a wider scope that will release it).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from . import detector, threads
from .overrelease import OverRelease
from .records import Leak, LeakRecord, Pool, record_of
from .report import format_leaks, format_over_releases


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
        self.pool: Dict[LeakRecord, Optional[str]] = Pool()
        self.pool.tracker = self  # type: ignore[attr-defined]
        #: Releases of its buffers after they were freed, that the runtime caught (:class:`OverRelease`).
        self.over_released: List[OverRelease] = []
        #: ``scope -> tracker`` for :meth:`hand_over` (the pytest plugin sets it; None outside pytest).
        self.scopes: Optional[Callable[[str], LeakTracker]] = None
        #: True once the scope ended: buffers are no longer attributed to it.
        self.closed = False
        self._counted = False  # counted in detector.open_trackers (activated, not closed)
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
        with detector.active_lock:
            counted, self._counted = self._counted, False
            self.closed = True
            if counted:
                detector.open_trackers -= 1
        if counted:
            detector.update_hook()

    def leaks(self) -> List[Leak]:
        """The buffers it owns that are not released: still live, or garbage-collected unreleased."""
        return [Leak(record, origin) for record, origin in tuple(self.pool.items())]

    def live(self) -> List[Leak]:
        """The buffers it owns that are still live (each entry has ``.buffer`` and ``.site``)."""
        return [leak for leak in self.leaks() if not leak.collected]

    def hand_over(self, buf: Any, scope: Optional[str] = None, to: Optional[LeakTracker] = None) -> Any:
        """Move ``buf`` (a buffer this tracker owns, or a view of one) to a wider scope, which checks it when
        it ends: ``scope`` is ``"class"``, ``"module"``, ``"package"`` or ``"session"`` under pytest, ``to``
        another tracker anywhere. Returns ``buf``; ValueError if this tracker does not own it."""
        if (scope is None) == (to is None):
            raise TypeError("hand_over(buf, scope=...) or hand_over(buf, to=tracker): give exactly one")
        if to is None:
            if self.scopes is None:
                raise ValueError(f"hand_over(scope={scope!r}): no scopes outside pytest; pass to=<tracker>")
            to = self.scopes(scope)
        record = record_of(buf)
        if record is None or record.pool is not self.pool or record.buffer() is None:
            raise ValueError(f"hand_over: {buf!r} is not a live buffer of {self!r}")
        to.pool[record] = self.pool.pop(record)
        record.pool = to.pool
        return buf

    def clear(self) -> None:
        """Forget every buffer tracked so far (and over-release): they will not be reported, here or by the detector."""
        self.pool.clear()
        del self.over_released[:]

    def assert_clean(self) -> None:
        """Raise ``AssertionError`` naming every leaked buffer (repr, count, site, access records), and every
        over-release (where the buffer was freed, and released again)."""
        __tracebackhide__ = True  # pytest shows the caller's line, not this one
        leaks = self.leaks()
        texts = [format_leaks(leaks, self.relative_to, self.name or "")] if leaks else []
        if self.over_released:
            texts.append(format_over_releases(self.over_released, self.relative_to, self.name or ""))
        if texts:
            raise AssertionError("\n\n".join(texts))

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
        tracker = self.tracker
        with detector.active_lock:
            detector.active.append(tracker)
            if not tracker._counted and not tracker.closed:
                tracker._counted = True
                detector.open_trackers += 1
        detector.update_hook()
        if not threads.installed:
            threads.install()
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
