"""Every Python example of the README's "HTTP/1.1: the codec" section runs, under --bufleak (no leak)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

_README = Path(__file__).resolve().parents[2] / "README.md"


def _examples():
    text = _README.read_text(encoding="utf-8")
    start = text.index("## HTTP/1.1: the codec")
    end = text.index("\n## ", start + 1)
    return re.findall(r"```python\n(.*?)```", text[start:end], flags=re.S)


def test_the_section_has_examples():
    assert len(_examples()) >= 3


@pytest.mark.parametrize("source", _examples(), ids=lambda s: s.splitlines()[-1][:40])
def test_readme_example_runs(source):
    exec(compile(source, str(_README), "exec"), {"__name__": "readme_example"})
