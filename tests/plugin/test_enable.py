"""Turning the plugin on, off and misconfiguring it."""
import pytest

LEAKY = """from pytest_bufleak import Unpooled

def test_leaks():
    buf = Unpooled.buffer(8)  # the leak

def test_clean():
    Unpooled.buffer(8).release()
"""


@pytest.mark.no_bufleak  # without the plugin, the inner run's leak is this test's own
def test_off_unless_asked(run):
    result = run(LEAKY)
    result.assert_outcomes(passed=2)
    assert "leaked" not in result.stdout.str()


def test_bufleak_option_fails_the_leaking_test_at_teardown(run):
    result = run(LEAKY, "--bufleak")
    result.assert_outcomes(passed=2, errors=1)
    assert result.ret == 1
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_leaks*",
        "bufleak: test test_it.py::test_leaks leaked 1 buffer:",
        "[[]1[]] UnpooledHeapByteBuf, garbage-collected unreleased, allocated at test_it.py:4 in test_leaks",
    ])
    assert "test_clean" not in result.stdout.str().split("short test summary")[1]


def test_ini_enables(run, pytester):
    pytester.makeini("[pytest]\nbufleak = true\n")
    run(LEAKY).assert_outcomes(passed=2, errors=1)


@pytest.mark.no_bufleak  # without the plugin, the inner run's leak is this test's own
def test_ini_false_keeps_it_off(run, pytester):
    pytester.makeini("[pytest]\nbufleak = no\n")
    run(LEAKY).assert_outcomes(passed=2)


def test_bad_ini_value_is_a_usage_error(run, pytester):
    pytester.makeini("[pytest]\nbufleak = maybe\n")
    result = run(LEAKY)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*ini option bufleak: expected true or false, got 'maybe'*"])


@pytest.mark.parametrize("args", [["--bufleak-level=loud"], ["--bufleak", "--bufleak-level=disabled"]])
def test_unknown_level_is_a_usage_error(run, args):
    result = run(LEAKY, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--bufleak-level: unknown level * (expected one of: paranoid, advanced, simple)*"])


def test_bad_ini_level_is_a_usage_error(run, pytester):
    pytester.makeini("[pytest]\nbufleak_level = loud\n")
    result = run(LEAKY, "--bufleak")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*ini option bufleak_level: unknown level 'loud'*"])


def test_report_into_a_missing_directory_is_a_usage_error(run, pytester):
    result = run(LEAKY, "--bufleak", f"--bufleak-report={pytester.path / 'nowhere' / 'r.json'}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--bufleak-report: directory * does not exist*"])


def test_header_names_the_level(run):
    result = run(LEAKY, "--bufleak", "--bufleak-level=advanced")
    result.stdout.fnmatch_lines(["bufleak: on, level advanced"])


def test_level_is_restored_after_the_run(run):
    from pytest_bufleak import ResourceLeakDetector

    before = ResourceLeakDetector.get_level()
    run(LEAKY, "--bufleak", "--bufleak-level=simple")
    assert ResourceLeakDetector.get_level() is before


def test_works_without_optional_core_plugins(run):
    result = run(LEAKY, "--bufleak", "-p", "no:terminal", "-p", "no:junitxml", "-p", "no:logging")
    assert result.ret == 1


XFAIL = """
import pytest
from pytest_bufleak import Unpooled

@pytest.mark.xfail(reason="passes by now")
def test_xpass_leaks():
    Unpooled.buffer(2)

@pytest.mark.xfail(reason="fails as expected")
def test_xfail_leaks():
    Unpooled.buffer(3)
    assert False
"""


def test_a_leak_in_a_passing_xfail_test_fails_the_run(run):
    result = run(XFAIL, "--bufleak", "-rxXE")
    result.assert_outcomes(xpassed=1, xfailed=1, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_xpass_leaks*", "bufleak: test *test_xpass_leaks leaked*"])
    assert "test_xfail_leaks leaked" not in result.stdout.str()  # it failed already: no second report
    assert result.ret == 1


def test_markers_are_known_with_only_the_markers_entry_point_disabled(run):
    marked = "import pytest\n\n@pytest.mark.bufleak(allow=1)\n@pytest.mark.no_bufleak\ndef test_m():\n    pass\n"
    result = run(LEAKY, "--bufleak", "--strict-markers", "-p", "no:bufleak_markers", test_marked=marked)
    result.assert_outcomes(passed=3, errors=1)
    assert "not found in `markers`" not in result.stdout.str()
