"""A ByteBuf driven side by side with a plain bytearray model by hypothesis."""
import struct

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from pytest_bufleak import Unpooled
from pytest_bufleak.buffer.bytebuf import calculate_new_capacity

MAX_CAPACITY = 600


class ByteBufModel(RuleBasedStateMachine):
    """The model: memory as a bytearray of exactly `capacity` bytes, and the four indexes."""

    @initialize(direct=st.booleans(), capacity=st.integers(0, 64))
    def make(self, direct, capacity):
        factory = Unpooled.direct_buffer if direct else Unpooled.buffer
        self.buf = factory(capacity, MAX_CAPACITY)
        self.mem = bytearray(capacity)
        self.r = self.w = self.mark_r = self.mark_w = 0
        self.views = []

    def _grow_for(self, n):
        if self.w + n > len(self.mem):
            new_cap = calculate_new_capacity(self.w + n, MAX_CAPACITY)
            self.mem.extend(bytes(new_cap - len(self.mem)))

    @rule(data=st.binary(max_size=80))
    def write_bytes(self, data):
        if self.w + len(data) > MAX_CAPACITY:
            return
        self.buf.write_bytes(data)
        self._grow_for(len(data))
        self.mem[self.w:self.w + len(data)] = data
        self.w += len(data)

    @rule(value=st.integers(-(2**31), 2**32 - 1), little=st.booleans())
    def write_int(self, value, little):
        if self.w + 4 > MAX_CAPACITY:
            return
        (self.buf.write_int_le if little else self.buf.write_int)(value)
        self._grow_for(4)
        struct.pack_into("<I" if little else ">I", self.mem, self.w, value & 0xFFFFFFFF)
        self.w += 4

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
        assert dst == self.mem[self.r:self.r + n]
        self.r += n

    @precondition(lambda self: self.w - self.r >= 4)
    @rule(little=st.booleans())
    def read_int(self, little):
        got = self.buf.read_unsigned_int_le() if little else self.buf.read_unsigned_int()
        assert got == struct.unpack_from("<I" if little else ">I", self.mem, self.r)[0]
        self.r += 4

    @rule(index=st.integers(-2, 700), value=st.integers(0, 255))
    def set_get_byte(self, index, value):
        if 0 <= index < len(self.mem):
            self.buf.set_byte(index, value)
            self.mem[index] = value
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
            assert self.buf.get_bytes(index, length) == bytes(self.mem[index:index + length])

    @rule(index=st.integers(0, 100), length=st.integers(0, 100))
    def take_slice(self, index, length):
        if index + length <= len(self.mem):
            self.views.append((self.buf.slice(index, length), index, length))

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
        if capacity < len(self.mem):
            del self.mem[capacity:]
        else:
            self.mem.extend(bytes(capacity - len(self.mem)))
        if self.w > capacity:
            self.r = min(self.r, capacity)
            self.w = capacity
        self.views = [v for v in self.views if v[1] + v[2] <= capacity]

    @invariant()
    def matches_model(self):
        if not hasattr(self, "buf"):
            return
        buf = self.buf
        assert (buf.reader_index, buf.writer_index, buf.capacity) == (self.r, self.w, len(self.mem))
        assert bytes(buf) == bytes(self.mem[self.r:self.w])
        assert buf.get_bytes(0, len(self.mem)) == bytes(self.mem)
        for view, index, length in self.views:
            assert view.get_bytes(0, length) == bytes(self.mem[index:index + length])

    def teardown(self):
        if hasattr(self, "buf"):
            assert self.buf.release() is True
            for view, _, _ in self.views:
                assert view.ref_cnt() == 0


TestByteBufModel = ByteBufModel.TestCase
TestByteBufModel.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
