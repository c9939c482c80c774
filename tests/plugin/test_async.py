"""Async tests (pytest-asyncio): tests, their tasks and async fixtures each own what they allocate."""

ASYNC = """
import asyncio
import pytest
import pytest_asyncio
from pytest_bufleak import Unpooled

@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def ticker():
    made = []
    stop = asyncio.Event()

    async def tick():
        while not stop.is_set():
            made.append(Unpooled.buffer(7))
            await asyncio.sleep(0)

    task = asyncio.create_task(tick())
    yield made
    stop.set()
    await task
    for buf in made[1:]:
        buf.release()

@pytest.mark.asyncio(loop_scope="module")
async def test_leaks_in_the_test(ticker):
    buf = Unpooled.buffer(1)
    for _ in range(3):
        await asyncio.sleep(0)

@pytest.mark.asyncio(loop_scope="module")
async def test_leaks_in_a_task(ticker):
    async def worker():
        await asyncio.sleep(0)
        return Unpooled.direct_buffer(2)

    await asyncio.create_task(worker())

@pytest.mark.asyncio(loop_scope="module")
async def test_clean(ticker):
    async def worker():
        await asyncio.sleep(0)
        return Unpooled.direct_buffer(3)

    (await asyncio.create_task(worker())).release()
    await asyncio.sleep(0)
"""


def test_async_tests_tasks_and_fixtures_are_attributed_right(run):
    result = run(ASYNC, "--bufleak", "-v")
    result.assert_outcomes(passed=3, errors=3)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_leaks_in_the_test*",
        "bufleak: test test_it.py::test_leaks_in_the_test leaked 1 buffer:",
        "*allocated at test_it.py:25 in test_leaks_in_the_test",
    ])
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_leaks_in_a_task*",
        "bufleak: test test_it.py::test_leaks_in_a_task leaked 1 buffer:",
        "*allocated at test_it.py:33 in worker",
    ])
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_clean*",
        "bufleak: module-scoped fixtures of test_it.py leaked 1 buffer:",
        "*allocated at test_it.py:13 in tick",
    ])
    assert "test_clean leaked" not in result.stdout.str()


def test_a_task_that_outlives_its_test_is_reported_as_that_tests_leak(run):
    result = run("""
import asyncio
import pytest
from pytest_bufleak import Unpooled

pytestmark = pytest.mark.asyncio(loop_scope="module")
state = {}

async def test_starts_a_task():
    state["gate"] = gate = asyncio.Event()
    state["held"] = held = []

    async def late():
        await gate.wait()
        held.append(Unpooled.buffer(21))  # after test_starts_a_task ended

    state["task"] = asyncio.get_running_loop().create_task(late())

async def test_lets_it_run():
    state["gate"].set()
    await state["task"]

async def test_after():
    pass
""", "--bufleak", "-v")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_lets_it_run*",
        "bufleak: test_it.py::test_starts_a_task (from a task or thread it left running, found at the end of "
        "test test_it.py::test_lets_it_run) leaked 1 buffer:",
        "*cap: 21), refCnt: 1, allocated at test_it.py:14 in late (after test_it.py::test_starts_a_task had ended)",
    ])
    result.stdout.fnmatch_lines([
        "*= bufleak: 1 leaked buffer =*",
        "test_it.py::test_lets_it_run",
        "*allocated at test_it.py:14 (after test_it.py::test_starts_a_task had ended)",
    ])
    assert "test test_it.py::test_lets_it_run leaked" not in result.stdout.str()
