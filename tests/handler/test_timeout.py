"""Idle and timeout handlers on EmbeddedChannel's virtual clock (after Netty's IdleStateHandlerTest and
WriteTimeoutHandlerTest: no sleeping), and a read timeout once on a real loopback connection."""
from __future__ import annotations

import asyncio

import pytest

from pytest_bufleak import PooledByteBufAllocator, Unpooled
from pytest_bufleak.channel import (
    ChannelInboundHandlerAdapter,
    EmbeddedChannel,
    IdleState,
    IdleStateEvent,
    IdleStateHandler,
    ReadTimeoutException,
    ReadTimeoutHandler,
    WriteTimeoutException,
    WriteTimeoutHandler,
    aio,
)


class Events(ChannelInboundHandlerAdapter):
    def __init__(self):
        self.events = []

    def user_event_triggered(self, ctx, evt):
        self.events.append(evt)


def idle_channel(*times):
    events = Events()
    return EmbeddedChannel(IdleStateHandler(*times), events), events.events


def test_reader_idle_fires_first_then_again():
    ch, events = idle_channel(1, 0, 0)
    ch.advance_time_by(0.5)
    ch.run_scheduled_pending_tasks()
    assert events == []
    ch.advance_time_by(0.5)
    assert ch.run_scheduled_pending_tasks() == 1.0
    ch.advance_time_by(1)
    ch.run_scheduled_pending_tasks()
    assert events == [IdleStateEvent.of(IdleState.READER_IDLE, True), IdleStateEvent.of(IdleState.READER_IDLE, False)]
    assert events[0].state is IdleState.READER_IDLE and events[0].first and repr(events[0]) == "IdleStateEvent(READER_IDLE, first)"
    assert not ch.finish()


def test_a_read_postpones_reader_idle_and_makes_the_next_one_first_again():
    ch, events = idle_channel(1, 0, 0)
    ch.advance_time_by(1)
    ch.run_scheduled_pending_tasks()
    ch.advance_time_by(0.5)
    msg = Unpooled.copied_buffer(b"x")
    ch.write_inbound(msg)
    ch.read_inbound().release()
    ch.advance_time_by(0.75)
    ch.run_scheduled_pending_tasks()
    assert len(events) == 1  # the read 0.75 s ago keeps the reader busy
    ch.advance_time_by(0.25)
    ch.run_scheduled_pending_tasks()
    assert [e.first for e in events] == [True, True]
    assert not ch.finish()


def test_writer_idle_counts_from_the_last_completed_write():
    ch, events = idle_channel(0, 2, 0)
    ch.advance_time_by(1.5)
    ch.write_outbound(Unpooled.copied_buffer(b"w"))
    ch.read_outbound().release()
    ch.advance_time_by(1)
    ch.run_scheduled_pending_tasks()
    assert events == []
    ch.advance_time_by(1)
    ch.run_scheduled_pending_tasks()
    assert events == [IdleStateEvent.of(IdleState.WRITER_IDLE, True)]
    assert not ch.finish()


def test_all_idle_and_cancelled_timers_after_close():
    ch, events = idle_channel(0, 0, 1)
    ch.advance_time_by(1)
    ch.run_scheduled_pending_tasks()
    assert [e.state for e in events] == [IdleState.ALL_IDLE]
    assert not ch.finish()
    ch.advance_time_by(5)
    assert ch.run_scheduled_pending_tasks() == -1 and len(events) == 1


def test_read_timeout_raises_once_and_closes():
    ch = EmbeddedChannel(ReadTimeoutHandler(3))
    ch.advance_time_by(3)
    ch.run_scheduled_pending_tasks()
    with pytest.raises(ReadTimeoutException):
        ch.check_exception()
    assert not ch.is_open()


def test_write_timeout_when_a_write_is_not_flushed_in_time():
    ch = EmbeddedChannel(WriteTimeoutHandler(1))
    ch.write_outbound(Unpooled.copied_buffer(b"done in time"))
    ch.read_outbound().release()
    pending = Unpooled.copied_buffer(b"never flushed")
    ch.write(pending)
    ch.advance_time_by(1)
    ch.run_scheduled_pending_tasks()
    with pytest.raises(WriteTimeoutException):
        ch.check_exception()
    assert not ch.is_open() and pending.ref_cnt() == 0  # the close failed and released the queued write


def test_bad_times_are_named():
    with pytest.raises(TypeError, match="reader_idle_seconds"):
        IdleStateHandler("1", 0, 0)
    with pytest.raises(TypeError, match="timeout_seconds"):
        WriteTimeoutHandler(None)
    with pytest.raises(TypeError, match="fn"):
        EmbeddedChannel().schedule(1, "not callable")


def test_read_timeout_on_a_real_connection():
    alloc = PooledByteBufAllocator()
    caught = []

    class Catch(ChannelInboundHandlerAdapter):
        def exception_caught(self, ctx, cause):
            caught.append(cause)

    async def main():
        def init(ch):
            ch.pipeline().add_last(ReadTimeoutHandler(0.05), Catch())

        async with await aio.serve(init, "127.0.0.1", 0, alloc=alloc) as server:
            client = await aio.connect(lambda c: None, "127.0.0.1", server.port, alloc=alloc)
            await asyncio.wait_for(client.close_future(), 5)  # the server closed the silent connection

    asyncio.run(asyncio.wait_for(main(), 10))
    assert [type(c) for c in caught] == [ReadTimeoutException]
    assert alloc.metric().num_active_allocations == 0
