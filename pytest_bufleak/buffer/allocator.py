"""ByteBufAllocator: the interface every allocator shares (Netty's ``AbstractByteBufAllocator``)."""
from __future__ import annotations

import abc
from typing import Any, ClassVar

from . import tracking
from .bytebuf import DEFAULT_INITIAL_CAPACITY, DEFAULT_MAX_CAPACITY, ByteBuf, calculate_new_capacity, check_capacities


class ByteBufAllocator(abc.ABC):
    """Makes buffers. ``ByteBufAllocator.DEFAULT`` is the process-wide pooled allocator.

    ``buffer`` gives heap or direct memory as the allocator prefers, ``io_buffer`` direct memory
    (what a transport reads into), ``heap_buffer``/``direct_buffer`` exactly that kind.
    """

    DEFAULT: ClassVar[ByteBufAllocator]

    def __init__(self, prefer_direct: bool = False) -> None:
        self._prefer_direct = prefer_direct

    def buffer(self, initial_capacity: int = DEFAULT_INITIAL_CAPACITY, max_capacity: int = DEFAULT_MAX_CAPACITY) -> ByteBuf:
        """A buffer of the kind this allocator prefers (heap unless made with ``prefer_direct=True``)."""
        if self._prefer_direct:
            return self.direct_buffer(initial_capacity, max_capacity)
        return self.heap_buffer(initial_capacity, max_capacity)

    def io_buffer(self, initial_capacity: int = DEFAULT_INITIAL_CAPACITY, max_capacity: int = DEFAULT_MAX_CAPACITY) -> ByteBuf:
        """A buffer suited to I/O: direct memory, as Netty gives where it can."""
        return self.direct_buffer(initial_capacity, max_capacity)

    def heap_buffer(self, initial_capacity: int = DEFAULT_INITIAL_CAPACITY, max_capacity: int = DEFAULT_MAX_CAPACITY) -> ByteBuf:
        """A buffer on a ``bytearray``."""
        if type(initial_capacity) is not int or type(max_capacity) is not int or not 0 <= initial_capacity <= max_capacity:
            initial_capacity, max_capacity = check_capacities(initial_capacity, max_capacity)
        buf = self._new_heap_buffer(initial_capacity, max_capacity)
        hook = tracking.hook  # tracking.track, inlined: Unpooled.buffer() is the common unpooled allocation
        if hook is not None:
            buf._leak = hook(buf)
            return buf
        return tracking.count_down(buf)

    def direct_buffer(self, initial_capacity: int = DEFAULT_INITIAL_CAPACITY, max_capacity: int = DEFAULT_MAX_CAPACITY) -> ByteBuf:
        """A buffer on anonymous ``mmap`` memory, outside the Python object heap."""
        if type(initial_capacity) is not int or type(max_capacity) is not int or not 0 <= initial_capacity <= max_capacity:
            initial_capacity, max_capacity = check_capacities(initial_capacity, max_capacity)
        return tracking.track(self._new_direct_buffer(initial_capacity, max_capacity))  # an mmap: a call is nothing

    def composite_buffer(self, max_components: int = 16) -> ByteBuf:
        """A new, empty ``CompositeByteBuf`` that grows from this allocator; release it when done."""
        from .composite import composite_buffer

        return composite_buffer(self, max_components)

    def calculate_new_capacity(self, min_new_capacity: int, max_capacity: int) -> int:
        """The capacity a buffer grows to when it needs ``min_new_capacity`` (Netty's rule)."""
        return calculate_new_capacity(min_new_capacity, max_capacity)

    def is_direct_buffer_pooled(self) -> bool:
        """True when direct buffers come from a pool."""
        return False

    @abc.abstractmethod
    def _new_heap_buffer(self, initial_capacity: int, max_capacity: int) -> ByteBuf:
        """Make a heap buffer; arguments are already validated."""

    @abc.abstractmethod
    def _new_direct_buffer(self, initial_capacity: int, max_capacity: int) -> ByteBuf:
        """Make a direct buffer; arguments are already validated."""

    @abc.abstractmethod
    def metric(self) -> Any:
        """Figures about the memory this allocator handed out."""
