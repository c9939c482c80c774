"""Typed get/set/read/write methods, generated once per type and byte order.

Each method is a flat closure over a precompiled ``struct.Struct``: on the fast path, one type check
and one bounds comparison per argument, no per-call allocation. Anything unusual (an argument that is
not a plain ``int``/``float`` in range, a released buffer, a bad index, growth) goes to a slow path
that converts the argument or raises *before* any index or byte changes, and then runs the fast path
again. Reads take the memory first and check that the buffer is still live after reading it, so a
handle released meanwhile (by another thread) raises instead of returning bytes of the memory's next
owner. How values are narrowed is the table in the README ("Values and narrowing").
"""
from __future__ import annotations

import struct
from typing import Any, Callable, NamedTuple, Optional

from . import compiled_fast_paths
from .args import int_arg, real_arg

#: The values a 32-bit field accepts, signed or unsigned: also what the narrowing types accept
#: (Netty's ``writeByte(int)``, ``writeShort(int)``, ``writeMedium(int)`` keep the low bits of a Java int).
INT32 = (-(1 << 31), (1 << 32) - 1)
INT64 = (-(1 << 63), (1 << 64) - 1)


class _Type(NamedTuple):
    name: str
    size: int
    read_format: Optional[str]  # None: a 3-byte medium or a boolean, coded by hand
    write_format: Optional[str]  # None: a medium; "f"/"d": a float, stored as it is; else masked
    signed: bool = True


_TYPES = (
    _Type("byte", 1, "b", "B"),
    _Type("unsigned_byte", 1, "B", "B"),
    _Type("boolean", 1, None, "B"),
    _Type("short", 2, "h", "H"),
    _Type("unsigned_short", 2, "H", "H"),
    _Type("medium", 3, None, None, True),
    _Type("unsigned_medium", 3, None, None, False),
    _Type("int", 4, "i", "I"),
    _Type("unsigned_int", 4, "I", "I"),
    _Type("long", 8, "q", "Q"),
    _Type("float", 4, "f", "f"),
    _Type("double", 8, "d", "d"),
)


def _int_coercer(t: _Type, low: int, high: int) -> Callable[[Any], int]:
    """The slow path of an integer value: within ``low..high`` (else TypeError/ValueError), as its low bits."""
    mask = (1 << (8 * t.size)) - 1

    def coerce(value: Any) -> int:
        value = int_arg(value, "value")
        if not low <= value <= high:
            raise ValueError(f"value {value} does not fit in a {t.size}-byte {t.name} (expected: {low} <= value <= {high})")
        return value & mask

    return coerce


def _float_coercer(pack: Callable[[float], bytes]) -> Callable[[Any], float]:
    def coerce(value: Any) -> float:
        return real_arg(value, "value", pack)

    return coerce


def _boolean_coercer(value: Any) -> int:
    """A boolean is stored as 1 or 0: ``bool`` or an integer (0 is false), nothing else."""
    return 1 if (value if isinstance(value, bool) else int_arg(value, "value")) else 0


def _medium_codec(signed: bool, order: str):
    """A 3-byte integer: ``decode`` gives a 1-tuple, as ``struct``'s ``unpack_from`` does."""
    byteorder = "big" if order == ">" else "little"

    def decode(mem: Any, index: int) -> tuple:
        return (int.from_bytes(mem[index:index + 3], byteorder, signed=signed),)

    def encode(mem: Any, index: int, value: int) -> None:
        mem[index:index + 3] = value.to_bytes(3, byteorder)

    return decode, encode


def _boolean_decode(mem: Any, index: int) -> tuple:
    return (mem[index] != 0,)


def _readers(size: int, decode: Callable[[Any, int], tuple]):
    """``get(index)`` and ``read()`` over ``decode(mem, index)``, a ``struct`` ``unpack_from`` or alike."""

    def get(self, index):
        mem = self._mem  # taken first: if the buffer is freed after this, the bounds check fails
        if type(index) is not int or not 0 <= index <= self._cap - size:
            return get(self, self._index_arg(index, size))
        value = decode(mem, index)[0]
        if self._cap < 0:  # released while reading: the value may be the next owner's
            self._ensure_accessible()
        return value

    def read(self):
        mem = self._mem
        r = self._ridx
        if r + size > self._widx:
            self._readable_error(size)
        value = decode(mem, r)[0]
        if self._cap < 0:
            self._ensure_accessible()
        self._ridx = r + size
        return value

    return get, read


def _writers(size: int, store: Callable[[Any, int, Any], None], kind: type, low: Any, high: Any,
             coerce: Callable[[Any], Any]):
    """``set(index, value)`` and ``write(value)``: a ``kind`` value within ``low..high`` is stored as it is,
    anything else goes through ``coerce`` (which raises, or returns what to store) before anything changes."""

    def set_(self, index, value):
        if type(value) is not kind or not low <= value <= high:
            value = coerce(value)
        if type(index) is not int or not 0 <= index <= self._cap - size:
            return set_(self, self._index_arg(index, size), value)
        try:
            store(self._mem, index, value)
        except TypeError:
            self._read_only_error()
        return self

    def write(self, value):
        if type(value) is not kind or not low <= value <= high:
            value = coerce(value)
        w = self._widx
        if w + size > self._cap:
            self._grow_for_write(size)
        try:
            store(self._mem, w, value)
        except TypeError:
            self._read_only_error()
        self._widx = w + size
        return self

    return set_, write


#: The largest float32 (``struct`` rounds what lies just above it down to it; the slow path checks those).
_FLOAT32_MAX = struct.unpack(">f", b"\x7f\x7f\xff\xff")[0]


def _pure_methods_for(t: _Type, order: str) -> dict:
    """The get, read, set and write methods of one type in one byte order, in Python."""
    if t.write_format is None:
        decode, store = _medium_codec(t.signed, order)
    else:
        decode = _boolean_decode if t.read_format is None else struct.Struct(order + t.read_format).unpack_from
        store = struct.Struct(order + t.write_format).pack_into
    get, read = _readers(t.size, decode)
    if t.name == "boolean":
        set_, write = _writers(t.size, store, int, 0, 1, _boolean_coercer)
    elif t.write_format in ("f", "d"):
        limit = _FLOAT32_MAX if t.write_format == "f" else float("inf")
        codec = struct.Struct(order + t.write_format)
        set_, write = _writers(t.size, store, float, -limit, limit, _float_coercer(codec.pack))
    else:
        low, high = INT64 if t.size == 8 else INT32
        set_, write = _writers(t.size, store, int, 0, (1 << (8 * t.size)) - 1, _int_coercer(t, low, high))
    return {"get": get, "read": read, "set": set_, "write": write}


_CORE = compiled_fast_paths(globals().get("__file__"))


def _methods_for(t: _Type, order: str) -> dict:
    """The methods of one type in one byte order: compiled fast paths over the Python ones when available."""
    methods = _pure_methods_for(t, order)
    if _CORE is None or t.name == "boolean":
        return methods
    kind = 2 if t.write_format in ("f", "d") else 1 if t.name.startswith("unsigned") else 0
    return _CORE.accessors(t.size, kind, order == "<", *(methods[verb] for verb in ("get", "read", "set", "write")))


_DOCS = {
    "get": "Return the {what} at absolute ``index``; no index moves.",
    "read": "Return the {what} at the reader index and advance it by {size}.",
    "set": "Store ``value`` as a {what} at absolute ``index``; no index moves. Returns self.",
    "write": "Append ``value`` as a {what} at the writer index, growing if needed. Returns self.",
}


def install(cls: type, methods_for: Callable[[_Type, str], dict] = _methods_for) -> None:
    """Attach every typed accessor to ``cls``: ``get_int``, ``read_int_le``, ``write_double`` ..."""
    for t in _TYPES:
        orders = [(">", "", "big-endian ")] if t.size == 1 else [(">", "", "big-endian "), ("<", "_le", "little-endian ")]
        for order, suffix, label in orders:
            for verb, fn in methods_for(t, order).items():
                name = f"{verb}_{t.name}{suffix}"
                fn.__name__ = name
                fn.__qualname__ = f"{cls.__name__}.{name}"
                what = f"{label if t.size > 1 else ''}{t.name.replace('_', ' ')}"
                fn.__doc__ = _DOCS[verb].format(what=what, size=t.size)
                setattr(cls, name, fn)


#: The handle's fields that the compiled accessors read as C fields, not as attributes.
C_FIELDS = ("_mem", "_cap", "_ridx", "_widx")


def install_for_subclass(cls: type) -> None:
    """A subclass that redefines one of :data:`C_FIELDS` (a property, say) gets the Python accessors, which
    read them as attributes: the compiled ones would read the handle's own fields underneath."""
    if _CORE is not None and any(name in vars(cls) for name in C_FIELDS):
        install(cls, _pure_methods_for)
