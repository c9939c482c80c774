"""Raw storage: heap memory in a ``bytearray``, direct memory in an anonymous ``mmap``.

Direct memory lives outside the Python object heap, as Netty's direct buffers live outside the
Java heap; it is handed out as a ``memoryview`` over the mapping so both kinds index alike.
"""
from __future__ import annotations

import mmap

#: Every buffer indexes its memory through a byte-format memoryview, heap and direct alike.
Memory = memoryview

#: What a freed buffer points at: empty and immutable, so no stale handle can reach real bytes.
FREED = memoryview(b"")


def heap(size: int) -> memoryview:
    """Zeroed heap memory of ``size`` bytes: a view over a new ``bytearray``.

    Buffers hold a view, not the bytearray itself: slice assignment into a memoryview is a plain
    copy, about twice as fast as into a bytearray, and views index the same for heap and direct.
    """
    return memoryview(bytearray(size))


class DirectMemory:
    """An anonymous memory mapping of a fixed size, and a view over it."""

    __slots__ = ("_map", "view")

    def __init__(self, size: int) -> None:
        # mmap refuses a zero length; a one-byte mapping behind an empty view keeps the shape uniform.
        self._map = mmap.mmap(-1, max(size, 1))
        self.view = memoryview(self._map)[:size]

    def free(self) -> None:
        """Unmap the memory. If someone still holds a view of it, the mapping is left to the GC."""
        self.view.release()
        try:
            self._map.close()
        except BufferError:
            pass


def copy_into(dst: Memory, src: Memory, length: int) -> None:
    """Copy the first ``length`` bytes of ``src`` to the start of ``dst``."""
    if length:
        dst[:length] = src[:length]


def find(mem: Memory, value: int, start: int, end: int) -> int:
    """First index of byte ``value`` in ``mem[start:end]``, or -1."""
    i = mem[start:end].tobytes().find(value)
    return i if i < 0 else i + start


def rfind(mem: Memory, value: int, start: int, end: int) -> int:
    """Last index of byte ``value`` in ``mem[start:end]``, or -1."""
    i = mem[start:end].tobytes().rfind(value)
    return i if i < 0 else i + start
