"""The flake8 face: a thin adapter onto :mod:`bufleak_lint.engine`.

flake8 applies its own ``--select``, ``--ignore`` and ``# noqa``, and reports
files that do not parse as E999 (so this plugin never reports BUF999).  Valid
Python the analysis does not take on (too large, or beyond libcst) gets a
notice on standard error and no finding, as with the command.  The plugin
reads its extra allocator/release/fire names from the project's
``[tool.bufleak.lint]`` like the command does (the nearest ``pyproject.toml``
at or above the file, else at or above the working directory); a broken
configuration there is reported by the command, not by flake8.
"""

import ast
import os
import sys
from typing import Dict, Iterator, List, Tuple, Type

from bufleak_lint import __version__
from bufleak_lint.config import ConfigError, find_pyproject, load_config
from bufleak_lint.engine import bounded_analyse
from bufleak_lint.vocabulary import Vocabulary

_VOCABULARIES: Dict[str, Vocabulary] = {}


def _vocabulary(filename: str) -> Vocabulary:
    directory = os.path.dirname(os.path.abspath(filename))
    if directory not in _VOCABULARIES:
        try:  # with no pyproject.toml above the file, load_config looks above the cwd
            config = load_config(find_pyproject(directory))
            _VOCABULARIES[directory] = config.vocabulary()
        except ConfigError:
            _VOCABULARIES[directory] = Vocabulary()
    return _VOCABULARIES[directory]


class Plugin:
    """flake8 entry point ``BUF``."""

    name = "bufleak-lint"
    version = __version__

    def __init__(self, tree: ast.AST, lines: List[str], filename: str = "stdin"):
        self.lines = lines
        self.filename = filename

    def run(self) -> Iterator[Tuple[int, int, str, Type["Plugin"]]]:
        """Yield ``(line, column, "BUFnnn message", type)`` as flake8 expects."""
        text = "".join(self.lines)
        analysis, notice = bounded_analyse(text, self.filename, _vocabulary(self.filename))
        if analysis is None:
            print(f"{self.filename}: bufleak-lint: {notice}", file=sys.stderr)
            return
        for violation, line, column in analysis.violations:
            yield line, column, f"{violation.code} {violation.message}", type(self)
