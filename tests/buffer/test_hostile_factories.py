"""Unpooled, the allocators, ReferenceCountUtil and ByteBufUtil with hostile arguments (see test_hostile.py)."""
from __future__ import annotations

import logging

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_hostile import ARG, CLEAR, MAX, POOL

import hostile_model as hm
from pytest_bufleak import ByteBuf, ByteBufUtil, ReferenceCountUtil, Unpooled, UnpooledByteBufAllocator, track_leaks
from pytest_bufleak.buffer.bytebuf import calculate_new_capacity

FACTORIES = {
    "Unpooled.buffer": Unpooled.buffer, "Unpooled.direct_buffer": Unpooled.direct_buffer,
    "pooled.buffer": POOL.buffer, "pooled.heap_buffer": POOL.heap_buffer, "pooled.direct_buffer": POOL.direct_buffer,
    "pooled.io_buffer": POOL.io_buffer, "unpooled.io_buffer": UnpooledByteBufAllocator.DEFAULT.io_buffer,
}
OPTIONAL = st.one_of(st.just("absent"), ARG)


def _figures():
    return [(m.num_active_allocations, m.used_heap_memory, m.used_direct_memory)
            for m in (POOL.metric(), UnpooledByteBufAllocator.DEFAULT.metric())]


def _capacities(initial, maximum):
    """The contract of ``(initial_capacity, max_capacity)``: ints with ``0 <= initial <= max``."""
    initial = 256 if initial == "absent" else hm.as_int(initial)
    maximum = 2**31 - 1 if maximum == "absent" else hm.as_int(maximum)
    if not 0 <= initial <= maximum:
        raise hm.Expect(ValueError)
    return initial, maximum


def _outcome(expected_call, real_call):
    """Run the model, then the call; a failure must be the model's type, clearly worded, and free."""
    try:
        want, expected = expected_call(), None
    except hm.Expect as exp:
        want, expected = None, exp.types
    assume(expected is not None or want is None or not isinstance(want, tuple) or want[0] <= 1 << 16)
    before = _figures()
    try:
        got = real_call()
    except Exception as error:  # noqa: BLE001 - compared with the model
        assert expected is not None and isinstance(error, expected), f"unexpected {error!r}"
        assert CLEAR.search(str(error)), f"unclear message {error!r}"
        assert _figures() == before, "a failed call changed the allocator's figures"
        return None
    assert expected is None, f"expected {expected}, got {got!r}"
    return got, want


@settings(max_examples=hm.EXAMPLES // 2, deadline=None)
@given(name=st.sampled_from(sorted(FACTORIES)), initial=OPTIONAL, maximum=OPTIONAL)
def test_allocation_arguments(name, initial, maximum):
    hm.COUNTS["calls"] += 1
    args = tuple(a for a in (initial, maximum) if a != "absent") if maximum == "absent" or initial != "absent" else None
    assume(args is not None)
    outcome = _outcome(lambda: _capacities(initial, maximum), lambda: FACTORIES[name](*args))
    if outcome is not None:
        buf, (cap, max_cap) = outcome
        assert (buf.capacity, buf.max_capacity, buf.readable_bytes(), buf.ref_cnt()) == (cap, max_cap, 0, 1)
        assert buf.release()


@settings(max_examples=hm.EXAMPLES // 2, deadline=None)
@given(a=ARG, b=ARG)
def test_calculate_new_capacity_arguments(a, b):
    hm.COUNTS["calls"] += 1

    def model():
        minimum, maximum = hm.as_int(a), hm.as_int(b)
        if not 0 <= minimum <= maximum:
            raise hm.Expect(ValueError)
        return minimum, maximum

    outcome = _outcome(model, lambda: calculate_new_capacity(a, b))
    if outcome is not None:
        got, (minimum, maximum) = outcome
        assert minimum <= got <= maximum


MESSAGES = st.sampled_from(["live", "released", "empty", "text", None, 42])


@settings(max_examples=hm.EXAMPLES // 2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=MESSAGES, method=st.sampled_from(["retain", "release", "safe_release", "touch", "ref_cnt"]), n=ARG)
def test_reference_count_util(kind, method, n, caplog):
    hm.COUNTS["calls"] += 1
    with track_leaks(), caplog.at_level(logging.CRITICAL, logger="pytest_bufleak"):
        msg = {"live": lambda: Unpooled.buffer(4, MAX), "released": lambda: _released(), "empty": lambda: Unpooled.EMPTY_BUFFER,
               "text": lambda: "text"}.get(kind, lambda: kind)()
        counted = isinstance(msg, ByteBuf)
        m = hm.Model(msg) if counted and msg.ref_cnt() else None
        try:
            if method in ("touch", "ref_cnt"):
                got = getattr(ReferenceCountUtil, method)(msg)
                assert got is msg if method == "touch" else got == (msg.ref_cnt() if counted else -1)
                return
            model = {"retain": hm.retain, "release": hm.release, "safe_release": hm.release}[method]
            try:
                want = model(m, 0, n) if m is not None else (msg if method == "retain" else False)
                if counted and m is None:
                    raise hm.Expect(hm.IRCE if hm.as_int(n) > 0 else ValueError)
                expected = None
            except hm.Expect as exp:
                want, expected = False, exp.types
            if method == "safe_release":  # never raises: False for what it swallowed
                assert ReferenceCountUtil.safe_release(msg, n) is (want if expected is None else False)
                return
            try:
                got = getattr(ReferenceCountUtil, method)(msg, n)
            except Exception as error:  # noqa: BLE001
                assert expected is not None and isinstance(error, expected), repr(error)
                assert isinstance(error, hm.IRCE) or CLEAR.search(str(error)), repr(error)
                return
            assert expected is None and (got is msg if want == "self" else got == want)
        finally:
            if counted and msg.ref_cnt() > 0 and msg is not Unpooled.EMPTY_BUFFER:
                msg.release(msg.ref_cnt())


def _released():
    buf = Unpooled.buffer(4)
    buf.release()
    return buf


@settings(max_examples=hm.EXAMPLES // 2, deadline=None)
@given(pretty=st.booleans(), data=st.binary(max_size=20), index=OPTIONAL, length=OPTIONAL, as_buffer=st.booleans())
def test_hex_dump_arguments(pretty, data, index, length, as_buffer):
    hm.COUNTS["calls"] += 1
    dump = ByteBufUtil.pretty_hex_dump if pretty else ByteBufUtil.hex_dump
    args = tuple(a for a in (index, length) if a != "absent")
    source = Unpooled.copied_buffer(data) if as_buffer else data

    def model():
        if all(a is None for a in args):
            return data
        if len(args) == 1 or None in args:
            raise hm.Expect(TypeError)
        if args:
            start, n = hm.as_int(args[0]), hm.as_int(args[1])
            if n < 0:
                raise hm.Expect(ValueError, IndexError)
            if not (0 <= start and start + n <= len(data)):
                raise hm.Expect(IndexError)
            return data[start:start + n]
        return data

    try:
        outcome = _outcome(model, lambda: dump(source, *args))
    finally:
        if as_buffer and source is not Unpooled.EMPTY_BUFFER:
            source.release()
    if outcome is not None and not pretty:
        got, want = outcome
        assert got == want.hex()
