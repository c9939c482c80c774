"""What ``pytest --bufleak`` costs: generated suites run with and without it, and the per-allocation cost.

    python benchmarks/bench_plugin.py [--repeat N] [--third-party DIR]

Prints, in one run:
  1. 2,000 tests that allocate nothing, with and without --bufleak (target <= 1.05x);
  2. tests that each allocate and release 1,000 buffers, without and with --bufleak at paranoid
     (target <= 1.5x);
  3. the cost of tracking one allocation+release, in ns, at each level, outside and inside a tracker;
  4. with --third-party DIR: the test suites of h11, more-itertools and anyio (an async suite: its
     synchronization, memory stream and to_thread tests), downloaded from PyPI into DIR (never into
     this repository) with ``pip download``, each run with and without --bufleak: the outcomes must
     be the same; the ratio is printed. Run it from an environment that has anyio installed with its
     test dependencies (trio, hypothesis, psutil, pytest-mock, trustme, truststore, blockbuster,
     pytest-timeout, uvloop); a suite that cannot be imported fails the run.
Suites run in fresh processes; the time measured is the session's CPU time (collection to finish:
steadier than wall time on a shared machine), the best of --repeat runs, alternating the variants.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import timeit
from pathlib import Path

TIMER = """
import os, time

def pytest_sessionstart(session):
    session.config._bench_start = time.process_time()

def pytest_sessionfinish(session):
    with open(os.environ["BENCH_OUT"], "w") as out:
        out.write(str(time.process_time() - session.config._bench_start))
"""
#: Where the timing plugin lives (``-p bench_timer``), so that it works beside any suite's own conftest.
TIMER_DIR = Path(tempfile.mkdtemp(prefix="bufleak-bench-"))
(TIMER_DIR / "bench_timer.py").write_text(TIMER)

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

#: Third-party suites: (pip requirement, directory in its sdist, test paths in it).
THIRD_PARTY = {
    "h11": ("h11==0.16.0", "h11-0.16.0", ["h11/tests"]),
    "more-itertools": ("more-itertools==11.2.1", "more_itertools-11.2.1", ["tests"]),
    "anyio (async)": ("anyio==4.16.0", "anyio-4.16.0",
                      ["tests/test_synchronization.py", "tests/streams/test_memory.py", "tests/test_to_thread.py"]),
}


def session_seconds(directory: Path, extra: list[str], paths: tuple[str, ...] = (), check: bool = True) -> tuple:
    """Run pytest in ``directory`` (on ``paths``, default all of it) in a fresh process, timed by the
    ``bench_timer`` plugin; return the session's CPU seconds and its outcome counts."""
    out = directory / "bench_out.txt"
    python_path = os.pathsep.join([str(TIMER_DIR), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, BENCH_OUT=str(out), PYTHONPATH=python_path)
    command = [sys.executable, "-m", "pytest", *PYTEST_ARGS, "-p", "bench_timer", *extra, *(paths or [str(directory)])]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=directory)
    if check and done.returncode != 0:
        raise SystemExit(f"suite failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    lines = done.stdout.strip().splitlines() or [""]
    outcomes = dict((word, int(n)) for n, word in re.findall(r"(\d+) (\w+(?: \w+)?)(?=,| in )", lines[-1]))
    return float(out.read_text()), outcomes


def compare(name: str, source: str, variants: dict[str, list[str]], repeat: int) -> dict[str, float]:
    """Best session time of each variant on a generated suite."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / "test_suite.py").write_text(source)
        return compare_in(name, directory, (), variants, repeat)


def compare_in(name: str, directory: Path, paths: tuple, variants: dict[str, list[str]], repeat: int,
               check: bool = True) -> dict[str, float]:
    """Best session time of each variant on the suite in ``directory``; every variant must have the same outcomes."""
    best = {label: float("inf") for label in variants}
    outcomes = {}
    for _ in range(repeat):
        for label, extra in variants.items():
            seconds, outcomes[label] = session_seconds(directory, extra, paths, check)
            best[label] = min(best[label], seconds)
    if len({tuple(sorted(found.items())) for found in outcomes.values()}) != 1:
        raise SystemExit(f"{name}: the outcomes differ: {outcomes}")
    base = next(iter(best.values()))
    for label, seconds in best.items():
        print(f"  {name:<38} {label:<32} {seconds * 1000:8.1f} ms   {seconds / base:5.2f}x")
    print(f"  {'':<38} outcomes: {next(iter(outcomes.values()))}")
    return best


def third_party(directory: Path, repeat: int) -> None:
    """Download (once) and run each third-party suite with and without --bufleak."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, (requirement, folder, paths) in THIRD_PARTY.items():
        source = directory / folder
        if not source.is_dir():
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                            requirement, "-d", str(directory)], check=True)
            with tarfile.open(directory / f"{folder}.tar.gz") as archive:
                archive.extractall(directory)  # noqa: S202 - a PyPI sdist we just asked for
        # A suite's own failures (a network test in a sandbox, say) are fine: they must only be the same.
        variants = {"without --bufleak": [], "--bufleak": ["--bufleak"]}
        compare_in(name, source, tuple(paths), variants, repeat, check=False)


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
    parser.add_argument("--third-party", metavar="DIR", type=Path, default=None,
                        help="also run h11, more-itertools and anyio's suites, downloaded into DIR (e.g. /tmp/suites)")
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
    if args.third_party is not None:
        print("4. third-party suites, with and without --bufleak (same outcomes required)")
        third_party(args.third_party, max(1, args.repeat // 3))


if __name__ == "__main__":
    main()
