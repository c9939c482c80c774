"""Finding the Python files to lint under the paths given on the command line."""

import os
from typing import Iterator, List, Sequence

from bufleak_lint.config import ConfigError, is_excluded

#: Directories never worth descending into (flake8's defaults plus today's usual suspects).
DEFAULT_EXCLUDE = (".git", ".hg", ".svn", ".bzr", "CVS", ".tox", ".nox", ".venv", "venv",
                   "__pycache__", ".eggs", "*.egg-info", ".mypy_cache", ".pytest_cache",
                   ".ruff_cache", "node_modules", "build", "dist")
#: The path that means standard input (flake8's and ruff's convention).
STDIN = "-"


def discover(paths: Sequence[str], exclude: Sequence[str], root: str) -> List[str]:
    """The ``.py`` files under ``paths``, sorted per directory, excluded ones left out.

    A file named explicitly is linted whatever its suffix, unless it or a
    directory it lies in is excluded; :data:`STDIN` is kept as it is.  A path
    that does not exist is a :class:`ConfigError` (a usage error).
    """
    files: List[str] = []
    for path in paths:
        if path == STDIN:
            files.append(path)
            continue
        if not os.path.exists(path):
            raise ConfigError(f"{path}: no such file or directory")
        if _inside_excluded(path, exclude, root):
            continue
        if os.path.isdir(path):
            files.extend(_walk(path, list(exclude), root))
        else:
            files.append(path)
    return files


def _inside_excluded(path: str, exclude: Sequence[str], root: str) -> bool:
    """Whether ``path`` or a directory it lies in (below the project root) is excluded.

    pre-commit names files one by one (``generated/x.py``): ``exclude = ["generated"]``
    must keep them out as it keeps out the directory when it is walked.
    """
    if is_excluded(path, exclude, root):
        return True
    base = root or os.getcwd()
    relative = os.path.relpath(os.path.abspath(path), base)
    if relative.split(os.sep, 1)[0] == os.pardir:  # outside the project: the path as given
        base, relative = "", os.path.normpath(path)
    parts = relative.split(os.sep)[:-1]
    return any(is_excluded(os.path.join(base, *parts[:depth]), exclude, root)
               for depth in range(1, len(parts) + 1))


def _walk(top: str, exclude: List[str], root: str) -> Iterator[str]:
    patterns = exclude + list(DEFAULT_EXCLUDE)
    for directory, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames
                             if not is_excluded(os.path.join(directory, d), patterns, root))
        for name in sorted(filenames):
            if name.endswith(".py"):
                path = os.path.join(directory, name)
                if not is_excluded(path, exclude, root):
                    yield path
