"""The seam through which leak detection sees allocations.

The buffer package knows nothing of leak detection: every allocator hands each new root buffer to
:func:`track`, and whoever installed a hook (``pytest_bufleak.leak``) may attach a record to it.
A record has ``record(hint)`` (an access point) and ``close()`` (the buffer was freed).
Over-releases that the runtime swallows (``safe_release``) reach leak detection through
:func:`report_over_release`.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

AllocationHook = Callable[[Any], Optional[Any]]

#: The installed hook, read directly by allocators on their hot path; change it with set_allocation_hook.
hook: AllocationHook | None = None


def set_allocation_hook(new_hook: AllocationHook | None) -> AllocationHook | None:
    """Install ``new_hook`` (called with each new buffer; returns a record or None); return the previous one."""
    global hook
    previous, hook = hook, new_hook
    return previous


#: Called with ``(msg, exc)`` when the runtime swallows an over-release (``safe_release``); set by leak detection.
over_release_hook: Optional[Callable[[Any, BaseException], Any]] = None


def report_over_release(msg: Any, exc: BaseException) -> None:
    """Hand an over-release that a runtime path caught (and will not raise) to the installed hook, if any."""
    current = over_release_hook
    if current is not None:
        current(msg, exc)


def track(buf: Any) -> Any:
    """Offer a freshly allocated root buffer to the hook, if any; return the buffer."""
    current = hook
    if current is not None:
        buf._leak = current(buf)
    return buf
