"""Unpooled buffers: each owns its own memory, freed when its count reaches 0."""
from __future__ import annotations

from typing import Any, Optional, Union

from . import memory, tracking
from .allocator import ByteBufAllocator
from .bytebuf import DEFAULT_INITIAL_CAPACITY, DEFAULT_MAX_CAPACITY, ByteBuf, BytesLike
from .args import bytes_arg, encoding_arg
from .counters import ThreadCounters
from .refcount import check_positive


_HEAP, _DIRECT, _ALLOCATIONS, _DEALLOCATIONS = range(4)


class UnpooledByteBufAllocatorMetric:
    """Read-only figures of an :class:`UnpooledByteBufAllocator`."""

    __slots__ = ("_counters",)

    def __init__(self, counters: ThreadCounters) -> None:
        self._counters = counters

    used_heap_memory = property(lambda self: self._counters.total(_HEAP), doc="Bytes of live heap buffers.")
    used_direct_memory = property(lambda self: self._counters.total(_DIRECT), doc="Bytes of live direct buffers.")
    num_allocations = property(lambda self: self._counters.total(_ALLOCATIONS), doc="Buffers made so far.")
    num_deallocations = property(lambda self: self._counters.total(_DEALLOCATIONS), doc="Buffers freed so far.")

    @property
    def num_active_allocations(self) -> int:
        """Buffers made and not yet freed."""
        return self.num_allocations - self.num_deallocations

    def __repr__(self) -> str:
        return (
            f"UnpooledByteBufAllocatorMetric(usedHeapMemory: {self.used_heap_memory}; "
            f"usedDirectMemory: {self.used_direct_memory})"
        )


class UnpooledByteBufAllocator(ByteBufAllocator):
    """Allocates a fresh ``bytearray`` or ``mmap`` per buffer; ``UnpooledByteBufAllocator.DEFAULT`` backs :class:`Unpooled`."""

    DEFAULT: UnpooledByteBufAllocator

    def __init__(self, prefer_direct: bool = False) -> None:
        super().__init__(prefer_direct)
        self._counters = ThreadCounters(4)
        self._metric = UnpooledByteBufAllocatorMetric(self._counters)

    def _new_heap_buffer(self, initial_capacity: int, max_capacity: int) -> ByteBuf:
        return UnpooledHeapByteBuf(self, memory.heap(initial_capacity), initial_capacity, max_capacity)

    def _new_direct_buffer(self, initial_capacity: int, max_capacity: int) -> ByteBuf:
        return UnpooledDirectByteBuf(self, initial_capacity, max_capacity)

    def metric(self) -> UnpooledByteBufAllocatorMetric:
        """Live heap and direct bytes, and allocation counts."""
        return self._metric

    def _account(self, kind: int, delta: int, allocations: int = 0, deallocations: int = 0) -> None:
        cell = self._counters.cell()
        cell[kind] += delta
        cell[_ALLOCATIONS] += allocations
        cell[_DEALLOCATIONS] += deallocations

    def __repr__(self) -> str:
        return f"UnpooledByteBufAllocator(directByDefault: {self._prefer_direct})"


class UnpooledHeapByteBuf(ByteBuf):
    """A buffer on its own ``bytearray`` (or on the caller's memory, for ``Unpooled.wrapped_buffer``)."""

    __slots__ = ()

    def __init__(self, alloc: UnpooledByteBufAllocator, mem: memory.Memory, capacity: int, max_capacity: int) -> None:
        super().__init__(alloc, mem, capacity, max_capacity)
        alloc._account(_HEAP, capacity, allocations=1)

    def is_direct(self) -> bool:
        return False

    def _reallocate(self, new_capacity: int) -> None:
        old = self._mem
        if old.readonly:
            raise ValueError(f"read-only buffer: its capacity cannot change (it wraps bytes): {self!r}")
        if new_capacity != self._cap:
            new = memory.heap(new_capacity)
            memory.copy_into(new, old, min(new_capacity, self._cap))
            self._mem = new
            self._alloc._account(_HEAP, new_capacity - self._cap)
        return None

    def _deallocate(self) -> None:
        self._alloc._account(_HEAP, -self._mem.nbytes, deallocations=1)  # the capacity is already poisoned


class UnpooledDirectByteBuf(ByteBuf):
    """A buffer on its own anonymous memory mapping, unmapped on release."""

    __slots__ = ("_direct",)

    def __init__(self, alloc: UnpooledByteBufAllocator, capacity: int, max_capacity: int) -> None:
        self._direct = memory.DirectMemory(capacity)
        super().__init__(alloc, self._direct.view, capacity, max_capacity)
        alloc._account(_DIRECT, capacity, allocations=1)

    def is_direct(self) -> bool:
        return True

    def _reallocate(self, new_capacity: int):
        if new_capacity == self._cap:
            return None
        old = self._direct
        new = memory.DirectMemory(new_capacity)
        memory.copy_into(new.view, old.view, min(new_capacity, self._cap))
        self._direct, self._mem = new, new.view
        self._alloc._account(_DIRECT, new_capacity - self._cap)
        return old.free

    def _deallocate(self) -> None:
        self._alloc._account(_DIRECT, -self._direct.view.nbytes, deallocations=1)  # the capacity is already poisoned
        self._direct.free()


class EmptyByteBuf(ByteBuf):
    """Netty's ``EMPTY_BUFFER``: capacity 0, never freed; retain and release do nothing."""

    __slots__ = ()

    def __init__(self, alloc: UnpooledByteBufAllocator) -> None:
        super().__init__(alloc, memory.heap(0), 0, 0)

    def is_direct(self) -> bool:
        return False

    def _reallocate(self, new_capacity: int) -> None:
        raise ValueError("EmptyByteBuf: the empty buffer cannot change its capacity")

    def ref_cnt(self) -> int:
        return 1

    def retain(self, n: int = 1) -> ByteBuf:
        check_positive(n, "increment")
        return self

    def release(self, n: int = 1) -> bool:
        check_positive(n, "decrement")
        return False

    def touch(self, hint: Any = None) -> ByteBuf:
        return self

    def __repr__(self) -> str:
        return "EmptyByteBuf"

    __str__ = __repr__


UnpooledByteBufAllocator.DEFAULT = UnpooledByteBufAllocator()


class Unpooled:
    """Netty's ``Unpooled``: buffers that are not pooled, each owning (or wrapping) its memory."""

    EMPTY_BUFFER: ByteBuf = EmptyByteBuf(UnpooledByteBufAllocator.DEFAULT)

    @staticmethod
    def buffer(initial_capacity: int = DEFAULT_INITIAL_CAPACITY, max_capacity: int = DEFAULT_MAX_CAPACITY) -> ByteBuf:
        """A new heap buffer: ``Unpooled.buffer(3)`` has capacity 3 and grows as written."""
        return UnpooledByteBufAllocator.DEFAULT.heap_buffer(initial_capacity, max_capacity)

    @staticmethod
    def direct_buffer(initial_capacity: int = DEFAULT_INITIAL_CAPACITY, max_capacity: int = DEFAULT_MAX_CAPACITY) -> ByteBuf:
        """A new direct buffer on anonymous ``mmap`` memory."""
        return UnpooledByteBufAllocator.DEFAULT.direct_buffer(initial_capacity, max_capacity)

    @staticmethod
    def wrapped_buffer(data: Union[BytesLike, ByteBuf], *more: ByteBuf) -> ByteBuf:
        """A buffer over the caller's memory, no copy: writes through it change ``data`` (bytes give a read-only buffer).

        Its capacity and max capacity are ``len(data)``; its writer index is at the end. A ByteBuf is
        wrapped as Netty does: its readable bytes as a ``slice()`` that takes over the caller's reference
        (an unreadable one is released and the empty buffer returned). Several ByteBufs
        (``wrapped_buffer(buf1, buf2, ...)``) become one ``CompositeByteBuf`` that owns them.
        """
        if more:
            from .composite import wrapped_composite

            wrapped = wrapped_composite(UnpooledByteBufAllocator.DEFAULT, (data, *more))
            return Unpooled.EMPTY_BUFFER if wrapped is None else wrapped
        if isinstance(data, ByteBuf):
            if data.is_readable():
                return data.slice()
            data.release()
            return Unpooled.EMPTY_BUFFER
        view = bytes_arg(data, "data")
        size = view.nbytes
        if size == 0:
            return Unpooled.EMPTY_BUFFER
        buf = UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, view, size, size)
        buf._widx = size
        return tracking.track(buf)

    @staticmethod
    def composite_buffer(max_components: int = 16) -> ByteBuf:
        """A new, empty ``CompositeByteBuf`` (it grows from unpooled heap memory); release it when done."""
        from .composite import composite_buffer

        return composite_buffer(UnpooledByteBufAllocator.DEFAULT, max_components)

    @staticmethod
    def copied_buffer(data: Union[BytesLike, str, ByteBuf], encoding: Optional[str] = None) -> ByteBuf:
        """A new buffer holding a copy of ``data``: bytes-like, a ByteBuf's readable bytes, or text (utf-8 by default).

        A ByteBuf is copied as Netty does, with ``copy()``: same kind (heap or direct) and max capacity,
        from its own allocator; its indexes do not move.
        """
        if isinstance(data, str):
            raw = data.encode("utf-8" if encoding is None else encoding_arg(encoding))
        elif encoding is not None:
            raise TypeError("copied_buffer: encoding applies to str data only")
        elif isinstance(data, ByteBuf):
            return data.copy() if data.is_readable() else Unpooled.EMPTY_BUFFER
        else:
            raw = bytes_arg(data, "data").tobytes()
        if not raw:
            return Unpooled.EMPTY_BUFFER
        return Unpooled.wrapped_buffer(bytearray(raw))
