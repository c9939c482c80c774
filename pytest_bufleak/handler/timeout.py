"""Idle and timeout handlers on the channel's clock: ``IdleStateHandler``, ``ReadTimeoutHandler``,
``WriteTimeoutHandler`` (Netty's ``io.netty.handler.timeout``).

They schedule on ``channel.schedule``: virtual time on ``EmbeddedChannel`` (``advance_time_by`` then
``run_scheduled_pending_tasks``), the event loop's timer on a real connection. A time of 0 or less
disables that check. They hold no buffers; their timers are cancelled when the channel goes inactive
or the handler is removed.
"""
from __future__ import annotations

import enum
from typing import Any, Dict, List, Optional, Tuple

from ..channel.handlers import ChannelDuplexHandler
from ..channel.scheduler import delay_arg


class IdleState(enum.Enum):
    """Which side of the channel has been idle."""

    READER_IDLE = "READER_IDLE"
    WRITER_IDLE = "WRITER_IDLE"
    ALL_IDLE = "ALL_IDLE"


class IdleStateEvent:
    """The user event ``IdleStateHandler`` fires: ``state`` and whether it is the ``first`` of a run of idleness.

    There is one event per (state, first), as Netty's constants: ``IdleStateEvent.of(state, first)``.
    """

    __slots__ = ("_state", "_first")
    _EVENTS: Dict[Tuple[IdleState, bool], "IdleStateEvent"] = {}

    def __init__(self, state: IdleState, first: bool) -> None:
        if not isinstance(state, IdleState):
            raise TypeError(f"state must be an IdleState, not {type(state).__name__}")
        self._state, self._first = state, bool(first)

    @classmethod
    def of(cls, state: IdleState, first: bool) -> IdleStateEvent:
        """The shared event for ``state`` and ``first``."""
        return cls._EVENTS[(state, bool(first))]

    @property
    def state(self) -> IdleState:
        """``IdleState.READER_IDLE``, ``WRITER_IDLE`` or ``ALL_IDLE``."""
        return self._state

    @property
    def first(self) -> bool:
        """True for the first event since the channel was last active on that side."""
        return self._first

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IdleStateEvent):
            return NotImplemented
        return (self._state, self._first) == (other._state, other._first)

    def __hash__(self) -> int:
        return hash((self._state, self._first))

    def __repr__(self) -> str:
        return f"IdleStateEvent({self._state.value}{', first' if self._first else ''})"


IdleStateEvent._EVENTS.update({(s, f): IdleStateEvent(s, f) for s in IdleState for f in (True, False)})


class TimeoutException(TimeoutError):
    """A channel timed out (Netty's ``io.netty.handler.timeout.TimeoutException``)."""


class ReadTimeoutException(TimeoutException):
    """Nothing was read within ``ReadTimeoutHandler``'s time."""


class WriteTimeoutException(TimeoutException):
    """A write did not complete within ``WriteTimeoutHandler``'s time."""


def _seconds(value: Any, name: str) -> float:
    return max(delay_arg(value, name), 0.0)


class IdleStateHandler(ChannelDuplexHandler):
    """``IdleStateHandler(reader_idle_seconds, writer_idle_seconds, all_idle_seconds)``: fires an
    ``IdleStateEvent`` through ``user_event_triggered`` when nothing was read, written, or either, for
    that long. Override ``channel_idle(ctx, evt)`` to act in place of passing the event on.
    """

    def __init__(self, reader_idle_seconds: float, writer_idle_seconds: float, all_idle_seconds: float) -> None:
        self.reader_idle_time = _seconds(reader_idle_seconds, "reader_idle_seconds")
        self.writer_idle_time = _seconds(writer_idle_seconds, "writer_idle_seconds")
        self.all_idle_time = _seconds(all_idle_seconds, "all_idle_seconds")
        self._state = 0  # 0 none, 1 initialized, 2 destroyed
        self._reading = False
        self._last_read = self._last_write = 0.0
        self._first = {state: True for state in IdleState}
        self._timers: Dict[IdleState, Any] = {}

    # ------------------------------------------------------------------ life cycle

    def handler_added(self, ctx: Any) -> None:
        if ctx.channel().is_active():
            self._initialize(ctx)

    def handler_removed(self, ctx: Any) -> None:
        self._destroy()

    def channel_active(self, ctx: Any) -> None:
        self._initialize(ctx)
        ctx.fire_channel_active()

    def channel_inactive(self, ctx: Any) -> None:
        self._destroy()
        ctx.fire_channel_inactive()

    def _initialize(self, ctx: Any) -> None:
        if self._state != 0:
            return
        self._state = 1
        self._last_read = self._last_write = ctx.channel().time()
        for state, timeout in self._timeouts():
            self._schedule(ctx, state, timeout)

    def _destroy(self) -> None:
        self._state = 2
        timers, self._timers = self._timers, {}
        for timer in timers.values():
            timer.cancel()

    def _timeouts(self) -> List[Tuple[IdleState, float]]:
        pairs = [(IdleState.READER_IDLE, self.reader_idle_time), (IdleState.WRITER_IDLE, self.writer_idle_time),
                 (IdleState.ALL_IDLE, self.all_idle_time)]
        return [(state, t) for state, t in pairs if t > 0]

    # ------------------------------------------------------------------ what counts as activity

    def channel_read(self, ctx: Any, msg: Any) -> None:
        if self.reader_idle_time > 0 or self.all_idle_time > 0:
            self._reading = True
            self._first[IdleState.READER_IDLE] = self._first[IdleState.ALL_IDLE] = True
        ctx.fire_channel_read(msg)

    def channel_read_complete(self, ctx: Any) -> None:
        if self._reading:
            self._last_read = ctx.channel().time()
            self._reading = False
        ctx.fire_channel_read_complete()

    def write(self, ctx: Any, msg: Any, promise: Any = None) -> None:
        future = ctx.write(msg, promise)
        if self.writer_idle_time > 0 or self.all_idle_time > 0:
            future.add_listener(lambda _: self._written(ctx))

    def _written(self, ctx: Any) -> None:
        self._last_write = ctx.channel().time()
        self._first[IdleState.WRITER_IDLE] = self._first[IdleState.ALL_IDLE] = True

    # ------------------------------------------------------------------ the timers

    def _schedule(self, ctx: Any, state: IdleState, delay: float) -> None:
        self._timers[state] = ctx.channel().schedule(delay, lambda: self._check(ctx, state))

    def _check(self, ctx: Any, state: IdleState) -> None:
        if self._state != 1 or not ctx.channel().is_open():
            return
        timeout = dict(self._timeouts())[state]
        if state is IdleState.WRITER_IDLE:
            last: Optional[float] = self._last_write
        elif self._reading:
            last = None  # a read in progress: never idle
        else:
            last = self._last_read if state is IdleState.READER_IDLE else max(self._last_read, self._last_write)
        next_delay = timeout if last is None else timeout - (ctx.channel().time() - last)
        if next_delay > 0:
            self._schedule(ctx, state, next_delay)
            return
        self._schedule(ctx, state, timeout)
        first, self._first[state] = self._first[state], False
        self.channel_idle(ctx, IdleStateEvent.of(state, first))

    def channel_idle(self, ctx: Any, evt: IdleStateEvent) -> None:
        """Called when the channel was idle: by default, fires ``evt`` to the next handler."""
        ctx.fire_user_event_triggered(evt)


class ReadTimeoutHandler(IdleStateHandler):
    """``ReadTimeoutHandler(timeout_seconds)``: when nothing was read for that long, fires
    ``ReadTimeoutException`` into ``exception_caught`` and closes the channel (once)."""

    def __init__(self, timeout_seconds: float) -> None:
        super().__init__(timeout_seconds, 0, 0)
        self._closed = False

    def channel_idle(self, ctx: Any, evt: IdleStateEvent) -> None:
        self.read_timed_out(ctx)

    def read_timed_out(self, ctx: Any) -> None:
        """What a read timeout does; override to do something else."""
        if not self._closed:
            ctx.fire_exception_caught(ReadTimeoutException())
            ctx.close()
            self._closed = True


class WriteTimeoutHandler(ChannelDuplexHandler):
    """``WriteTimeoutHandler(timeout_seconds)``: when a write has not completed (flushed to the peer)
    that long after it was made, fires ``WriteTimeoutException`` into ``exception_caught`` and closes
    the channel (once)."""

    def __init__(self, timeout_seconds: float) -> None:
        self.timeout = _seconds(timeout_seconds, "timeout_seconds")
        self._closed = False
        self._timers: List[Any] = []

    def write(self, ctx: Any, msg: Any, promise: Any = None) -> None:
        future = ctx.write(msg, promise)
        if self.timeout <= 0 or future.is_done():
            return
        timer = ctx.channel().schedule(self.timeout, lambda: self._expired(ctx, future))
        self._timers.append(timer)
        future.add_listener(lambda _: self._done(timer))

    def _done(self, timer: Any) -> None:
        timer.cancel()
        if timer in self._timers:
            self._timers.remove(timer)

    def _expired(self, ctx: Any, future: Any) -> None:
        if not future.is_done():
            self.write_timed_out(ctx)

    def handler_removed(self, ctx: Any) -> None:
        timers, self._timers = self._timers, []
        for timer in timers:
            timer.cancel()

    def write_timed_out(self, ctx: Any) -> None:
        """What a write timeout does; override to do something else."""
        if not self._closed:
            ctx.fire_exception_caught(WriteTimeoutException())
            ctx.close()
            self._closed = True
