"""The bufleak-lint command: exit codes, formats, selection, noqa, configuration."""

import _thread
import json
import os
import subprocess
import sys
import threading
import warnings

import pytest

from bufleak_lint import engine
from bufleak_lint.cli import main
from lint_helpers import ROOT, run

LEAKY = """
def f(alloc):
    buf = alloc.buffer()
    buf.write_int(1)
    buf.release()


def g(alloc):
    lost = alloc.buffer()
    lost.write_int(2)
"""
CLEAN = """
def f(alloc):
    buf = alloc.buffer()
    try:
        buf.write_int(1)
    finally:
        ReferenceCountUtil.safe_release(buf)
"""


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Run from tmp_path so that no pyproject.toml of this repository applies."""
    monkeypatch.chdir(tmp_path)


def test_clean_file_exits_0(write, capsys):
    path = write("clean.py", CLEAN)
    assert main([path]) == 0
    assert capsys.readouterr().out == ""


def test_findings_exit_1_with_flake8_style_lines(write, capsys):
    path = write("leaky.py", LEAKY)
    assert main([path]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"{path}:5:5: BUF001 release of 'buf' is skipped if the code before it raises; "
        "release in try/finally with ReferenceCountUtil.safe_release()",
        f"{path}:9:12: BUF006 buffer allocated here is never released, returned, stored or "
        "passed on",
    ]


def test_directory_discovery_and_exclude(write, tmp_path, capsys):
    write("pkg/a.py", LEAKY)
    write("pkg/gen/b.py", LEAKY)
    write("pkg/.venv/c.py", LEAKY)
    write("pkg/notes.txt", LEAKY)
    assert main(["pkg", "--exclude", "gen"]) == 1
    paths = {line.split(":")[0] for line in capsys.readouterr().out.splitlines()}
    assert paths == {os.path.join("pkg", "a.py")}


def test_excluded_directory_keeps_out_files_named_one_by_one(write, capsys):
    # pre-commit passes every file by name: exclude = ["generated"] must still apply.
    write("pyproject.toml", '[tool.bufleak.lint]\nexclude = ["generated"]\n')
    write("generated/deep/g.py", LEAKY)
    write("src/a.py", LEAKY)
    generated = os.path.join("generated", "deep", "g.py")
    assert main([generated, os.path.join("src", "a.py")]) == 1
    assert {line.split(":")[0] for line in capsys.readouterr().out.splitlines()} == {
        os.path.join("src", "a.py")}
    assert main([generated]) == 0
    assert main(["generated"]) == 0


def test_select_and_ignore(write, capsys):
    path = write("leaky.py", LEAKY)
    assert main([path, "--select", "BUF006"]) == 1
    assert [line.split()[1] for line in capsys.readouterr().out.splitlines()] == ["BUF006"]
    assert main([path, "--ignore", "BUF001,BUF006"]) == 0
    assert main([path, "--select", "BUF00", "--ignore", "BUF001"]) == 1
    assert [line.split()[1] for line in capsys.readouterr().out.splitlines()] == ["BUF006"]


@pytest.mark.parametrize("codes", ["BUF", "BUF0", "BUF00", "BUF007", "BUF008,BUF009", "buf999"])
def test_known_codes_and_prefixes_are_accepted(write, codes, capsys):
    path = write("clean.py", CLEAN)
    assert main([path, "--select", codes]) == 0
    assert main([path, "--ignore", codes]) == 0
    assert capsys.readouterr().err == ""


def test_non_py_file_named_explicitly_is_linted(write, capsys):
    script = write("tool", LEAKY)  # a script without a suffix, as pre-commit passes by type
    write("pkg/notes.txt", LEAKY)
    assert main([script]) == 1
    assert [line.split()[1] for line in capsys.readouterr().out.splitlines()] == [
        "BUF001", "BUF006"]
    assert main(["pkg"]) == 0  # directory discovery still picks *.py only


def _lint_stdin(tmp_path, *args, source=LEAKY):
    script = os.path.join(os.path.dirname(sys.executable), "bufleak-lint")
    return run([script, *args], cwd=str(tmp_path), input=source)


def test_dash_lints_standard_input(tmp_path):
    result = _lint_stdin(tmp_path, "-")
    assert result.returncode == 1, result.stderr
    assert [line.split()[:2] for line in result.stdout.splitlines()] == [
        ["stdin:5:5:", "BUF001"], ["stdin:9:12:", "BUF006"]]
    named = _lint_stdin(tmp_path, "--stdin-display-name", "src/handlers.py", "--show-source", "-")
    assert named.stdout.startswith("src/handlers.py:5:5: BUF001 ")
    assert named.stdout.splitlines()[1:3] == ["    buf.release()", "    ^"]
    assert _lint_stdin(tmp_path, "-", source=CLEAN).returncode == 0


def test_dash_among_files_keeps_the_order(write, tmp_path):
    write("a.py", LEAKY)
    write("b.py", CLEAN)
    result = _lint_stdin(tmp_path, "a.py", "-", "b.py", "-")
    assert result.returncode == 1, result.stderr
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
        "a.py", "a.py", "stdin", "stdin"]


def test_fix_of_standard_input_prints_the_fixed_source(tmp_path):
    result = _lint_stdin(tmp_path, "--fix", "-")
    assert result.returncode == 1, result.stderr  # the BUF006 has no fix
    assert "ReferenceCountUtil.safe_release(buf)" in result.stdout
    compile(result.stdout, "fixed.py", "exec")
    assert "stdin:" in result.stderr and "BUF006" in result.stderr
    clean = _lint_stdin(tmp_path, "--fix", "-", source=CLEAN)
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, CLEAN, "")


def test_diff_prints_the_unfixable_findings_to_stderr(write, capsys):
    path = write("leaky.py", LEAKY)
    assert main([path, "--diff"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith(f"--- a/{path}\n+++ b/{path}\n")
    assert [line.split()[1] for line in captured.err.splitlines()] == ["BUF006"]
    unfixable = write("orphan.py", "def g(alloc):\n    lost = alloc.buffer()\n")
    assert main([unfixable, "--diff"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and " BUF006 " in captured.err
    assert main([write("clean.py", CLEAN), "--diff"]) == 0
    assert capsys.readouterr() == ("", "")


def test_noqa_blanket_and_specific(write, capsys):
    path = write("noqa.py", """
        def f(alloc):
            buf = alloc.buffer()
            buf.write_int(1)
            buf.release()  # noqa: BUF001
            other = alloc.buffer()  # noqa
            third = alloc.buffer()  # noqa: BUF001
    """)
    assert main([path]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[1] + line.split()[1] for line in out] == [
        "7BUF006"]


def test_noqa_codes_are_read_as_flake8_does(write, capsys):
    # Words after the codes are an explanation, not code prefixes ("buf" is not "BUF").
    path = write("noqa.py", """
        def f(alloc):
            buf = alloc.buffer()
            buf.write_int(1)
            buf.release()  # noqa: BUF002 buf is released by the caller
    """)
    assert main([path]) == 1
    assert [line.split()[1] for line in capsys.readouterr().out.splitlines()] == ["BUF001"]


def test_file_level_flake8_noqa_skips_the_file(write, capsys):
    path = write("skipped.py", "# flake8: noqa\n" + LEAKY)
    assert main([path]) == 0
    assert capsys.readouterr().out == ""


def test_json_format(write, capsys):
    path = write("leaky.py", LEAKY)
    assert main([path, "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [(d["line"], d["column"], d["code"], d["fixable"]) for d in data] == [
        (5, 5, "BUF001", True), (9, 12, "BUF006", False)]
    assert data[0]["path"] == path


def test_sarif_format(write, capsys):
    path = write("leaky.py", LEAKY)
    assert main([path, "--format", "sarif"]) == 1
    log = json.loads(capsys.readouterr().out)
    assert log["version"] == "2.1.0"
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules][:6] == [f"BUF00{i}" for i in range(1, 7)]
    assert all(r["helpUri"].endswith("#" + r["id"].lower()) for r in rules)
    assert all(r["shortDescription"]["text"] and r["help"]["text"] for r in rules)
    result = run_["results"][0]
    assert result["ruleId"] == "BUF001"
    assert rules[result["ruleIndex"]]["id"] == "BUF001"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "file://" + path}
    region = location["region"]
    assert (region["startLine"], region["startColumn"]) == (5, 5)


def test_github_format(write, capsys):
    path = write("leaky.py", LEAKY)
    assert main([path, "--format", "github"]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(f"::error file={path},line=5,col=5,title=BUF001::BUF001 release of")


def test_show_source_and_statistics(write, capsys):
    path = write("leaky.py", LEAKY)
    assert main([path, "--show-source", "--statistics"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[1:3] == ["    buf.release()", "    ^"]
    assert out[-2:] == ["1     BUF001 unprotected-release", "1     BUF006 orphan-allocation"]


def test_explain(capsys):
    assert main(["--explain", "BUF004"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## BUF004: channel-read-drops-message")
    assert "**Bad:**" in out and "**Good:**" in out and "SimpleChannelInboundHandler" in out


def test_explain_unknown_code_is_a_usage_error(capsys):
    assert main(["--explain", "BUF123"]) == 2
    assert "unknown rule 'BUF123'" in capsys.readouterr().err


@pytest.mark.parametrize("argv, fragment", [
    (["--select", "E501", "."], "--select: 'E501' is not a rule code"),
    (["--select", "BUF123", "."], "--select: unknown rule code 'BUF123' (known: BUF001,"),
    (["--ignore", "BUF001,BUF5", "."], "--ignore: unknown rule code 'BUF5'"),
    (["--jobs", "zero", "."], "--jobs: 'zero'"),
    (["missing-dir"], "missing-dir: no such file or directory"),
])
def test_usage_errors_exit_2(argv, fragment, capsys):
    assert main(argv) == 2
    assert fragment in capsys.readouterr().err


def test_unknown_option_exits_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--frobnicate"])
    assert info.value.code == 2


def test_pyproject_configuration(write, capsys):
    write("pyproject.toml", """
        [tool.bufleak.lint]
        ignore = ["BUF001"]
        exclude = ["generated"]
        per-file-ignores = { "tests/*" = ["BUF006"] }
        extra-allocators = ["make_frame"]
    """)
    write("generated/x.py", LEAKY)
    write("tests/t.py", LEAKY)
    write("src/m.py", """
        def f():
            frame = make_frame()
            frame.write_int(1)
    """)
    assert main([]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] + " " + line.split()[1] for line in out] == [
        f"{os.path.join('.', 'src', 'm.py')}:3:13: BUF006"]


@pytest.mark.parametrize("table, fragment", [
    ('bogus = 1', "unknown key 'bogus'"),
    ('select = ["BUF0010"]', "select: 'BUF0010' is not a rule code"),
    ('select = ["BUF04"]', "select: unknown rule code 'BUF04'"),
    ('ignore = ["BUF000"]', "ignore: unknown rule code 'BUF000'"),
    ('per-file-ignores = { "t/*" = ["BUF066"] }',
     "per-file-ignores.t/*: unknown rule code 'BUF066'"),
    ('select = "BUF001"', "select: expected a list of strings"),
    ('ignore = ["NOPE1"]', "ignore: 'NOPE1' is not a rule code"),
    ('extra-releases = ["not a name"]', "extra-releases: 'not a name' is not a dotted"),
    ('per-file-ignores = ["x"]', "per-file-ignores: expected a table"),
])
def test_configuration_errors_exit_2_naming_the_key(write, table, fragment, capsys):
    write("pyproject.toml", "[tool.bufleak.lint]\n" + table + "\n")
    write("a.py", CLEAN)
    assert main(["a.py"]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "tool.bufleak.lint" in err


@pytest.mark.parametrize("document, table", [
    ("[tool]\nbufleak = 3\n", "[tool.bufleak]"),
    ("[tool.bufleak]\nlint = 3\n", "[tool.bufleak.lint]"),
    ('tool = "x"\n', "[tool]"),
])
def test_configuration_section_that_is_not_a_table_exits_2(write, document, table, capsys):
    write("pyproject.toml", document)
    assert main(["."]) == 2
    assert f"{table} must be a table" in capsys.readouterr().err


def test_invalid_toml_exits_2(write, capsys):
    write("pyproject.toml", "[tool.bufleak.lint\n")
    assert main(["."]) == 2
    assert "invalid TOML" in capsys.readouterr().err


def test_jobs_2_gives_the_same_findings_in_order(write, tmp_path, capsys):
    for i in range(12):
        write(f"many/m{i:02}.py", LEAKY if i % 3 == 0 else CLEAN)
    assert main(["many", "--jobs", "1"]) == 1
    sequential = capsys.readouterr().out
    assert main(["many", "--jobs", "2"]) == 1
    assert capsys.readouterr().out == sequential
    assert sequential.count("BUF001") == 4


def test_jobs_2_in_a_process_with_another_thread_does_not_fork_it(write, capsys):
    # Forking a multi-threaded process can deadlock the child (Python 3.12+ warns): a fork server instead.
    for i in range(8):
        write(f"many/m{i:02}.py", LEAKY if i % 2 else CLEAN)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert engine._start_method() != "fork"
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            assert main(["many", "--jobs", "2"]) == 1
    finally:
        stop.set()
        other.join()
    assert capsys.readouterr().out.count("BUF001") == 4


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts the OS's threads where /proc lists them")
def test_a_thread_that_threading_does_not_know_also_prevents_the_fork():
    held = _thread.allocate_lock()
    held.acquire()
    done = _thread.allocate_lock()
    done.acquire()

    def wait():
        held.acquire()
        done.release()

    _thread.start_new_thread(wait, ())
    try:
        assert engine._start_method() != "fork"
    finally:
        held.release()
        done.acquire()


def test_console_script_and_module_entry_points(write, tmp_path):
    path = write("leaky.py", LEAKY)
    script = os.path.join(os.path.dirname(sys.executable), "bufleak-lint")
    for command in ([script, path], [sys.executable, "-m", "bufleak_lint", path]):
        result = run(command, cwd=str(tmp_path))
        assert result.returncode == 1, result.stderr
        assert result.stdout.count(" BUF00") == 2
    assert run([script, "--version"], cwd=str(tmp_path)).stdout.startswith("bufleak-lint ")
    assert os.path.isdir(ROOT)


def test_closed_pipe_ends_quietly(write, tmp_path):
    # ``bufleak-lint | head -1``: no BrokenPipeError traceback, whatever the format.
    for i in range(40):
        write(f"many/m{i:02}.py", LEAKY * 20)
    script = os.path.join(os.path.dirname(sys.executable), "bufleak-lint")
    for fmt in ("text", "json"):
        process = subprocess.Popen([script, "many", "--jobs", "1", "--format", fmt],
                                   cwd=str(tmp_path), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        process.stdout.readline()
        process.stdout.close()
        stderr = process.stderr.read().decode()
        process.stderr.close()
        assert process.wait() == 1
        assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr


def test_sarif_carries_the_allocation_line_as_a_related_location(write, capsys):
    import json
    path = write("partial.py", "def f(alloc, data):\n    buf = alloc.buffer()\n"
                               "    if not data:\n        return None\n    return buf\n")
    assert main([path, "--format", "sarif"]) == 1
    [result] = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert result["ruleId"] == "BUF007"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 4
    [related] = result["relatedLocations"]
    assert related["physicalLocation"]["region"]["startLine"] == 2
