"""What ``pytest --bufleak`` costs: generated suites run with and without it, and the per-allocation cost.

    python benchmarks/bench_plugin.py [--repeat N]

Prints, in one run:
  1. 2,000 tests that allocate nothing, with and without --bufleak (target <= 1.05x);
  2. tests that each allocate and release 1,000 buffers, without and with --bufleak at paranoid
     (target <= 1.5x);
  3. the cost of tracking one allocation+release, in ns, at each level, outside and inside a tracker.
Suites run in fresh processes; the time measured is the session's CPU time (collection to finish:
steadier than wall time on a shared machine), the best of --repeat runs, alternating the variants.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

CONFTEST = """
import os, time

def pytest_sessionstart(session):
    session.config._bench_start = time.process_time()

def pytest_sessionfinish(session):
    with open(os.environ["BENCH_OUT"], "w") as out:
        out.write(str(time.process_time() - session.config._bench_start))
"""

NO_ALLOC = """
import pytest

@pytest.mark.parametrize("n", range({count}))
def test_nothing(n):
    assert n >= 0
"""

ALLOCATING = """
import pytest
from pytest_bufleak import ByteBufAllocator, Unpooled

@pytest.mark.parametrize("n", range({count}))
def test_allocates(n):
    for _ in range(500):
        buf = Unpooled.buffer(64)
        buf.write_int(n)
        buf.release()
        buf = ByteBufAllocator.DEFAULT.direct_buffer(64)
        buf.write_int(n)
        buf.release()
"""

PYTEST_ARGS = ["-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:randomly"]


def session_seconds(directory: Path, extra: list[str]) -> float:
    """Run pytest on ``directory`` in a fresh process; return the session's duration."""
    out = directory / "bench_out.txt"
    env = dict(os.environ, BENCH_OUT=str(out))
    done = subprocess.run([sys.executable, "-m", "pytest", *PYTEST_ARGS, *extra, str(directory)],
                          env=env, capture_output=True, text=True, cwd=directory)
    if done.returncode != 0:
        raise SystemExit(f"suite failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return float(out.read_text())


def compare(name: str, source: str, variants: dict[str, list[str]], repeat: int) -> dict[str, float]:
    """Best session time of each variant on a generated suite."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / "conftest.py").write_text(CONFTEST)
        (directory / "test_suite.py").write_text(source)
        best = {label: float("inf") for label in variants}
        for _ in range(repeat):
            for label, extra in variants.items():
                best[label] = min(best[label], session_seconds(directory, extra))
    base = next(iter(best.values()))
    for label, seconds in best.items():
        print(f"  {name:<38} {label:<32} {seconds * 1000:8.1f} ms   {seconds / base:5.2f}x")
    return best


def per_allocation_ns(rounds: int = 9) -> None:
    """The cost tracking adds to one allocation+release, in ns (best of rounds that alternate the variants)."""
    from pytest_bufleak import ResourceLeakDetector, Unpooled, track_leaks
    from pytest_bufleak.buffer import tracking

    def cycle() -> None:
        Unpooled.direct_buffer(64).release()

    def no_hook() -> float:
        previous = tracking.set_allocation_hook(None)
        try:
            return timed()
        finally:
            tracking.set_allocation_hook(previous)

    def at(level: str, tracked: bool):
        def run() -> float:
            ResourceLeakDetector.set_level(level)
            if not tracked:
                return timed()
            with track_leaks() as tracker:
                seconds = timed()
            assert not tracker.leaks()
            return seconds
        return run

    def timed(number: int = 5_000) -> float:
        return timeit.timeit(cycle, number=number, timer=time.process_time) / number * 1e9

    variants = {
        "no hook (nothing can track)": no_hook,
        "simple, sampling detector (the default)": at("simple", False),
        "paranoid, sampling detector": at("paranoid", False),
        "simple, inside a tracker (--bufleak)": at("simple", True),
        "paranoid, inside a tracker (--bufleak)": at("paranoid", True),
    }
    best = {label: float("inf") for label in variants}
    for _ in range(rounds):
        for label, run in variants.items():
            best[label] = min(best[label], run())
    ResourceLeakDetector.set_level("simple")
    baseline = best["no hook (nothing can track)"]
    for label, ns in best.items():
        extra = "" if ns is baseline else f"   +{ns - baseline:6.0f} ns"
        print(f"  {label:<46} {ns:8.0f} ns{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per variant; the best counts (default 5)")
    args = parser.parse_args()
    print("1. 2,000 tests that allocate nothing")
    compare("no allocation, 2,000 tests", NO_ALLOC.format(count=2000),
            {"without --bufleak": [], "--bufleak": ["--bufleak"]}, args.repeat)
    print("2. 20 tests, each allocating and releasing 1,000 buffers (heap and pooled direct)")
    compare("1,000 allocations per test", ALLOCATING.format(count=20),
            {"without --bufleak": [], "--bufleak (paranoid)": ["--bufleak"],
             "--bufleak --bufleak-level=simple": ["--bufleak", "--bufleak-level=simple"]}, args.repeat)
    print("3. tracking cost per allocation (Unpooled.direct_buffer(64) + release)")
    per_allocation_ns()


if __name__ == "__main__":
    main()
