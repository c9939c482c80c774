"""Random allocate/grow/shrink/release sequences against a pool with small chunks and caches.

Every live buffer is kept full of its own byte, so if two live buffers ever shared a byte one of
them would read the other's mark. After each step the metrics must agree with the live set.
"""
from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

from pytest_bufleak import IllegalReferenceCountException, PooledByteBufAllocator
from pytest_bufleak.buffer.pool.arena import LENGTH

# 4 KiB pages, 16 KiB chunks: runs, subpages, huge sizes, chunk churn and cache overflow all
# happen within a few steps.
SIZES = st.one_of(st.integers(0, 300), st.integers(0, 20_000), st.sampled_from([4096, 8192, 16384, 16385, 40000]))
MAX_CAPACITY = 70_000


class PoolModel(RuleBasedStateMachine):
    buffers = Bundle("buffers")

    def __init__(self) -> None:
        super().__init__()
        self.alloc = PooledByteBufAllocator(
            n_heap_arenas=1, n_direct_arenas=1, page_size=4096, max_order=2,
            small_cache_size=2, normal_cache_size=1, max_cached_buffer_capacity=8192, max_empty_chunks=1,
        )
        self.live = {}  # buffer id -> (buffer, mark)
        self.next_mark = 0
        self.released = []

    def _fill(self, buf, mark) -> None:
        buf.clear()
        buf.write_bytes(mark * buf.capacity)

    @rule(target=buffers, size=SIZES, direct=st.booleans())
    def allocate(self, size, direct):
        buf = (self.alloc.direct_buffer if direct else self.alloc.heap_buffer)(size, MAX_CAPACITY)
        self.next_mark += 1
        mark = bytes([self.next_mark % 251 + 1])
        self._fill(buf, mark)
        self.live[id(buf)] = (buf, mark)
        return buf

    @rule(buf=buffers, extra=st.integers(1, 30_000))
    def grow_by_writing(self, buf, extra):
        if id(buf) not in self.live or buf.capacity + extra > MAX_CAPACITY:
            return
        mark = self.live[id(buf)][1]
        buf.write_bytes(mark * extra)  # the writer index is at capacity: this grows
        self._fill(buf, mark)

    @rule(buf=buffers, capacity=st.integers(0, MAX_CAPACITY))
    def set_capacity(self, buf, capacity):
        if id(buf) not in self.live:
            return
        mark = self.live[id(buf)][1]
        buf.capacity = capacity
        assert bytes(buf) == mark * min(buf.writer_index, capacity)
        self._fill(buf, mark)

    @rule(buf=consumes(buffers), retain_first=st.booleans())
    def release(self, buf, retain_first):
        if id(buf) not in self.live:
            return
        if retain_first:
            buf.retain()
            assert buf.release() is False
        assert buf.release() is True
        del self.live[id(buf)]
        self.released.append(buf)

    @rule()
    def trim(self):
        self.alloc.trim()

    @invariant()
    def no_two_live_buffers_share_a_byte(self):
        for buf, mark in self.live.values():
            assert bytes(buf) == mark * buf.capacity

    @invariant()
    def released_handles_stay_dead(self):
        for buf in self.released[-3:]:
            try:
                buf.get_byte(0)
            except IllegalReferenceCountException:
                continue
            raise AssertionError(f"a released buffer was readable: {buf!r}")

    @invariant()
    def metrics_match_the_live_set(self):
        m = self.alloc.metric()
        assert m.num_active_allocations == len(self.live)
        heap = sum(b._region[LENGTH] for b, _ in self.live.values() if not b.is_direct())
        direct = sum(b._region[LENGTH] for b, _ in self.live.values() if b.is_direct())
        assert (m.used_heap_memory, m.used_direct_memory) == (heap, direct)
        assert m.num_allocations - m.num_deallocations == len(self.live)

    def teardown(self):
        for buf, _ in self.live.values():
            buf.release()
        m = self.alloc.metric()
        assert (m.num_active_allocations, m.used_heap_memory, m.used_direct_memory) == (0, 0, 0)
        self.alloc.trim()
        assert m.heap_arenas[0].num_active_allocations == 0
        assert m.direct_arenas[0].num_active_allocations == 0


TestPoolModel = PoolModel.TestCase
TestPoolModel.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
