"""Runs as users run pytest: a fresh process, the plugin found through its entry points."""
import json

LEAKY = """
import pytest
from pytest_bufleak import Unpooled

@pytest.mark.parametrize("n", range(6))
def test_many(n):
    buf = Unpooled.buffer(8)
    if n % 2:
        buf.release()

@pytest.mark.no_bufleak
def test_unchecked():
    Unpooled.buffer(1)

@pytest.mark.bufleak(allow=1)
def test_allowed():
    Unpooled.buffer(1)
"""


def test_xdist_each_worker_checks_its_own_tests(pytester, run_subprocess):
    report = pytester.path / "leaks.json"
    result = run_subprocess(LEAKY, "--bufleak", "-n", "2", f"--bufleak-report={report}")
    result.assert_outcomes(passed=8, errors=3)
    result.stdout.fnmatch_lines(["*= bufleak: 3 leaked buffers =*"])
    leaked = sorted(test["nodeid"] for test in json.loads(report.read_text())["tests"])
    assert leaked == [f"test_it.py::test_many[{n}]" for n in (0, 2, 4)]


def test_markers_stay_registered_under_no_bufleak(pytester, run_subprocess):
    result = run_subprocess(LEAKY, "--strict-markers", "-p", "no:bufleak")
    result.assert_outcomes(passed=8)
    markers = pytester.runpytest_subprocess("-p", "no:bufleak", "--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.bufleak(allow=N):*", "@pytest.mark.no_bufleak:*"])


def test_strict_markers_with_the_plugin(run_subprocess):
    result = run_subprocess(LEAKY, "--strict-markers", "--bufleak")
    result.assert_outcomes(passed=8, errors=3)
    assert result.ret == 1


def test_ini_keys_stay_registered_under_no_bufleak(pytester, run_subprocess):
    pytester.makeini("[pytest]\nbufleak = true\nbufleak_level = simple\n")
    result = run_subprocess(LEAKY, "--strict-config", "--strict-markers", "-p", "no:bufleak")
    result.assert_outcomes(passed=8)
    assert "Unknown config option" not in result.stdout.str() + result.stderr.str()
    result = run_subprocess(LEAKY, "--strict-config")  # the plugin reads them as before
    result.assert_outcomes(passed=8, errors=3)
    result.stdout.fnmatch_lines(["bufleak: on, level simple"])


def test_xdist_counts_a_module_fixtures_leak_once(run_subprocess):
    result = run_subprocess("""
import pytest
from pytest_bufleak import Unpooled

@pytest.fixture(scope="module")
def shared():
    return Unpooled.buffer(7)  # leaked once per worker that sets it up

@pytest.mark.parametrize("n", range(4))
def test_uses(shared, n):
    pass
""", "--bufleak", "-n", "2", "--dist=load")
    result.stdout.fnmatch_lines(["*= bufleak: 1 leaked buffer =*"])
    assert result.stdout.str().count("allocated at test_it.py:6 (module scope)") == 1
