"""The client's connection pool: one :class:`OriginPool` per (scheme, host, port), Reactor Netty's rules.

A connection is *leased* to one exchange at a time and the lease ends exactly once, synchronously, with
``release(conn, reusable)``: a reusable connection goes to the first waiter or to the idle list, any other
is closed and its slot freed (handed to the first waiter, who then connects). ``reusable`` is the
exchange's verdict (request fully written, response read to its end with keep-alive on both sides,
nothing went wrong); the pool adds its own checks (still active, not past ``max_life_time``, pool open).
An idle connection that closes or receives bytes is evicted (see ``ClientConnectionHandler``).

Waiters are futures in FIFO order, never tasks: a waiter cancelled in the very tick it was handed a
connection or a slot gives it back, so the counts are restored on every path.
"""
from __future__ import annotations

import asyncio
import collections
from typing import Any, Awaitable, Callable, Deque, Dict, List, NamedTuple, Optional, Set

from .errors_client import PoolAcquireTimeoutException

#: A waiter's result meaning "a slot is yours: open a connection".
_SLOT = object()

IDLE, LEASED, CLOSED = "idle", "leased", "closed"


class Origin(NamedTuple):
    """The pool key: ``scheme``, ``host``, ``port``."""

    scheme: str
    host: str
    port: int


class PooledConnection:
    """One channel of an :class:`OriginPool` (``state``: idle, leased or closed)."""

    __slots__ = ("channel", "handler", "pool", "state", "created_at", "idle_since", "uses")

    def __init__(self, channel: Any, handler: Any, pool: OriginPool, now: float) -> None:
        self.channel = channel
        self.handler = handler
        self.pool = pool
        self.state = LEASED
        self.created_at = now
        self.idle_since = now
        #: How many exchanges were started on it (more than one: a reused connection).
        self.uses = 0

    def evict(self) -> None:
        """Close an idle connection that went bad (closed by the peer, or sent unsolicited bytes)."""
        if self.state == IDLE:
            self.pool.remove_idle(self)

    def __repr__(self) -> str:
        return f"PooledConnection({self.state}, uses={self.uses}, {self.channel!r})"


class PoolMetric(NamedTuple):
    """``client.metric()``: connections leased or being opened, idle ones, waiters, and all ever opened."""

    active_connections: int
    idle_connections: int
    pending_acquires: int
    connections_created: int


Connector = Callable[["OriginPool"], Awaitable[PooledConnection]]


class OriginPool:
    """The connections to one origin, at most ``max_connections`` of them (idle, leased or connecting)."""

    def __init__(self, origin: Origin, connect: Connector, loop: asyncio.AbstractEventLoop, *,
                 max_connections: int, pending_acquire_timeout: Optional[float],
                 max_idle_time: Optional[float], max_life_time: Optional[float]) -> None:
        self.origin = origin
        self.loop = loop
        self._connect = connect
        self.max_connections = max_connections
        self.pending_acquire_timeout = pending_acquire_timeout
        self.max_idle_time = max_idle_time
        self.max_life_time = max_life_time
        self._idle: Deque[PooledConnection] = collections.deque()
        self._waiters: Deque[asyncio.Future] = collections.deque()
        self._slots = 0  # connections open or opening: leased + idle + connecting
        self._created = 0
        self._closed = False
        self.channels: Set[Any] = set()

    # ------------------------------------------------------------------ acquire

    async def acquire(self) -> PooledConnection:
        """A connection leased to the caller: an idle one, a new one, or one freed by another exchange."""
        while True:
            if self._closed:
                raise RuntimeError("the HttpClient is closed")
            conn = self._take_idle()
            if conn is not None:
                return conn
            if self._slots < self.max_connections:
                self._slots += 1
                return await self._open()
            got = await self._wait()
            if got is _SLOT:
                return await self._open()
            if got.channel.is_active():
                return got
            self.release(got, False)

    def _take_idle(self) -> Optional[PooledConnection]:
        idle = self._idle
        while idle:
            conn = idle.pop()  # the most recently used: the likeliest to be alive (LIFO, as Reactor Netty)
            if self._usable(conn, self.loop.time()):
                conn.state = LEASED
                conn.uses += 1
                return conn
            conn.state = LEASED
            self.release(conn, False)
        return None

    def _usable(self, conn: PooledConnection, now: float) -> bool:
        if not conn.channel.is_active():
            return False
        if self.max_idle_time is not None and now - conn.idle_since > self.max_idle_time:
            return False
        return self.max_life_time is None or now - conn.created_at <= self.max_life_time

    async def _open(self) -> PooledConnection:
        """Open a connection in a slot the caller holds; the slot is given back if that fails."""
        try:
            conn = await self._connect(self)
        except BaseException:
            self._free_slot()
            raise
        self._created += 1
        conn.uses = 1
        channel = conn.channel
        self.channels.add(channel)
        channel.close_future().add_listener(lambda _: self.channels.discard(channel))
        return conn

    async def _wait(self) -> Any:
        waiter = self.loop.create_future()
        self._waiters.append(waiter)
        timeout = self.pending_acquire_timeout
        timer = None
        if timeout is not None:
            timer = self.loop.call_later(timeout, self._expire, waiter, timeout)
        try:
            return await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._give_back(waiter.result())  # handed over in the tick this task was cancelled
            else:
                try:
                    self._waiters.remove(waiter)
                except ValueError:
                    pass
            raise
        finally:
            if timer is not None:
                timer.cancel()

    def _expire(self, waiter: asyncio.Future, timeout: float) -> None:
        if not waiter.done():
            self._waiters.remove(waiter)
            waiter.set_exception(PoolAcquireTimeoutException(
                f"Pool#acquire({self.origin.host}:{self.origin.port}) has been pending for more than the "
                f"configured timeout of {timeout * 1000:.0f}ms"))

    def _give_back(self, got: Any) -> None:
        if got is _SLOT:
            self._free_slot()
        else:
            self.release(got, True)

    # ------------------------------------------------------------------ release

    def release(self, conn: PooledConnection, reusable: bool) -> None:
        """End a lease: keep the connection (first waiter, else idle list) if ``reusable``, else close it."""
        if conn.state != LEASED:
            return
        now = self.loop.time()
        if reusable and not self._closed and self._usable(conn, now):
            waiters = self._waiters
            while waiters:
                waiter = waiters.popleft()
                if not waiter.done():
                    conn.uses += 1
                    waiter.set_result(conn)
                    return
            conn.state = IDLE
            conn.idle_since = now
            self._idle.append(conn)
            return
        conn.state = CLOSED
        conn.channel.close()
        self._free_slot()

    def remove_idle(self, conn: PooledConnection) -> None:
        """Drop an idle connection from the pool and close it."""
        try:
            self._idle.remove(conn)
        except ValueError:
            return
        conn.state = CLOSED
        conn.channel.close()
        self._free_slot()

    def _free_slot(self) -> None:
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(_SLOT)  # the slot passes on: the waiter connects
                return
        self._slots -= 1

    # ------------------------------------------------------------------ state

    def metric(self) -> PoolMetric:
        """This origin's figures."""
        idle = len(self._idle)
        return PoolMetric(self._slots - idle, idle, len(self._waiters), self._created)

    def close(self) -> List[Any]:
        """Close the idle connections (returned, to await their ``close_future()``), fail the waiters, and
        close leased connections when their lease ends."""
        self._closed = True
        closed = [conn.channel for conn in self._idle]
        while self._idle:
            self.remove_idle(self._idle[0])
        waiters, self._waiters = self._waiters, collections.deque()
        for waiter in waiters:
            if not waiter.done():
                waiter.set_exception(RuntimeError("the HttpClient was closed"))
        return closed


def sum_metrics(pools: Dict[Origin, OriginPool]) -> PoolMetric:
    """The figures of every origin added up."""
    totals = [0, 0, 0, 0]
    for pool in pools.values():
        for i, value in enumerate(pool.metric()):
            totals[i] += value
    return PoolMetric(*totals)
