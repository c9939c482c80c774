"""Every public ByteBuf method, on every buffer kind, with hostile arguments, checked against hostile_model.

Each call either succeeds with the model's result and state, or raises the type the contract names,
with a message that names the problem, and changes nothing: not a byte, an index, the capacity, the
count or the pool's figures. Arguments are drawn from a hostile mix: wrong types, bools, floats, NaN,
huge and negative ints, released buffers, the buffer itself and views of it as a source, processors
that release the buffer. ``BUFLEAK_HOSTILE=long`` runs the longer profile (see conftest.py).
"""
from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hostile_model as hm
from pytest_bufleak import ByteBuf, PooledByteBufAllocator, Unpooled, UnpooledByteBufAllocator
from pytest_bufleak.buffer.pooled import ReadBufferCache

POOL = PooledByteBufAllocator(n_heap_arenas=1, n_direct_arenas=1)
MAX = 600  # every buffer's max capacity: hostile lengths may grow it, never by gigabytes
#: Words a message must use: it names the argument or the rule, in Netty's words or Python's.
CLEAR = re.compile(r"must be|read-only|cannot|expected|exceeds|needs both|takes|refCnt|encoding|codec|does not fit|"
                   r"processor|error that|can't (de|en)code")


def _filled(buf, cap):
    buf.set_bytes(0, bytes((7 * i + 3) & 0xFF for i in range(cap)))
    return buf


def _retained_slice(cap):
    root = _filled(POOL.direct_buffer(cap + 2, MAX), cap + 2)
    view = root.retained_slice(1, cap)
    root.release()  # the slice holds the only reference now
    return view


def _read_cache_buffer(cap):
    buf = ReadBufferCache(POOL).buffer(cap)
    buf._max_cap = MAX  # capped for the test, as for the other kinds
    return _filled(buf, cap)


def _copy(cap):
    with _filled(POOL.heap_buffer(cap, MAX), cap) as original:
        return original.copy(0, cap)


KINDS = {
    "unpooled-heap": lambda cap: _filled(Unpooled.buffer(cap, MAX), cap),
    "unpooled-direct": lambda cap: _filled(Unpooled.direct_buffer(cap, MAX), cap),
    "pooled-heap": lambda cap: _filled(POOL.heap_buffer(cap, MAX), cap),
    "pooled-direct": lambda cap: _filled(POOL.direct_buffer(cap, MAX), cap),
    "wrapped-bytearray": lambda cap: Unpooled.wrapped_buffer(bytearray(range(1, cap + 2))),
    "wrapped-bytes": lambda cap: Unpooled.wrapped_buffer(bytes(range(1, cap + 2))),
    "slice": lambda cap: _filled(POOL.heap_buffer(cap + 4, MAX), cap + 4).slice(2, cap),
    "duplicate": lambda cap: _filled(Unpooled.direct_buffer(cap, MAX), cap).duplicate(),
    "retained-slice": _retained_slice,
    "read-buffer-cache": _read_cache_buffer,
    "copy": _copy,
    "empty": lambda cap: Unpooled.EMPTY_BUFFER,
}

# ---------------------------------------------------------------------------------------- arguments

WEIRD = [True, False, 1.0, 1.5, math.nan, math.inf, -0.0, "1", b"1", None, Decimal("1"), Decimal("NaN"),
         Fraction(1, 2), [1], object(), 1 + 0j]
HUGE = [-1, 2**31 - 1, 2**31, 2**32 - 1, 2**32, -(2**31), -(2**31) - 1, 2**63, 2**64, -(2**63) - 1, 10**30]
INTS = st.one_of(st.integers(-3, 48), st.sampled_from(HUGE))
ARG = st.one_of(INTS, INTS.map(hm.Index), st.sampled_from(WEIRD))
VALUE = st.one_of(ARG, st.floats(), st.sampled_from([Decimal("1.5"), Decimal("sNaN"), Fraction(1, 3), 3.4028235e38, 1e39]))
OPTIONAL = st.one_of(st.none(), ARG)
SOURCE = st.one_of(
    st.sampled_from(["SELF", "VIEW", "OTHER", "RELEASED", "text", 5, None, [1, 2], "INTS"]),
    st.binary(max_size=12), st.binary(max_size=12).map(bytearray), st.binary(max_size=12).map(memoryview),
)
DESTINATION = st.one_of(st.tuples(st.sampled_from(["bytearray", "memoryview", "readonly", "bytes", "buf"]),
                                  st.integers(0, 12)), st.sampled_from(["text", 5, None]))
PROCESSOR = st.one_of(st.integers(0, 255).map(lambda v: ("stop", v)), st.sampled_from(["release", "raise", 5, None]))
ENCODING = st.sampled_from(["utf-8", "latin-1", "ascii", "no-such-codec", "rot13", 5, None])
TEXT = st.one_of(st.text(max_size=6), st.sampled_from([b"x", 5, None]))

TYPED = hm.typed_models()
#: name -> (model, strategies of its arguments); methods with buffer arguments are run by _special.
_ROLES = {"get": [ARG], "set": [ARG, VALUE], "read": [], "write": [VALUE]}
SIMPLE = {name: (model, _ROLES[name.partition("_")[0]]) for name, (model, _) in TYPED.items()}
SIMPLE.update({
    "reader_index=": (hm.set_reader_index, [ARG]), "writer_index=": (hm.set_writer_index, [ARG]),
    "capacity=": (hm.set_capacity, [ARG]), "set_index": (hm.set_index, [ARG, ARG]),
    "readable_bytes": (hm.simple(lambda m: m.w - m.r), []), "writable_bytes": (hm.simple(lambda m: m.cap - m.w), []),
    "max_writable_bytes": (hm.simple(lambda m: m.max_cap - m.w), []),
    "is_readable": (hm.is_readable, [ARG]), "is_writable": (hm.is_writable, [ARG]), "clear": (hm.clear, []),
    "mark_reader_index": (hm.mark("mr", "r"), []), "mark_writer_index": (hm.mark("mw", "w"), []),
    "reset_reader_index": (hm.reset_reader, []), "reset_writer_index": (hm.reset_writer, []),
    "discard_read_bytes": (hm.discard_read_bytes, []), "ensure_writable": (hm.ensure_writable, [ARG]),
    "skip_bytes": (hm.skip_bytes, [ARG]), "write_zero": (hm.write_zero, [ARG]),
    "get_bytes": (hm.get_bytes, [ARG, ARG]), "read_bytes": (hm.read_bytes, [ARG]),
    "copy": (hm.copy, [OPTIONAL, OPTIONAL]), "slice": (hm.copy, [OPTIONAL, OPTIONAL]),
    "nio_buffer": (hm.copy, [OPTIONAL, OPTIONAL]), "retained_slice": (hm.retained_slice, [OPTIONAL, OPTIONAL]),
    "duplicate": (hm.readable_view, []), "retained_duplicate": (hm.retained_slice, []),
    "read_slice": (hm.read_slice, [ARG]), "read_retained_slice": (hm.read_retained_slice, [ARG]),
    "to_string": (hm.to_string, [ENCODING]), "read_char_sequence": (hm.read_char_sequence, [ARG, ENCODING]),
    "write_char_sequence": (hm.write_char_sequence, [TEXT, ENCODING]),
    "index_of": (hm.index_of, [ARG, ARG, ARG]), "retain": (hm.retain, [ARG]), "release": (hm.release, [ARG]),
    "__bytes__": (hm.readable_view, []),
})
SPECIAL = {
    "write_bytes": st.tuples(SOURCE, OPTIONAL), "set_bytes": st.tuples(ARG, SOURCE),
    "read_bytes_into": st.tuples(DESTINATION), "bytes_before": st.lists(ARG, max_size=4).map(tuple),
    "for_each_byte": st.one_of(st.tuples(PROCESSOR), st.tuples(ARG, ARG, PROCESSOR), st.tuples(ARG, ARG)),
    "for_each_byte_desc": st.one_of(st.tuples(PROCESSOR), st.tuples(ARG, ARG, PROCESSOR)),
    "__eq__": st.tuples(st.sampled_from(["SELF", "OTHER", b"abc"])),
}
CALL = st.one_of(
    st.sampled_from(sorted(SIMPLE)).flatmap(lambda name: st.tuples(st.just(name), st.tuples(*SIMPLE[name][1]))),
    st.sampled_from(sorted(SPECIAL)).flatmap(lambda name: st.tuples(st.just(name), SPECIAL[name])),
)


def test_every_public_method_is_covered():
    """A new public method must join the hostile test (or be listed here as not taking arguments that matter)."""
    harmless = {"alloc", "unwrap", "is_direct", "max_capacity", "ref_cnt", "touch", "reader_index",
                "writer_index", "capacity", "read_bytes_into", "write_bytes", "set_bytes"}
    public = {name for name in dir(ByteBuf) if not name.startswith("_")}
    covered = {name.rstrip("=") for name in SIMPLE} | set(SPECIAL) | harmless
    assert public <= covered, sorted(public - covered)

# ---------------------------------------------------------------------------------------- the driver


def _state(buf):
    """Everything a failed call must leave as it was, read past the public API (which refuses a released buffer)."""
    live = buf._cap >= 0
    return (buf._mem[:buf._cap].tobytes() if live else None, buf._ridx, buf._widx, buf._mark_r, buf._mark_w,
            buf._cap, buf.ref_cnt())


def _figures():
    figures = []
    for alloc in (POOL, UnpooledByteBufAllocator.DEFAULT):
        m = alloc.metric()
        figures += [m.num_active_allocations, m.used_heap_memory, m.used_direct_memory]
    return figures


def _model_state(m):
    if m.released:
        return (None, 0, -1, m.mr, m.mw, -2, 0)
    return (None, m.r, m.w, m.mr, m.mw, m.cap, 1 if m.empty else m.count)


def _check_state(buf, m):
    state = _state(buf)
    assert state[1:] == _model_state(m)[1:], (state[1:], _model_state(m)[1:])
    if state[0] is not None:
        got = state[0]
        assert all(g == b for g, b, k in zip(got, m.mem, m.known) if k), "bytes differ from the model"


class _Snap:
    """A buffer argument as it was before the call (the call may move its indexes or free it)."""

    def __init__(self, buf, of):
        self.released = buf._cap < 0
        self.r, self.w = buf._ridx, buf._widx
        self.data = None if self.released else bytes(buf)
        self.writable = None if self.released else buf._cap - buf._widx
        self.view = buf is not of and buf.unwrap() is of  # a duplicate of the buffer under test: same memory


def _resolve(token, buf, made):
    """Turn a drawn source/destination token into the object to pass."""
    if token == "SELF":
        return buf
    if token == "VIEW":
        return buf.duplicate() if buf._cap >= 0 else buf
    if token == "OTHER":
        other = Unpooled.copied_buffer(b"xyz")
        made.append(other)
        return other
    if token == "RELEASED":
        gone = Unpooled.buffer(4).write_int(7)
        gone.release()
        return gone
    if token == "INTS":
        return memoryview(bytearray(8)).cast("i")
    if token == "text":
        return "text"
    if isinstance(token, tuple) and token[0] in ("bytearray", "memoryview", "readonly", "bytes", "buf"):
        kind, size = token
        if kind == "buf":
            dst = Unpooled.buffer(size, size)
            made.append(dst)
            return dst
        return {"bytearray": bytearray(size), "memoryview": memoryview(bytearray(size)),
                "readonly": memoryview(bytes(size)), "bytes": bytes(size)}[kind]
    if isinstance(token, tuple) and token[0] == "stop":
        return lambda b, v=token[1]: b != v
    if token == "release":
        def releaser(b):
            if buf.ref_cnt() > 0:
                buf.release(buf.ref_cnt())
            return True
        return releaser
    if token == "raise":
        def raiser(b):
            raise KeyError("the processor's error that goes up")
        return raiser
    return token


def _source_model(m, src, buf, length):
    """What write_bytes/set_bytes take from ``src``: (bytes, their known flags, the model's reader-index change)."""
    if src is buf or isinstance(src, _Snap):
        if src is buf:
            m.live()
        elif src.released:
            raise hm.Expect(hm.IRCE)
        if src is buf or src.view:
            r, w = (m.r, m.w) if src is buf else (src.r, src.w)
            n = w - r if length is None else length
            if n < 0:
                raise hm.Expect(ValueError)
            if n > w - r:
                raise hm.Expect(IndexError)
            return bytes(m.mem[r:r + n]), m.known[r:r + n], n if src is buf else 0
        data = src.data
    elif isinstance(src, str) or not isinstance(src, (bytes, bytearray, memoryview)):
        raise hm.Expect(TypeError)
    else:
        data = memoryview(src).cast("B").tobytes()
    n = len(data) if length is None else length
    if n < 0:
        raise hm.Expect(ValueError)
    if n > len(data):
        raise hm.Expect(IndexError)
    return data[:n], [True] * n, 0


def _special_model(m, name, args, buf, grown):
    """Model the methods whose arguments are buffers, processors or varargs."""
    if name == "write_bytes":
        src, length = args
        length = None if length is None else hm.as_int(length)
        data, known, advance = _source_model(m, src, buf, length)
        hm.write_data(m, grown, data)
        m.known[m.w - len(data):m.w] = known
        m.r += advance
        return "self"
    if name == "set_bytes":
        index, src = args
        data, known, advance = _source_model(m, src, buf, None)
        index, _ = m.index(index, len(data))
        m.store(index, data)
        m.known[index:index + len(data)] = known
        m.r += advance
        return "self"
    if name == "read_bytes_into":
        (dst,) = args
        if isinstance(dst, _Snap):
            if dst.released:
                raise hm.Expect(hm.IRCE)
            n = m.readable(dst.writable)
        else:
            if isinstance(dst, (bytes, str)) or not isinstance(dst, (bytearray, memoryview)) or memoryview(dst).readonly:
                raise hm.Expect(TypeError)
            n = m.readable(memoryview(dst).nbytes)
        m.r += n
        return "self"
    if name == "bytes_before":
        if not 1 <= len(args) <= 3:
            raise hm.Expect(TypeError)
        value = hm.byte_arg(args[-1])
        if len(args) == 1:
            m.live()
            index, length = m.r, m.w - m.r
        elif len(args) == 2:
            index, length = m.r, m.readable(args[0])
        else:
            index, length = m.index(args[0], args[1])
        end = hm.index_of(m, grown, index, index + length, value)
        return end if end in (-1, hm.ANY) else end - index
    if name == "__eq__":
        (other,) = args
        if other is not buf and not isinstance(other, _Snap):
            return False  # NotImplemented: a buffer never equals bytes, released or not
        m.live()
        if other is buf:
            return True
        return hm.ANY if not all(m.known[m.r:m.w]) else bytes(m.mem[m.r:m.w]) == other.data
    return _each_byte_model(m, name, args)


def _each_byte_model(m, name, args):
    if len(args) == 1:
        m.live()
        index, length, processor = m.r, m.w - m.r, args[0]
    elif len(args) == 3:
        index, length = m.index(args[0], args[1])
        processor = args[2]
    else:
        raise hm.Expect(TypeError)
    if not callable(processor):
        raise hm.Expect(TypeError)
    order = range(index, index + length) if name == "for_each_byte" else range(index + length - 1, index - 1, -1)
    for step, i in enumerate(order):
        if getattr(processor, "__name__", "") == "releaser":
            if m.empty:
                return -1
            m.count, m.released = 0, True
            if length > 1:
                raise hm.Expect(hm.IRCE)
            return -1
        if getattr(processor, "__name__", "") == "raiser":
            raise hm.Expect(KeyError)
        if not m.known[i]:
            return hm.ANY
        if not processor(m.mem[i]):
            return i
    return -1


def _call(buf, name, args):
    if name.endswith("="):
        setattr(buf, name[:-1], *args)
        return None
    if name == "__eq__":
        return buf == args[0]
    return getattr(buf, name)(*args)


def _run(buf, m, name, args, made):
    """One call on the buffer and on the model; compare outcome, result and state."""
    args = tuple(_resolve(a, buf, made) for a in args)
    before, figures = _state(buf), _figures()
    seen = tuple(_Snap(a, buf) if isinstance(a, ByteBuf) and a is not buf else a for a in args)
    try:
        result, error = _call(buf, name, args), None
    except Exception as exc:  # noqa: BLE001 - compared with the model below
        result, error = None, exc
    grown = buf._cap if buf._cap >= 0 else 0
    try:
        model = SIMPLE[name][0] if name in SIMPLE else None
        want = model(m, grown, *seen) if model else _special_model(m, name, seen, buf, grown)
        expected = None
    except hm.Expect as exp:
        want, expected = None, exp.types
    if isinstance(m.count, int) and m.released:
        m.count = 0
    if expected is None:
        assert error is None, f"{name}{args!r} raised {error!r}; the model expected {want!r}"
        _check_result(buf, name, result, want)
    else:
        acceptable = expected + ((hm.IRCE,) if m.released else ())
        assert isinstance(error, acceptable), f"{name}{args!r}: expected {expected}, got {error!r} (result {result!r})"
        if not isinstance(error, (hm.IRCE, KeyError, LookupError)):
            assert CLEAR.search(str(error)), f"{name}{args!r}: unclear message {error!r}"
        if name not in ("for_each_byte", "for_each_byte_desc"):
            assert _state(buf) == before, f"{name}{args!r} raised {error!r} and changed the buffer"
            assert _figures() == figures, f"{name}{args!r} raised {error!r} and changed the pool's figures"
    _check_state(buf, m)


def _check_result(buf, name, result, want):
    if isinstance(result, ByteBuf) and result is not buf:
        data = bytes(result)
        if name.startswith("retained_") or name == "read_retained_slice" or result.unwrap() is None:
            if result is not Unpooled.EMPTY_BUFFER:
                result.release()
        result = data
    elif isinstance(result, memoryview):
        result = result.tobytes()
    if want == "self":
        assert result is buf or result is None
    elif want is not hm.ANY:
        assert result == want or (isinstance(want, float) and math.isnan(want) and math.isnan(result)), (name, result, want)


@settings(max_examples=hm.EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(KINDS)), cap=st.integers(0, 24), indexes=st.tuples(st.integers(0, 24), st.integers(0, 24)),
       calls=st.lists(CALL, max_size=10))
def test_hostile_calls_fail_cleanly_or_match_the_model(kind, cap, indexes, calls):
    buf = KINDS[kind](cap)
    made = []
    try:
        if not buf._mem.readonly and buf.capacity:
            w = min(max(indexes), buf.capacity)
            buf.set_index(min(min(indexes), w), w)
        m = hm.Model(buf)
        for name, args in calls:
            hm.COUNTS["calls"] += 1
            _run(buf, m, name, args, made)
    finally:
        for b in [buf] + made:
            if b.ref_cnt() > 0 and b is not Unpooled.EMPTY_BUFFER:
                b.release(b.ref_cnt())
