"""CompositeByteBuf (after Netty's AbstractCompositeByteBufTest): ownership first, then reads and writes
across components, structure changes, and a hypothesis model against a bytearray."""
from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from pytest_bufleak import (
    ByteBufAllocator,
    CompositeByteBuf,
    IllegalReferenceCountException,
    PooledByteBufAllocator,
    Unpooled,
)


def heap(data: bytes):
    b = Unpooled.buffer(max(len(data), 1))
    b.write_bytes(data)
    return b


# ---------------------------------------------------------------------- ownership


def test_release_releases_every_component_exactly_once():
    a, b = heap(b"ab"), heap(b"cd")
    comp = Unpooled.composite_buffer()
    comp.add_components(True, a, b)
    assert comp.release()
    assert a.ref_cnt() == 0 and b.ref_cnt() == 0


def test_retained_component_outlives_the_composite():
    a = heap(b"abc")
    comp = Unpooled.wrapped_buffer(a.retain(), heap(b"def"))
    assert isinstance(comp, CompositeByteBuf) and bytes(comp) == b"abcdef"
    comp.release()
    assert a.ref_cnt() == 1 and bytes(a) == b"abc"
    a.release()


def test_released_component_is_refused():
    a = heap(b"x")
    a.release()
    comp = Unpooled.composite_buffer()
    with pytest.raises(IllegalReferenceCountException):
        comp.add_component(True, a)
    assert comp.num_components() == 0
    comp.release()


def test_add_components_failing_midway_releases_the_rest():
    a, dead, c = heap(b"a"), heap(b"b"), heap(b"c")
    dead.release()
    comp = Unpooled.composite_buffer()
    with pytest.raises(IllegalReferenceCountException):
        comp.add_components(True, a, dead, c)
    assert comp.num_components() == 1 and bytes(comp) == b"a"
    assert c.ref_cnt() == 0  # given to the composite, not taken: released, as Netty does
    comp.release()
    assert a.ref_cnt() == 0


def test_wrong_type_and_bad_index_release_what_was_given():
    comp = Unpooled.composite_buffer()
    a = heap(b"a")
    with pytest.raises(TypeError, match="ByteBuf"):
        comp.add_components(a, b"not a buffer")
    assert a.ref_cnt() == 0
    b = heap(b"b")
    with pytest.raises(IndexError, match="cIndex: 5"):
        comp.add_component(5, b)
    assert b.ref_cnt() == 0
    comp.release()


def test_wrapped_buffer_of_buffers_releases_unreadable_ones_and_takes_the_rest():
    empty, a = Unpooled.buffer(4), heap(b"ab")
    comp = Unpooled.wrapped_buffer(empty, a)
    assert empty.ref_cnt() == 0
    assert comp.num_components() == 1 and comp.writer_index == 2
    comp.release()
    assert a.ref_cnt() == 0
    e1, e2 = Unpooled.buffer(1), Unpooled.buffer(1)
    assert Unpooled.wrapped_buffer(e1, e2) is Unpooled.EMPTY_BUFFER
    assert e1.ref_cnt() == 0 and e2.ref_cnt() == 0


def test_remove_component_releases_it():
    a, b = heap(b"ab"), heap(b"cd")
    comp = Unpooled.wrapped_buffer(a, b)
    comp.remove_component(0)
    assert a.ref_cnt() == 0 and b.ref_cnt() == 1
    assert comp.capacity == 2 and comp.writer_index == 2 and bytes(comp) == b"cd"
    comp.release()
    assert b.ref_cnt() == 0


def test_consolidate_copies_into_one_and_releases_the_old():
    parts = [heap(bytes([i]) * 3) for i in range(4)]
    comp = Unpooled.wrapped_buffer(*parts)
    comp.consolidate()
    assert comp.num_components() == 1 and all(p.ref_cnt() == 0 for p in parts)
    assert bytes(comp) == b"".join(bytes([i]) * 3 for i in range(4))
    comp.release()


def test_more_than_max_components_consolidates():
    comp = Unpooled.composite_buffer(max_components=3)
    parts = [heap(b"xy") for _ in range(4)]
    comp.add_components(True, parts)
    assert comp.num_components() == 1 and bytes(comp) == b"xy" * 4
    assert all(p.ref_cnt() == 0 for p in parts)
    comp.release()


def test_discard_read_components_releases_only_the_read_ones():
    a, b, c = heap(b"aa"), heap(b"bb"), heap(b"cc")
    comp = Unpooled.wrapped_buffer(a, b, c)
    comp.mark_reader_index()
    comp.skip_bytes(3)
    comp.discard_read_components()
    assert a.ref_cnt() == 0 and b.ref_cnt() == 1
    assert (comp.reader_index, comp.writer_index, comp.num_components()) == (1, 4, 2)
    assert bytes(comp) == b"bcc"
    comp.discard_read_bytes()
    assert (comp.reader_index, comp.writer_index, comp.capacity) == (0, 3, 3) and bytes(comp) == b"bcc"
    comp.release()
    assert b.ref_cnt() == 0 and c.ref_cnt() == 0


def test_slices_and_duplicates_share_the_composite_count():
    comp = Unpooled.wrapped_buffer(heap(b"abc"), heap(b"def"))
    s = comp.retained_slice(2, 3)
    assert bytes(s) == b"cde" and comp.ref_cnt() == 2
    d = comp.duplicate()
    d.set_byte(3, ord("D"))
    assert bytes(s) == b"cDe"
    comp.release()
    assert s.release() and comp.ref_cnt() == 0
    with pytest.raises(IllegalReferenceCountException):
        d.get_byte(0)


def test_released_composite_refuses_every_access():
    comp = Unpooled.wrapped_buffer(heap(b"ab"), heap(b"cd"))
    comp.release()
    for call in (lambda: comp.get_int(0), lambda: comp.read_byte(), lambda: comp.write_byte(1),
                 lambda: bytes(comp), lambda: comp.component(0), lambda: comp.add_component(heap(b"z"))):
        with pytest.raises(IllegalReferenceCountException):
            call()
    with pytest.raises(IllegalReferenceCountException, match="refCnt: 0, decrement: 1"):
        comp.release()


def test_pooled_allocator_composite_returns_all_memory():
    alloc = PooledByteBufAllocator(n_heap_arenas=1, n_direct_arenas=1)
    comp = alloc.composite_buffer()
    comp.add_component(True, alloc.buffer(8).write_int(1).write_int(2))
    comp.write_bytes(b"grown from the pool" * 10)
    assert comp.num_components() == 2
    comp.release()
    assert alloc.metric().num_active_allocations == 0


# ---------------------------------------------------------------------- reads and writes


def test_int_across_two_components_both_byte_orders():
    comp = Unpooled.wrapped_buffer(heap(b"\x01\x02"), heap(b"\x03\x04"))
    assert comp.get_int(0) == 0x01020304 and comp.get_int_le(0) == 0x04030201
    assert comp.get_unsigned_medium(1) == 0x020304
    comp.set_int(0, -2)
    assert bytes(comp) == b"\xff\xff\xff\xfe"
    assert comp.read_int() == -2 and not comp.is_readable()
    comp.release()


def test_writes_reach_the_components_memory():
    a, b = heap(b"...."), heap(b"....")
    comp = Unpooled.wrapped_buffer(a.retain(), b.retain())
    comp.set_bytes(2, b"XXYY")
    assert bytes(a) == b"..XX" and bytes(b) == b"YY.."
    comp.release()
    a.release()
    b.release()


def test_add_component_without_increase_leaves_bytes_unreadable():
    comp = ByteBufAllocator.DEFAULT.composite_buffer()
    comp.add_component(heap(b"abc"))
    assert comp.capacity == 3 and comp.readable_bytes() == 0  # Netty's classic surprise
    comp.writer_index = 3
    assert comp.to_string() == "abc"
    comp.release()


def test_component_at_index_and_insertion_order():
    comp = Unpooled.composite_buffer()
    comp.add_component(True, heap(b"cc"))
    comp.add_component(True, 0, heap(b"aa"))
    comp.add_components(1, heap(b"b"))
    comp.writer_index = comp.capacity
    assert bytes(comp) == b"aabcc" and comp.num_components() == 3
    assert bytes(comp.component(1)) == b"b" and bytes(comp.component_at_offset(4)) == b"cc"
    assert [bytes(c) for c in comp] == [b"aa", b"b", b"cc"]
    comp.release()


def test_index_of_bytes_before_and_for_each_byte_span_components():
    comp = Unpooled.wrapped_buffer(heap(b"ab"), heap(b"c\n"), heap(b"d"))
    assert comp.index_of(0, 5, ord("\n")) == 3 and comp.bytes_before(ord("d")) == 4
    assert comp.index_of(5, 0, ord("a")) == 0
    seen = []
    assert comp.for_each_byte(lambda b: seen.append(b) or b != ord("c")) == 2
    assert bytes(seen) == b"abc"
    assert bytes(comp.nio_buffer()) == b"abc\nd"
    copy = comp.copy(1, 3)
    assert bytes(copy) == b"bc\n"
    copy.release()
    comp.release()


def test_read_bytes_and_writing_a_composite_into_a_buffer():
    comp = Unpooled.wrapped_buffer(heap(b"hello "), heap(b"world"))
    head = comp.read_bytes(3)
    out = Unpooled.buffer()
    out.write_bytes(comp)
    assert bytes(head) == b"hel" and bytes(out) == b"lo world" and not comp.is_readable()
    for b in (head, out, comp):
        b.release()


def test_index_errors_use_nettys_words():
    comp = Unpooled.wrapped_buffer(heap(b"ab"), heap(b"cd"))
    with pytest.raises(IndexError, match=r"index: 2, length: 4 \(expected: range\(0, 4\)\)"):
        comp.get_int(2)
    comp.skip_bytes(4)
    with pytest.raises(IndexError, match=r"readerIndex\(4\) \+ length\(1\) exceeds writerIndex\(4\)"):
        comp.read_byte()
    with pytest.raises(IndexError, match=r"cIndex: 2, numComponents: 1"):
        comp.remove_component(2)
    with pytest.raises(TypeError, match="c_index"):
        comp.component("0")
    with pytest.raises(ValueError, match="maxNumComponents"):
        Unpooled.composite_buffer(0)
    comp.release()


def test_capacity_can_shrink_releasing_trailing_components():
    a, b = heap(b"ab"), heap(b"cd")
    comp = Unpooled.wrapped_buffer(a, b)
    comp.capacity = 1
    assert b.ref_cnt() == 0 and comp.capacity == 1 and bytes(comp) == b"a"
    comp.release()


# ---------------------------------------------------------------------- model


_TYPED = [("byte", 1), ("short", 2), ("medium", 3), ("int_le", 4), ("long", 8)]


class CompositeModel(RuleBasedStateMachine):
    """Every operation on a composite matches a bytearray holding the same bytes and indexes."""

    def __init__(self):
        super().__init__()
        self.comp = Unpooled.composite_buffer(max_components=4)
        self.model = bytearray()
        self.r = self.w = 0
        self.parts = []

    @rule(data=st.binary(max_size=12), increase=st.booleans())
    def add(self, data, increase):
        part = heap(data)
        self.parts.append(part)
        self.comp.add_component(increase, part)
        self.model += data
        if increase:
            self.w += len(data)

    @rule(data=st.binary(max_size=20))
    def write(self, data):
        self.comp.write_bytes(data)
        self.model.extend(bytes(self.comp.capacity - len(self.model)))  # growth: a zeroed new component
        self.model[self.w:self.w + len(data)] = data
        self.w += len(data)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), kind=st.sampled_from(_TYPED))
    def get_typed(self, data, kind):
        name, size = kind
        if len(self.model) < size:
            return
        index = data.draw(st.integers(0, len(self.model) - size))
        probe = Unpooled.wrapped_buffer(bytearray(self.model))
        try:
            assert getattr(self.comp, "get_" + name)(index) == getattr(probe, "get_" + name)(index)
        finally:
            probe.release()

    @precondition(lambda self: self.model)
    @rule(data=st.data(), value=st.integers(-(2**31), 2**31 - 1))
    def set_int(self, data, value):
        if len(self.model) < 4:
            return
        index = data.draw(st.integers(0, len(self.model) - 4))
        self.comp.set_int(index, value)
        self.model[index:index + 4] = (value & 0xFFFFFFFF).to_bytes(4, "big")

    @rule(n=st.integers(0, 6))
    def read(self, n):
        n = min(n, self.w - self.r)
        assert bytes(self.comp.read_slice(n)) == bytes(self.model[self.r:self.r + n])
        self.r += n

    @rule()
    def discard_read_bytes(self):
        self.comp.discard_read_bytes()
        del self.model[:self.r]
        self.w -= self.r
        self.r = 0

    @rule()
    def consolidate(self):
        self.comp.consolidate()

    @invariant()
    def matches(self):
        assert (self.comp.reader_index, self.comp.writer_index) == (self.r, self.w)
        assert self.comp.capacity == len(self.model)
        assert bytes(self.comp) == bytes(self.model[self.r:self.w])
        assert self.comp.num_components() <= 4

    def teardown(self):
        self.comp.release()
        assert all(p.ref_cnt() == 0 for p in self.parts)


TestCompositeModel = CompositeModel.TestCase
TestCompositeModel.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
