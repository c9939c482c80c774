"""Fixtures for the linter's tests."""

import textwrap

import pytest


@pytest.fixture
def write(tmp_path):
    """Write a dedented file under tmp_path and return its path as a string."""
    def _write(name: str, source: str) -> str:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        return str(path)
    return _write
