"""A ByteBuf whose bytes are not one contiguous memory: the base of ``CompositeByteBuf`` and its views.

Subclasses give three primitives: ``_read(index, length) -> bytes``, ``_write(index, data)`` and typed
access at an index already checked (``_get_typed``/``_set_typed``). Everything else a ByteBuf does
(indexes, bounds checks, reference counting, Netty's error messages) is inherited; the methods that
reach memory directly are rerouted through the primitives here. ``_mem`` is a read-only snapshot of
the whole capacity for the few inherited paths that read it (``copy``, ``nio_buffer``, ``index_of``,
another buffer's ``write_bytes(composite)``): a write through it raises instead of being lost.
"""
from __future__ import annotations

from typing import Any, Optional, Union

from . import memory
from .args import bytes_arg, int_arg
from .bytebuf import ByteBuf, BytesLike

#: The typed accessors and their sizes: ``get_int``, ``read_int_le``, ``set_medium``, ``write_double``...
TYPE_SIZES = {
    "byte": 1, "unsigned_byte": 1, "boolean": 1, "short": 2, "unsigned_short": 2, "medium": 3,
    "unsigned_medium": 3, "int": 4, "unsigned_int": 4, "long": 8, "float": 4, "double": 8,
}


class ScratchByteBuf(ByteBuf):
    """A few bytes of private, untracked memory that a value spanning components is coded in."""

    __slots__ = ()

    def __init__(self, data: Union[bytes, int]) -> None:
        size = data if isinstance(data, int) else len(data)
        super().__init__(None, memoryview(bytearray(data)), size, size)

    def is_direct(self) -> bool:
        return False


class ScatteredByteBuf(ByteBuf):
    """A ByteBuf over scattered memory (see the module docstring); not made directly."""

    __slots__ = ()

    def _snapshot(self) -> memoryview:
        if self._cap < 0:
            return memory.FREED
        return memoryview(self._read(0, self._cap))

    # ByteBuf's own code assigns _mem (in __init__ and when poisoning): there is nothing to keep.
    _mem = property(_snapshot, lambda self, value: None)

    def _read(self, index: int, length: int) -> bytes:
        """The ``length`` bytes at ``index`` (already checked)."""
        raise NotImplementedError

    def _write(self, index: int, data: Any) -> None:
        """Store bytes-like ``data`` at ``index`` (already checked)."""
        raise NotImplementedError

    def _get_typed(self, name: str, size: int, index: int) -> Any:
        """``get_<name>`` at a checked ``index``: coded from the bytes there."""
        return getattr(ScratchByteBuf(self._read(index, size)), "get_" + name)(0)

    def _set_typed(self, name: str, size: int, index: int, value: Any) -> None:
        """``set_<name>`` at a checked ``index``: the value is coded (and checked) before anything changes."""
        self._write(index, _encoded(name, size, value))

    def _store(self, index: int, data: Any) -> None:
        self._write(index, data)

    def _byte_for_processor(self, i: int) -> int:
        if not 0 <= i < self._cap:
            self._index_error(i, 1)
        return self._read(i, 1)[0]

    def get_bytes(self, index: int, length: int) -> bytes:
        """The ``length`` bytes at absolute ``index``; no index moves."""
        index, length = self._check_index(index, length)
        return self._read(index, length)

    def __bytes__(self) -> bytes:
        self._ensure_accessible()
        return self._read(self._ridx, self._widx - self._ridx)

    def write_bytes(self, src: Union[BytesLike, ByteBuf], length: Optional[int] = None) -> ByteBuf:
        """Append ``src`` (bytes-like, or a ByteBuf whose reader index advances) — ``length`` bytes of it if given."""
        length = None if length is None else int_arg(length, "length")
        if isinstance(src, ByteBuf):
            readable = src.readable_bytes()
            n = readable if length is None else length
            if not 0 <= n <= readable:
                self._source_error(src, n, readable)
            data: Any = src.get_bytes(src.reader_index, n)
        else:
            data = bytes_arg(src, "src")
            if length is not None:
                if not 0 <= length <= data.nbytes:
                    self._source_error(None, length, data.nbytes)
                data = data[:length]
            n = data.nbytes
        self.ensure_writable(n)
        w = self._widx
        self._write(w, data)
        self._widx = w + n
        if isinstance(src, ByteBuf):
            src.skip_bytes(n)
        return self


def _encoded(name: str, size: int, value: Any) -> memoryview:
    scratch = ScratchByteBuf(size)
    getattr(scratch, "set_" + name)(0, value)
    return scratch._mem


def _typed_methods(name: str, size: int) -> dict:
    suffix = name

    def get(self, index):
        index = self._check_index(index, size)[0]
        return self._get_typed(suffix, size, index)

    def read(self):
        r = self._ridx
        self._check_readable(size)
        value = self._get_typed(suffix, size, r)
        self._ridx = r + size
        return value

    def set_(self, index, value):
        index = self._check_index(index, size)[0]
        self._set_typed(suffix, size, index, value)
        return self

    def write(self, value):
        data = _encoded(suffix, size, value)  # a bad value raises before the buffer grows
        self.ensure_writable(size)
        w = self._widx
        self._write(w, data)
        self._widx = w + size
        return self

    return {"get_": get, "read_": read, "set_": set_, "write_": write}


def _install_typed() -> None:
    for base, size in TYPE_SIZES.items():
        for name in ([base] if size == 1 else [base, base + "_le"]):
            for prefix, fn in _typed_methods(name, size).items():
                inherited = getattr(ByteBuf, prefix + name)
                fn.__name__, fn.__doc__ = inherited.__name__, inherited.__doc__
                fn.__qualname__ = f"ScatteredByteBuf.{prefix}{name}"
                setattr(ScatteredByteBuf, prefix + name, fn)


_install_typed()
