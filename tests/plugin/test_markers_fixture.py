"""The bufleak / no_bufleak markers and the bufleak fixture."""
import pytest

MARKED = """
import pytest
from pytest_bufleak import Unpooled

@pytest.mark.bufleak(allow=1)
def test_one_allowed():
    Unpooled.buffer(1)

@pytest.mark.bufleak(allow=1)
def test_two_with_one_allowed():
    Unpooled.buffer(1)
    Unpooled.buffer(2)

@pytest.mark.no_bufleak
def test_unchecked():
    Unpooled.buffer(1)
    Unpooled.buffer(2)

def test_after_unchecked():
    pass
"""


def test_allow_and_no_bufleak(run):
    result = run(MARKED, "--bufleak")
    result.assert_outcomes(passed=4, errors=1)
    result.stdout.fnmatch_lines(["bufleak: test test_it.py::test_two_with_one_allowed (allowed 1) leaked 2 buffers:"])


def test_module_level_marker_applies_to_its_tests_and_scope(run):
    result = run("""
import pytest
from pytest_bufleak import Unpooled

pytestmark = pytest.mark.no_bufleak

@pytest.fixture(scope="module")
def module_leak():
    return Unpooled.buffer(3)

def test_a(module_leak):
    Unpooled.buffer(1)
""", "--bufleak")
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize("mark", ["bufleak(2)", "bufleak(allow=-1)", "bufleak(allow='1')", "bufleak(allow=True)",
                                  "bufleak(allowed=1)"])
def test_bad_marker_arguments_are_a_usage_error(run, mark):
    result = run(f"import pytest\n\n@pytest.mark.{mark}\ndef test_x():\n    pass\n", "--bufleak")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*test_it.py::test_x: @pytest.mark.bufleak(*): expected bufleak(allow=N) with an int N >= 0"]
    )


def test_a_bad_marker_on_a_class_is_a_usage_error_even_when_its_tests_carry_a_good_one(run):
    result = run("""
import pytest

@pytest.mark.bufleak(allow="x")
class TestGroup:
    @pytest.mark.bufleak(allow=1)
    def test_x(self):
        pass
""", "--bufleak")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*test_it.py::TestGroup: @pytest.mark.bufleak(allow='x'): expected bufleak(allow=N) with an int N >= 0"]
    )


FIXTURE = """
import pytest
from pytest_bufleak import Unpooled

def test_live_entries(bufleak):
    a = Unpooled.buffer(1)
    b = Unpooled.direct_buffer(2)
    entries = bufleak.live()
    assert [entry.buffer for entry in entries] == [a, b]
    assert entries[0].site.endswith("test_it.py:5")
    b.release()
    assert [entry.buffer for entry in bufleak.live()] == [a]
    a.release()
    bufleak.assert_clean()

def test_assert_clean_fails(bufleak):
    keep = Unpooled.buffer(3)
    try:
        bufleak.assert_clean()
    except AssertionError as error:
        message = str(error)
    finally:
        keep.release()
    assert "leaked 1 buffer:" in message and "test_it.py:16 in test_assert_clean_fails" in message
    assert "refCnt: 1" in message

def test_assert_clean_as_the_failure(bufleak):
    Unpooled.buffer(4)
    bufleak.assert_clean()
"""


@pytest.mark.parametrize("enabled", [True, False])
def test_bufleak_fixture(run, enabled):
    result = run(FIXTURE, *(["--bufleak"] if enabled else []))
    result.assert_outcomes(passed=2, failed=1)  # the failed test gets no second report
    result.stdout.fnmatch_lines(["E*AssertionError: test_it.py::test_assert_clean_as_the_failure leaked 1 buffer:"])
