"""Netty's ``ResourceLeakDetector`` for ByteBuf: levels, sampling, the allocation hook, GC reports.

While a :class:`~pytest_bufleak.leak.tracker.LeakTracker` is open (or the level is PARANOID), every
allocator offers each new root buffer to :func:`_on_allocate` (through ``pytest_bufleak.buffer.tracking``),
and the tracker that owns the buffer records it. Otherwise buffers are sampled by level, as in Netty,
by a per-thread countdown that costs no call per allocation (:func:`_on_sampled` sees the sampled ones),
and one that is garbage-collected unreleased is logged on the ``pytest_bufleak`` logger at ERROR.
"""
from __future__ import annotations

import enum
import logging
import os
import threading
from contextvars import ContextVar
from typing import Any, Callable, Dict, List, Optional, Type, Union

from ..buffer import tracking
from ..buffer.unpooled import UnpooledHeapByteBuf
from . import records
from .records import Leak, LeakRecord, TracedLeakRecord

logger = logging.getLogger("pytest_bufleak")


class LeakLevel(enum.IntEnum):
    """How much leak detection costs and tells (Netty's ``ResourceLeakDetector.Level``).

    ``DISABLED``: nothing. ``SIMPLE``: 1 in 128 allocations tracked, allocation site only (the
    default). ``ADVANCED``: 1 in 128, with access records. ``PARANOID``: every allocation, with access
    records. Inside a tracker every buffer is tracked whatever the level; the level sets whether
    access records are kept (ADVANCED and PARANOID).
    """

    DISABLED = 0
    SIMPLE = 1
    ADVANCED = 2
    PARANOID = 3

    def __str__(self) -> str:
        # Netty prints a level by name; IntEnum prints its number on Python >= 3.11.
        return self.name

    @classmethod
    def parse(cls, value: Union[LeakLevel, str, int]) -> LeakLevel:
        """A level from itself, its name in any case, or its ordinal; ValueError naming the choices."""
        if isinstance(value, cls):
            return value
        text = str(value).strip()
        if text.isdigit() and int(text) in cls._value2member_map_:
            return cls(int(text))
        try:
            return cls[text.upper()]
        except KeyError:
            choices = ", ".join(level.name.lower() for level in cls)
            raise ValueError(f"unknown leak detection level {value!r} (expected one of: {choices})") from None


#: The tracker that owns buffers allocated in this context (an asyncio task inherits its creator's).
owner: ContextVar[Any] = ContextVar("bufleak_owner", default=None)
#: Trackers currently active, most recent last: the owner for threads that have no owner of their own.
active: List[Any] = []
active_lock = threading.Lock()
#: How many trackers were activated and are not closed yet: while there is one, every allocation is
#: seen (a thread or task it owns may allocate while it is not active). Changed under active_lock.
open_trackers = 0

#: Called with each over-release report (see ``leak.overrelease``), whoever owns the buffer.
over_release_listeners: List[Callable[[Any], Any]] = []

_sampled: Dict[LeakRecord, None] = {}
_reported: set = set()
_level = LeakLevel.SIMPLE
_record_class: Type[LeakRecord] = LeakRecord
_sampling_interval = 128
_ABSENT = object()


_collected = records.collected


# The level as plain booleans: the allocation hook runs on every allocation, and reading an Enum
# member (LeakLevel.PARANOID) costs several times a global lookup.
_sampling = True  # the level is above DISABLED
_every_allocation = False  # PARANOID: no sampling
#: ADVANCED or PARANOID: tracked buffers keep access records, so a pipeline touches each message it
#: hands to a handler (Netty's ``pipeline.touch``), and a leak report says which handler had it last.
keeps_records = False


def _on_allocate(buf: Any) -> Optional[LeakRecord]:
    if _collected:
        ResourceLeakDetector.report_pending()
    tracker = owner.get()
    if tracker is not None and not tracker.closed:
        return _record_class(buf, tracker.pool)
    if active or tracker is not None:
        record = _record_for_active_tracker(buf, ended=tracker)
        if record is not None:
            return record
    if not _sampling or type(buf) is UnpooledHeapByteBuf:
        return None  # Netty does not track unpooled heap buffers either
    if not _every_allocation:
        return tracking.count_down(buf)._leak  # the same per-thread countdown as without a hook
    return _record_class(buf, _sampled)


def _on_sampled(buf: Any) -> Optional[LeakRecord]:
    """A buffer the sampling countdown picked, that no tracker owns (SIMPLE, ADVANCED)."""
    if _collected:
        ResourceLeakDetector.report_pending()
    if type(buf) is UnpooledHeapByteBuf:
        return None  # Netty does not track unpooled heap buffers either
    return _record_class(buf, _sampled)


def _record_for_active_tracker(buf: Any, ended: Any) -> Optional[LeakRecord]:
    """No live owner in this context: the tracker activated last takes the buffer, if there is one.

    ``ended`` is the owner whose scope has ended (a task, thread or callback it left running), or None
    (a thread with no owner of its own); the buffer is then marked as coming from it.
    """
    tracker = _last_active()
    if tracker is None:
        return None
    record = _record_class(buf, tracker.pool)
    if ended is not None:
        tracker.pool[record] = ended.name or "a track_leaks() block"  # the tracker only found it
    return record


def current_tracker() -> Any:
    """The tracker that owns what is allocated here and now (this context's, else the last activated), or None."""
    tracker = owner.get()
    if tracker is not None and not tracker.closed:
        return tracker
    return _last_active()


def _last_active() -> Any:
    last = active[-1:]  # a slice: another thread may empty the list meanwhile
    return last[0] if last and not last[0].closed else None


def update_hook() -> None:
    """See every allocation while a tracker is open or the level is PARANOID; else sample by level."""
    with active_lock:  # decided and installed at once: a tracker opening meanwhile cannot be left unseen
        every = _every_allocation or open_trackers > 0 or bool(active)
        hook = _on_allocate if every else None
        if tracking.hook is not hook:
            tracking.set_allocation_hook(hook)
        sampler = _on_sampled if _sampling else None
        if tracking.sampler is not sampler or tracking.sampling_interval != _sampling_interval:
            tracking.set_sampler(sampler, _sampling_interval)


class ResourceLeakDetector:
    """The process-wide leak detector for buffers (Netty's ``ResourceLeakDetector``), used statically.

    The start level comes from the environment variable ``BUFLEAK_LEVEL`` (default ``simple``);
    ``BUFLEAK_TARGET_RECORDS`` (default 4) and ``BUFLEAK_SAMPLING_INTERVAL`` (default 128) tune it.
    """

    @staticmethod
    def set_level(level: Union[LeakLevel, str, int]) -> None:
        """Set the level (a :class:`LeakLevel`, or its name); applies to buffers allocated from now on."""
        global _level, _record_class, _sampling, _every_allocation, keeps_records
        _level = LeakLevel.parse(level)
        keeps_records = _level >= LeakLevel.ADVANCED
        _record_class = TracedLeakRecord if keeps_records else LeakRecord
        _sampling = _level is not LeakLevel.DISABLED
        _every_allocation = _level is LeakLevel.PARANOID
        update_hook()

    @staticmethod
    def get_level() -> LeakLevel:
        """The current level."""
        return _level

    @staticmethod
    def is_enabled() -> bool:
        """True unless the level is DISABLED."""
        return _level is not LeakLevel.DISABLED

    @staticmethod
    def set_target_records(count: int) -> None:
        """Keep about ``count`` access records per buffer (0: keep every one)."""
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"target records must be an int >= 0, got {count!r}")
        records.target_records = count

    @staticmethod
    def get_target_records() -> int:
        """How many access records are kept per buffer before old ones are dropped."""
        return records.target_records

    @staticmethod
    def set_sampling_interval(interval: int) -> None:
        """Track 1 in ``interval`` allocations at SIMPLE and ADVANCED (Netty's default: 128)."""
        global _sampling_interval
        if isinstance(interval, bool) or not isinstance(interval, int) or interval < 1:
            raise ValueError(f"sampling interval must be an int >= 1, got {interval!r}")
        _sampling_interval = interval
        update_hook()

    @staticmethod
    def add_over_release_listener(listener: Callable[[Any], Any]) -> None:
        """Call ``listener(report)`` for every over-release the runtime catches (a release of a freed buffer
        in ``safe_release``, an auto-release, the pipeline's tail): an :class:`~pytest_bufleak.leak.OverRelease`
        with ``.summary()``, ``.report()``. Lets a test runner other than pytest fail on them."""
        over_release_listeners.append(listener)

    @staticmethod
    def remove_over_release_listener(listener: Callable[[Any], Any]) -> None:
        """Stop calling ``listener``; ValueError if it was not added."""
        over_release_listeners.remove(listener)

    @staticmethod
    def report_pending() -> int:
        """Log every sampled buffer garbage-collected unreleased since the last report; return how many.

        Allocation does this on its own; call it to report without allocating. Each leak is reported
        once, and identical reports (same sites, same records) only once, as in Netty.
        """
        count = 0
        while True:
            try:
                record = records.collected.popleft()
            except IndexError:
                return count
            if record.pool is not _sampled or _sampled.pop(record, _ABSENT) is _ABSENT:
                continue  # a tracker's buffer (the tracker reports it), or already reported
            report = Leak(record).report()
            if report not in _reported:
                _reported.add(report)
                logger.error(report)
                count += 1


def _configure_from_environment() -> None:
    for name, setter in (
        ("BUFLEAK_LEVEL", ResourceLeakDetector.set_level),
        ("BUFLEAK_TARGET_RECORDS", lambda value: ResourceLeakDetector.set_target_records(int(value))),
        ("BUFLEAK_SAMPLING_INTERVAL", lambda value: ResourceLeakDetector.set_sampling_interval(int(value))),
    ):
        value = os.environ.get(name)
        if value:
            try:
                setter(value)
            except ValueError as exc:
                logger.warning("ignoring %s=%r: %s", name, value, exc)


ResourceLeakDetector.set_level(LeakLevel.SIMPLE)
_configure_from_environment()
