"""Finding the Python files to lint under the paths given on the command line."""

import os
from typing import Iterator, List, Sequence

from bufleak_lint.config import ConfigError, is_excluded

#: Directories never worth descending into (flake8's defaults plus today's usual suspects).
DEFAULT_EXCLUDE = (".git", ".hg", ".svn", ".bzr", "CVS", ".tox", ".nox", ".venv", "venv",
                   "__pycache__", ".eggs", "*.egg-info", ".mypy_cache", ".pytest_cache",
                   ".ruff_cache", "node_modules", "build", "dist")


def discover(paths: Sequence[str], exclude: Sequence[str], root: str) -> List[str]:
    """The ``.py`` files under ``paths``, sorted per directory, excluded ones left out.

    A file named explicitly is linted whatever its suffix, unless excluded.  A
    path that does not exist is a :class:`ConfigError` (a usage error).
    """
    files: List[str] = []
    for path in paths:
        if not os.path.exists(path):
            raise ConfigError(f"{path}: no such file or directory")
        if os.path.isdir(path):
            files.extend(_walk(path, list(exclude), root))
        elif not is_excluded(path, exclude, root):
            files.append(path)
    return files


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
