"""Additive counters without a lock on the hot path (a poor man's Java ``LongAdder``).

Each thread adds to its own cell, so no two threads ever write the same integer; a reader sums the
cells. A cell outlives its thread, so counts made by finished threads are kept.
"""
from __future__ import annotations

import threading


class ThreadCounters:
    """``width`` integer counters, each the sum of per-thread cells."""

    def __init__(self, width: int) -> None:
        self._width = width
        self._local = threading.local()
        self._cells: list[list[int]] = []
        self._register_lock = threading.Lock()

    def cell(self) -> list:
        """The calling thread's cell: a list of ``width`` ints that only this thread writes."""
        try:
            return self._local.cell
        except AttributeError:
            cell = self._local.cell = [0] * self._width
            with self._register_lock:
                self._cells.append(cell)
            return cell

    def total(self, index: int) -> int:
        """The sum of counter ``index`` over every thread's cell."""
        return sum(cell[index] for cell in list(self._cells))
