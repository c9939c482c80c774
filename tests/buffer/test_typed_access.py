"""The compiled typed accessors (_core.pyx) against the pure-Python ones they speed up.

Every typed method is called twice on twin buffers, once compiled and once in Python, with values and
indexes drawn around every boundary; the outcome (result or exception, message included) and the buffer
afterwards (bytes, indexes, capacity) must be the same; skipped when the compiled core is not built. The
last tests pin what a review found, on both cores.
"""
import math
import operator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pytest_bufleak
from hostile_model import Index  # an operator.index object: not an int, so the fast path hands it over
from pytest_bufleak import ByteBuf, PooledByteBufAllocator, Unpooled
from pytest_bufleak.buffer import accessors

compiled_only = pytest.mark.skipif(accessors._CORE is None, reason="the compiled core is not built here")


def _methods():
    """(name, type, order, verb) of every typed accessor that has a compiled fast path."""
    found = []
    for t in accessors._TYPES:
        if t.name == "boolean":
            continue
        for order, suffix in ((">", ""), ("<", "_le")) if t.size > 1 else ((">", ""),):
            for verb in ("get", "read", "set", "write"):
                found.append((f"{verb}_{t.name}{suffix}", t, order, verb))
    return found


METHODS = _methods()


def _edges(bits):
    top = 1 << bits
    return [0, 1, -1, top // 2 - 1, top // 2, -(top // 2), -(top // 2) - 1, top - 1, top, -top]


INTS = st.one_of(
    st.sampled_from(sorted({v for bits in (8, 16, 24, 32, 64) for v in _edges(bits)})),
    st.integers(-(1 << 70), 1 << 70),
)
FLOATS = st.one_of(
    st.sampled_from([0.0, -0.0, math.inf, -math.inf, math.nan, 3.4028234663852886e+38, 3.4028235677973366e+38,
                     3.402823669209385e+38, 1e-45, 5e-324, 1e308]),
    st.floats(allow_nan=True, allow_infinity=True),
)
VALUES = st.one_of(INTS, FLOATS, st.booleans(), st.builds(Index, INTS), st.sampled_from(["1", None, 2 + 0j]))
INDEXES = st.one_of(st.integers(-3, 20), st.sampled_from([1 << 63, -(1 << 63), 1 << 70, True, 1.0, None]),
                    st.builds(Index, st.integers(0, 8)))

_POOL = PooledByteBufAllocator(prefer_direct=False)


def _make(kind, data, writer, reader):
    """A buffer of ``kind`` holding ``data`` with the given indexes (clamped), and what to release after."""
    if kind == "released":
        buf = Unpooled.buffer(len(data))
        buf.release()
        return buf, []
    if kind == "read_only":
        buf = Unpooled.wrapped_buffer(bytes(data))
        buf.reader_index = min(reader, buf.writer_index)
        return buf, [buf]
    if kind == "slice":
        root = Unpooled.buffer(32)
        root.write_bytes(bytes(range(1, 33)))
        buf = root.slice(3, len(data))
        buf.set_bytes(0, data)
        buf.set_index(0, min(writer, len(data)))
        buf.reader_index = min(reader, buf.writer_index)
        return buf, [root]
    if kind == "pooled":
        buf = _POOL.heap_buffer(len(data), 64)
    elif kind == "direct":
        buf = Unpooled.direct_buffer(len(data), 64)
    else:
        buf = Unpooled.buffer(len(data), 64)
    buf.write_bytes(data)
    buf.writer_index = min(writer, len(data))
    buf.reader_index = min(reader, buf.writer_index)
    return buf, [buf]


def _call(method, buf, args):
    try:
        result = method(buf, *args)
    except Exception as exc:  # noqa: BLE001 - the outcome being compared
        return ("raised", type(exc), str(exc))
    if result is buf:
        return ("self",)
    if isinstance(result, float):
        return ("float", result.hex() if not math.isnan(result) else "nan")
    return ("value", type(result), result)


def _state(buf):
    if buf.ref_cnt() == 0:
        return "freed"
    return (buf.reader_index, buf.writer_index, buf.capacity, buf.get_bytes(0, buf.capacity))


@compiled_only
@settings(max_examples=400, deadline=None)
@given(method=st.sampled_from(METHODS),
       kind=st.sampled_from(["heap", "direct", "pooled", "slice", "read_only", "released"]),
       data=st.binary(min_size=0, max_size=12), writer=st.integers(0, 12), reader=st.integers(0, 12),
       index=INDEXES, value=VALUES)
def test_compiled_and_python_accessors_agree(method, kind, data, writer, reader, index, value):
    name, t, order, verb = method
    pure = accessors._pure_methods_for(t, order)[verb]
    compiled = getattr(pytest_bufleak.ByteBuf, name)
    assert compiled is not pure
    args = {"get": (index,), "read": (), "set": (index, value), "write": (value,)}[verb]
    outcomes = []
    for fn in (compiled, pure):
        buf, owned = _make(kind, data, writer, reader)
        try:
            outcomes.append((_call(fn, buf, args), _state(buf)))
        finally:
            for b in owned:
                b.release()
    assert outcomes[0] == outcomes[1]


@compiled_only
def test_every_typed_accessor_but_boolean_is_compiled():
    cyfunction = type(accessors._CORE.accessors)
    for name, *_ in METHODS:
        method = getattr(pytest_bufleak.ByteBuf, name)
        assert type(method) is cyfunction and method.__name__ == name
        assert method.__qualname__ == f"ByteBuf.{name}" and method.__doc__


@compiled_only
@pytest.mark.parametrize("size, kind", [(5, 0), (3, 2), (8, 3), (1, 2)])
def test_no_compiled_accessor_for_a_shape_it_cannot_code(size, kind):
    with pytest.raises(ValueError, match="no compiled accessor"):
        accessors._CORE.accessors(size, kind, False, *[operator.truth] * 4)


def test_a_user_subclass_overriding_mem_takes_the_python_path():
    # A scattered buffer's _mem is a property: the compiled code reads the C slot, finds no memory view,
    # and hands over to the Python method, which reads through the property.
    composite = Unpooled.wrapped_buffer(Unpooled.copied_buffer(b"\x00\x00"), Unpooled.copied_buffer(b"\x00\x07"))
    try:
        assert composite.get_int(0) == 7 and composite.read_short() == 0 and composite.read_short_le() == 0x700
    finally:
        composite.release()


class _OnFixedMemory(ByteBuf):
    __slots__ = ()

    def _deallocate(self):
        pass

    def is_direct(self):
        return False


def test_memory_released_under_a_live_handle_raises_instead_of_being_read():
    mem = memoryview(bytearray(16))
    buf = _OnFixedMemory(None, mem, 16, 16)
    buf.writer_index = 8
    mem.release()
    for call in (lambda: buf.get_long(0), lambda: buf.read_int()):
        with pytest.raises(ValueError, match="released memoryview"):
            call()
    buf.release()


def test_a_subclass_that_makes_a_field_a_property_gets_the_python_accessors():
    class Window(_OnFixedMemory):
        __slots__ = ()
        _cap = property(lambda self: 8, lambda self, value: None)

    buf = Window(None, memoryview(bytearray(16)), 16, 16)
    buf.set_int(0, 0x01020304)
    assert buf.get_int(0) == 0x01020304
    with pytest.raises(IndexError, match="expected: range"):
        buf.get_int(12)  # beyond the property's capacity, within the memory
    if accessors._CORE is not None:
        assert Window.get_int is not ByteBuf.get_int and Window.__dict__["get_int"].__qualname__ == "Window.get_int"
    buf.release()
