"""Every Python example in README.md runs on its own (each in a fresh interpreter, as a reader would);
the codec sections' examples also run in this process, where ``--bufleak`` checks them for leaks."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
#: Sections whose examples are self-contained enough to run here too, and how many each has at least.
IN_PROCESS = {"## Codec building blocks": 5, "## HTTP/1.1: the codec": 3}


def _blocks(section=None):
    """(line, source) of each ``python`` block of the README, or of one ``## `` section of it."""
    text = README.read_text(encoding="utf-8")
    start, end = 0, len(text)
    if section is not None:
        start = text.index(section)
        end = text.find("\n## ", start + 1)
    pattern = re.compile(r"```python\n(.*?)```", flags=re.S)
    return [(text.count("\n", 0, m.start()) + 2, m.group(1))
            for m in pattern.finditer(text, start, end if end >= 0 else len(text))]


def test_the_readme_has_examples():
    assert len(_blocks()) >= 15
    for section, at_least in IN_PROCESS.items():
        assert len(_blocks(section)) >= at_least, section


@pytest.mark.parametrize("source", [pytest.param(src, id=f"README.md:{line}")
                                    for line, src in _blocks()])
def test_readme_example_runs(source, tmp_path):
    result = subprocess.run([sys.executable, "-c", source], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize("source", [pytest.param(src, id=f"README.md:{line}")
                                    for section in IN_PROCESS for line, src in _blocks(section)])
def test_codec_example_runs_without_a_leak(source):
    exec(compile(source, str(README), "exec"), {"__name__": "readme_example"})
