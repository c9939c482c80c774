"""Benchmark: bufleak-lint against flake8's pyflakes checks on the standard library.

Runs, in one go and on the very same files (every ``.py`` under the running
Python's ``Lib/``, ``site-packages`` left out):

* ``bufleak-lint --jobs 2``
* ``flake8 --jobs 2 --select F`` (pyflakes, the baseline)
* ``bufleak-lint --jobs 1``
* ``ruff check --select F --no-cache`` (pyflakes' rules in Rust), when ruff is installed

and prints seconds, lines per second and the ratio to flake8 (target: at most
0.2), with ruff's ratio to flake8 and bufleak-lint's to ruff beside it.  It
also checks precision: every bufleak-lint finding on the standard library must
be BUF999 (files that are deliberately not valid Python 3).

    python benchmarks/bench_lint.py [--root DIR] [--repeat N]
"""

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from typing import List, Optional, Tuple

BIN = os.path.dirname(sys.executable)
FLAKE8_LABEL = "flake8 --jobs 2 --select F"
RUFF_LABEL = "ruff check --select F"


def find_ruff() -> Optional[str]:
    """ruff next to this interpreter, else on PATH, else None."""
    return shutil.which("ruff", path=BIN) or shutil.which("ruff")


def python_files(root: str) -> List[str]:
    """Every .py file under ``root``, ``site-packages`` excluded, sorted."""
    files = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in ("site-packages", "__pycache__"))
        files.extend(os.path.join(directory, n) for n in sorted(filenames) if n.endswith(".py"))
    return files


def count_lines(files: List[str]) -> int:
    total = 0
    for path in files:
        with open(path, "rb") as handle:
            total += handle.read().count(b"\n")
    return total


def timed(command: List[str], repeat: int) -> Tuple[float, subprocess.CompletedProcess]:
    """Best wall time of ``repeat`` runs of ``command``."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, check=False)
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=sysconfig.get_paths()["stdlib"])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    files = python_files(args.root)
    lines = count_lines(files)
    print(f"corpus: {args.root}: {len(files)} files, {lines} lines")
    lint = [os.path.join(BIN, "bufleak-lint")]
    flake8 = [os.path.join(BIN, "flake8")]
    runs = [
        ("bufleak-lint --jobs 2", lint + ["--jobs", "2"] + files),
        (FLAKE8_LABEL, flake8 + ["--jobs", "2", "--select", "F"] + files),
        ("bufleak-lint --jobs 1", lint + ["--jobs", "1"] + files),
    ]
    ruff = find_ruff()
    if ruff is not None:
        # ruff has no --jobs: it uses every CPU; --no-cache so that each run does the work.
        runs.append((RUFF_LABEL, [ruff, "check", "--select", "F", "--no-cache", "--quiet",
                                  "--isolated"] + files))
    seconds = {}
    outputs = {}
    for label, command in runs:
        seconds[label], result = timed(command, args.repeat)
        outputs[label] = result
        print(f"{label:<28} {seconds[label]:8.2f} s {lines / seconds[label]:>12,.0f} lines/s"
              f"   (exit {result.returncode})")
    baseline = seconds[FLAKE8_LABEL]
    ratio = seconds["bufleak-lint --jobs 2"] / baseline
    print(f"ratio bufleak-lint/flake8 at --jobs 2: {ratio:.3f} (target <= 0.2)")
    print(f"ratio bufleak-lint --jobs 1/flake8 --jobs 2: "
          f"{seconds['bufleak-lint --jobs 1'] / baseline:.3f}")
    if RUFF_LABEL in seconds:
        to_ruff = seconds["bufleak-lint --jobs 2"] / seconds[RUFF_LABEL]
        print(f"ratio ruff/flake8 --jobs 2: {seconds[RUFF_LABEL] / baseline:.3f}; "
              f"bufleak-lint --jobs 2/ruff: {to_ruff:.2f} (ruff on {os.cpu_count()} CPUs)")
    else:
        print("ruff: not installed, not measured")
    findings = [line for line in outputs["bufleak-lint --jobs 2"].stdout.splitlines() if line]
    other = [line for line in findings if " BUF999 " not in line]
    print(f"precision: {len(findings)} findings, {len(findings) - len(other)} BUF999, "
          f"{len(other)} other")
    for line in other:
        print("  unexpected:", line)
    if outputs["bufleak-lint --jobs 2"].stderr.strip():
        print("bufleak-lint stderr:", outputs["bufleak-lint --jobs 2"].stderr.strip()[:2000])
    return 1 if other else 0


if __name__ == "__main__":
    sys.exit(main())
