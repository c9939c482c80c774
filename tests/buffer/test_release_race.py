"""Isolation: a released handle never shows the bytes of its memory's next owner, 10,000 rounds.

The pool hands a released region to the next allocation on the same thread, so in every round the
new owner gets the very memory the old handle pointed at and fills it with a foreign byte. Readers
of the old handle, by every reading method and through callbacks, must see the old owner's bytes or
``IllegalReferenceCountException``, never the foreign byte and never another exception.
"""
from __future__ import annotations

import sys
import threading

import pytest

from pytest_bufleak import IllegalReferenceCountException, PooledByteBufAllocator

ROUNDS = 10_000
SIZE = 32
FOREIGN = 0xEE
POOL = PooledByteBufAllocator(n_heap_arenas=1, n_direct_arenas=1)

#: Every way to read a buffer, each giving bytes (so that one check covers them all).
READERS = {
    "get_byte": lambda b: bytes([b.get_unsigned_byte(1)]),
    "get_int": lambda b: b.get_int(4).to_bytes(4, "big", signed=True),
    "get_long_le": lambda b: b.get_long_le(8).to_bytes(8, "little", signed=True),
    "get_bytes": lambda b: b.get_bytes(0, SIZE),
    "bytes": bytes,
    "to_string": lambda b: b.to_string("latin-1").encode("latin-1"),
    "copy": lambda b: _released_after(b.copy()),
    "read_bytes": lambda b: _released_after(b.duplicate().read_bytes(SIZE)),
    "read_bytes_into": lambda b: _into(b),
    "index_of": lambda b: bytes([FOREIGN]) if b.index_of(0, SIZE, FOREIGN) >= 0 else b"",
    "for_each_byte": lambda b: _collected(b.for_each_byte),
    "for_each_byte_desc": lambda b: _collected(b.for_each_byte_desc),
    "hash": lambda b: b"" if hash(b) == hash(bytes(SIZE)) else b"",
}


def _released_after(buf):
    try:
        return bytes(buf)
    finally:
        buf.release()


def _into(buf):
    out = bytearray(SIZE)
    buf.duplicate().read_bytes_into(out)
    return bytes(out)


def _collected(each):
    seen = bytearray()
    each(lambda byte: seen.append(byte) or True)
    return bytes(seen)


def _own(round_no):
    return round_no % 0x7F + 1  # never FOREIGN, never 0


class _Callout:
    """An index whose ``__index__`` (a call-out, like a processor) releases the buffer and lets a new owner write."""

    def __init__(self, value, buf, alloc, owners):
        self.value, self.buf, self.alloc, self.owners = value, buf, alloc, owners

    def __index__(self):
        if not self.owners:
            self.buf.release()
            self.owners.append(self.alloc(SIZE).write_bytes(bytes([FOREIGN]) * SIZE))  # the same region, reused
        return self.value


#: Reads with a call-out in the middle: a processor, or an argument's __index__.
CALLOUT_READS = {
    "for_each_byte": lambda b, c: _collected(lambda p: b.for_each_byte(lambda byte: p(byte) and c.__index__() >= 0)),
    "for_each_byte_desc": lambda b, c: _collected(
        lambda p: b.for_each_byte_desc(lambda byte: p(byte) and c.__index__() >= 0)),
    "for_each_byte(index)": lambda b, c: _collected(lambda p: b.for_each_byte(c, SIZE, p)),
    "get_int": lambda b, c: b.get_int(c).to_bytes(4, "big", signed=True),
    "get_bytes": lambda b, c: b.get_bytes(c, SIZE),
    "copy": lambda b, c: _released_after(b.copy(c, SIZE)),
    "slice": lambda b, c: bytes(b.slice(c, SIZE)),
    "index_of": lambda b, c: bytes([FOREIGN]) if b.index_of(c, SIZE, FOREIGN) >= 0 else b"",
    "read_char_sequence": lambda b, c: b.duplicate().read_char_sequence(c, "latin-1").encode("latin-1"),
}


@pytest.mark.parametrize("read", sorted(CALLOUT_READS))
@pytest.mark.parametrize("direct", [False, True], ids=["heap", "direct"])
def test_a_call_out_that_releases_never_lets_the_read_see_the_next_owners_bytes(direct, read):
    """Deterministic: the call-out itself releases the buffer and a new owner writes the same memory."""
    alloc = POOL.direct_buffer if direct else POOL.heap_buffer
    foreign_seen = reused = 0
    rounds = ROUNDS // 100
    for round_no in range(rounds):
        buf = alloc(SIZE).write_bytes(bytes([_own(round_no)]) * SIZE)
        region = buf._region
        owners = []
        callout = _Callout(0 if read != "read_char_sequence" else SIZE, buf, alloc, owners)
        try:
            foreign_seen += CALLOUT_READS[read](buf, callout).count(FOREIGN)
        except IllegalReferenceCountException:
            pass
        reused += owners[0]._region is region  # the new owner got the very same memory
        owners[0].release()
    assert (foreign_seen, reused) == (0, rounds)


def test_readers_of_a_released_handle_never_see_the_next_owners_bytes():
    """Reader threads against a releaser and a new owner: 10,000 rounds, zero foreign bytes."""
    current = [None]
    stop = threading.Event()
    foreign, unexpected, reads = [], [], [0]

    def reader(names):
        while not stop.is_set():
            handle = current[0]
            if handle is None:
                continue
            buf, own = handle
            for name in names:
                try:
                    data = READERS[name](buf)
                except IllegalReferenceCountException:
                    continue
                except Exception as exc:  # noqa: BLE001 - anything else is a failure, collected
                    unexpected.append((name, repr(exc)))
                    continue
                reads[0] += 1
                if FOREIGN in data:
                    foreign.append((name, data))

    names = sorted(READERS)
    threads = [threading.Thread(target=reader, args=(names[i::2],)) for i in range(2)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, so that reads land between release and reuse
    for t in threads:
        t.start()
    try:
        for round_no in range(ROUNDS):
            own = _own(round_no)
            buf = POOL.buffer(SIZE).write_bytes(bytes([own]) * SIZE)
            current[0] = (buf, own)
            buf.release()  # the region goes back to this thread's cache ...
            new_owner = POOL.buffer(SIZE).write_bytes(bytes([FOREIGN]) * SIZE)  # ... and comes out again here
            new_owner.release()
    finally:
        stop.set()
        for t in threads:
            t.join()
        sys.setswitchinterval(interval)
    assert foreign == [] and unexpected == []
    assert POOL.metric().num_active_allocations == 0
