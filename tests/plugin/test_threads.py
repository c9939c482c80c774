"""Threads and executor jobs belong to the test that started them, even when they allocate after it ended."""

OUTLIVING = """
import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pytest_bufleak import Unpooled

state = {"gate": threading.Event(), "held": []}
pool = ThreadPoolExecutor(1)


def late():
    state["gate"].wait()
    state["held"].append(Unpooled.buffer(21))


def test_starts_a_thread():
    state["thread"] = threading.Thread(target=late)
    state["thread"].start()


def test_submits_a_job():
    loop = asyncio.new_event_loop()
    state["future"] = loop.run_in_executor(pool, late)
    state["loop"] = loop


def test_innocent():
    state["gate"].set()
    state["thread"].join()
    state["loop"].run_until_complete(state["future"])
    state["loop"].close()


def test_after():
    pass
"""


def test_a_thread_or_job_that_outlives_its_test_is_that_tests_leak(run):
    result = run(OUTLIVING, "--bufleak")
    result.assert_outcomes(passed=4, errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_innocent*",
        "bufleak: test_it.py::test_starts_a_thread (from a task or thread it left running, found at the end of "
        "test test_it.py::test_innocent) leaked 1 buffer:",
        "*cap: 21), refCnt: 1, allocated at test_it.py:12 in late (after test_it.py::test_starts_a_thread had ended)",
    ])
    result.stdout.fnmatch_lines([
        "bufleak: test_it.py::test_submits_a_job (from a task or thread it left running, found at the end of "
        "test test_it.py::test_innocent) leaked 1 buffer:",
    ])
    assert "test test_it.py::test_innocent leaked" not in result.stdout.str()


def test_a_pool_thread_started_by_one_test_works_for_the_next(run):
    result = run("""
from concurrent.futures import ThreadPoolExecutor
from pytest_bufleak import Unpooled

pool = ThreadPoolExecutor(1)

def test_first():
    pool.submit(lambda: None).result()  # starts the pool's thread

def test_second():
    global KEPT
    KEPT = pool.submit(Unpooled.buffer, 5).result()
""", "--bufleak")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["bufleak: test test_it.py::test_second leaked 1 buffer:"])
