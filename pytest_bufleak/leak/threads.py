"""Threads and executor jobs own what they allocate as asyncio tasks do: by where they were started.

A thread does not inherit context variables, so without help a buffer a thread allocates goes to
whichever tracker is active at that moment: the test that happens to run. Once a tracker has been
active, :func:`install` wraps ``threading.Thread.start`` and ``ThreadPoolExecutor.submit`` (what
``loop.run_in_executor`` uses): the thread's run, or the job, allocates under the tracker that owned
the code that started or submitted it. If that tracker has closed meanwhile, the buffer is marked as
coming from it and reported at the next check (see ``detector._record_for_active_tracker``).
"""
from __future__ import annotations

import functools
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from . import detector

_original_start = threading.Thread.start
_original_submit = ThreadPoolExecutor.submit
#: True once :func:`install` ran.
installed = False


def install() -> None:
    """Wrap ``Thread.start`` and ``ThreadPoolExecutor.submit`` (once; they cost nothing outside a tracker)."""
    global installed
    if not installed:
        installed = True
        threading.Thread.start = _start  # type: ignore[method-assign]
        ThreadPoolExecutor.submit = _submit  # type: ignore[method-assign]


def _start(self: threading.Thread) -> None:
    tracker = detector.owner.get()
    if tracker is not None:
        self.run = functools.partial(_owned, tracker, self.run)  # type: ignore[method-assign]
    _original_start(self)


def _submit(self: ThreadPoolExecutor, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    tracker = detector.owner.get()
    if tracker is not None:
        fn = functools.partial(_owned, tracker, fn)
    return _original_submit(self, fn, *args, **kwargs)


def _owned(tracker: Any, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run ``fn`` with ``tracker`` as the owner of what it allocates (ended or not: the detector decides)."""
    token = detector.owner.set(tracker)
    try:
        return fn(*args, **kwargs)
    finally:
        detector.owner.reset(token)
