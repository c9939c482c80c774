"""The flake8 face: a thin adapter onto :mod:`bufleak_lint.engine`.

flake8 applies its own ``--select``, ``--ignore`` and ``# noqa``, and reports
files that do not parse as E999 (so this plugin never reports BUF999).  The
plugin reads its extra allocator/release/fire names from the project's
``[tool.bufleak.lint]`` like the command does; a broken configuration there
is reported by the command, not by flake8.
"""

import ast
import os
from typing import Iterator, List, Tuple, Type

import libcst as cst

from bufleak_lint import __version__
from bufleak_lint.config import ConfigError, load_config
from bufleak_lint.engine import analyse
from bufleak_lint.vocabulary import Vocabulary

_VOCABULARIES = {}


def _vocabulary(filename: str) -> Vocabulary:
    directory = os.path.dirname(os.path.abspath(filename))
    if directory not in _VOCABULARIES:
        try:
            _VOCABULARIES[directory] = load_config(start=directory).vocabulary()
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
        try:
            analysis = analyse(text, self.filename, _vocabulary(self.filename))
        except RecursionError:
            message = "BUF999 RecursionError: the file nests too deeply to be analysed"
            yield 1, 0, message, type(self)
            return
        except cst.ParserSyntaxError as exc:  # valid for CPython, not for libcst: say so
            yield 1, 0, f"BUF999 libcst cannot parse this file: {exc.message}", type(self)
            return
        for violation, line, column in analysis.violations:
            yield line, column, f"{violation.code} {violation.message}", type(self)
