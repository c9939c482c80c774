import pytest

from pytest_bufleak import PooledByteBufAllocator, Unpooled

#: One pool for the parametrized tests: buffers reuse each other's memory, as they would in a program.
POOL = PooledByteBufAllocator(n_heap_arenas=1, n_direct_arenas=1)

_FACTORIES = {
    "heap": Unpooled.buffer,
    "direct": Unpooled.direct_buffer,
    "pooled-heap": POOL.heap_buffer,
    "pooled-direct": POOL.direct_buffer,
}


@pytest.fixture(params=list(_FACTORIES))
def new_buffer(request):
    """Make buffers of one kind (unpooled or pooled, heap or direct) and release whatever the test left live.

    ``new_buffer.kind`` is ``"heap"`` or ``"direct"``; ``new_buffer.pooled`` says whether they come from a pool.
    """
    made = []
    factory = _FACTORIES[request.param]

    def make(initial_capacity=256, max_capacity=2**31 - 1):
        buf = factory(initial_capacity, max_capacity)
        made.append(buf)
        return buf

    make.kind = request.param.rpartition("-")[2]
    make.pooled = request.param.startswith("pooled")
    yield make
    for buf in made:
        if buf.ref_cnt() > 0:
            buf.release(buf.ref_cnt())
