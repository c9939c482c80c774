"""Locks, semaphores and memoryviews have release() too: none of them is a buffer."""

import asyncio
import threading

from pytest_bufleak import ReferenceCountUtil, Unpooled


class ConnectionLimiter:
    """Bounds concurrent connections; counts them under a lock."""

    def __init__(self, limit: int):
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(limit)
        self.active = 0

    def acquire(self):
        self._slots.acquire()
        self._lock.acquire()
        self.active += 1
        self._lock.release()

    def release(self):
        with self._lock:
            self.active -= 1
        self._slots.release()


def checksum_locked(lock: threading.RLock, data: bytearray) -> int:
    lock.acquire()
    try:
        view = memoryview(data)
        total = sum(view) & 0xFFFF
        view.release()
        return total
    finally:
        lock.release()


async def send_limited(sem: asyncio.Semaphore, channel, data: bytes):
    await sem.acquire()
    try:
        channel.write_and_flush(Unpooled.copied_buffer(data))
    finally:
        sem.release()


def length_header(length: int) -> bytes:
    scratch = Unpooled.buffer(4)
    try:
        scratch.write_int(length)
        return bytes(scratch)
    finally:
        ReferenceCountUtil.safe_release(scratch)
