"""Buffers handed to code that keeps them: a work queue, an executor, an asyncio queue."""

import asyncio
import queue

from pytest_bufleak import ReferenceCountUtil
from pytest_bufleak.channel import ChannelInboundHandlerAdapter


class OffloadHandler(ChannelInboundHandlerAdapter):
    """Hands each message to a worker thread, which releases it when done."""

    def __init__(self, work: queue.Queue):
        self.work = work

    def channel_read(self, ctx, msg):
        self.work.put(msg)


def worker(work: queue.Queue, handle):
    while True:
        msg = work.get()
        if msg is None:
            return
        try:
            handle(msg.to_string("utf-8"))
        finally:
            ReferenceCountUtil.safe_release(msg)


class AsyncBridgeHandler(ChannelInboundHandlerAdapter):
    """Feeds an asyncio consumer; the consumer owns what it takes off the queue."""

    def __init__(self, inbox: asyncio.Queue):
        self.inbox = inbox

    def channel_read(self, ctx, msg):
        self.inbox.put_nowait(msg)


def submit_copy(executor, process, alloc, data: bytes):
    buf = alloc.buffer(len(data))
    buf.write_bytes(data)
    return executor.submit(process, buf)
