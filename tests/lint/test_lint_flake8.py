"""The flake8 face, tested by running flake8 itself."""

import os
import sys

from lint_helpers import run

FLAKE8 = [sys.executable, "-m", "flake8", "--isolated"]
SOURCE = """\
from pytest_bufleak import ReferenceCountUtil


class Echo:
    def channel_read(self, ctx, msg):
        text = msg.to_string()
        self.log(text)
        ReferenceCountUtil.release(msg)


def cleanup(alloc):
    buf = alloc.buffer()
    try:
        buf.write_int(1)
    finally:
        buf.release()  # noqa: BUF005
"""


def _flake8(tmp_path, *args, source=SOURCE, name="handlers.py"):
    (tmp_path / name).write_text(source)
    return run(FLAKE8 + list(args) + [name], cwd=str(tmp_path))


def test_plugin_reports_buf_codes(tmp_path):
    result = _flake8(tmp_path, "--select", "BUF")
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "handlers.py:8:9: BUF001 release of 'msg' is skipped if the code before it raises; "
        "release in try/finally with ReferenceCountUtil.safe_release()"]


def test_flake8_ignore_and_default_selection(tmp_path):
    assert _flake8(tmp_path, "--extend-ignore", "BUF001").stdout == ""
    result = _flake8(tmp_path)
    assert "BUF001" in result.stdout


def test_plugin_is_registered(tmp_path):
    result = run(FLAKE8 + ["--version"], cwd=str(tmp_path))
    assert "pytest-bufleak" in result.stdout


def test_syntax_errors_stay_flake8s_e999(tmp_path):
    result = _flake8(tmp_path, "--select", "BUF,E999", source="print 'x'\n", name="py2.py")
    assert "E999" in result.stdout and "BUF" not in result.stdout


def test_files_without_trigger_names_cost_nothing_and_report_nothing(tmp_path):
    source = "import threading\nlock = threading.Lock()\nlock.acquire()\nlock.release()\n"
    result = _flake8(tmp_path, "--select", "BUF", source=source, name="locks.py")
    assert result.returncode == 0 and result.stdout == ""
    assert os.path.exists(tmp_path / "locks.py")


FRAME_LEAK = "def f():\n    frame = make_frame()\n    frame.write_int(1)\n"
VOCABULARY = '[tool.bufleak.lint]\nextra-allocators = ["make_frame"]\n'


def test_plugin_reads_the_vocabulary_of_the_pyproject_above_the_file(tmp_path):
    (tmp_path / "pyproject.toml").write_text(VOCABULARY)
    (tmp_path / "src").mkdir()
    result = _flake8(tmp_path, "--select", "BUF", source=FRAME_LEAK, name="src/frames.py")
    assert [line.split()[:2] for line in result.stdout.splitlines()] == [
        ["src/frames.py:2:13:", "BUF006"]], result.stderr
    # the command agrees
    command = run([sys.executable, "-m", "bufleak_lint", "src/frames.py"], cwd=str(tmp_path))
    assert " BUF006 " in command.stdout


def test_plugin_falls_back_to_the_pyproject_above_the_working_directory(tmp_path):
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (project / "pyproject.toml").write_text(VOCABULARY)
    (outside / "frames.py").write_text(FRAME_LEAK)
    result = run(FLAKE8 + ["--select", "BUF", str(outside / "frames.py")], cwd=str(project))
    assert " BUF006 " in result.stdout, result.stderr
    standard_input = run(FLAKE8 + ["--select", "BUF", "-"], cwd=str(project), input=FRAME_LEAK)
    assert standard_input.stdout.startswith("stdin:2:13: BUF006 "), standard_input.stderr
    assert run(FLAKE8 + ["--select", "BUF", "-"], cwd=str(outside), input=FRAME_LEAK).stdout == ""


def test_valid_python_libcst_fails_on_is_a_notice_not_a_finding(tmp_path):
    source = "x = () if 0 else(lambda:())\ndef f(alloc):\n    lost = alloc.buffer()\n"
    result = _flake8(tmp_path, "--select", "BUF,E999", source=source, name="odd.py")
    if "libcst fails on it" not in result.stderr:
        assert " BUF006 " in result.stdout  # this libcst parses it
        return
    assert result.returncode == 0 and result.stdout == ""
    assert "odd.py: bufleak-lint: not analysed: libcst fails on it (TypeError" in result.stderr
