"""Memory and its ownership: buffers, allocators, reference counting. Knows nothing of pytest or channels.

The optional compiled core: when the package was built with a C compiler, the modules in :data:`COMPILED_MODULES`
have an extension module beside their source, compiled from that very source by Cython (see ``hatch_build.py``
and ``bytebuf.pxd``), and Python imports the extension first. The source is the reference and the fallback: it
runs instead when ``BUFLEAK_NO_EXTENSIONS`` is set (to anything but ``0`` or empty), when there is no extension,
and when an extension is older than its source (an edit since the last ``pip install -e``), which a warning names.
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
import warnings

#: The modules the build compiles (the handle and its count, typed access, the pooled allocator's fast path),
#: each from its ``.py`` source, or from its ``.pyx`` for the compiled-only fast paths that have no pure twin.
COMPILED_MODULES = ("bytebuf", "accessors", "pooled", "_core")

_HERE = os.path.dirname(os.path.abspath(__file__))


def _extension_path(name: str) -> str | None:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = os.path.join(_HERE, name + suffix)
        if os.path.exists(path):
            return path
    return None


def _source_path(name: str) -> str:
    """The source a compiled module is built from: its ``.py``, else its ``.pyx`` (compiled-only)."""
    path = os.path.join(_HERE, name + ".py")
    return path if os.path.exists(path) else path + "x"


def _stale(name: str, extension: str) -> bool:
    """True when the source was changed after the extension was built (one second of slack for unpacking)."""
    try:
        return os.stat(_source_path(name)).st_mtime > os.stat(extension).st_mtime + 1
    except OSError:
        return False


class _SourceFinder:
    """Imports the listed modules of this package from their ``.py`` source, never from an extension."""

    def __init__(self, names: tuple) -> None:
        self.names = {f"{__name__}.{name}": name for name in names}

    def find_spec(self, fullname: str, path: object = None, target: object = None):
        name = self.names.get(fullname)
        if name is None:
            return None
        path = _source_path(name)
        if path.endswith(".pyx"):  # compiled-only: without the compiled core it does not exist
            raise ImportError(f"{fullname} is part of the compiled core, which is not used", name=fullname)
        return importlib.util.spec_from_file_location(fullname, path)


def _choose() -> tuple:
    """The modules to run from source (all of them, or the stale ones), and whether that was asked for."""
    if os.environ.get("BUFLEAK_NO_EXTENSIONS", "") not in ("", "0"):
        return COMPILED_MODULES, True
    stale = []
    for name in COMPILED_MODULES:
        extension = _extension_path(name)
        if extension is not None and _stale(name, extension):
            stale.append(name)
    if stale:
        warnings.warn(f"pytest_bufleak: the compiled {', '.join(stale)} is older than its source: running the "
                      "pure-Python modules instead (rebuild with pip install -e . to compile again)", RuntimeWarning)
        return COMPILED_MODULES, False  # all or none: the compiled modules expect one another's types
    return (), False


_from_source, DISABLED = _choose()
if _from_source:
    sys.meta_path.insert(0, _SourceFinder(_from_source))


def compiled_fast_paths(module_file: str | None):
    """The module ``_core`` (the compiled-only fast paths) for a module of this package whose ``__file__`` is
    ``module_file``, when that module runs compiled; None when it runs from its source, as the whole
    pure-Python fallback does (``BUFLEAK_NO_EXTENSIONS``, no compiler, a stale build)."""
    if module_file is None or module_file.endswith(".py"):
        return None
    try:
        from . import _core
    except ImportError:
        return None
    return _core


def compiled_modules() -> tuple:
    """The names of this package's modules that run compiled in this process (imported ones only)."""
    found = []
    for name in COMPILED_MODULES:
        module = sys.modules.get(f"{__name__}.{name}")
        if module is not None and not (getattr(module, "__file__", None) or "").endswith(".py"):
            found.append(name)
    return tuple(found)
