"""Netty's ``PoolSubpage``: a run of pages cut into equal elements of one small size class."""
from __future__ import annotations

from typing import Any, List


class PoolSubpage:
    """Elements of ``elem_size`` bytes in the run at page ``run_offset`` of ``chunk``.

    Free elements are a stack of indexes (Netty keeps a bitmap and ``nextAvail``; a freed element
    is the next one handed out in both). Only the arena, under its lock, touches a subpage.
    """

    __slots__ = ("chunk", "run_handle", "run_offset", "run_size", "elem_size", "size_idx", "max_num_elems", "_free",
                 "in_pool")

    def __init__(self, chunk: Any, run_handle: int, run_offset: int, run_size: int, elem_size: int,
                 size_idx: int) -> None:
        self.chunk = chunk
        self.run_handle = run_handle
        self.run_offset = run_offset
        self.run_size = run_size
        self.elem_size = elem_size
        self.size_idx = size_idx
        self.max_num_elems = run_size // elem_size
        # Popped from the end: element 0 first, as Netty's bitmap scan gives.
        self._free: List[int] = list(range(self.max_num_elems - 1, -1, -1))
        self.in_pool = False

    @property
    def num_avail(self) -> int:
        """Elements not handed out."""
        return len(self._free)

    def allocate(self) -> int:
        """Take a free element; return its index (the caller checks ``num_avail`` first)."""
        return self._free.pop()

    def free(self, bitmap_idx: int) -> None:
        """Give element ``bitmap_idx`` back."""
        self._free.append(bitmap_idx)

    def __repr__(self) -> str:
        return (
            f"PoolSubpage(offset: {self.run_offset}, elemSize: {self.elem_size}, "
            f"{self.max_num_elems - len(self._free)}/{self.max_num_elems})"
        )
