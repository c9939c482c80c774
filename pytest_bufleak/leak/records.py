"""Per-buffer leak records (Netty's ``DefaultResourceLeak``) and the report of a leak.

A record holds its buffer only through a weak reference, so tracking never keeps a buffer alive. The
weak reference's callback runs inside the garbage collector: it only appends the record to
:data:`collected` (a lock-free deque append); whoever allocates or checks next reports it.
"""
from __future__ import annotations

import sys
import types
import weakref
from collections import deque
from typing import Any, Dict, Iterable, List, Optional, Tuple

from ..buffer import bytebuf
from . import sites
from .sites import package_files, capture

_getframe = sys._getframe

# The frames of the buffer handle's own methods (ByteBuf.release, .retain, .touch) between a record
# and the user's call: one each in pure Python, none when the compiled core runs them (see bytebuf.pxd).
_HANDLE_FRAMES = 1 if isinstance(bytebuf._Handle.release, types.FunctionType) else 0

#: Records whose buffer was garbage-collected while still unreleased, in order of collection.
collected: deque = deque()

#: Access records kept per buffer before Netty's back-off starts dropping them (0: keep all).
target_records = 4

#: Hand-over records kept beyond the target before they too are subject to the back-off.
PINNED_LIMIT = 64

_DOCS = "See https://netty.io/wiki/reference-counted-objects.html for more information."
GC_HEADLINE = f"LEAK: ByteBuf.release() was not called before it's garbage-collected. {_DOCS}"


def _on_collect(ref: _BufferRef) -> None:
    # Inside the GC: no locks, no logging, nothing that can raise.
    collected.append(ref.record)


class _BufferRef(weakref.ref):
    __slots__ = ("record",)


class HandOver(str):
    """A ``touch`` hint that records a hand-over (the pipeline's ``'name' will handle the message from
    this point.``): the access-record back-off never drops it, so a leak's report is the same every run."""

    __slots__ = ()


class Pool(dict):
    """A tracker's records (record -> None, or the name of the ended scope it came from), and ``.tracker``."""

    __slots__ = ("tracker",)


class LeakRecord:
    """The record of one tracked root buffer: its kind and creation site, owned by a pool (a dict).

    The pool is the tracker's :class:`Pool` the buffer belongs to, or the detector's pool of sampled
    buffers. The buffer calls :meth:`record` on ``retain``/``release``/``touch`` and :meth:`close`
    once, when freed; the record then keeps where that happened (:attr:`freed`) for an over-release report.
    ``source`` is set when the transport allocated the buffer for a read: ``(channel, ctx)``.
    """

    __slots__ = ("_ref", "pool", "kind", "created", "freed", "source")

    def __init__(self, buf: Any, pool: Dict[LeakRecord, None]) -> None:
        ref = _BufferRef(buf, _on_collect)
        ref.record = self
        self._ref: Optional[_BufferRef] = ref
        self.pool = pool
        self.kind = type(buf)
        self.created = capture(skip=2)  # this constructor and the allocation hook
        self.freed = self.source = None
        pool[self] = None

    def record(self, hint: Any) -> None:
        """An access point; only :class:`TracedLeakRecord` (ADVANCED, PARANOID) keeps them."""

    def close(self) -> None:
        """The buffer was freed: forget it, never report it as a leak, and keep where it was freed.

        The buffer drops its record as it frees; the record re-attaches itself, so that a second
        release (an over-release) can still name the site of the first.
        """
        depth = 1 + _HANDLE_FRAMES  # past this method and ByteBuf.release: the caller, mostly
        frame = _getframe(depth)
        code = frame.f_code
        if package_files.get(code.co_filename, True):  # a view's release, ReferenceCountUtil...: walk on
            self.freed = capture(skip=depth)
        else:  # the user's own release: one frame is enough, and capture() costs a call more
            self.freed = (code, frame.f_lasti)
        ref = self._ref
        self._ref = None
        self.pool.pop(self, None)
        buf = None if ref is None else ref()
        if buf is not None:
            buf._leak = self

    def buffer(self) -> Any:
        """The buffer while it lives, else None."""
        ref = self._ref
        return None if ref is None else ref()

    def traces(self) -> Tuple[List[Tuple[Any, sites.Site]], int]:
        """The access records ``(hint, site)``, oldest first, and how many were dropped."""
        return [], 0

    def references(self) -> Tuple[List[sites.Site], int]:
        """Retain sites and release count: only :class:`TracedLeakRecord` counts them."""
        return [], 0


class TracedLeakRecord(LeakRecord):
    """A record that also keeps access records, at most about :data:`target_records` of them.

    Once the target is reached each new record replaces the newest one, so the oldest records (how the
    buffer started its life) and the latest one survive, as in Netty; but deterministically (Netty
    replaces at random), and never a :class:`HandOver` record (up to :data:`PINNED_LIMIT`), so the same
    leak gives the same report on every run. It also counts references: the sites of ``retain`` calls
    and the number of releases, from which a report names the line that took a leaked reference.
    """

    __slots__ = ("_traces", "_dropped", "_retains", "_releases", "_count")  # set by the first record()

    def record(self, hint: Any) -> None:
        """Keep this access point (``hint`` from ``touch``, None from ``retain``/``release``)."""
        site = capture(skip=1 + _HANDLE_FRAMES)  # this method and the ByteBuf method that called it (if it has a frame)
        trace = (hint, site)
        try:
            traces = self._traces
        except AttributeError:
            self._traces = [trace]
            self._dropped = self._releases = 0
            self._retains = []
            self._count = 1
            traces = None
        if hint is None:
            self._count_reference(site)
        if traces is None:
            return
        count = len(traces) + 1  # the creation record counts, as in Netty
        target = target_records
        if target > 0 and count >= target and (type(traces[-1][0]) is not HandOver or count >= target + PINNED_LIMIT):
            traces[-1] = trace
            self._dropped += 1
        else:
            traces.append(trace)

    def _count_reference(self, site: sites.Site) -> None:
        """A retain, a release or a ``touch()`` without hint: which one, the buffer's count says.

        (Not the calling method's frame: the compiled core's methods have none.)
        """
        buf = self.buffer()
        count = 0 if buf is None else buf.ref_cnt()
        if count > self._count:
            retains = self._retains
            if len(retains) < PINNED_LIMIT:
                retains.append(site)
        elif count < self._count:
            self._releases += 1
        self._count = count

    def traces(self) -> Tuple[List[Tuple[Any, sites.Site]], int]:
        try:
            return list(self._traces), self._dropped
        except AttributeError:
            return [], 0

    def references(self) -> Tuple[List[sites.Site], int]:
        """The sites of the ``retain`` calls, oldest first, and how many releases did not free the buffer."""
        try:
            return list(self._retains), self._releases
        except AttributeError:
            return [], 0


def record_of(msg: Any) -> Optional[LeakRecord]:
    """The leak record of ``msg``'s root buffer (a holder's content, a view's root), if it was tracked."""
    content = getattr(msg, "content", None)
    if callable(content) and not hasattr(msg, "_leak"):
        msg = content()
    root = getattr(msg, "_root", msg)
    return getattr(root, "_leak", None)


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
    tracker that holds it only found it. ``retained`` are the frames that took the references still
    held beyond the first (``retained at``), when access records are kept: releases are matched with
    the oldest references first, as when a handler releases its input after taking a retained slice.
    A buffer the transport allocated for a read is attributed to the handler that got it.
    """

    __slots__ = (
        "buffer", "ref_cnt", "kind", "description", "collected", "created", "records", "dropped", "origin", "retained",
    )

    def __init__(self, record: LeakRecord, origin: Optional[str] = None) -> None:
        self.origin = origin
        buf = record.buffer()
        self.buffer = buf
        self.collected = buf is None
        self.kind = record.kind.__name__
        self.ref_cnt = None if buf is None else buf.ref_cnt()
        self.description = f"{self.kind}(garbage-collected)" if buf is None else repr(buf)
        self.created = _created(record)
        traces, self.dropped = record.traces()
        self.records = [AccessRecord(hint, sites.resolve(site, keep_plumbing=False)) for hint, site in reversed(traces)]
        retains, releases = record.references()
        held = ([None] + retains)[releases:]  # the references not released, oldest first (None: the first)
        self.retained = _unique(sites.resolve(site)[0] for site in held if site)

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
        for frame in self.retained:
            where += f", retained at {sites.shorten(frame.filename, relative_to)}:{frame.lineno} in {frame.name}"
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
            "retained": [frame.format(relative_to) for frame in self.retained],
        }

    def __repr__(self) -> str:
        return f"<Leak {self.summary()}>"


def _created(record: LeakRecord) -> AccessRecord:
    """The allocation record; for a transport read (whose frames are the event loop's), the handler that got it."""
    if record.source is None:
        return AccessRecord(None, sites.resolve(record.created))
    channel, ctx = record.source
    handler = ctx.handler()
    frame = sites.user_method(handler, ("channel_read0", "channel_read", "decode"), fallback=True)
    hint = f"read by the transport of {channel!r} for '{ctx.name()}' ({type(handler).__name__})"
    return AccessRecord(hint, [frame] if frame else [])


def _unique(frames: Iterable[sites.Frame]) -> List[sites.Frame]:
    return list(dict.fromkeys(frames))
