"""The seam through which leak detection sees allocations.

The buffer package knows nothing of leak detection: every allocator offers each new root buffer to
leak detection (``pytest_bufleak.leak``), which may attach a record to it. A record has
``record(hint)`` (an access point) and ``close()`` (the buffer was freed). Over-releases that the
runtime swallows (``safe_release``) reach leak detection through :func:`report_over_release`.

Two ways in, so that sampling costs no call per allocation:

* :data:`hook`, when set, sees every new buffer (a tracker is open, or the level is PARANOID);
* otherwise each thread counts its allocations down and every so many (a random count whose mean
  is the sampling interval, so that no periodic pattern of allocations always escapes) offers one
  to :data:`sampler`, if there is one. The pooled allocator keeps its countdown on the thread cache
  it already holds (its compiled fast path, on the per-thread state it keeps in the thread state);
  every other allocator uses :func:`track`, which keeps one per thread here. Each countdown is
  registered (:func:`register_counter`), so that a new interval restarts them all.
"""
from __future__ import annotations

import threading
import weakref
from random import randint
from typing import Any, Callable, Optional

AllocationHook = Callable[[Any], Optional[Any]]

#: Called with every new root buffer, or None; read directly by allocators on their hot path.
hook: AllocationHook | None = None
#: Called with the sampled new root buffers when ``hook`` is None, or None (nothing samples).
sampler: AllocationHook | None = None
#: The mean number of allocations between two samples (Netty's ``samplingInterval``).
sampling_interval = 128


def set_allocation_hook(new_hook: AllocationHook | None) -> AllocationHook | None:
    """Install ``new_hook`` (called with each new buffer; returns a record or None); return the previous one."""
    global hook
    previous, hook = hook, new_hook
    return previous


def set_sampler(new_sampler: AllocationHook | None, interval: int) -> None:
    """Offer 1 in about ``interval`` new buffers to ``new_sampler`` (None: none) while no hook is installed.

    A new interval restarts every thread's countdown, so it applies from the next allocation on."""
    global sampler, sampling_interval
    restart = interval != sampling_interval
    sampler, sampling_interval = new_sampler, interval
    if restart:
        with _counters_lock:
            for counter in list(_counters):
                counter.countdown = next_countdown()


def next_countdown() -> int:
    """Allocations until the next sample: uniform in 1 .. 2*interval-1 (mean: the interval)."""
    return randint(1, 2 * sampling_interval - 1)


def register_counter(counter: Any) -> None:
    """Start ``counter.countdown`` (a thread's own; the pooled allocator's thread caches have one)."""
    counter.countdown = next_countdown()
    with _counters_lock:
        _counters.add(counter)


def sample(buf: Any, counter: Any) -> Optional[Any]:
    """``counter``'s countdown reached zero: restart it, and offer ``buf`` to the sampler (its record, or None)."""
    counter.countdown = next_countdown()
    current = sampler
    return None if current is None else current(buf)


class _Counter:
    """The countdown of one thread for the allocators that have no per-thread state of their own."""

    __slots__ = ("countdown", "__weakref__")


_counters: weakref.WeakSet = weakref.WeakSet()  # every live countdown, to restart them on a new interval
_counters_lock = threading.RLock()  # reentrant: a finaliser run by the GC while it is held may allocate
_local = threading.local()


def _new_thread_counter() -> _Counter:
    counter = _local.counter = _Counter()
    register_counter(counter)
    return counter


#: Called with ``(msg, exc)`` when the runtime swallows an over-release (``safe_release``); set by leak detection.
over_release_hook: Optional[Callable[[Any, BaseException], Any]] = None


def report_over_release(msg: Any, exc: BaseException) -> None:
    """Hand an over-release that a runtime path caught (and will not raise) to the installed hook, if any."""
    current = over_release_hook
    if current is not None:
        current(msg, exc)


def track(buf: Any) -> Any:
    """Offer a freshly allocated root buffer to leak detection (the hook, or the sampler); return the buffer."""
    current = hook
    if current is not None:
        buf._leak = current(buf)
        return buf
    return count_down(buf)


def count_down(buf: Any, counter: Any = None) -> Any:
    """No hook is installed: count ``buf`` down on ``counter`` (default: the calling thread's own), and
    at zero offer it to the sampler; return the buffer. The pooled allocator inlines this: keep in step."""
    if counter is None:
        try:
            counter = _local.counter
        except AttributeError:
            counter = _new_thread_counter()
    left = counter.countdown - 1
    if left > 0:
        counter.countdown = left
    else:
        buf._leak = sample(buf, counter)
    return buf
