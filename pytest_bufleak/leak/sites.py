"""Where a buffer was made or touched, captured cheaply and resolved to lines only when reported.

Capturing walks ``sys._getframe()`` up to the first frame outside the ``pytest_bufleak`` package (the
user's code) and keeps ``(code, instruction offset)`` pairs for it and its caller: well under a
microsecond, against tens for ``traceback.extract_stack``. Line numbers are computed from the code
objects only for the buffers that leak.
"""
from __future__ import annotations

import dis
import os
import sys
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Tuple

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep

#: filename -> whether it lies inside the package (a dict lookup is cheaper than ``startswith``).
package_files: Dict[str, bool] = {}

#: A captured site: ``(code, lasti, code, lasti, ...)``, innermost frame first.
Site = Tuple[object, ...]


def capture(skip: int = 0) -> Site:
    """The caller's site: the first frame outside ``pytest_bufleak``, and the frame that called it.

    ``skip`` is how many frames above the caller are known to be the package's own (a record's
    constructor and the allocation hook, say): ``sys._getframe(n)`` jumps over them without making a
    frame object for each, which is most of what a walk costs. Two frames tell where and from where;
    each frame more costs ~0.1 us on every tracked allocation.
    """
    depth = 1 + skip
    getframe = sys._getframe
    inside = package_files
    try:
        frame = getframe(depth)
        while True:
            filename = frame.f_code.co_filename
            internal = inside.get(filename)
            if internal is None:
                internal = inside[filename] = filename.startswith(_PACKAGE_DIR)
            if not internal:
                break
            depth += 1
            frame = getframe(depth)
    except ValueError:  # ran off the top of the stack: nothing but the package's own frames
        return ()
    caller = frame.f_back
    if caller is None:
        return (frame.f_code, frame.f_lasti)
    return (frame.f_code, frame.f_lasti, caller.f_code, caller.f_lasti)


class Frame(NamedTuple):
    """One resolved frame of a site."""

    filename: str
    lineno: int
    name: str

    def format(self, relative_to: Optional[str] = None) -> str:
        """``path:line in name``, the path relative to ``relative_to`` when it lies below it."""
        return f"{shorten(self.filename, relative_to)}:{self.lineno} in {self.name}"


def user_method(obj: Any, names: Iterable[str], fallback: bool = False) -> Optional[Frame]:
    """The first of ``obj``'s methods ``names`` that the user wrote (outside ``pytest_bufleak``), as a frame
    at its ``def`` line named ``Class.method``; else None, or with ``fallback`` the first that exists."""
    cls = type(obj)
    found = None
    for name in names:
        code = getattr(getattr(cls, name, None), "__code__", None)
        if code is None:
            continue
        frame = Frame(code.co_filename, code.co_firstlineno, f"{cls.__name__}.{name}")
        if not code.co_filename.startswith(_PACKAGE_DIR):
            return frame
        found = found or frame
    return found if fallback else None


def resolve(site: Site, keep_plumbing: bool = True) -> List[Frame]:
    """The frames of a captured site, innermost first, with their line numbers.

    The first frame is kept (unless it is plumbing and ``keep_plumbing`` is false: an access record
    made from the event loop says nothing its hint does not); its callers inside pytest, pluggy,
    asyncio, unittest, doctest, threading, concurrent.futures or this package (plumbing that runs the
    user's code) are not.
    """
    plumbing = _runner_dirs() + (_PACKAGE_DIR,)
    frames: List[Frame] = []
    for code, lasti in zip(site[::2], site[1::2]):
        if (frames or not keep_plumbing) and code.co_filename.startswith(plumbing):
            break
        frames.append(Frame(code.co_filename, line_of(code, lasti), code.co_name))
    return frames


_RUNNERS = ("_pytest", "pluggy", "asyncio", "unittest", "doctest", "threading", "concurrent.futures")


def _runner_dirs() -> Tuple[str, ...]:
    """The directories of the runner packages imported so far, and the files of runner modules."""
    paths = []
    for name in _RUNNERS:
        module = sys.modules.get(name)
        filename = getattr(module, "__file__", None)
        if filename:
            paths.append(os.path.dirname(filename) + os.sep if hasattr(module, "__path__") else filename)
    return tuple(paths)


def line_of(code, lasti: int) -> int:
    """The source line of the instruction at byte offset ``lasti`` of ``code``."""
    if hasattr(code, "co_lines"):  # Python 3.10+
        for start, end, line in code.co_lines():
            if start <= lasti < end and line is not None:
                return line
        return code.co_firstlineno
    line = code.co_firstlineno
    if not 0 <= lasti < len(code.co_code):  # outside the code: the first line, as co_lines() gives on 3.10+
        return line
    for offset, start_line in dis.findlinestarts(code):
        if offset > lasti:
            break
        line = start_line
    return line


def shorten(path: str, relative_to: Optional[str]) -> str:
    """``path`` relative to the directory ``relative_to`` when below it, else unchanged."""
    if relative_to:
        base = os.path.join(str(relative_to), "")
        if path.startswith(base):
            return path[len(base):]
    return path
