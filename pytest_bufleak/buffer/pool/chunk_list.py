"""Netty's ``PoolChunkList``: chunks of one arena filed by usage (qInit, q000, q025, q050, q075, q100).

A chunk moves to the next list when an allocation leaves its free bytes at or below
``free_min_threshold`` and to the previous one when a free takes them above ``free_max_threshold``;
a chunk that empties in ``q000`` (which has no previous list) is destroyed, while ``qInit`` keeps its
chunks, so an arena does not map and unmap a chunk on every burst.
"""
from __future__ import annotations

from typing import Any, Dict, Iterator, Optional


def _threshold(usage: int, chunk_size: int) -> int:
    return int(chunk_size * (100.0 - usage + 0.99999999) / 100)


class PoolChunkList:
    """Chunks whose usage is between ``min_usage`` and ``max_usage`` percent."""

    __slots__ = ("name", "min_usage", "max_usage", "max_capacity", "free_min_threshold", "free_max_threshold",
                 "next_list", "prev_list", "_chunks")

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
        self._chunks: Dict[Any, None] = {}  # an ordered set: the newest chunk is tried last

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._chunks))

    def __len__(self) -> int:
        return len(self._chunks)

    def allocate_run(self, run_size: int) -> tuple:
        """Allocate ``run_size`` bytes from the first chunk that has them: ``(chunk, handle)`` or ``(None, -1)``."""
        if run_size > self.max_capacity:
            return None, -1
        for chunk in self._chunks:
            handle = chunk.allocate_run(run_size)
            if handle >= 0:
                self.after_allocation(chunk)
                return chunk, handle
        return None, -1

    def after_allocation(self, chunk: Any) -> None:
        """Move ``chunk`` up the lists if the allocation filled it past this list's range."""
        if chunk.free_bytes <= self.free_min_threshold:
            del self._chunks[chunk]
            self.next_list.add(chunk)

    def after_free(self, chunk: Any) -> bool:
        """Move ``chunk`` down the lists after a free; False when it emptied and must be destroyed."""
        if chunk.free_bytes > self.free_max_threshold:
            del self._chunks[chunk]
            return self._move_down(chunk)
        return True

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
        self._chunks[chunk] = None

    def __repr__(self) -> str:
        return f"PoolChunkList({self.name}: {', '.join(map(repr, self._chunks)) or 'none'})"
