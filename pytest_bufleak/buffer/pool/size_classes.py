"""Netty's ``SizeClasses``: the table of sizes a pool hands out, and the lookups into it.

Sizes grow in groups of four per doubling from a 16-byte quantum: 16, 32, 48, 64, 80, 96, 112, 128,
160, 192, 224, 256, 320 ... up to the chunk size. Sizes below ``page_size << 2`` (``LOG2_SIZE_CLASS_GROUP``)
whose group is small are *subpage* (small) sizes; the rest are *normal* sizes served as runs of pages;
anything above the chunk size is *huge*, allocated outside the pool. Everything here is computed
once into plain lists so that the hot path is one list index.
"""
from __future__ import annotations

from bisect import bisect_left
from typing import List, NamedTuple

LOG2_QUANTUM = 4
LOG2_SIZE_CLASS_GROUP = 2
LOG2_MAX_LOOKUP_SIZE = 12
#: Sizes up to this are looked up at 16-byte granularity; above it the spacing is at least 1 KiB.
LOOKUP_MAX_SIZE = 1 << LOG2_MAX_LOOKUP_SIZE
_LARGE_SHIFT = LOG2_MAX_LOOKUP_SIZE - LOG2_SIZE_CLASS_GROUP
LARGE_TABLE_MAX_SIZE = 16 << 20


class SizeClass(NamedTuple):
    """One row of Netty's table: ``size = (1 << log2_group) + n_delta * (1 << log2_delta)``."""

    index: int
    log2_group: int
    log2_delta: int
    n_delta: int
    is_multi_page: bool
    is_subpage: bool
    log2_delta_lookup: int  # -1 when the size is not in the 16-byte lookup table

    @property
    def size(self) -> int:
        """The size in bytes."""
        return (1 << self.log2_group) + (self.n_delta << self.log2_delta)


def _size_class(index: int, log2_group: int, log2_delta: int, n_delta: int, page_shifts: int) -> SizeClass:
    size = (1 << log2_group) + (n_delta << log2_delta)
    multi_page = log2_delta >= page_shifts or size % (1 << page_shifts) == 0
    log2_ndelta = 0 if n_delta == 0 else n_delta.bit_length() - 1
    remove = (1 << log2_ndelta) < n_delta
    log2_size = log2_group + 1 if log2_delta + log2_ndelta == log2_group else log2_group
    if log2_size == log2_group:
        remove = True
    subpage = log2_size < page_shifts + LOG2_SIZE_CLASS_GROUP
    in_lookup = log2_size < LOG2_MAX_LOOKUP_SIZE or (log2_size == LOG2_MAX_LOOKUP_SIZE and not remove)
    return SizeClass(index, log2_group, log2_delta, n_delta, multi_page, subpage, log2_delta if in_lookup else -1)


class SizeClasses:
    """The size-class table for one ``page_size``/``chunk_size``, with Netty's lookups.

    ``size_idx2size[i]`` is the size of class ``i``; ``size_index(n)`` the class that holds ``n`` bytes
    (``n_sizes`` for a huge size); ``page_idx2size`` the classes that are whole pages, used to file
    free runs by length.
    """

    def __init__(self, page_size: int, page_shifts: int, chunk_size: int) -> None:
        self.page_size = page_size
        self.page_shifts = page_shifts
        self.chunk_size = chunk_size
        table: List[SizeClass] = []
        log2_group = log2_delta = LOG2_QUANTUM
        size = 0
        for n_delta in range(1 << LOG2_SIZE_CLASS_GROUP):
            table.append(_size_class(len(table), log2_group, log2_delta, n_delta, page_shifts))
            size = table[-1].size
        log2_group += LOG2_SIZE_CLASS_GROUP
        while size < chunk_size:
            n_delta = 1
            while n_delta <= 1 << LOG2_SIZE_CLASS_GROUP and size < chunk_size:
                table.append(_size_class(len(table), log2_group, log2_delta, n_delta, page_shifts))
                size = table[-1].size
                n_delta += 1
            log2_group += 1
            log2_delta += 1
        if size != chunk_size:
            raise ValueError(f"chunkSize: {chunk_size} (expected: a size class boundary)")
        #: The full table, one :class:`SizeClass` per index.
        self.table = tuple(table)
        self.n_sizes = len(table)
        self.size_idx2size = sizes = [sc.size for sc in table]
        self.page_idx2size = [sc.size for sc in table if sc.is_multi_page]
        self.n_psizes = len(self.page_idx2size)
        self.n_subpages = sum(1 for sc in table if sc.is_subpage)
        self.small_max_size_idx = max(sc.index for sc in table if sc.is_subpage)
        self.lookup_max_size = max(sc.size for sc in table if sc.log2_delta_lookup >= 0)
        # size -> index in two flat tables: 16-byte steps up to 4 KiB, 1 KiB steps above (every
        # class boundary above 4 KiB is a multiple of 1 KiB, so the coarse table is exact) up to
        # _large_max; beyond that (chunks over 16 MiB) a binary search.
        self._small = [bisect_left(sizes, n * 16) for n in range(self.lookup_max_size // 16 + 1)]
        self._large_max = min(chunk_size, LARGE_TABLE_MAX_SIZE)
        self._large = [bisect_left(sizes, (k + 1) << _LARGE_SHIFT) for k in range(self._large_max >> _LARGE_SHIFT)]
        pages = self.page_idx2size
        #: Page count -> the smallest page-size class holding that many pages.
        self.pages_ceil_table = [bisect_left(pages, p << page_shifts) for p in range((chunk_size >> page_shifts) + 1)]
        #: Page count -> the largest page-size class it holds (where a free run of that length is filed).
        self.pages_floor_table = [0] + [
            i if pages[i] <= p << page_shifts else i - 1
            for p, i in enumerate(self.pages_ceil_table[1:], 1)
        ]

    def size_index(self, size: int) -> int:
        """Netty's ``size2SizeIdx``: the smallest class holding ``size`` bytes; ``n_sizes`` when huge."""
        if size <= LOOKUP_MAX_SIZE:
            return self._small[(size + 15) >> 4]
        if size <= self._large_max:
            return self._large[(size - 1) >> _LARGE_SHIFT]
        if size > self.chunk_size:
            return self.n_sizes
        return bisect_left(self.size_idx2size, size)

    def normalize_size(self, size: int) -> int:
        """Netty's ``normalizeSize``: the size of the class that holds ``size`` (huge sizes unchanged)."""
        idx = self.size_index(size)
        return size if idx == self.n_sizes else self.size_idx2size[idx]

    def pages2page_idx(self, pages: int) -> int:
        """The smallest page-size class of at least ``pages`` pages."""
        return self.pages_ceil_table[pages]

    def pages2page_idx_floor(self, pages: int) -> int:
        """The largest page-size class of at most ``pages`` pages (where a free run of that length is filed)."""
        return self.pages_floor_table[pages]

    def is_subpage(self, size_idx: int) -> bool:
        """True for small sizes, served from subpages."""
        return size_idx <= self.small_max_size_idx
