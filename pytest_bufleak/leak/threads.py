"""Threads and executor jobs own what they allocate as asyncio tasks do: by where they were started.

A thread does not inherit context variables, so without help a buffer a thread allocates goes to
whichever tracker is active at that moment: the test that happens to run. Once a tracker has been
active, :func:`install` wraps ``threading.Thread.start`` (which notes the owner on the thread, and
the thread's bootstrap sets it: no reference to the thread is kept) and ``ThreadPoolExecutor.submit``
(what ``loop.run_in_executor`` uses): the thread, or the job, allocates under the tracker that owned
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
_original_bootstrap = threading.Thread._bootstrap_inner  # type: ignore[attr-defined]
_original_submit = ThreadPoolExecutor.submit
#: True once :func:`install` ran.
installed = False


def install() -> None:
    """Wrap ``Thread.start`` and ``ThreadPoolExecutor.submit`` (once; they cost nothing outside a tracker)."""
    global installed
    if not installed:
        installed = True
        threading.Thread.start = _start  # type: ignore[method-assign]
        threading.Thread._bootstrap_inner = _bootstrap  # type: ignore[attr-defined]
        ThreadPoolExecutor.submit = _submit  # type: ignore[method-assign]


def _start(self: threading.Thread) -> None:
    tracker = detector.owner.get()
    if tracker is not None:
        self._bufleak_owner = tracker  # type: ignore[attr-defined]
    _original_start(self)


def _bootstrap(self: threading.Thread) -> None:
    """The new thread's first code: its context starts empty, so the owner set here is its own till it ends."""
    tracker = self.__dict__.pop("_bufleak_owner", None)
    if tracker is not None:
        detector.owner.set(tracker)
    _original_bootstrap(self)


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
