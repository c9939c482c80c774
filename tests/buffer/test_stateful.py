"""A ByteBuf driven side by side with a plain bytearray model by hypothesis: unpooled and pooled, heap and direct.

Pooled memory is reused without being zeroed (as in Netty), so the model tracks which bytes it knows:
unpooled buffers start zeroed and every byte is known; a pooled buffer's bytes are unknown until
written, and bytes that a capacity change exposes again are unknown too. Growth follows Netty: an
unpooled buffer grows by ``calculateNewCapacity``; a pooled one first into the rest of its size class
(``maxFastWritableBytes``), and moves to a new region only when a capacity leaves its size class.
"""
import struct

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from pytest_bufleak import PooledByteBufAllocator, Unpooled
from pytest_bufleak.buffer.bytebuf import calculate_new_capacity

MAX_CAPACITY = 600
#: Netty's size classes up to MAX_CAPACITY (16-byte quantum, four sizes per doubling).
SIZE_CLASSES = (16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 640)
POOL = PooledByteBufAllocator(n_heap_arenas=1, n_direct_arenas=1)
FACTORIES = {
    "heap": Unpooled.buffer,
    "direct": Unpooled.direct_buffer,
    "pooled-heap": POOL.heap_buffer,
    "pooled-direct": POOL.direct_buffer,
}


def size_class(capacity):
    """The region a pool serves for ``capacity`` bytes."""
    return next(size for size in SIZE_CLASSES if size >= capacity)


class ByteBufModel(RuleBasedStateMachine):
    """The model: memory as a bytearray of exactly `capacity` bytes, which of them are known, and the four indexes."""

    @initialize(kind=st.sampled_from(sorted(FACTORIES)), capacity=st.integers(0, 64))
    def make(self, kind, capacity):
        self.pooled = kind.startswith("pooled")
        self.active_before = POOL.metric().num_active_allocations
        self.buf = FACTORIES[kind](capacity, MAX_CAPACITY)
        self.region = size_class(capacity)
        self.mem = bytearray(capacity)
        self.known = bytearray(b"\x00" if self.pooled else b"\x01") * capacity
        self.r = self.w = self.mark_r = self.mark_w = 0
        self.views = []

    def _expect(self, got, start):
        """``got`` matches the model from ``start`` on, wherever the model knows the byte."""
        want = bytes(b if k else g for b, k, g in zip(self.mem[start:start + len(got)], self.known[start:], got))
        assert bytes(got) == want

    def _resize(self, new_cap):
        """What ``capacity = new_cap`` does to the model, as Netty's heap, direct and pooled buffers do it."""
        old = len(self.mem)
        if new_cap == old:
            return
        if self.pooled:
            stays = new_cap <= self.region if new_cap > old else (
                new_cap > self.region >> 1 and (self.region > 512 or new_cap > self.region - 16))
            if not stays:
                self.region = size_class(new_cap)
        if new_cap < old:
            del self.mem[new_cap:]
            del self.known[new_cap:]
        else:
            self.mem.extend(bytes(new_cap - old))
            self.known.extend((b"\x00" if self.pooled else b"\x01") * (new_cap - old))
        if self.w > new_cap:
            self.r = min(self.r, new_cap)
            self.w = new_cap
        self.views = [v for v in self.views if v[1] + v[2] <= new_cap]

    def _grow_for(self, n):
        if self.w + n <= len(self.mem):
            return
        fast_writable = min(self.region, MAX_CAPACITY) - self.w if self.pooled else len(self.mem) - self.w
        if fast_writable >= n:
            self._resize(self.w + fast_writable)
        else:
            self._resize(calculate_new_capacity(self.w + n, MAX_CAPACITY))

    def _written(self, index, data):
        self.mem[index:index + len(data)] = data
        self.known[index:index + len(data)] = b"\x01" * len(data)

    @rule(data=st.binary(max_size=80))
    def write_bytes(self, data):
        if self.w + len(data) > MAX_CAPACITY:
            return
        self.buf.write_bytes(data)
        self._grow_for(len(data))
        self._written(self.w, data)
        self.w += len(data)

    @rule(value=st.integers(-(2**31), 2**32 - 1), little=st.booleans())
    def write_int(self, value, little):
        if self.w + 4 > MAX_CAPACITY:
            return
        (self.buf.write_int_le if little else self.buf.write_int)(value)
        self._grow_for(4)
        self._written(self.w, struct.pack("<I" if little else ">I", value & 0xFFFFFFFF))
        self.w += 4

    @rule(n=st.integers(0, 90))
    def write_zero(self, n):
        if self.w + n > MAX_CAPACITY:
            return
        self.buf.write_zero(n)
        self._grow_for(n)
        self._written(self.w, bytes(n))
        self.w += n

    @rule(n=st.integers(0, 90))
    def read_into(self, n):
        dst = bytearray(n)
        if n > self.w - self.r:
            try:
                self.buf.read_bytes_into(dst)
            except IndexError:
                return
            raise AssertionError("read past the writer index did not raise")
        self.buf.read_bytes_into(dst)
        self._expect(dst, self.r)
        self.r += n

    @precondition(lambda self: self.w - self.r >= 4)
    @rule(little=st.booleans())
    def read_int(self, little):
        got = self.buf.read_unsigned_int_le() if little else self.buf.read_unsigned_int()
        self._expect(struct.pack("<I" if little else ">I", got), self.r)
        self.r += 4

    @rule(n=st.integers(0, 40))
    def read_bytes(self, n):
        if n > self.w - self.r:
            return
        out = self.buf.read_bytes(n)
        try:
            self._expect(bytes(out), self.r)
        finally:
            out.release()
        self.r += n

    @rule(index=st.integers(-2, 700), value=st.integers(0, 255))
    def set_get_byte(self, index, value):
        if 0 <= index < len(self.mem):
            self.buf.set_byte(index, value)
            self._written(index, bytes([value]))
            assert self.buf.get_unsigned_byte(index) == value
        else:
            try:
                self.buf.set_byte(index, value)
            except IndexError:
                return
            raise AssertionError("set_byte out of range did not raise")

    @rule(index=st.integers(0, 700), length=st.integers(0, 100))
    def get_bytes(self, index, length):
        if index + length <= len(self.mem):
            self._expect(self.buf.get_bytes(index, length), index)

    @rule(index=st.integers(0, 100), length=st.integers(0, 100))
    def take_slice(self, index, length):
        if index + length <= len(self.mem):
            self.views.append((self.buf.slice(index, length), index, length))

    @rule()
    def copy(self):
        out = self.buf.copy()
        try:
            assert out.is_direct() == self.buf.is_direct()
            self._expect(bytes(out), self.r)
        finally:
            out.release()

    @rule()
    def mark(self):
        self.buf.mark_reader_index().mark_writer_index()
        self.mark_r, self.mark_w = self.r, self.w

    @precondition(lambda self: self.mark_r <= self.w and self.r <= self.mark_w <= len(self.mem))
    @rule()
    def reset(self):
        self.buf.reset_reader_index()
        self.r = self.mark_r
        if self.r <= self.mark_w:
            self.buf.reset_writer_index()
            self.w = self.mark_w

    @rule()
    def discard_read_bytes(self):
        self.buf.discard_read_bytes()
        r = self.r
        if r == 0:
            return
        self.mem[0:self.w - r] = self.mem[r:self.w]
        self.known[0:self.w - r] = self.known[r:self.w]
        self.w -= r
        self.r = 0
        if self.mark_r <= r:
            self.mark_r = 0
            self.mark_w = max(self.mark_w - r, 0)
        else:
            self.mark_r -= r
            self.mark_w -= r
        self.views.clear()  # views keep absolute positions; the model stops checking them here

    @rule(capacity=st.integers(0, MAX_CAPACITY))
    def set_capacity(self, capacity):
        self.buf.capacity = capacity
        self._resize(capacity)

    @invariant()
    def matches_model(self):
        if not hasattr(self, "buf"):
            return
        buf = self.buf
        assert (buf.reader_index, buf.writer_index, buf.capacity) == (self.r, self.w, len(self.mem))
        self._expect(bytes(buf), self.r)
        self._expect(buf.get_bytes(0, len(self.mem)), 0)
        for view, index, length in self.views:
            self._expect(view.get_bytes(0, length), index)

    def teardown(self):
        if hasattr(self, "buf"):
            assert self.buf.release() is True
            for view, _, _ in self.views:
                assert view.ref_cnt() == 0
            # Growth gave every old region back: the pool holds what it held before this buffer.
            assert POOL.metric().num_active_allocations == self.active_before


TestByteBufModel = ByteBufModel.TestCase
TestByteBufModel.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
