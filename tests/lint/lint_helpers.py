"""Helpers shared by the linter's tests (imported by name: tests/lint is on sys.path)."""

import os
import subprocess
import sys
import textwrap
from typing import List, Tuple

from bufleak_lint.engine import Settings, lint_text

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


def codes_of(source: str, settings: Settings = Settings()) -> List[Tuple[int, str]]:
    """(line, code) of every finding in ``source`` (dedented)."""
    result = lint_text(textwrap.dedent(source), "example.py", settings)
    return [(f.line, f.code) for f in result.findings]


def run(args: List[str], cwd: str, **kwargs) -> subprocess.CompletedProcess:
    """Run a command with the test interpreter's environment, capturing text output."""
    return subprocess.run(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, check=False, **kwargs)
