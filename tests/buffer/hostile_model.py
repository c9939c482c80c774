"""A plain-Python model of one ByteBuf handle, and the argument rules of the public contract.

The model holds what the handle should hold (its bytes over the capacity, which of them are known,
the four indexes, the count) and answers each call the way SPEC.md says the buffer must: a result and
a new state, or the exception type a bad call must raise. ``Expect`` carries the acceptable types:
a released buffer may report a bad argument or its release, whichever it checks first.
"""
from __future__ import annotations

import operator
import struct
from decimal import Decimal
from fractions import Fraction

from pytest_bufleak import IllegalReferenceCountException

IRCE = IllegalReferenceCountException
INT32, INT64 = (-(2**31), 2**32 - 1), (-(2**63), 2**64 - 1)
#: (name, size, struct code, value range or None for floats); the narrowing types keep their low bits.
TYPES = [
    ("byte", 1, "b", INT32), ("unsigned_byte", 1, "B", INT32), ("boolean", 1, "?", None),
    ("short", 2, "h", INT32), ("unsigned_short", 2, "H", INT32),
    ("medium", 3, "medium", INT32), ("unsigned_medium", 3, "umedium", INT32),
    ("int", 4, "i", INT32), ("unsigned_int", 4, "I", INT32), ("long", 8, "q", INT64),
    ("float", 4, "f", None), ("double", 8, "d", None),
]


class Expect(Exception):
    """The call must fail with one of ``types`` (and change nothing)."""

    def __init__(self, *types):
        super().__init__(types)
        self.types = types


class Index:
    """An integer that is not an int, as a NumPy integer: ``operator.index`` accepts it."""

    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value

    def __repr__(self):
        return f"Index({self.value})"


def as_int(value):
    """The contract for index, length, count and integer value arguments."""
    if isinstance(value, bool):
        raise Expect(TypeError)
    try:
        return operator.index(value)
    except TypeError:
        raise Expect(TypeError) from None


def as_real(value, code):
    """The contract for float and double values."""
    if isinstance(value, (bool, str, bytes, bytearray)) or not isinstance(value, (int, float, Decimal, Fraction)):
        raise Expect(TypeError)
    try:
        number = float(value)
        struct.pack(">" + code, number)
    except (ValueError, OverflowError, ArithmeticError):
        raise Expect(ValueError) from None
    return number


def encode_value(code, size, value_range, value, order):
    """The bytes a typed write stores, or Expect."""
    if code == "?":
        return bytes([1 if (value if isinstance(value, bool) else as_int(value)) else 0])
    if value_range is None:
        return struct.pack(order + code, as_real(value, code))
    value = as_int(value)
    if not value_range[0] <= value <= value_range[1]:
        raise Expect(ValueError)
    return (value & ((1 << (8 * size)) - 1)).to_bytes(size, "big" if order == ">" else "little")


def decode_value(code, size, data, order):
    if code == "?":
        return data[0] != 0
    if code in ("medium", "umedium"):
        return int.from_bytes(data, "big" if order == ">" else "little", signed=code == "medium")
    value = struct.unpack(order + code, data)[0]
    return value


class Model:
    """What one handle should be: ``mem``/``known`` over the capacity, indexes, marks, count and limits."""

    def __init__(self, buf, known=True):
        self.mem = bytearray(buf._mem[:buf.capacity].tobytes())
        self.known = [known] * len(self.mem)
        self.r, self.w = buf.reader_index, buf.writer_index
        self.mr = self.mw = 0
        self.max_cap = buf.max_capacity
        self.count = buf.ref_cnt()
        self.read_only = buf._mem.readonly
        self.slice = type(buf).__name__ == "UnpooledSlicedByteBuf"  # a fixed window: its capacity cannot change
        self.empty = type(buf).__name__ == "EmptyByteBuf"
        self.released = False

    @property
    def cap(self):
        return len(self.mem)

    # ------------------------------------------------------------------ checks, in the buffer's order

    def live(self):
        if self.released:
            raise Expect(IRCE)

    def index(self, index, length):
        index, length = as_int(index), as_int(length)
        self.live()
        if length < 0:
            raise Expect(ValueError)
        if not (0 <= index and index + length <= self.cap):
            raise Expect(IndexError)
        return index, length

    def readable(self, length):
        length = as_int(length)
        self.live()
        if length < 0:
            raise Expect(ValueError)
        if length > self.w - self.r:
            raise Expect(IndexError)
        return length

    def writable(self, n, grown_to):
        """Room for ``n`` bytes at the writer index; ``grown_to`` is the capacity the buffer chose."""
        self.live()
        if n < 0:
            raise Expect(ValueError)
        if self.w + n > self.cap:
            if self.w + n > self.max_cap:
                raise Expect(IndexError)
            self.resize(grown_to)

    def resize(self, new_cap):
        old = self.cap
        if new_cap > old:
            self.mem += bytes(new_cap - old)
            self.known += [False] * (new_cap - old)
        else:
            del self.mem[new_cap:]
            del self.known[new_cap:]
            if self.w > new_cap:
                self.r, self.w = min(self.r, new_cap), new_cap

    def store(self, index, data):
        if self.read_only:
            raise Expect(TypeError)
        self.mem[index:index + len(data)] = data
        self.known[index:index + len(data)] = [True] * len(data)

    def load(self, index, length):
        """The bytes at ``index``, or None where any of them is unknown (pooled memory is not zeroed)."""
        if not all(self.known[index:index + length]):
            return None
        return bytes(self.mem[index:index + length])


ANY = object()  # a result the model cannot know (bytes it never saw)
MAX_REF_CNT = 2**31 - 1


def _typed(name, size, code, value_range, order):
    """Model functions of get_/set_/read_/write_<name> in one byte order."""

    def get(m, grown, index):
        index, _ = m.index(index, size)
        data = m.load(index, size)
        return ANY if data is None else decode_value(code, size, data, order)

    def set_(m, grown, index, value):
        data = encode_value(code, size, value_range, value, order)
        index, _ = m.index(index, size)
        m.store(index, data)
        return "self"

    def read(m, grown):
        m.readable(size)
        data = m.load(m.r, size)
        m.r += size
        return ANY if data is None else decode_value(code, size, data, order)

    def write(m, grown, value):
        data = encode_value(code, size, value_range, value, order)
        m.writable(size, grown)
        m.store(m.w, data)
        m.w += size
        return "self"

    return {"get": get, "set": set_, "read": read, "write": write}


def typed_models():
    """``{"get_int_le": (model function, number of arguments), ...}`` for every typed accessor."""
    out = {}
    for name, size, code, value_range in TYPES:
        for order, suffix in ((">", ""), ("<", "_le")) if size > 1 else ((">", ""),):
            for verb, fn in _typed(name, size, code, value_range, order).items():
                out[f"{verb}_{name}{suffix}"] = (fn, {"get": 1, "set": 2, "read": 0, "write": 1}[verb])
    return out


def set_reader_index(m, grown, value):
    value = as_int(value)
    m.live()
    if not 0 <= value <= m.w:
        raise Expect(IndexError)
    m.r = value


def set_writer_index(m, grown, value):
    value = as_int(value)
    m.live()
    if not m.r <= value <= m.cap:
        raise Expect(IndexError)
    m.w = value


def set_capacity(m, grown, value):
    value = as_int(value)
    m.live()
    if not 0 <= value <= m.max_cap or m.slice or m.read_only or m.empty:
        raise Expect(ValueError)
    m.resize(value)


def set_index(m, grown, r, w):
    r, w = as_int(r), as_int(w)
    m.live()
    if not 0 <= r <= w <= m.cap:
        raise Expect(IndexError)
    m.r, m.w = r, w
    return "self"


def discard_read_bytes(m, grown):
    m.live()
    r, w = m.r, m.w
    if r == 0:
        return "self"
    if r != w:
        data, known = m.mem[r:w], m.known[r:w]
        m.store(0, data)
        m.known[0:w - r] = known
    m.r, m.w = 0, w - r
    if m.mr <= r:
        m.mr, m.mw = 0, max(m.mw - r, 0)
    else:
        m.mr, m.mw = m.mr - r, m.mw - r
    return "self"


def ensure_writable(m, grown, n):
    m.writable(as_int(n), grown)
    return "self"


def skip_bytes(m, grown, n):
    m.r += m.readable(n)
    return "self"


def write_zero(m, grown, n):
    n = as_int(n)
    if n == 0:
        m.live()
        return "self"
    m.writable(n, grown)
    m.store(m.w, bytes(n))
    m.w += n
    return "self"


def get_bytes(m, grown, index, length):
    index, length = m.index(index, length)
    return m.load(index, length) or (ANY if length else b"")


def read_bytes(m, grown, n):
    n = m.readable(n)
    data = m.load(m.r, n)
    m.r += n
    return ANY if data is None else data


def _range(m, index, length):
    """The (index, length) of copy/slice/nio_buffer: both None for the readable bytes."""
    if index is not None:
        index = as_int(index)
    if length is not None:
        length = as_int(length)
    m.live()
    if index is None and length is None:
        return m.r, m.w - m.r
    if index is None or length is None:
        raise Expect(ValueError)
    return m.index(index, length)


def copy(m, grown, index=None, length=None):
    index, length = _range(m, index, length)
    data = m.load(index, length)
    return ANY if data is None else data


def retained_slice(m, grown, index=None, length=None):
    index, length = _range(m, index, length)
    if m.count + 1 > MAX_REF_CNT:
        raise Expect(IRCE)
    data = m.load(index, length)
    return ANY if data is None else data


def read_slice(m, grown, n):
    return read_bytes(m, grown, n)


def read_retained_slice(m, grown, n):
    return read_bytes(m, grown, n)


def to_string(m, grown, encoding="utf-8"):
    encoding = _encoding(encoding)
    m.live()
    data = m.load(m.r, m.w - m.r)
    return ANY if data is None else _decode(data, encoding)


def read_char_sequence(m, grown, n, encoding="utf-8"):
    encoding = _encoding(encoding)
    n = m.readable(n)
    data = m.load(m.r, n)
    text = ANY if data is None else _decode(data, encoding)
    m.r += n
    return text


def write_char_sequence(m, grown, text, encoding="utf-8"):
    if not isinstance(text, str):
        raise Expect(TypeError)
    encoding = _encoding(encoding)
    try:
        data = text.encode(encoding)
    except UnicodeError:
        raise Expect(ValueError) from None
    except LookupError:  # a codec that is not a text encoding (rot13)
        raise Expect(LookupError) from None
    write_data(m, grown, data)
    return len(data)


def _encoding(encoding):
    import codecs

    if not isinstance(encoding, str):
        raise Expect(TypeError)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise Expect(LookupError) from None
    return encoding


def _decode(data, encoding):
    try:
        return data.decode(encoding)
    except UnicodeError:
        raise Expect(ValueError) from None
    except LookupError:  # a codec that is not a text encoding (rot13)
        raise Expect(LookupError) from None


def write_data(m, grown, data):
    m.writable(len(data), grown)
    m.store(m.w, data)
    m.w += len(data)


def byte_arg(value):
    value = as_int(value)
    if not -128 <= value <= 255:
        raise Expect(ValueError)
    return value & 0xFF


def index_of(m, grown, from_index, to_index, value):
    from_index, to_index, value = as_int(from_index), as_int(to_index), byte_arg(value)
    m.live()
    if from_index <= to_index:
        from_index = max(from_index, 0)
        if from_index >= to_index or m.cap == 0:
            return -1
        start, end = m.index(from_index, to_index - from_index)[0], to_index
        data = m.load(start, end - start)
        return ANY if data is None else (lambda i: i if i < 0 else i + start)(data.find(value))
    from_index = min(from_index, m.cap)
    if from_index < 0 or m.cap == 0:
        return -1
    start, end = m.index(to_index, from_index - to_index)[0], from_index
    data = m.load(start, end - start)
    return ANY if data is None else (lambda i: i if i < 0 else i + start)(data.rfind(value))


def retain(m, grown, n=1):
    n = as_int(n)
    if n <= 0:
        raise Expect(ValueError)
    if m.empty:
        return "self"
    if m.released:
        raise Expect(IRCE)
    if m.count + n > MAX_REF_CNT:
        raise Expect(IRCE)
    m.count += n
    return "self"


def release(m, grown, n=1):
    n = as_int(n)
    if n <= 0:
        raise Expect(ValueError)
    if m.empty:
        return False
    if m.count < n:
        raise Expect(IRCE)
    m.count -= n
    if m.count == 0:
        m.released = True
        return True
    return False


def readable_view(m, grown):
    m.live()
    data = m.load(m.r, m.w - m.r)
    return ANY if data is None else data


def simple(fn):
    """A no-argument model that needs a live buffer and answers from the model's state."""

    def model(m, grown):
        m.live()
        return fn(m)

    return model


def mark(attr, source):
    def model(m, grown):
        m.live()
        setattr(m, attr, getattr(m, source))
        return "self"

    return model


def reset_reader(m, grown):
    set_reader_index(m, grown, m.mr)
    return "self"


def reset_writer(m, grown):
    set_writer_index(m, grown, m.mw)
    return "self"


def is_readable(m, grown, n=1):
    n = as_int(n)
    m.live()
    return m.w - m.r >= n


def is_writable(m, grown, n=1):
    n = as_int(n)
    m.live()
    return m.cap - m.w >= n


def clear(m, grown):
    m.live()
    m.r = m.w = 0
    return "self"


import os  # noqa: E402 - the run's size, read once

#: Examples per run: a moderate number in CI; BUFLEAK_HOSTILE=long for a longer local run.
EXAMPLES = 4000 if os.environ.get("BUFLEAK_HOSTILE") == "long" else 300
#: Calls tried in this process (the closing note quotes it).
COUNTS = {"calls": 0}
