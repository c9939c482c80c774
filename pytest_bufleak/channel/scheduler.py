"""Time in the pipeline: tasks scheduled on a channel, run by a virtual clock (sans-I/O channels).

``EmbeddedChannel`` runs on this clock: nothing moves until ``advance_time_by(seconds)``, and due
tasks run at ``run_scheduled_pending_tasks()`` (Netty's names), so timeouts are tested without
sleeping. The asyncio channel schedules on its event loop's timer instead.
"""
from __future__ import annotations

import heapq
import itertools
from typing import Any, Callable, List, Tuple


def delay_arg(value: Any, name: str = "delay_seconds") -> float:
    """A delay or duration in seconds: an int or float (not a bool), else TypeError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds (int or float), not {type(value).__name__}: {value!r}")
    if value != value:
        raise ValueError(f"{name}: {value!r} (expected: a number)")
    return float(value)


class ScheduledTask:
    """A task waiting on a clock: ``cancel()`` stops it if it has not run yet."""

    __slots__ = ("deadline", "fn", "_cancelled")

    def __init__(self, deadline: float, fn: Callable[[], Any]) -> None:
        self.deadline, self.fn, self._cancelled = deadline, fn, False

    def cancel(self) -> bool:
        """Stop the task; False if it was cancelled already."""
        was, self._cancelled = self._cancelled, True
        return not was

    def cancelled(self) -> bool:
        """True once ``cancel()`` was called."""
        return self._cancelled

    def __repr__(self) -> str:
        return f"ScheduledTask(deadline={self.deadline}, fn={self.fn!r}{', cancelled' if self._cancelled else ''})"


class VirtualScheduler:
    """A clock that moves only when told to, and the tasks waiting on it (in deadline order, then FIFO)."""

    def __init__(self) -> None:
        self._now = 0.0
        self._queue: List[Tuple[float, int, ScheduledTask]] = []
        self._order = itertools.count()

    def time(self) -> float:
        """The current virtual time, in seconds."""
        return self._now

    def schedule(self, delay_seconds: float, fn: Callable[[], Any]) -> ScheduledTask:
        """Run ``fn`` once ``delay_seconds`` have passed (a negative delay means now)."""
        if not callable(fn):
            raise TypeError(f"fn must be callable, not {type(fn).__name__}")
        task = ScheduledTask(self._now + max(delay_arg(delay_seconds), 0.0), fn)
        heapq.heappush(self._queue, (task.deadline, next(self._order), task))
        return task

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (>= 0); tasks run only at ``run_due``."""
        seconds = delay_arg(seconds, "seconds")
        if seconds < 0:
            raise ValueError(f"seconds: {seconds} (expected: >= 0)")
        self._now += seconds

    def run_due(self, on_error: Callable[[Exception], None]) -> float:
        """Run every task that is due (also those that become due by being scheduled meanwhile);
        give each error to ``on_error``. Return the seconds until the next task, or -1 when none waits."""
        queue = self._queue
        while queue and queue[0][0] <= self._now:
            task = heapq.heappop(queue)[2]
            if task.cancelled():
                continue
            try:
                task.fn()
            except Exception as exc:  # noqa: BLE001 - handed to the channel, as a task's error on an event loop
                on_error(exc)
        while queue and queue[0][2].cancelled():
            heapq.heappop(queue)
        return queue[0][0] - self._now if queue else -1.0
