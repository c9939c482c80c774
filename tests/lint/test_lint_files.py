"""Files that are not ordinary source: nothing crashes, all is reported or skipped clearly."""

import pytest

from bufleak_lint import engine
from bufleak_lint.cli import main
from bufleak_lint.engine import Settings, lint_file


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def _codes(path):
    return [(f.line, f.code, f.message) for f in lint_file(str(path), Settings()).findings]


def test_empty_file_is_clean(tmp_path):
    path = tmp_path / "empty.py"
    path.write_bytes(b"")
    assert _codes(path) == []


def test_binary_file_is_buf999(tmp_path):
    path = tmp_path / "blob.py"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    assert _codes(path) == [(1, "BUF999", "binary file (contains NUL bytes), not Python source")]


def test_undecodable_file_is_buf999(tmp_path):
    path = tmp_path / "latin.py"
    path.write_bytes(b"x = '\xe9'\n")
    [(line, code, message)] = _codes(path)
    assert (line, code) == (1, "BUF999") and message.startswith("cannot decode")


def test_declared_encoding_is_honoured(tmp_path):
    path = tmp_path / "latin.py"
    path.write_bytes(b"# -*- coding: latin-1 -*-\nx = '\xe9'\ndef f(a):\n    b = a.io_buffer()\n")
    assert [c for _, c, _ in _codes(path)] == ["BUF006"]


def test_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.py"
    path.write_bytes(b"\xef\xbb\xbfdef f(a):\n    b = a.io_buffer()\n")
    assert [(line, code) for line, code, _ in _codes(path)] == [(2, "BUF006")]


def test_syntax_error_reports_the_parsers_message_and_position(tmp_path):
    path = tmp_path / "py2.py"
    path.write_text("x = 1\nprint 'hello'\n")
    [(line, code, message)] = _codes(path)
    assert (line, code) == (2, "BUF999")
    assert message.startswith("SyntaxError: Missing parentheses in call to 'print'")


def test_huge_file_is_skipped_with_a_notice(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(engine, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "huge.py"
    path.write_text("x = 1\n" * 1000)
    assert main([str(path)]) == 0
    err = capsys.readouterr().err
    assert "huge.py: skipped: 6000 bytes is more than the 1000 bytes" in err


def test_recursion_error_is_reported_and_the_run_goes_on(tmp_path, monkeypatch, capsys):
    def explode(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")
    (tmp_path / "a.py").write_text("def f(a):\n    b = a.io_buffer()\n")
    (tmp_path / "b.py").write_text("x = 1\n")
    (tmp_path / "c.py").write_text("print 'x'\n")
    monkeypatch.setattr(engine, "analyze", explode)
    assert main(["--jobs", "1", "."]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith(
        "a.py:1:1: BUF999 RecursionError: the file nests too deeply to be analysed")
    assert "c.py:1:" in out[1] and " BUF999 SyntaxError" in out[1]


def test_long_string_concatenation_does_not_recurse(tmp_path):
    path = tmp_path / "topics.py"
    parts = "\n".join(f"    'Unpooled.buffer() release {i} '" for i in range(3000))
    path.write_text(f"topics = (\n{parts}\n)\ndef f(a):\n    return a.io_buffer()\n")
    assert _codes(path) == []


def test_unreadable_path_is_reported(tmp_path):
    path = tmp_path / "dir.py"
    path.mkdir()
    [(line, code, message)] = _codes(path)
    assert code == "BUF999" and message.startswith("cannot read")
