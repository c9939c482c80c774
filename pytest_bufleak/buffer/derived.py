"""Derived buffers: views that share a root buffer's memory and reference count.

As in Netty, a slice or duplicate has its own indexes but no count of its own: retaining or
releasing it acts on the root. The root keeps (weak) track of its views so that moving its memory
(growth) rebinds them and freeing it poisons them: a view of a freed buffer raises on every access.
"""
from __future__ import annotations

from typing import Any, Optional

from .bytebuf import ByteBuf


class _DerivedByteBuf(ByteBuf):
    __slots__ = ("_parent", "_root", "_rel", "_len")

    def __init__(self, parent: ByteBuf, index: int, length: Optional[int]) -> None:
        root = parent._root if isinstance(parent, _DerivedByteBuf) else parent
        self._parent = parent
        self._root = root
        self._rel = index + (parent._rel if isinstance(parent, _DerivedByteBuf) else 0)
        self._len = length
        self._alloc = root._alloc
        self._max_cap = root._max_cap if length is None else length
        self._ridx = self._widx = self._mark_r = self._mark_w = self._big = 0
        self._refs = None
        self._freed = False
        self._leak = self._derived = None
        self._rebind()
        root._register_derived(self)
        if root._freed:
            # The root was freed by another thread after this view's accessibility check: registered
            # too late for the root to poison it, the view poisons itself before anyone can use it.
            self._poison()

    def _rebind(self) -> None:
        """Follow the root's current memory (called after the root's memory moved)."""
        root = self._root
        if self._len is None:
            self._mem, self._cap = root._mem, root._cap
        else:
            self._cap = min(self._len, max(root._cap - self._rel, 0))
            self._mem = root._mem[self._rel:self._rel + self._cap]
        if self._widx > self._cap:
            self._widx = self._cap
            self._ridx = min(self._ridx, self._cap)

    def _set_capacity(self, new_capacity: int) -> None:
        if self._len is not None:
            raise ValueError(f"{type(self).__name__}: a slice cannot change its capacity")
        self._root._set_capacity(new_capacity)

    def is_direct(self) -> bool:
        return self._root.is_direct()

    def unwrap(self) -> ByteBuf:
        """The buffer this view was made from, past intermediate slices and duplicates as in Netty."""
        return self._parent

    def ref_cnt(self) -> int:
        return self._root.ref_cnt()

    def retain(self, n: int = 1) -> ByteBuf:
        self._root.retain(n)
        return self

    def release(self, n: int = 1) -> bool:
        return self._root.release(n)

    def touch(self, hint: Any = None) -> ByteBuf:
        self._root.touch(hint)
        return self


class UnpooledSlicedByteBuf(_DerivedByteBuf):
    """A fixed-size window ``[index, index+length)`` of another buffer (Netty's name, kept for reports)."""

    __slots__ = ()

    def __init__(self, parent: ByteBuf, index: int, length: int) -> None:
        super().__init__(parent, index, length)
        self._widx = length
        if isinstance(parent, (UnpooledSlicedByteBuf, UnpooledDuplicatedByteBuf)):
            self._parent = parent._parent  # as Netty: a slice of a slice or duplicate unwraps to what they view


class UnpooledDuplicatedByteBuf(_DerivedByteBuf):
    """The whole of another buffer with independent indexes (Netty's name, kept for reports)."""

    __slots__ = ()

    def __init__(self, parent: ByteBuf) -> None:
        fixed = parent._len if isinstance(parent, _DerivedByteBuf) else None
        super().__init__(parent, 0, fixed)
        self._ridx, self._widx = parent._ridx, parent._widx
        self._mark_r, self._mark_w = parent._mark_r, parent._mark_w
        if isinstance(parent, UnpooledDuplicatedByteBuf):
            self._parent = parent._parent  # as Netty: a duplicate of a duplicate unwraps to what it views
