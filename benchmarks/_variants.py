"""The runtime as built (compiled core when there is one) and its pure-Python sources, side by side in one process.

``variants()`` gives ``[(label, package)]``: ``pytest_bufleak`` as imported, and, when that runs compiled, a
second copy of the package imported from its ``.py`` sources under the name ``_bufleak_pure`` (the package
imports itself relatively, so the copy is complete and independent: its own allocators, its own classes).
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from typing import Any, List, Tuple

import pytest_bufleak

ALIAS = "_bufleak_pure"
_ROOT = os.path.dirname(os.path.abspath(pytest_bufleak.__file__))


class _SourceCopyFinder:
    """Finds ``_bufleak_pure[.x.y]`` as ``pytest_bufleak[/x/y].py``: always the source, never an extension."""

    @staticmethod
    def find_spec(fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != ALIAS and not fullname.startswith(ALIAS + "."):
            return None
        base = os.path.join(_ROOT, *fullname.split(".")[1:])
        if os.path.isdir(base):
            return importlib.util.spec_from_file_location(fullname, os.path.join(base, "__init__.py"),
                                                          submodule_search_locations=[base])
        if os.path.exists(base + ".py"):
            return importlib.util.spec_from_file_location(fullname, base + ".py")
        return None


def variants() -> List[Tuple[str, Any]]:
    """``[("compiled", pytest_bufleak), ("pure", its source copy)]``, or ``[("pure", pytest_bufleak)]`` unbuilt."""
    if not pytest_bufleak.COMPILED:
        return [("pure", pytest_bufleak)]
    if not any(isinstance(f, _SourceCopyFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _SourceCopyFinder())
    return [("compiled", pytest_bufleak), ("pure", importlib.import_module(ALIAS))]
