"""ByteBuf: Netty's buffer with separate reader and writer indexes, growth, and reference counting.

A ByteBuf is a view of memory that some allocator owns. Subclasses say where the memory comes from
(``_reallocate``/``_deallocate``); this class does everything else. A released buffer is poisoned
(capacity -2, writer index -1, memory empty) so that the one comparison every fast path already
makes sends it to a slow path that raises ``IllegalReferenceCountException``: even a write of
zero bytes (``writer_index + 0 > capacity``) or a read of zero bytes (``0 > writer_index``).
"""
from __future__ import annotations

import threading
import weakref
from typing import Any, Callable, Optional, Union

from . import accessors, memory
from .args import bytes_arg, encoding_arg, int_arg, optional_int_arg, text_arg
from .refcount import MAX_REF_CNT, IllegalReferenceCountException, ReferenceCounted, check_positive

BytesLike = Union[bytes, bytearray, memoryview]

#: Netty's ``AbstractByteBufAllocator.CALCULATE_THRESHOLD``: growth turns linear at 4 MiB.
CALCULATE_THRESHOLD = 4 * 1024 * 1024
DEFAULT_INITIAL_CAPACITY = 256
DEFAULT_MAX_CAPACITY = 2**31 - 1

_FREED = memory.FREED

#: What write_zero copies from (a larger count of zeros is made at once).
_ZEROS = memoryview(bytes(64 * 1024))
_ZEROS_LENGTH = len(_ZEROS)

# The bottom token of a reference count: whoever pops it holds the last reference (the others are None).
_LAST = object()
# What release() takes from an empty list of tokens: every count is in _big, or none is left.
_NONE = object()
# Guards only the rare paths of reference counting (counts above one per token, the last release).
_slow_path_lock = threading.Lock()
# Guards the making and pruning of a buffer's list of views (appends to it need no lock).
_views_lock = threading.Lock()


def calculate_new_capacity(min_new_capacity: int, max_capacity: int) -> int:
    """Netty's ``calculateNewCapacity``: the next power of two from 64 up to 4 MiB, then 4 MiB steps."""
    min_new_capacity = int_arg(min_new_capacity, "min_new_capacity")
    max_capacity = int_arg(max_capacity, "max_capacity")
    if min_new_capacity < 0:
        raise ValueError(f"minNewCapacity: {min_new_capacity} (expected: >= 0)")
    if min_new_capacity > max_capacity:
        raise ValueError(
            f"minNewCapacity: {min_new_capacity} (expected: not greater than maxCapacity({max_capacity})"
        )
    threshold = CALCULATE_THRESHOLD
    if min_new_capacity == threshold:
        return threshold
    if min_new_capacity > threshold:
        new_capacity = min_new_capacity // threshold * threshold
        if new_capacity > max_capacity - threshold:
            return max_capacity
        return new_capacity + threshold
    new_capacity = 1 << (max(min_new_capacity, 64) - 1).bit_length()
    return min(new_capacity, max_capacity)


def check_capacities(initial_capacity: Any, max_capacity: Any) -> tuple:
    """Netty's allocator validation: the two capacities as ints, or TypeError/ValueError naming the bad one."""
    initial_capacity = int_arg(initial_capacity, "initial_capacity")
    max_capacity = int_arg(max_capacity, "max_capacity")
    if initial_capacity < 0:
        raise ValueError(f"initialCapacity: {initial_capacity} (expected: >= 0)")
    if initial_capacity > max_capacity:
        raise ValueError(
            f"initialCapacity: {initial_capacity} (expected: not greater than maxCapacity({max_capacity})"
        )
    return initial_capacity, max_capacity


def byte_value(value: Any) -> int:
    """A byte given as -128..255, as an unsigned 0..255."""
    value = int_arg(value, "value")
    if not -128 <= value <= 255:
        raise ValueError(f"value: {value} (expected: a byte, -128 <= value <= 255)")
    return value & 0xFF


class _Handle:
    """A buffer handle's state and its reference count: the part of :class:`ByteBuf` every operation touches.

    Kept apart so that the optional compiled core (``bytebuf.pxd``) can make it an extension type under
    the Python class ``ByteBuf``: the same code, compiled, with its fields in C. Nothing else uses it.
    """

    __slots__ = (
        "_alloc", "_mem", "_cap", "_max_cap", "_ridx", "_widx", "_mark_r", "_mark_w",
        "_refs", "_big", "_freed", "_leak", "_derived", "_region", "__weakref__",
    )

    def __init__(self, alloc: Any, mem: memory.Memory, capacity: int, max_capacity: int) -> None:
        self._alloc = alloc
        self._mem = mem
        self._cap = capacity
        self._max_cap = max_capacity
        self._ridx = self._widx = self._mark_r = self._mark_w = self._big = 0
        # The count is the tokens in this list plus _big: appends and pops are atomic in CPython
        # (and on free-threaded builds), so the common retain/release needs no lock.
        self._refs = [_LAST]
        self._freed = False
        self._leak = self._derived = None
        # _region: what the allocator knows the memory by (a pooled buffer's region). Only allocators that
        # have one set and read it; it is a field of the handle so that the compiled core reaches it in C.

    # ------------------------------------------------------------------ reference counting

    def ref_cnt(self) -> int:
        """The current reference count (0 once freed)."""
        if self._freed:
            return 0
        return len(self._refs) + self._big

    def retain(self, n: int = 1) -> ByteBuf:
        """Add ``n`` references; raises past 2**31-1 or on a freed buffer. Returns self."""
        refs = self._refs
        if n == 1 and type(n) is int and refs and not self._big:
            refs.append(None)
        else:
            self._retain_slow(n)
        leak = self._leak
        if leak is not None:
            leak.record(None)
        return self

    def _retain_slow(self, increment: int) -> None:
        increment = check_positive(increment, "increment")
        with _slow_path_lock:
            count = 0 if self._freed else len(self._refs) + self._big
            if count == 0:
                raise IllegalReferenceCountException(0, increment)
            if count + increment > MAX_REF_CNT:
                raise IllegalReferenceCountException(count, increment)
            self._big += increment

    def release(self, n: int = 1) -> bool:
        """Drop ``n`` references; True when the count reached 0 and the memory was freed."""
        # A release that frees the buffer records no access: the record is dropped with the buffer.
        if n == 1 and type(n) is int:
            try:
                token = self._refs.pop()
            except IndexError:
                token = _NONE  # the error is raised below, outside this handler: "pop from empty list" is no cause
            if token is None:
                leak = self._leak
                if leak is not None:
                    leak.record(None)
                return False
            if token is _LAST and not self._big:
                # The bottom token and no counts held in _big: this was the last reference, and no
                # legitimate owner is left to race with, so the buffer is freed without the lock.
                self._freed = True
            elif not self._release_slow(1, popped_last=token is _LAST):
                if self._leak is not None:
                    self._leak.record(None)
                return False
        elif not self._release_slow(check_positive(n, "decrement"), popped_last=False):
            if self._leak is not None:
                self._leak.record(None)
            return False
        # The last reference is gone: free, inline (this is every buffer's release).
        leak = self._leak
        self._leak = None
        # Close every fast path before the memory goes back: a racing reader that has not passed its
        # bounds check yet can no longer reach bytes that the pool hands to the next owner.
        self._cap = -2
        self._widx = -1
        if self._derived is not None:
            for view in self._views():
                view._poison()
            self._derived = None
        self._deallocate()
        self._mem = _FREED  # the rest of _poison (the bounds were closed above), inlined
        self._ridx = 0
        if leak is not None:
            leak.close()
        return True

    def _release_slow(self, decrement: int, popped_last: bool) -> bool:
        """Decide, under the lock, whether this release frees the buffer; the caller frees outside it."""
        refs = self._refs
        with _slow_path_lock:
            if popped_last:
                if self._big:
                    self._big -= 1
                    refs.insert(0, _LAST)
                    return False
                self._freed = True
                return True
            count = 0 if self._freed else len(refs) + self._big
            if count < decrement:
                raise IllegalReferenceCountException(count, -decrement)
            taken = min(self._big, decrement)
            self._big -= taken
            for _ in range(decrement - taken):
                token = refs.pop()
                if token is _LAST:
                    self._freed = True
                    return True
            return False

    def touch(self, hint: Any = None) -> ByteBuf:
        """Record this access point (with ``hint``) for the leak report, when the buffer is tracked."""
        leak = self._leak
        if leak is not None:
            leak.record(hint)
        return self

    def _poison(self) -> None:
        """Make every fast path of this handle fail its bounds check, then drop the memory.

        In that order: a reader that took the memory before it was dropped finds the bounds closed.
        """
        self._cap = -2  # below the writer index, so that even writing nothing takes the slow path
        self._widx = -1
        self._mem = _FREED
        self._ridx = 0


class ByteBuf(_Handle, ReferenceCounted):
    """A reference-counted byte buffer with a reader index and a writer index (Netty's ``ByteBuf``).

    ``0 <= reader_index <= writer_index <= capacity <= max_capacity``. Reads consume from the reader
    index, writes append at the writer index and grow the capacity on demand. The buffer starts with a
    reference count of 1; ``release()`` down to 0 gives the memory back to its allocator.
    """

    __slots__ = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        accessors.install_for_subclass(cls)

    # ------------------------------------------------------------------ memory hooks (subclasses)

    def _reallocate(self, new_capacity: int) -> Optional[Callable[[], None]]:
        """Point ``self._mem`` at memory of at least ``new_capacity`` holding the old contents.

        Return a function that frees the old memory (called once derived views moved over), or None.
        """
        raise NotImplementedError

    def _deallocate(self) -> None:
        """Give ``self._mem`` back to its owner; called exactly once, when the count reaches 0."""
        raise NotImplementedError

    def is_direct(self) -> bool:
        """True when the memory lives outside the Python object heap (an anonymous mmap)."""
        raise NotImplementedError

    def alloc(self) -> Any:
        """The allocator that made this buffer."""
        return self._alloc

    def unwrap(self) -> Optional[ByteBuf]:
        """The buffer this one is derived from, or None for a root buffer."""
        return None

    # ------------------------------------------------------------------ slow paths and checks

    def _ensure_accessible(self) -> None:
        if self._cap < 0:
            raise IllegalReferenceCountException(0)

    def _index_error(self, index: int, length: int) -> None:
        self._ensure_accessible()
        if length < 0:
            raise ValueError(f"length: {length} (expected: >= 0)")
        raise IndexError(f"index: {index}, length: {length} (expected: range(0, {self._cap}))")

    def _check_index(self, index: Any, length: Any) -> tuple:
        """``(index, length)`` as ints within the capacity, or TypeError/ValueError/IndexError."""
        if type(index) is not int or type(length) is not int:
            index, length = int_arg(index, "index"), int_arg(length, "length")
        if not (0 <= index and 0 <= length and index + length <= self._cap):
            self._index_error(index, length)
        return index, length

    def _index_arg(self, index: Any, size: int) -> int:
        """The slow path of a typed access at ``index``: an int to try again, or the error (after converting)."""
        if type(index) is int:
            self._index_error(index, size)
        return int_arg(index, "index")

    def _readable_range(self) -> tuple:
        """``(reader index, readable bytes)``, for a buffer just checked to be accessible."""
        ridx, widx = self._ridx, self._widx
        if widx < ridx:  # released by another thread since the check (a freed handle's widx is -1)
            raise IllegalReferenceCountException(0)
        return ridx, widx - ridx

    def _index_and_length(self, index: Optional[int], length: Optional[int], method: str) -> tuple:
        """``(index, length)`` checked against the capacity; both None means the readable bytes."""
        index, length = optional_int_arg(index, "index"), optional_int_arg(length, "length")
        self._ensure_accessible()
        if index is None and length is None:
            return self._readable_range()
        if index is None or length is None:
            raise ValueError(f"{method}(index, length) needs both arguments or none")
        return self._check_index(index, length)

    def _read_only_error(self) -> None:
        """A write into read-only memory (a buffer wrapping ``bytes``): Netty's ``ReadOnlyBufferException``."""
        self._ensure_accessible()
        raise TypeError(f"read-only buffer (it wraps bytes; wrap a bytearray to write): {self!r}") from None

    def _store(self, index: int, data: Any) -> None:
        """Copy bytes-like ``data`` to ``index`` (already checked); a read-only buffer raises, changing nothing."""
        try:
            self._mem[index:index + len(data)] = data
        except TypeError:
            self._read_only_error()

    def _check_live_after_read(self) -> None:
        """Raise if the buffer was released while its memory was being read (the bytes may be another owner's)."""
        if self._cap < 0:
            self._ensure_accessible()

    def _readable_error(self, length: Any) -> None:
        length = int_arg(length, "length")
        self._ensure_accessible()
        if length < 0:
            raise ValueError(f"minimumReadableBytes: {length} (expected: >= 0)")
        raise IndexError(
            f"readerIndex({self._ridx}) + length({length}) exceeds writerIndex({self._widx}): {self!r}"
        )

    def _check_readable(self, length: Any) -> int:
        """``length`` as an int of at most the readable bytes, or the error."""
        if type(length) is not int:
            length = int_arg(length, "length")
        if not 0 <= length <= self._widx - self._ridx:
            self._readable_error(length)
        return length

    def _grow_for_write(self, min_writable: int) -> None:
        """Make room for ``min_writable`` bytes (an int) at the writer index, or raise without changing anything."""
        self._ensure_accessible()
        if min_writable < 0:
            raise ValueError(f"minWritableBytes: {min_writable} (expected: >= 0)")
        target = self._widx + min_writable
        if target <= self._cap:
            return
        if target > self._max_cap:
            raise IndexError(
                f"writerIndex({self._widx}) + minWritableBytes({min_writable}) exceeds "
                f"maxCapacity({self._max_cap}): {self!r}"
            )
        fast_writable = self._max_fast_writable_bytes()
        if fast_writable >= min_writable:
            new_capacity = self._widx + fast_writable
        else:
            new_capacity = self._calculate_new_capacity(target)
        self._set_capacity(new_capacity)

    def _max_fast_writable_bytes(self) -> int:
        """Bytes writable without copying to new memory (pooled buffers may own more than their capacity)."""
        return self._cap - self._widx

    def _calculate_new_capacity(self, min_new_capacity: int) -> int:
        calc = getattr(self._alloc, "calculate_new_capacity", None)
        if calc is not None:
            return calc(min_new_capacity, self._max_cap)
        return calculate_new_capacity(min_new_capacity, self._max_cap)

    # ------------------------------------------------------------------ indexes and capacity

    @property
    def reader_index(self) -> int:
        """Where the next read starts; settable within ``0..writer_index``."""
        if self._cap < 0:
            self._ensure_accessible()
        return self._ridx

    @reader_index.setter
    def reader_index(self, value: int) -> None:
        if type(value) is not int:
            value = int_arg(value, "reader_index")  # TypeError for a float or a bool: an index is a whole number
        if not 0 <= value <= self._widx:
            self._ensure_accessible()  # a released buffer has writer index -1 and lands here too
            raise IndexError(f"readerIndex: {value} (expected: 0 <= readerIndex <= writerIndex({self._widx}))")
        self._ridx = value

    @property
    def writer_index(self) -> int:
        """Where the next write goes; settable within ``reader_index..capacity``."""
        if self._cap < 0:
            self._ensure_accessible()
        return self._widx

    @writer_index.setter
    def writer_index(self, value: int) -> None:
        if type(value) is not int:
            value = int_arg(value, "writer_index")
        if not self._ridx <= value <= self._cap:
            self._ensure_accessible()  # a released buffer has capacity -2 and lands here too
            raise IndexError(
                f"writerIndex: {value} (expected: readerIndex({self._ridx}) <= writerIndex <= capacity({self._cap}))"
            )
        self._widx = value

    @property
    def capacity(self) -> int:
        """The bytes this buffer can hold now. Setting it grows or truncates, like Netty's ``capacity(int)``."""
        if self._cap < 0:
            self._ensure_accessible()
        return self._cap

    @capacity.setter
    def capacity(self, new_capacity: int) -> None:
        new_capacity = int_arg(new_capacity, "capacity")
        self._ensure_accessible()
        if not 0 <= new_capacity <= self._max_cap:
            raise ValueError(f"newCapacity: {new_capacity} (expected: 0-{self._max_cap})")
        self._set_capacity(new_capacity)

    def _set_capacity(self, new_capacity: int) -> None:
        free_old = self._reallocate(new_capacity)
        self._cap = new_capacity
        if self._widx > new_capacity:
            self._ridx = min(self._ridx, new_capacity)
            self._widx = new_capacity
        self._rebind_derived()
        if free_old is not None:
            free_old()

    @property
    def max_capacity(self) -> int:
        """The largest capacity this buffer may grow to."""
        return self._max_cap

    def set_index(self, reader_index: int, writer_index: int) -> ByteBuf:
        """Set both indexes at once; raises IndexError unless ``0 <= r <= w <= capacity``."""
        reader_index, writer_index = int_arg(reader_index, "reader_index"), int_arg(writer_index, "writer_index")
        self._ensure_accessible()
        if not 0 <= reader_index <= writer_index <= self._cap:
            raise IndexError(
                f"readerIndex: {reader_index}, writerIndex: {writer_index} "
                f"(expected: 0 <= readerIndex <= writerIndex <= capacity({self._cap}))"
            )
        self._ridx, self._widx = reader_index, writer_index
        return self

    def readable_bytes(self) -> int:
        """``writer_index - reader_index``."""
        if self._cap < 0:
            self._ensure_accessible()
        return self._widx - self._ridx

    def writable_bytes(self) -> int:
        """``capacity - writer_index``."""
        if self._cap < 0:
            self._ensure_accessible()
        return self._cap - self._widx

    def max_writable_bytes(self) -> int:
        """``max_capacity - writer_index``."""
        if self._cap < 0:
            self._ensure_accessible()
        return self._max_cap - self._widx

    def is_readable(self, n: int = 1) -> bool:
        """True when at least ``n`` bytes can be read."""
        if type(n) is not int:
            n = int_arg(n, "n")
        if self._cap < 0:
            self._ensure_accessible()
        return self._widx - self._ridx >= n

    def is_writable(self, n: int = 1) -> bool:
        """True when ``n`` bytes can be written without growing."""
        if type(n) is not int:
            n = int_arg(n, "n")
        if self._cap < 0:
            self._ensure_accessible()
        return self._cap - self._widx >= n

    def clear(self) -> ByteBuf:
        """Set both indexes to 0; the bytes and the marks stay."""
        self._ensure_accessible()
        self._ridx = self._widx = 0
        return self

    def mark_reader_index(self) -> ByteBuf:
        """Remember the reader index for ``reset_reader_index``."""
        self._ensure_accessible()
        self._mark_r = self._ridx
        return self

    def reset_reader_index(self) -> ByteBuf:
        """Move the reader index back to the mark (IndexError if the mark is now invalid)."""
        self.reader_index = self._mark_r
        return self

    def mark_writer_index(self) -> ByteBuf:
        """Remember the writer index for ``reset_writer_index``."""
        self._ensure_accessible()
        self._mark_w = self._widx
        return self

    def reset_writer_index(self) -> ByteBuf:
        """Move the writer index back to the mark (IndexError if the mark is now invalid)."""
        self.writer_index = self._mark_w
        return self

    def discard_read_bytes(self) -> ByteBuf:
        """Move the readable bytes to index 0, reclaiming the read space; marks move with them."""
        self._ensure_accessible()
        r, w = self._ridx, self._widx
        if r == 0:
            return self
        if r != w:
            self._store(0, self._mem[r:w])  # a memoryview copy handles the overlap
        self._widx = w - r
        self._ridx = 0
        if self._mark_r <= r:
            self._mark_r = 0
            self._mark_w = max(self._mark_w - r, 0)
        else:
            self._mark_r -= r
            self._mark_w -= r
        return self

    def ensure_writable(self, min_writable_bytes: int) -> ByteBuf:
        """Grow so that ``min_writable_bytes`` fit, or raise IndexError past ``max_capacity``."""
        min_writable_bytes = int_arg(min_writable_bytes, "min_writable_bytes")
        self._ensure_accessible()
        if not 0 <= min_writable_bytes <= self._cap - self._widx:
            self._grow_for_write(min_writable_bytes)
        return self

    def skip_bytes(self, length: int) -> ByteBuf:
        """Advance the reader index by ``length`` readable bytes."""
        length = self._check_readable(length)
        self._ridx += length
        return self

    def write_zero(self, length: int) -> ByteBuf:
        """Append ``length`` zero bytes."""
        length = int_arg(length, "length")
        if length == 0:
            self._ensure_accessible()
            return self
        self.ensure_writable(length)
        w = self._widx
        # Copied from shared zeros: bytes(length) would allocate and clear new memory on every call.
        self._store(w, _ZEROS[:length] if length <= _ZEROS_LENGTH else bytes(length))
        self._widx = w + length
        return self

    # ------------------------------------------------------------------ bytes in and out

    def write_bytes(self, src: Union[BytesLike, ByteBuf], length: Optional[int] = None) -> ByteBuf:
        """Append ``src`` (bytes-like, or a ByteBuf whose reader index advances) — ``length`` bytes of it if given."""
        kind = type(src)
        if (kind is bytes or kind is bytearray) and length is None:  # the common case, kept flat
            n = len(src)
            w = self._widx
            if w + n > self._cap:
                self._grow_for_write(n)
            try:
                self._mem[w:w + n] = src
            except TypeError:
                self._read_only_error()
            self._widx = w + n
            return self
        if length is not None and type(length) is not int:
            length = int_arg(length, "length")
        if isinstance(src, ByteBuf):
            src_mem = src._mem  # taken first: if src is freed after this, its indexes say so
            r = src._ridx
            readable = src._widx - r  # -1 when src was released
            n = readable if length is None else length
            if not 0 <= n <= readable:
                self._source_error(src, n, readable)
            w = self._widx
            if w + n > self._cap:
                self._grow_for_write(n)
                src_mem = src._mem  # growth moves src's memory too when src is this buffer or a view of it
            self._store(w, src_mem[r:r + n])
            src._check_live_after_read()  # written past the writer index only: nothing changed if this raises
            self._widx = w + n
            src._ridx = r + n  # only once the bytes are written: a failed write takes nothing from src
            return self
        data = bytes_arg(src, "src")
        if length is not None:
            if not 0 <= length <= data.nbytes:
                self._source_error(None, length, data.nbytes)
            data = data[:length]
        n = data.nbytes
        w = self._widx
        if w + n > self._cap:
            self._grow_for_write(n)
        self._store(w, data)
        self._widx = w + n
        return self

    @staticmethod
    def _source_error(src: Optional[ByteBuf], length: int, available: int) -> None:
        """Why ``length`` bytes cannot be taken from ``src`` (a ByteBuf, or bytes-like when None); Netty's wording."""
        if src is not None:
            src._ensure_accessible()
        if length < 0:
            raise ValueError(f"minWritableBytes: {length} (expected: >= 0)")
        if src is None:
            raise IndexError(f"length({length}) exceeds src.length({available})")
        raise IndexError(f"length({length}) exceeds src.readableBytes({available}) where src is: {src!r}")

    def set_bytes(self, index: int, src: Union[BytesLike, ByteBuf]) -> ByteBuf:
        """Copy ``src`` to absolute ``index`` (a ByteBuf source gives its readable bytes and advances)."""
        if isinstance(src, ByteBuf):
            src_mem = src._mem
            r = src._ridx
            n = src._widx - r
            if n < 0:
                src._ensure_accessible()
            index, n = self._check_index(index, n)
            if src_mem is not src._mem:  # an index's __index__ changed src: start again
                return self.set_bytes(index, src)
            self._store(index, src_mem[r:r + n])
            src._check_live_after_read()
            src._ridx = r + n
            return self
        data = bytes_arg(src, "src")
        index, n = self._check_index(index, data.nbytes)
        self._store(index, data)
        return self

    def get_bytes(self, index: int, length: int) -> bytes:
        """The ``length`` bytes at absolute ``index``; no index moves."""
        mem = self._mem
        index, length = self._check_index(index, length)
        if mem is not self._mem:  # an argument's __index__ changed the buffer: start again
            return self.get_bytes(index, length)
        data = mem[index:index + length].tobytes()
        self._check_live_after_read()
        return data

    def read_bytes(self, length: int) -> ByteBuf:
        """A new buffer from the same allocator holding the next ``length`` readable bytes (release it)."""
        length = self._check_readable(length)
        if length == 0:
            from .unpooled import Unpooled  # the empty buffer is a module-level singleton there

            return Unpooled.EMPTY_BUFFER
        r = self._ridx
        out = self._filled(self._alloc.buffer, r, length)
        self._ridx = r + length
        return out

    def _filled(self, make: Callable[[int, int], ByteBuf], index: int, length: int) -> ByteBuf:
        """A new buffer from ``make(length, max_capacity)`` holding ``[index, index+length)`` of this one.

        If anything fails after the allocation (this buffer released meanwhile, by another thread or
        by the allocation's own hooks), the new buffer is released before the error goes up.
        """
        mem = self._mem
        out = make(length, self._max_cap)
        try:
            if index + length > self._cap:  # released (or shrunk) since the caller's check
                self._index_error(index, length)
            out._mem[0:length] = mem[index:index + length]
            self._check_live_after_read()
        except BaseException:
            out.release()
            raise
        out._widx = length
        return out

    def read_bytes_into(self, dst: Union[bytearray, memoryview, ByteBuf]) -> ByteBuf:
        """Fill ``dst`` from the readable bytes: all of a bytearray/memoryview, or a ByteBuf's writable bytes."""
        if isinstance(dst, ByteBuf):
            n = self._check_readable(dst.writable_bytes())
            dst.write_bytes(self, n)
            return self
        if isinstance(dst, (bytes, str)):
            raise TypeError(f"dst must be writable: a bytearray, a writable memoryview or a ByteBuf, not {type(dst).__name__}")
        view = bytes_arg(dst, "dst")
        if view.readonly:
            raise TypeError("dst must be writable: a bytearray, a writable memoryview or a ByteBuf, not read-only memory")
        mem = self._mem
        n = self._check_readable(view.nbytes)
        r = self._ridx
        data = mem[r:r + n].tobytes()  # copied out first: a released source leaves dst as it was
        self._check_live_after_read()
        view[:] = data
        self._ridx = r + n
        return self

    def write_char_sequence(self, text: str, encoding: str = "utf-8") -> int:
        """Append ``text`` encoded with ``encoding``; return the number of bytes written."""
        data = text_arg(text).encode(encoding_arg(encoding))
        self.write_bytes(data)
        return len(data)

    def read_char_sequence(self, length: int, encoding: str = "utf-8") -> str:
        """Read ``length`` bytes and decode them with ``encoding``."""
        encoding_arg(encoding)
        mem = self._mem
        length = self._check_readable(length)
        r = self._ridx
        data = mem[r:r + length].tobytes()
        self._check_live_after_read()
        text = data.decode(encoding)
        self._ridx = r + length
        return text

    def to_string(self, encoding: str = "utf-8") -> str:
        """The readable bytes decoded with ``encoding``; no index moves."""
        return self.__bytes__().decode(encoding_arg(encoding))

    def nio_buffer(self, index: Optional[int] = None, length: Optional[int] = None) -> memoryview:
        """A memoryview sharing this buffer's memory (the readable bytes by default).

        Like Netty's ``nioBuffer()``: valid only while the buffer is live; do not keep it past ``release()``.
        """
        if index is None and length is None:
            if self._cap < 0:
                self._ensure_accessible()
            return self._mem[self._ridx:self._widx]
        index, length = self._index_and_length(index, length, "nio_buffer")
        return self._mem[index:index + length]

    # ------------------------------------------------------------------ search

    def index_of(self, from_index: int, to_index: int, value: int) -> int:
        """The first index of byte ``value`` in ``[from_index, to_index)``, or -1.

        When ``from_index > to_index`` the search runs backwards over ``[to_index, from_index)``, as in Netty.
        """
        from_index, to_index = int_arg(from_index, "from_index"), int_arg(to_index, "to_index")
        value = byte_value(value)
        mem = self._mem
        self._ensure_accessible()
        if from_index <= to_index:
            from_index = max(from_index, 0)
            if from_index >= to_index or self._cap == 0:
                return -1
            self._check_index(from_index, to_index - from_index)
            found = memory.find(mem, value, from_index, to_index)
        else:
            from_index = min(from_index, self._cap)
            if from_index < 0 or self._cap == 0:
                return -1
            self._check_index(to_index, from_index - to_index)
            found = memory.rfind(mem, value, to_index, from_index)
        self._check_live_after_read()
        return found

    def bytes_before(self, *args: int) -> int:
        """Bytes before the first ``value``: ``bytes_before(value)``, ``(length, value)`` or ``(index, length, value)``.

        Searches the readable bytes by default; returns -1 when the value is not found.
        """
        if len(args) == 1:
            value = byte_value(args[0])
            self._ensure_accessible()
            index, length = self._readable_range()
        elif len(args) == 2:
            value = byte_value(args[1])
            length = self._check_readable(args[0])
            index = self._ridx
        elif len(args) == 3:
            value = byte_value(args[2])
            index, length = self._check_index(args[0], args[1])
        else:
            raise TypeError(f"bytes_before takes 1 to 3 arguments ({len(args)} given)")
        end = self.index_of(index, index + length, value)
        return -1 if end < 0 else end - index

    def for_each_byte(self, *args: Any) -> int:
        """Feed bytes to ``processor`` until it returns False; return that byte's index, else -1.

        ``for_each_byte(processor)`` covers the readable bytes, ``for_each_byte(index, length, processor)``
        any range. The processor receives each byte as an unsigned int (0..255). Each byte is read when
        its turn comes: if the processor releases the buffer (or shrinks it below the range), the next
        step raises instead of reading memory the buffer no longer owns.
        """
        index, length, processor = self._each_byte_range(args)
        for i in range(index, index + length):
            if not processor(self._byte_for_processor(i)):
                return i
        return -1

    def for_each_byte_desc(self, *args: Any) -> int:
        """Like ``for_each_byte`` but from the last byte of the range down to the first."""
        index, length, processor = self._each_byte_range(args)
        for i in range(index + length - 1, index - 1, -1):
            if not processor(self._byte_for_processor(i)):
                return i
        return -1

    def _byte_for_processor(self, i: int) -> int:
        """The byte at ``i``, read afresh between two call-outs to a processor that may change the buffer."""
        mem = self._mem
        if not 0 <= i < self._cap:
            self._index_error(i, 1)
        b = mem[i]
        self._check_live_after_read()
        return b

    def _each_byte_range(self, args: tuple) -> tuple:
        if len(args) == 1:
            processor = args[0]
            self._ensure_accessible()
            index, length = self._readable_range()
        elif len(args) == 3:
            processor = args[2]
            index, length = self._check_index(args[0], args[1])
        else:
            raise TypeError(f"expected (processor) or (index, length, processor), got {len(args)} arguments")
        if not callable(processor):
            raise TypeError(f"processor must be callable (byte -> bool), not {type(processor).__name__}")
        return index, length, processor

    # ------------------------------------------------------------------ derived buffers

    def duplicate(self) -> ByteBuf:
        """A view of the whole buffer with its own indexes, sharing memory and reference count."""
        self._ensure_accessible()
        from .derived import UnpooledDuplicatedByteBuf

        return UnpooledDuplicatedByteBuf(self)

    def slice(self, index: Optional[int] = None, length: Optional[int] = None) -> ByteBuf:
        """A fixed-size view of ``[index, index+length)`` (the readable bytes by default), sharing the count."""
        index, length = self._index_and_length(index, length, "slice")
        from .derived import UnpooledSlicedByteBuf

        return UnpooledSlicedByteBuf(self, index, length)

    def read_slice(self, length: int) -> ByteBuf:
        """A slice of the next ``length`` readable bytes; the reader index advances past them."""
        length = self._check_readable(length)
        sliced = self.slice(self._ridx, length)
        self._ridx += length
        return sliced

    # The retained forms check their arguments and retain before making the view, which then cannot
    # fail: a call that raises has retained nothing and moved no index.

    def retained_duplicate(self) -> ByteBuf:
        """``duplicate()`` that also retains: release the duplicate when done with it."""
        self._ensure_accessible()
        self.retain()
        return self.duplicate()

    def retained_slice(self, index: Optional[int] = None, length: Optional[int] = None) -> ByteBuf:
        """``slice()`` that also retains: release the slice when done with it."""
        index, length = self._index_and_length(index, length, "retained_slice")
        self.retain()
        return self.slice(index, length)

    def read_retained_slice(self, length: int) -> ByteBuf:
        """``read_slice()`` that also retains: release the slice when done with it."""
        length = self._check_readable(length)
        self.retain()
        return self.read_slice(length)

    def copy(self, index: Optional[int] = None, length: Optional[int] = None) -> ByteBuf:
        """Independent memory holding ``[index, index+length)`` (the readable bytes by default); count 1."""
        index, length = self._index_and_length(index, length, "copy")
        return self._filled(self._alloc.direct_buffer if self.is_direct() else self._alloc.heap_buffer, index, length)

    def _register_derived(self, derived: ByteBuf) -> None:
        """Remember a view so that freeing or moving this buffer's memory reaches it.

        Safe when several threads make views of one buffer: the list is created once under the lock,
        and pruning (under the lock, skipped if busy) rewrites only the entries it read, so a view that
        another thread appends meanwhile is never dropped.
        """
        refs = self._derived
        if refs is None:
            new: list = []  # made outside the lock: nothing allocates (so no GC finalizer runs) while it is held
            with _views_lock:
                refs = self._derived
                if refs is None:
                    refs = self._derived = new
        elif len(refs) >= 64 and len(refs) & (len(refs) - 1) == 0 and _views_lock.acquire(blocking=False):
            try:
                n = len(refs)
                refs[:n] = [r for r in refs[:n] if r() is not None]
            finally:
                _views_lock.release()
        refs.append(weakref.ref(derived))

    def _views(self) -> list:
        refs = self._derived
        if not refs:
            return []
        return [v for v in (r() for r in refs) if v is not None]

    def _rebind_derived(self) -> None:
        for view in self._views():
            view._rebind()

    # ------------------------------------------------------------------ Python protocols

    def __bytes__(self) -> bytes:
        mem = self._mem
        if self._cap < 0:
            self._ensure_accessible()
        data = mem[self._ridx:self._widx].tobytes()
        if self._cap < 0:  # released while being read: the bytes may be the next owner's
            self._ensure_accessible()
        return data

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ByteBuf):
            return NotImplemented
        return bytes(self) == bytes(other)

    def __hash__(self) -> int:
        return hash(bytes(self))

    def __reduce_ex__(self, protocol: Any) -> Any:
        # copy.copy would make a second handle on the same count and memory, one that the other's
        # release() never poisons (so it could touch memory back in the pool); pickling cannot carry a count.
        raise TypeError(
            f"{type(self).__name__} cannot be copied by the copy module or pickled: use buf.copy() for "
            "independent memory (release it), buf.retained_duplicate() for a shared view, or bytes(buf) for the data"
        )

    def __enter__(self) -> ByteBuf:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self.ref_cnt() > 0:
            self.release()

    def __repr__(self) -> str:
        name = type(self).__name__
        if self.ref_cnt() == 0:
            return f"{name}(freed)"
        text = f"{name}(ridx: {self._ridx}, widx: {self._widx}, cap: {self._cap}"
        if self._max_cap != DEFAULT_MAX_CAPACITY:
            text += f"/{self._max_cap}"
        parent = self.unwrap()
        if parent is not None:
            text += f", unwrapped: {parent!r}"
        return text + ")"

    __str__ = __repr__


accessors.install(ByteBuf)
