import pytest

from pytest_bufleak import Unpooled


@pytest.fixture(params=["heap", "direct"])
def new_buffer(request):
    """Make buffers of one kind (heap or direct) and release whatever the test left live."""
    made = []

    def make(initial_capacity=256, max_capacity=2**31 - 1):
        factory = Unpooled.buffer if request.param == "heap" else Unpooled.direct_buffer
        buf = factory(initial_capacity, max_capacity)
        made.append(buf)
        return buf

    make.kind = request.param
    yield make
    for buf in made:
        if buf.ref_cnt() > 0:
            buf.release(buf.ref_cnt())
