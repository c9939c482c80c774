"""Per-buffer leak records (Netty's ``DefaultResourceLeak``) and the report of a leak.

A record holds its buffer only through a weak reference, so tracking never keeps a buffer alive. The
weak reference's callback runs inside the garbage collector: it only appends the record to
:data:`collected` (a lock-free deque append); whoever allocates or checks next reports it.
"""
from __future__ import annotations

import weakref
from collections import deque
from random import getrandbits
from typing import Any, Dict, List, Optional, Tuple

from . import sites
from .sites import capture

#: Records whose buffer was garbage-collected while still unreleased, in order of collection.
collected: deque = deque()

#: Access records kept per buffer before Netty's back-off starts dropping them (0: keep all).
target_records = 4

_DOCS = "See https://netty.io/wiki/reference-counted-objects.html for more information."
GC_HEADLINE = f"LEAK: ByteBuf.release() was not called before it's garbage-collected. {_DOCS}"


def _on_collect(ref: _BufferRef) -> None:
    # Inside the GC: no locks, no logging, nothing that can raise.
    collected.append(ref.record)


class _BufferRef(weakref.ref):
    __slots__ = ("record",)


class LeakRecord:
    """The record of one tracked root buffer: its kind and creation site, owned by a pool (a dict).

    The pool is the tracker the buffer belongs to, or the detector's pool of sampled buffers. The
    buffer calls :meth:`record` on ``retain``/``release``/``touch`` and :meth:`close` once, when freed.
    """

    __slots__ = ("_ref", "pool", "kind", "created")

    def __init__(self, buf: Any, pool: Dict[LeakRecord, None]) -> None:
        ref = _BufferRef(buf, _on_collect)
        ref.record = self
        self._ref: Optional[_BufferRef] = ref
        self.pool = pool
        self.kind = type(buf)
        self.created = capture(skip=2)  # this constructor and the allocation hook
        pool[self] = None

    def record(self, hint: Any) -> None:
        """An access point; only :class:`TracedLeakRecord` (ADVANCED, PARANOID) keeps them."""

    def close(self) -> None:
        """The buffer was freed: forget it, and never report it."""
        self._ref = None
        self.pool.pop(self, None)

    def buffer(self) -> Any:
        """The buffer while it lives, else None."""
        ref = self._ref
        return None if ref is None else ref()

    def traces(self) -> Tuple[List[Tuple[Any, sites.Site]], int]:
        """The access records ``(hint, site)``, oldest first, and how many were dropped."""
        return [], 0


class TracedLeakRecord(LeakRecord):
    """A record that also keeps access records, at most about :data:`target_records` of them.

    As in Netty, once the target is reached each new record replaces the newest one with a
    probability that doubles with every record past the target, so the oldest records (how the buffer
    started its life) and the latest one survive.
    """

    __slots__ = ("_traces", "_dropped")  # set by the first record(): most buffers never get one

    def record(self, hint: Any) -> None:
        """Keep this access point (``hint`` from ``touch``, None from ``retain``/``release``)."""
        trace = (hint, capture(skip=2))  # this method and the ByteBuf method that called it
        try:
            traces = self._traces
        except AttributeError:
            self._traces = [trace]
            self._dropped = 0
            return
        count = len(traces) + 1  # the creation record counts, as in Netty
        target = target_records
        if target > 0 and count >= target and getrandbits(min(count - target, 30)):
            traces[-1] = trace
            self._dropped += 1
        else:
            traces.append(trace)

    def traces(self) -> Tuple[List[Tuple[Any, sites.Site]], int]:
        try:
            return list(self._traces), self._dropped
        except AttributeError:
            return [], 0


class AccessRecord:
    """One resolved access record of a leak: the hint given to ``touch`` (if any) and its frames."""

    __slots__ = ("hint", "frames")

    def __init__(self, hint: Any, frames: List[sites.Frame]) -> None:
        self.hint = hint
        self.frames = frames

    def format(self, relative_to: Optional[str] = None) -> str:
        """Netty's layout: ``\\tHint: ...`` then one ``\\tpath:line in name`` line per frame."""
        lines = [] if self.hint is None else [f"\tHint: {self.hint}"]
        lines += [f"\t{frame.format(relative_to)}" for frame in self.frames]
        return "\n".join(lines) + "\n"

    def to_json(self, relative_to: Optional[str] = None) -> dict:
        """A JSON-ready dict: ``hint`` (str or None) and ``frames`` (``path:line in name`` strings)."""
        hint = None if self.hint is None else str(self.hint)
        return {"hint": hint, "frames": [frame.format(relative_to) for frame in self.frames]}


class Leak:
    """A tracked buffer found unreleased: still live, or garbage-collected with a count above 0.

    ``buffer`` is the live buffer (None once collected), ``ref_cnt`` its count (None once collected),
    ``kind`` its class name, ``description`` its repr, ``site`` its allocation site ``path:line``,
    ``created`` the allocation record, ``records`` the access records (newest first) and ``dropped``
    how many of those were dropped. ``origin`` is None, or the name of the ended scope (a closed
    tracker) whose task, thread or context allocated the buffer after that scope had ended: the
    tracker that holds it only found it.
    """

    __slots__ = ("buffer", "ref_cnt", "kind", "description", "collected", "created", "records", "dropped", "origin")

    def __init__(self, record: LeakRecord, origin: Optional[str] = None) -> None:
        self.origin = origin
        buf = record.buffer()
        self.buffer = buf
        self.collected = buf is None
        self.kind = record.kind.__name__
        self.ref_cnt = None if buf is None else buf.ref_cnt()
        self.description = f"{self.kind}(garbage-collected)" if buf is None else repr(buf)
        self.created = AccessRecord(None, sites.resolve(record.created))
        traces, self.dropped = record.traces()
        self.records = [AccessRecord(hint, sites.resolve(site)) for hint, site in reversed(traces)]

    @property
    def frame(self) -> Optional[sites.Frame]:
        """The allocating frame in the user's code (None if the buffer was made from no Python frame)."""
        frames = self.created.frames
        return frames[0] if frames else None

    @property
    def site(self) -> str:
        """Where the buffer was allocated, ``path:line`` (absolute path), or ``"<unknown>"``."""
        return self.site_relative_to(None)

    def site_relative_to(self, relative_to: Optional[str]) -> str:
        """The allocation site with its path relative to ``relative_to`` when below it."""
        frame = self.frame
        if frame is None:
            return "<unknown>"
        return f"{sites.shorten(frame.filename, relative_to)}:{frame.lineno}"

    def summary(self, relative_to: Optional[str] = None) -> str:
        """One line: the buffer, its count (or that it was garbage-collected) and where it was allocated."""
        if self.collected:
            state = f"{self.kind}, garbage-collected unreleased"
        else:
            state = f"{self.description}, refCnt: {self.ref_cnt}"
        frame = self.frame
        where = "" if frame is None else f" in {frame.name}"
        if self.origin is not None:
            where += f" (after {self.origin} had ended)"
        return f"{state}, allocated at {self.site_relative_to(relative_to)}{where}"

    def report(self, relative_to: Optional[str] = None) -> str:
        """Netty's leak report: the headline, ``Recent access records:``, ``#1:`` ..., ``Created at:``."""
        if self.collected:
            headline = GC_HEADLINE
        else:
            still_live = f"{self.description} is still live (refCnt: {self.ref_cnt})."
            headline = f"LEAK: ByteBuf.release() was not called: {still_live}"
        return headline + "\n" + self.records_text(relative_to)

    def records_text(self, relative_to: Optional[str] = None) -> str:
        """Netty's ``Recent access records:`` block, duplicates folded and drops counted."""
        parts = ["Recent access records: \n"]
        seen = set()
        duplicates = 0
        number = 1
        for record in self.records:
            text = record.format(relative_to)
            if text in seen:
                duplicates += 1
                continue
            seen.add(text)
            parts.append(f"#{number}:\n{text}")
            number += 1
        parts.append("Created at:\n" + self.created.format(relative_to))
        if duplicates:
            parts.append(f": {duplicates} leak records were discarded because they were duplicates\n")
        if self.dropped:
            parts.append(
                f": {self.dropped} leak records were discarded because the leak record count is targeted to "
                f"{target_records}. Use ResourceLeakDetector.set_target_records() or the environment variable "
                "BUFLEAK_TARGET_RECORDS to increase the limit.\n"
            )
        return "".join(parts)

    def to_json(self, relative_to: Optional[str] = None) -> dict:
        """A JSON-ready dict: repr, ref_cnt, collected, site, created, records (newest first), dropped, origin."""
        return {
            "repr": self.description,
            "ref_cnt": self.ref_cnt,
            "collected": self.collected,
            "site": self.site_relative_to(relative_to),
            "created": self.created.to_json(relative_to)["frames"],
            "records": [record.to_json(relative_to) for record in self.records],
            "dropped": self.dropped,
            "origin": self.origin,
        }

    def __repr__(self) -> str:
        return f"<Leak {self.summary()}>"


def format_leaks(leaks: List[Leak], relative_to: Optional[str] = None, owner: str = "") -> str:
    """A readable account of several leaks: ``<owner> leaked N buffers:``, then a summary line and
    Netty's report for each."""
    noun = "buffer" if len(leaks) == 1 else "buffers"
    blocks = [f"{owner + ' ' if owner else ''}leaked {len(leaks)} {noun}:"]
    for number, leak in enumerate(leaks, 1):
        blocks.append(f"[{number}] {leak.summary(relative_to)}\n{leak.report(relative_to)}")
    return "\n".join(blocks)
