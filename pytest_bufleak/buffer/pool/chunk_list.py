"""Netty's ``PoolChunkList``: chunks of one arena filed by usage (qInit, q000, q025, q050, q075, q100).

A chunk moves to the next list when an allocation leaves its free bytes at or below
``free_min_threshold`` and to the previous one when a free takes them above ``free_max_threshold``;
a chunk that empties in ``q000`` (which has no previous list) leaves the lists (the arena keeps a
few such chunks for reuse and unmaps the rest), while ``qInit`` keeps its chunks, so an arena does
not map and unmap a chunk on every small burst.
"""
from __future__ import annotations

from typing import Any, Dict, Iterator, Optional


def _threshold(usage: int, chunk_size: int) -> int:
    return int(chunk_size * (100.0 - usage + 0.99999999) / 100)


class PoolChunkList:
    """Chunks whose usage is between ``min_usage`` and ``max_usage`` percent."""

    __slots__ = ("name", "min_usage", "max_usage", "max_capacity", "free_min_threshold", "free_max_threshold",
                 "next_list", "prev_list", "chunks")

    def __init__(self, name: str, next_list: Optional[PoolChunkList], min_usage: int, max_usage: int,
                 chunk_size: int) -> None:
        self.name = name
        self.min_usage = min_usage
        self.max_usage = max_usage
        floor = max(1, min_usage)
        self.max_capacity = 0 if floor == 100 else chunk_size * (100 - floor) // 100
        self.free_min_threshold = 0 if max_usage == 100 else _threshold(max_usage, chunk_size)
        self.free_max_threshold = 0 if min_usage == 100 else _threshold(min_usage, chunk_size)
        self.next_list = next_list
        self.prev_list: Optional[PoolChunkList] = None
        #: The chunks, as an ordered set (the oldest is tried first).
        self.chunks: Dict[Any, None] = {}

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self.chunks))

    def __len__(self) -> int:
        return len(self.chunks)

    def move_up(self, chunk: Any) -> None:
        """An allocation filled ``chunk`` past this list's range: file it further up."""
        del self.chunks[chunk]
        self.next_list.add(chunk)

    def move_down(self, chunk: Any) -> bool:
        """A free emptied ``chunk`` below this list's range: file it further down; False when it is empty
        and no list takes it (the arena then retires it)."""
        del self.chunks[chunk]
        return self._move_down(chunk)

    def _move_down(self, chunk: Any) -> bool:
        prev = self.prev_list
        if prev is None:
            chunk.parent = None
            return False
        if chunk.free_bytes > prev.free_max_threshold:
            return prev._move_down(chunk)
        prev._add0(chunk)
        return True

    def add(self, chunk: Any) -> None:
        """File a chunk here, or further up if it is fuller than this list allows."""
        if chunk.free_bytes <= self.free_min_threshold and self.next_list is not None:
            self.next_list.add(chunk)
        else:
            self._add0(chunk)

    def _add0(self, chunk: Any) -> None:
        chunk.parent = self
        self.chunks[chunk] = None

    def __repr__(self) -> str:
        return f"PoolChunkList({self.name}: {', '.join(map(repr, self.chunks)) or 'none'})"
