"""Which scope owns a buffer, and when that scope is checked."""

import pytest

SCOPES = """
import pytest
from pytest_bufleak import Unpooled

@pytest.fixture(scope="session")
def session_buf():
    yield Unpooled.buffer(1)  # session leak

@pytest.fixture(scope="module")
def module_buf():
    buf = Unpooled.buffer(2)
    yield buf
    buf.release()

@pytest.fixture(scope="module")
def module_leak():
    return Unpooled.buffer(3)  # module leak

class TestGroup:
    @pytest.fixture(scope="class")
    def class_leak(self):
        return Unpooled.buffer(4)  # class leak

    def test_a(self, class_leak, module_buf):
        pass

    def test_b(self, class_leak):
        pass

def test_c(module_leak, session_buf, module_buf):
    pass

def test_d(module_leak):
    pass
"""


def test_wider_fixtures_are_checked_when_their_scope_ends(run):
    result = run(SCOPES, "--bufleak", "-v")
    result.assert_outcomes(passed=4, errors=2)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of TestGroup.test_b*",
        "bufleak: class-scoped fixtures of test_it.py::TestGroup leaked 1 buffer:",
        "[[]1[]] UnpooledHeapByteBuf(ridx: 0, widx: 0, cap: 4), refCnt: 1, allocated at test_it.py:21 in class_leak",
    ])
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_d*",
        "bufleak: module-scoped fixtures of test_it.py leaked 1 buffer:",
        "*cap: 3), refCnt: 1, allocated at test_it.py:16 in module_leak",
        "bufleak: session-scoped fixtures of the session leaked 1 buffer:",
        "*UnpooledHeapByteBuf, garbage-collected unreleased, allocated at test_it.py:6 in session_buf",
    ])
    out = result.stdout.str()
    assert "cap: 2)" not in out  # released by its own teardown
    assert "test_a ERROR" not in out and "test_c ERROR" not in out


def test_fixtures_may_release_what_the_test_made(run):
    result = run("""
import pytest
from pytest_bufleak import Unpooled

@pytest.fixture
def basket():
    held = []
    yield held
    for buf in held:
        buf.release()

def test_fills(basket):
    basket.append(Unpooled.buffer(8))
    basket.append(Unpooled.direct_buffer(8))
""", "--bufleak")
    result.assert_outcomes(passed=1)


def test_function_fixture_leak_belongs_to_the_test(run):
    result = run("""
import pytest
from pytest_bufleak import Unpooled

@pytest.fixture
def message():
    return Unpooled.copied_buffer(b"ping")

def test_uses(message):
    assert bytes(message) == b"ping"
""", "--bufleak")
    result.assert_outcomes(errors=1, passed=1)
    result.stdout.fnmatch_lines(
        ["bufleak: test test_it.py::test_uses leaked 1 buffer:", "*allocated at test_it.py:6 in message"]
    )


def test_buffers_from_threads_belong_to_the_current_test(run):
    result = run("""
import threading
from pytest_bufleak import Unpooled

def test_thread():
    made = []
    worker = threading.Thread(target=lambda: made.append(Unpooled.direct_buffer(8)))
    worker.start()
    worker.join()

def test_after():
    pass
""", "--bufleak")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["bufleak: test test_it.py::test_thread leaked 1 buffer:", "*allocated at test_it.py:6 in <lambda>"]
    )


def test_failed_test_gets_no_second_report_and_its_buffers_are_cleared(run):
    result = run("""
import pytest
from pytest_bufleak import Unpooled

def test_fails():
    buf = Unpooled.buffer(8)
    assert False, "boom"

@pytest.mark.xfail(reason="known")
def test_xfails():
    buf = Unpooled.buffer(8)
    raise RuntimeError

@pytest.fixture
def broken():
    buf = Unpooled.buffer(8)
    raise RuntimeError("setup broke")

def test_setup_fails(broken):
    pass

def test_next_is_clean():
    pass
""", "--bufleak")
    result.assert_outcomes(failed=1, xfailed=1, errors=1, passed=1)
    assert "leaked" not in result.stdout.str()


def test_parametrized_tests_are_checked_one_by_one(run):
    result = run("""
import pytest
from pytest_bufleak import Unpooled

@pytest.mark.parametrize("leak", [False, True, False])
def test_param(leak):
    buf = Unpooled.buffer(8)
    if not leak:
        buf.release()
""", "--bufleak")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["bufleak: test test_it.py::test_param[[]True[]] leaked 1 buffer:"])


@pytest.mark.no_bufleak  # the inner run collects inside this test: its module-level buffer is this test's own
def test_collection_time_buffers_are_not_a_tests_leak(run):
    result = run("""
from pytest_bufleak import Unpooled

CONSTANT = Unpooled.copied_buffer(b"module-level, lives for the run")

def test_reads():
    assert bytes(CONSTANT).startswith(b"module")
""", "--bufleak")
    result.assert_outcomes(passed=1)


def test_unittest_cases_and_their_class_setup(run):
    result = run("""
import unittest
from pytest_bufleak import Unpooled

class Case(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.shared = Unpooled.buffer(4)

    def test_clean(self):
        Unpooled.buffer(1).release()

    def test_leaks(self):
        self.kept = Unpooled.buffer(2)
""", "--bufleak")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines([
        "bufleak: test test_it.py::Case::test_leaks leaked 1 buffer:",
        "*allocated at test_it.py:13 in test_leaks",
        "*",
        "bufleak: class-scoped fixtures of test_it.py::Case leaked 1 buffer:",
        "*allocated at test_it.py:7 in setUpClass",
    ])


def test_wider_fixtures_own_what_their_teardown_allocates(run):
    result = run("""
import pytest
from pytest_bufleak import Unpooled

@pytest.fixture(scope="module")
def conn():
    yield "connection"
    Unpooled.copied_buffer(b"bye")  # module teardown leak

@pytest.fixture(scope="session")
def server():
    yield "server"
    Unpooled.buffer(9)  # session teardown leak

def test_one(conn, server):
    pass

@pytest.mark.no_bufleak  # the last test's marker does not hide its module's leaks
def test_two(conn):
    pass
""", "--bufleak")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_two*",
        "bufleak: module-scoped fixtures of test_it.py leaked 1 buffer:",
        "*allocated at test_it.py:7 in conn",
        "*",
        "bufleak: session-scoped fixtures of the session leaked 1 buffer:",
        "*allocated at test_it.py:12 in server",
    ])
    assert "test test_it.py::test_two leaked" not in result.stdout.str()


def test_a_wider_fixture_whose_setup_failed_gets_no_second_report(run):
    result = run("""
import pytest
from pytest_bufleak import Unpooled

@pytest.fixture(scope="module")
def fine():
    return Unpooled.buffer(2)  # module leak, reported

@pytest.fixture(scope="module")
def broken(fine):
    buf = Unpooled.buffer(1)  # held by the cached error's traceback
    raise RuntimeError("module setup broke")

def test_a(broken):
    pass

def test_b(broken):
    pass
""", "--bufleak")
    result.assert_outcomes(errors=3)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_b*",
        "bufleak: module-scoped fixtures of test_it.py leaked 1 buffer:",
        "*cap: 2), refCnt: 1, allocated at test_it.py:6 in fine",
    ])
    assert "cap: 1)" not in result.stdout.str()


HAND_OVER = """
import pytest
from pytest_bufleak import Unpooled

@pytest.fixture(scope="module")
def cache():
    items = []
    yield items
    for buf in items:
        buf.release()

def test_fills(cache, bufleak):
    cache.append(bufleak.hand_over(Unpooled.buffer(8), scope="module"))

def test_reads(cache):
    assert len(cache) <= 1

def test_wrong_scope(bufleak):
    buf = Unpooled.buffer(1)
    try:
        with pytest.raises(ValueError, match="not in a class"):
            bufleak.hand_over(buf, scope="class")
        with pytest.raises(ValueError, match="unknown scope 'galaxy'"):
            bufleak.hand_over(buf, scope="galaxy")
        with pytest.raises(ValueError, match="is not a live buffer of"):
            bufleak.hand_over(Unpooled.EMPTY_BUFFER, scope="module")
    finally:
        buf.release()

def test_session_keeps_it(bufleak):
    global KEPT
    KEPT = bufleak.hand_over(Unpooled.buffer(9).retained_slice(0, 1), scope="session")
"""


@pytest.mark.parametrize("only", [None, "test_fills"])
def test_hand_over_moves_a_buffer_to_a_wider_scope_alone_or_in_the_full_run(run, only):
    args = ("--bufleak",) + (("-k", only) if only else ())
    result = run(HAND_OVER, *args)
    if only:
        result.assert_outcomes(passed=1)
        return
    result.assert_outcomes(passed=4, errors=1)  # the session's leak, at the last teardown
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_session_keeps_it*",
        "bufleak: session-scoped fixtures of the session leaked 1 buffer:",
        "*cap: 9), refCnt: 2, allocated at test_it.py:31 in test_session_keeps_it, retained at test_it.py:31*",
    ])
    assert "test test_it.py::test_session_keeps_it leaked" not in result.stdout.str()
