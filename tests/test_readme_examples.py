"""Every Python example in README.md runs on its own (each in a fresh interpreter, as a reader would)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _examples():
    text = README.read_text(encoding="utf-8")
    out = []
    for match in re.finditer(r"```python\n(.*?)```", text, flags=re.S):
        line = text.count("\n", 0, match.start()) + 2
        out.append(pytest.param(match.group(1), id=f"README.md:{line}"))
    return out


def test_the_readme_has_examples():
    assert len(_examples()) >= 15


@pytest.mark.parametrize("source", _examples())
def test_readme_example_runs(source, tmp_path):
    result = subprocess.run([sys.executable, "-c", source], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
