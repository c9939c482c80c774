"""Typed get/set/read/write methods, generated once per type and byte order.

Each method is a flat closure over a precompiled ``struct.Struct``: one bounds comparison on the
fast path, no per-call allocation. Everything unusual (a released buffer, a bad index, growth)
goes to the buffer's slow-path helpers, which raise before any index or byte changes.
"""
from __future__ import annotations

import struct
from typing import Any, Callable, NamedTuple, Optional


class _Type(NamedTuple):
    name: str
    size: int
    read_format: Optional[str]  # None: a 3-byte medium or a boolean, coded by hand
    write_format: Optional[str]
    policy: str  # how a written value is narrowed: "mask", "wide", "float", "medium", "boolean"
    signed: bool = True


_TYPES = (
    _Type("byte", 1, "b", "B", "mask"),
    _Type("unsigned_byte", 1, "B", "B", "mask"),
    _Type("boolean", 1, None, None, "boolean"),
    _Type("short", 2, "h", "H", "mask"),
    _Type("unsigned_short", 2, "H", "H", "mask"),
    _Type("medium", 3, None, None, "medium", True),
    _Type("unsigned_medium", 3, None, None, "medium", False),
    _Type("int", 4, "i", "i", "wide"),
    _Type("unsigned_int", 4, "I", "i", "wide"),
    _Type("long", 8, "q", "q", "wide"),
    _Type("float", 4, "f", "f", "float"),
    _Type("double", 8, "d", "d", "float"),
)


def _wide_packer(name: str, size: int, order: str) -> Callable[[Any, int, int], None]:
    """Pack a value outside the signed range: accept the unsigned range too, refuse the rest."""
    unsigned = struct.Struct(order + {4: "I", 8: "Q"}[size])
    limit = 1 << (8 * size)

    def pack_wide(mem: Any, index: int, value: int) -> None:
        if not isinstance(value, int):
            raise TypeError(f"{name} value must be an int, not {type(value).__name__}")
        if not -(limit >> 1) <= value < limit:
            raise ValueError(f"value {value} does not fit in a {size}-byte {name}")
        unsigned.pack_into(mem, index, value)

    return pack_wide


def _float_refuser(name: str) -> Callable[[Any, int, Any], None]:
    """The fallback of the float and double writers: say why ``struct`` refused the value, as Python would."""

    def refuse(mem: Any, index: int, value: Any) -> None:
        if isinstance(value, int):
            raise OverflowError(f"int {value} is too large for a {name}") from None
        raise TypeError(f"{name} value must be a real number, not {type(value).__name__}") from None

    return refuse


def _medium_codec(signed: bool, order: str):
    byteorder = "big" if order == ">" else "little"

    def decode(mem: Any, index: int) -> int:
        return int.from_bytes(mem[index:index + 3], byteorder, signed=signed)

    def encode(mem: Any, index: int, value: int) -> None:
        mem[index:index + 3] = (value & 0xFFFFFF).to_bytes(3, byteorder)

    return decode, encode


def _boolean_codec():
    def decode(mem: Any, index: int) -> bool:
        return mem[index] != 0

    def encode(mem: Any, index: int, value: Any) -> None:
        mem[index] = 1 if value else 0

    return decode, encode


def _struct_readers(size: int, unpack_from: Callable):
    def get(self, index):
        if not 0 <= index <= self._cap - size:
            self._index_error(index, size)
        return unpack_from(self._mem, index)[0]

    def read(self):
        r = self._ridx
        if r + size > self._widx:
            self._readable_error(size)
        value = unpack_from(self._mem, r)[0]
        self._ridx = r + size
        return value

    return get, read


def _codec_readers(size: int, decode: Callable):
    def get(self, index):
        if not 0 <= index <= self._cap - size:
            self._index_error(index, size)
        return decode(self._mem, index)

    def read(self):
        r = self._ridx
        if r + size > self._widx:
            self._readable_error(size)
        value = decode(self._mem, r)
        self._ridx = r + size
        return value

    return get, read


def _masked_writers(size: int, pack_into: Callable, mask: int):
    def set_(self, index, value):
        if not 0 <= index <= self._cap - size:
            self._index_error(index, size)
        pack_into(self._mem, index, value & mask)
        return self

    def write(self, value):
        w = self._widx
        if w + size > self._cap:
            self._grow_for_write(size)
        pack_into(self._mem, w, value & mask)
        self._widx = w + size
        return self

    return set_, write


def _guarded_writers(size: int, pack_into: Callable, fallback: Callable):
    """Writers that try ``pack_into`` and hand what ``struct`` refuses to ``fallback`` (which packs or raises)."""

    def set_(self, index, value):
        if not 0 <= index <= self._cap - size:
            self._index_error(index, size)
        try:
            pack_into(self._mem, index, value)
        except struct.error:
            fallback(self._mem, index, value)
        return self

    def write(self, value):
        w = self._widx
        if w + size > self._cap:
            self._grow_for_write(size)
        try:
            pack_into(self._mem, w, value)
        except struct.error:
            fallback(self._mem, w, value)
        self._widx = w + size
        return self

    return set_, write


def _plain_writers(size: int, pack_into: Callable):
    def set_(self, index, value):
        if not 0 <= index <= self._cap - size:
            self._index_error(index, size)
        pack_into(self._mem, index, value)
        return self

    def write(self, value):
        w = self._widx
        if w + size > self._cap:
            self._grow_for_write(size)
        pack_into(self._mem, w, value)
        self._widx = w + size
        return self

    return set_, write


def _methods_for(t: _Type, order: str):
    """The get, read, set and write methods of one type in one byte order."""
    if t.policy == "medium":
        decode, encode = _medium_codec(t.signed, order)
        get, read = _codec_readers(t.size, decode)
        set_, write = _plain_writers(t.size, encode)
    elif t.policy == "boolean":
        decode, encode = _boolean_codec()
        get, read = _codec_readers(t.size, decode)
        set_, write = _plain_writers(t.size, encode)
    else:
        get, read = _struct_readers(t.size, struct.Struct(order + t.read_format).unpack_from)
        pack_into = struct.Struct(order + t.write_format).pack_into
        if t.policy == "mask":
            set_, write = _masked_writers(t.size, pack_into, (1 << (8 * t.size)) - 1)
        elif t.policy == "wide":
            set_, write = _guarded_writers(t.size, pack_into, _wide_packer(t.name, t.size, order))
        else:
            set_, write = _guarded_writers(t.size, pack_into, _float_refuser(t.name))
    return {"get": get, "read": read, "set": set_, "write": write}


_DOCS = {
    "get": "Return the {what} at absolute ``index``; no index moves.",
    "read": "Return the {what} at the reader index and advance it by {size}.",
    "set": "Store ``value`` as a {what} at absolute ``index``; no index moves. Returns self.",
    "write": "Append ``value`` as a {what} at the writer index, growing if needed. Returns self.",
}


def install(cls: type) -> None:
    """Attach every typed accessor to ``cls``: ``get_int``, ``read_int_le``, ``write_double`` ..."""
    for t in _TYPES:
        orders = [(">", "", "big-endian ")] if t.size == 1 else [(">", "", "big-endian "), ("<", "_le", "little-endian ")]
        for order, suffix, label in orders:
            for verb, fn in _methods_for(t, order).items():
                name = f"{verb}_{t.name}{suffix}"
                fn.__name__ = name
                fn.__qualname__ = f"{cls.__name__}.{name}"
                what = f"{label if t.size > 1 else ''}{t.name.replace('_', ' ')}"
                fn.__doc__ = _DOCS[verb].format(what=what, size=t.size)
                setattr(cls, name, fn)
