"""CompositeByteBuf: several buffers seen as one, without copying (Netty's ``CompositeByteBuf``).

The composite owns its components: every buffer given to it is released exactly once, when it is
removed, consolidated or discarded, or when the composite's own count reaches 0. A buffer it could not
take (a bad index, a type error) is released too, as Netty does; a released one is refused with
``IllegalReferenceCountException``. Each component contributes the readable bytes it had when added;
reads and writes at an index reach the component's memory, so writes show through the original buffer.
"""
from __future__ import annotations

import bisect
from typing import Any, Iterable, List, Optional

from . import tracking
from .args import int_arg
from .bytebuf import DEFAULT_MAX_CAPACITY, ByteBuf
from .refcount import IllegalReferenceCountException, ReferenceCountUtil
from .scattered import ScatteredByteBuf, ScratchByteBuf

#: Netty's ``AbstractByteBufAllocator.DEFAULT_MAX_COMPONENTS``.
DEFAULT_MAX_COMPONENTS = 16


class _Component:
    """``length`` bytes of ``buf`` from ``start``, at ``offset`` in the composite."""

    __slots__ = ("buf", "start", "length", "offset")

    def __init__(self, buf: ByteBuf, start: int, length: int, offset: int = 0) -> None:
        self.buf, self.start, self.length, self.offset = buf, start, length, offset


class CompositeByteBuf(ScatteredByteBuf):
    """A virtual buffer over a list of component buffers; make one with ``Unpooled.composite_buffer()``,
    ``alloc.composite_buffer()`` or ``Unpooled.wrapped_buffer(buf1, buf2, ...)``.

    ``add_component(buf)`` appends without moving the writer index (Netty's rule: the bytes are not
    readable until you pass ``increase_writer_index=True``, as ``add_component(True, buf)``). Growth by
    writing appends a new component from the composite's allocator; more than ``max_components``
    components are consolidated into one.
    """

    __slots__ = ("_components", "_offsets", "_max_components")

    def __init__(self, alloc: Any, max_components: int = DEFAULT_MAX_COMPONENTS) -> None:
        max_components = int_arg(max_components, "max_components")
        if max_components < 1:
            raise ValueError(f"maxNumComponents: {max_components} (expected: >= 1)")
        super().__init__(alloc, None, 0, DEFAULT_MAX_CAPACITY)
        self._components: List[_Component] = []
        self._offsets: List[int] = []
        self._max_components = max_components

    # ------------------------------------------------------------------ components

    def max_num_components(self) -> int:
        """How many components are kept before they are consolidated into one."""
        return self._max_components

    def num_components(self) -> int:
        """The number of components."""
        return len(self._components)

    def add_component(self, *args: Any) -> CompositeByteBuf:
        """Add a buffer (ownership passes to the composite): ``(buf)``, ``(increase_writer_index, buf)``,
        ``(c_index, buf)`` or ``(increase_writer_index, c_index, buf)`` as Netty's ``addComponent``."""
        increase, c_index, bufs = self._component_args(args, "add_component")
        if len(bufs) != 1:
            _release_all(bufs)
            raise TypeError(f"add_component takes one buffer ({len(bufs)} given); use add_components")
        return self._add(increase, c_index, bufs)

    def add_components(self, *args: Any) -> CompositeByteBuf:
        """Add buffers in order (ownership passes to the composite): ``(buf, ...)``, ``(iterable)``, with an
        optional leading ``increase_writer_index`` (bool) and/or ``c_index`` (int), as Netty's ``addComponents``."""
        increase, c_index, bufs = self._component_args(args, "add_components")
        return self._add(increase, c_index, bufs)

    def _component_args(self, args: tuple, method: str) -> tuple:
        rest = list(args)
        increase = False
        if rest and isinstance(rest[0], bool):
            increase = rest.pop(0)
        c_index = None
        if rest and not isinstance(rest[0], (ByteBuf, bool)) and hasattr(type(rest[0]), "__index__"):
            c_index = int_arg(rest.pop(0), "c_index")
        if len(rest) == 1 and not isinstance(rest[0], ByteBuf) and isinstance(rest[0], Iterable):
            rest = list(rest[0])
        bad = [b for b in rest if not isinstance(b, ByteBuf)]
        if bad:
            _release_all(rest)
            raise TypeError(f"{method}: buffer must be a ByteBuf, not {type(bad[0]).__name__}")
        return increase, c_index, rest

    def _add(self, increase: bool, c_index: Optional[int], bufs: List[ByteBuf]) -> CompositeByteBuf:
        taken = 0
        try:
            self._ensure_accessible()
            index = len(self._components) if c_index is None else c_index
            if not 0 <= index <= len(self._components):
                raise IndexError(f"cIndex: {index} (expected: >= 0 && <= numComponents({len(self._components)}))")
            for buf in bufs:
                if buf.ref_cnt() == 0:
                    raise IllegalReferenceCountException(0)
                length = buf.readable_bytes()
                self._components.insert(index + taken, _Component(buf, buf.reader_index, length))
                taken += 1
                self._cap += length
                if increase:
                    self._widx += length
        finally:
            _release_all(bufs[taken:])
            self._update_offsets()
        self._consolidate_if_needed()
        return self

    def component(self, c_index: int) -> ByteBuf:
        """A duplicate of component ``c_index`` with its indexes on the component's bytes; not retained."""
        c = self._components[self._check_component_index(c_index)]
        return c.buf.duplicate().set_index(c.start, c.start + c.length)

    def component_at_offset(self, offset: int) -> ByteBuf:
        """``component()`` of the component holding byte ``offset``."""
        offset = self._check_index(offset, 1)[0]
        return self.component(self._component_index(offset))

    def remove_component(self, c_index: int) -> CompositeByteBuf:
        """Remove component ``c_index`` and release it (the indexes stay, clamped to the new capacity)."""
        return self.remove_components(c_index, 1)

    def remove_components(self, c_index: int, num_components: int) -> CompositeByteBuf:
        """Remove and release ``num_components`` components from ``c_index``."""
        c_index = self._check_component_index(c_index, num_components)
        removed = self._components[c_index:c_index + num_components]
        del self._components[c_index:c_index + num_components]
        self._cap -= sum(c.length for c in removed)
        self._update_offsets()
        self._clamp_indexes()
        _release_components(removed)
        return self

    def consolidate(self, c_index: int = 0, num_components: Optional[int] = None) -> CompositeByteBuf:
        """Copy ``num_components`` components from ``c_index`` (all by default) into one new buffer, releasing them."""
        self._ensure_accessible()
        if num_components is None:
            num_components = len(self._components) - int_arg(c_index, "c_index")
        c_index = self._check_component_index(c_index, num_components)
        if num_components <= 1:
            return self
        group = self._components[c_index:c_index + num_components]
        length = sum(c.length for c in group)
        merged = self._alloc.buffer(length)
        try:
            merged.write_bytes(self._read(group[0].offset, length))
        except BaseException:
            merged.release()
            raise
        self._components[c_index:c_index + num_components] = [_Component(merged, 0, length)]
        self._update_offsets()
        _release_components(group)
        return self

    def discard_read_components(self) -> CompositeByteBuf:
        """Release the components that were read completely; the indexes move back by their bytes."""
        self._ensure_accessible()
        r = self._ridx
        read = 0
        while read < len(self._components) and self._components[read].offset + self._components[read].length <= r:
            read += 1
        if r == 0 or read == 0:
            return self
        gone = self._components[:read]
        del self._components[:read]
        self._shift(sum(c.length for c in gone))
        _release_components(gone)
        return self

    def discard_read_bytes(self) -> CompositeByteBuf:
        """Release the components that were read completely and trim the partly read one (no copy)."""
        self.discard_read_components()
        r = self._ridx
        if r and self._components:
            first = self._components[0]
            first.start += r
            first.length -= r
            self._shift(r)
        return self

    def __iter__(self):
        """The components, as ``component(i)`` gives them."""
        return (self.component(i) for i in range(len(self._components)))

    # ------------------------------------------------------------------ bookkeeping

    def _check_component_index(self, c_index: Any, count: int = 1) -> int:
        self._ensure_accessible()
        c_index, count = int_arg(c_index, "c_index"), int_arg(count, "num_components")
        n = len(self._components)
        if not (0 <= c_index and 0 <= count and c_index + count <= n):
            raise IndexError(f"cIndex: {c_index}, numComponents: {count} (expected: cIndex >= 0 && "
                             f"cIndex + numComponents <= totalNumComponents({n}))")
        return c_index

    def _update_offsets(self) -> None:
        offset = 0
        offsets = []
        for c in self._components:
            c.offset = offset
            offsets.append(offset)
            offset += c.length
        self._offsets = offsets
        self._cap = offset

    def _shift(self, n: int) -> None:
        """The first ``n`` bytes are gone: move indexes and marks back by ``n``."""
        self._update_offsets()
        self._ridx -= n
        self._widx -= n
        self._mark_r = max(self._mark_r - n, 0)
        self._mark_w = max(self._mark_w - n, 0)

    def _clamp_indexes(self) -> None:
        self._widx = min(self._widx, self._cap)
        self._ridx = min(self._ridx, self._widx)

    def _consolidate_if_needed(self) -> None:
        if len(self._components) > self._max_components:
            self.consolidate()

    def _component_index(self, index: int) -> int:
        """The component holding byte ``index`` (skipping empty components)."""
        return bisect.bisect_right(self._offsets, index) - 1

    # ------------------------------------------------------------------ memory primitives

    def _read(self, index: int, length: int) -> bytes:
        if length == 0:
            return b""
        parts = []
        i = self._component_index(index)
        while length > 0:
            c = self._components[i]
            at = index - c.offset
            n = min(length, c.length - at)
            parts.append(c.buf.get_bytes(c.start + at, n))
            index, length, i = index + n, length - n, i + 1
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def _write(self, index: int, data: Any) -> None:
        view = memoryview(data).cast("B")
        done, length = 0, view.nbytes
        i = self._component_index(index) if length else 0
        while done < length:
            c = self._components[i]
            at = index + done - c.offset
            n = min(length - done, c.length - at)
            c.buf.set_bytes(c.start + at, view[done:done + n])
            done, i = done + n, i + 1

    def _get_typed(self, name: str, size: int, index: int) -> Any:
        c = self._components[self._component_index(index)]
        at = index - c.offset
        if at + size <= c.length:
            return getattr(c.buf, "get_" + name)(c.start + at)
        return getattr(ScratchByteBuf(self._read(index, size)), "get_" + name)(0)

    def _set_typed(self, name: str, size: int, index: int, value: Any) -> None:
        c = self._components[self._component_index(index)]
        at = index - c.offset
        if at + size <= c.length:
            getattr(c.buf, "set_" + name)(c.start + at, value)
        else:
            super()._set_typed(name, size, index, value)

    def _set_capacity(self, new_capacity: int) -> None:
        old = self._cap
        if new_capacity > old:
            extra = self._alloc.buffer(new_capacity - old)
            extra.writer_index = new_capacity - old
            self._add(False, None, [extra])
        elif new_capacity < old:
            self._truncate(new_capacity)
        self._rebind_derived()

    def _truncate(self, new_capacity: int) -> None:
        keep = self._component_index(new_capacity - 1) + 1 if new_capacity else 0
        gone = self._components[keep:]
        del self._components[keep:]
        if self._components:
            last = self._components[-1]
            last.length = new_capacity - last.offset
        self._update_offsets()
        self._clamp_indexes()
        _release_components(gone)

    def _deallocate(self) -> None:
        gone, self._components, self._offsets = self._components, [], []
        _release_components(gone)

    # ------------------------------------------------------------------ the rest of ByteBuf

    def is_direct(self) -> bool:
        """True when every component is direct (and there is at least one)."""
        return bool(self._components) and all(c.buf.is_direct() for c in self._components)

    def duplicate(self) -> ByteBuf:
        """A view of the whole composite with its own indexes, sharing its memory and count."""
        self._ensure_accessible()
        return CompositeView(self, 0, None)

    def slice(self, index: Optional[int] = None, length: Optional[int] = None) -> ByteBuf:
        """A fixed-size view of ``[index, index+length)`` (the readable bytes by default), sharing the count."""
        index, length = self._index_and_length(index, length, "slice")
        return CompositeView(self, index, length)

    def __repr__(self) -> str:
        if self.ref_cnt() == 0:
            return "CompositeByteBuf(freed)"
        return (f"CompositeByteBuf(ridx: {self._ridx}, widx: {self._widx}, cap: {self._cap}, "
                f"components={len(self._components)})")

    __str__ = __repr__


class CompositeView(ScatteredByteBuf):
    """A slice (fixed length) or duplicate (``length`` None) of a composite: its count is the composite's."""

    __slots__ = ("_parent", "_rel", "_len")

    def __init__(self, parent: CompositeByteBuf, index: int, length: Optional[int]) -> None:
        super().__init__(parent._alloc, None, 0, parent._max_cap if length is None else length)
        self._parent, self._rel, self._len = parent, index, length
        self._refs = None
        self._rebind()
        if length is None:
            self._ridx, self._widx = parent._ridx, parent._widx
        else:
            self._widx = length
        parent._register_derived(self)

    def _rebind(self) -> None:
        parent = self._parent
        self._cap = parent._cap if self._len is None else min(self._len, max(parent._cap - self._rel, 0))
        self._widx = min(self._widx, self._cap)
        self._ridx = min(self._ridx, self._widx)

    def _read(self, index: int, length: int) -> bytes:
        return self._parent._read(self._rel + index, length)

    def _write(self, index: int, data: Any) -> None:
        self._parent._write(self._rel + index, data)

    def _get_typed(self, name: str, size: int, index: int) -> Any:
        return self._parent._get_typed(name, size, self._rel + index)

    def _set_typed(self, name: str, size: int, index: int, value: Any) -> None:
        self._parent._set_typed(name, size, self._rel + index, value)

    def _set_capacity(self, new_capacity: int) -> None:
        if self._len is not None:
            raise ValueError("CompositeView: a slice cannot change its capacity")
        self._parent._set_capacity(new_capacity)

    def is_direct(self) -> bool:
        return self._parent.is_direct()

    def unwrap(self) -> ByteBuf:
        return self._parent

    def duplicate(self) -> ByteBuf:
        self._ensure_accessible()
        return CompositeView(self._parent, self._rel, self._len)

    def slice(self, index: Optional[int] = None, length: Optional[int] = None) -> ByteBuf:
        index, length = self._index_and_length(index, length, "slice")
        return CompositeView(self._parent, self._rel + index, length)

    def ref_cnt(self) -> int:
        return self._parent.ref_cnt()

    def retain(self, n: int = 1) -> ByteBuf:
        self._parent.retain(n)
        return self

    def release(self, n: int = 1) -> bool:
        return self._parent.release(n)

    def touch(self, hint: Any = None) -> ByteBuf:
        self._parent.touch(hint)
        return self


def _release_all(bufs: Iterable[Any]) -> None:
    """Release buffers the composite was given but did not take (a released one is left alone)."""
    for buf in bufs:
        if isinstance(buf, ByteBuf) and buf.ref_cnt() > 0:
            ReferenceCountUtil.safe_release(buf)


def _release_components(components: List[_Component]) -> None:
    """Release each component once; an over-release (someone else released it) is raised after the rest."""
    errors = []
    for c in components:
        try:
            c.buf.release()
        except IllegalReferenceCountException as exc:
            errors.append(exc)
    if errors:
        raise errors[0]


def composite_buffer(alloc: Any, max_components: int = DEFAULT_MAX_COMPONENTS) -> CompositeByteBuf:
    """A new, empty, tracked composite whose growth comes from ``alloc``."""
    return tracking.track(CompositeByteBuf(alloc, max_components))


def wrapped_composite(alloc: Any, bufs: tuple, max_components: int = DEFAULT_MAX_COMPONENTS) -> Optional[ByteBuf]:
    """Netty's ``Unpooled.wrappedBuffer(ByteBuf...)``: the readable buffers as one composite (writer index at
    the end), the unreadable ones released; None when none is readable. A released buffer is refused."""
    bad = [b for b in bufs if not isinstance(b, ByteBuf)]
    if bad:
        _release_all(bufs)
        raise TypeError(f"wrapped_buffer: every buffer must be a ByteBuf, not {type(bad[0]).__name__}")
    # A released buffer stays in the list: add_components refuses it (and releases the rest).
    kept = [b for b in bufs if b.ref_cnt() == 0 or b.is_readable()]
    _release_all(b for b in bufs if all(b is not k for k in kept))
    if not kept:
        return None
    composite = composite_buffer(alloc, max_components)
    try:
        return composite.add_components(True, kept)
    except BaseException:
        composite.release()
        raise
