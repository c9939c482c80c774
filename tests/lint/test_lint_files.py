"""Files that are not ordinary source: nothing crashes, all is reported or skipped clearly."""

import os
import subprocess
import sys

import libcst as cst
import pytest

from bufleak_lint import engine
from bufleak_lint.cli import main
from bufleak_lint.engine import Settings, lint_file, lint_text
from lint_helpers import run

LEAK = "def f(alloc):\n    lost = alloc.buffer()\n"


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


def test_recursion_error_is_a_notice_and_the_run_goes_on(tmp_path, monkeypatch, capsys):
    def explode(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")
    (tmp_path / "a.py").write_text("def f(a):\n    b = a.io_buffer()\n")
    (tmp_path / "b.py").write_text("x = 1\n")
    (tmp_path / "c.py").write_text("print 'x'\n")
    monkeypatch.setattr(engine, "analyse", explode)
    assert main(["--jobs", "1", "."]) == 1
    captured = capsys.readouterr()
    [line] = captured.out.splitlines()  # valid Python the analysis cannot walk is no finding
    assert "c.py:1:" in line and " BUF999 SyntaxError" in line
    assert "a.py: not analysed: it nests too deeply for the analysis" in captured.err


def test_valid_python_libcst_cannot_parse_is_a_notice_not_buf999(monkeypatch):
    def refuse(*args, **kwargs):
        raise cst.ParserSyntaxError("expected one of ...", lines=["x\n"], raw_line=1,
                                    raw_column=0)
    monkeypatch.setattr(engine, "analyse", refuse)
    result = lint_text(LEAK, "m.py", Settings())
    assert result.findings == []
    assert result.notice.startswith("not analysed: libcst cannot parse it at line 1: expected")
    assert [f.code for f in lint_text("print 'x'\n", "m.py", Settings()).findings] == ["BUF999"]


def test_valid_python_libcst_fails_on_is_a_notice(tmp_path, capsys):
    source = "x = () if 0 else(lambda:())\n" + LEAK  # libcst's validation raises TypeError
    try:
        cst.parse_module(source)
        pytest.skip("this libcst parses it")
    except TypeError:
        pass
    (tmp_path / "odd.py").write_text(source)
    assert main(["odd.py"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "odd.py: not analysed: libcst fails on it (TypeError" in captured.err


def test_errors_of_the_analysis_itself_still_surface(monkeypatch):
    def broken(*args, **kwargs):
        raise AttributeError("a bug in the analysis")
    monkeypatch.setattr(engine, "analyse", broken)
    with pytest.raises(AttributeError):
        lint_text(LEAK, "m.py", Settings())


def test_source_over_the_analysis_bound_is_syntax_checked_only(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(engine, "MAX_ANALYSED_BYTES", 200)
    padding = "# " + "x" * 70 + "\n"
    (tmp_path / "big.py").write_text(LEAK + padding * 3)
    (tmp_path / "big_invalid.py").write_text("print 'x'\n" + padding * 3)
    (tmp_path / "big_plain.py").write_text("x = 1\n" + padding * 3)  # nothing to analyse
    (tmp_path / "small.py").write_text(LEAK)
    assert main(["--jobs", "1", "."]) == 1
    captured = capsys.readouterr()
    assert [(line.split(":")[0], line.split()[1]) for line in captured.out.splitlines()] == [
        ("./big_invalid.py", "BUF999"), ("./small.py", "BUF006")]
    assert captured.err.splitlines() == [
        "./big.py: not analysed: 259 bytes is more than the 200 bytes the analysis takes on "
        "(syntax checked only)"]


def test_the_analysis_bound_counts_utf8_bytes(monkeypatch):
    monkeypatch.setattr(engine, "MAX_ANALYSED_BYTES", 100)
    result = lint_text(LEAK + "# " + "\u00e9" * 40 + "\n", "m.py", Settings())
    assert result.notice.startswith("not analysed: 123 bytes") and result.findings == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_named_py_is_skipped_without_hanging(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "a.py").write_text(LEAK)
    script = os.path.join(os.path.dirname(sys.executable), "bufleak-lint")
    for args in (["."], ["pipe.py", "a.py"]):
        try:
            result = run([script, "--jobs", "1"] + args, cwd=str(tmp_path), timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"bufleak-lint {args} hangs on a FIFO")
        assert result.returncode == 1, result.stderr
        assert "pipe.py: skipped: not a regular file (a FIFO)" in result.stderr
        assert " BUF006 " in result.stdout and "pipe.py" not in result.stdout


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_link_to_a_device_is_skipped(tmp_path, capsys):
    os.symlink("/dev/zero", tmp_path / "zero.py")
    assert main(["."]) == 0
    assert "zero.py: skipped: not a regular file (a character device)" in capsys.readouterr().err


def test_long_string_concatenation_does_not_recurse(tmp_path):
    path = tmp_path / "topics.py"
    parts = "\n".join(f"    'Unpooled.buffer() release {i} '" for i in range(3000))
    path.write_text(f"topics = (\n{parts}\n)\ndef f(a):\n    return a.io_buffer()\n")
    assert _codes(path) == []


def test_directory_given_as_a_file_is_skipped(tmp_path):
    path = tmp_path / "dir.py"
    path.mkdir()
    result = lint_file(str(path), Settings())
    assert result.findings == [] and result.notice == "skipped: not a regular file (a directory)"


def test_missing_file_is_reported(tmp_path):
    # Discovery refuses a missing path; a file that vanishes before it is read is BUF999.
    [(line, code, message)] = _codes(tmp_path / "gone.py")
    assert (line, code, message) == (1, "BUF999", "cannot read: No such file or directory")
