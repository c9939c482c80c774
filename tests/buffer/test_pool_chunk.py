"""Chunk, run and subpage bookkeeping: allocate, free, coalesce, reuse."""
from __future__ import annotations

import pytest

from pytest_bufleak.buffer.pool.arena import CHUNK, HANDLE, LENGTH, VIEW, PoolArena
from pytest_bufleak.buffer.pool.chunk import PoolChunk, run_offset, run_pages
from pytest_bufleak.buffer.pool.size_classes import SizeClasses

PAGE = 8192


@pytest.fixture
def sc() -> SizeClasses:
    return SizeClasses(PAGE, 13, PAGE << 9)


@pytest.fixture
def chunk(sc) -> PoolChunk:
    mem = bytearray(sc.chunk_size)
    return PoolChunk(None, mem, memoryview(mem), sc)


def test_a_new_chunk_is_one_free_run(chunk):
    assert chunk.free_runs() == [(0, 512)]
    assert chunk.usage() == 0


def test_runs_are_cut_from_the_lowest_offset(chunk):
    a = chunk.allocate_run(3 * PAGE)
    b = chunk.allocate_run(PAGE)
    assert (run_offset(a), run_pages(a)) == (0, 3)
    assert (run_offset(b), run_pages(b)) == (3, 1)
    assert chunk.free_runs() == [(4, 508)]
    assert chunk.free_bytes == chunk.chunk_size - 4 * PAGE


def test_free_coalesces_with_both_neighbours(chunk):
    runs = [chunk.allocate_run(2 * PAGE) for _ in range(4)]  # pages 0-1, 2-3, 4-5, 6-7
    chunk.free_run(runs[0])
    chunk.free_run(runs[2])
    assert chunk.free_runs() == [(0, 2), (4, 2), (8, 504)]
    chunk.free_run(runs[1])  # joins 0-1 and 4-5
    assert chunk.free_runs() == [(0, 6), (8, 504)]
    chunk.free_run(runs[3])
    assert chunk.free_runs() == [(0, 512)]
    assert chunk.usage() == 0


def test_freed_run_is_reused_first_fit(chunk):
    a = chunk.allocate_run(PAGE)
    chunk.allocate_run(PAGE)
    chunk.free_run(a)
    again = chunk.allocate_run(PAGE)
    assert run_offset(again) == 0


def test_a_full_chunk_refuses(chunk):
    whole = chunk.allocate_run(chunk.chunk_size)
    assert chunk.usage() == 100
    assert chunk.allocate_run(PAGE) == -1
    chunk.free_run(whole)
    assert chunk.allocate_run(PAGE) >= 0


def test_usage_rounds_like_netty(chunk):
    chunk.allocate_run(chunk.chunk_size - PAGE)
    assert chunk.usage() == 99  # one free page of 512 is 0.19 %: Netty still says 99


def test_best_fit_takes_the_smallest_class_that_fits(chunk):
    runs = [chunk.allocate_run(PAGE) for _ in range(6)]
    chunk.free_run(runs[1])  # a 1-page hole at 1
    chunk.free_run(runs[3])
    chunk.free_run(runs[4])  # a 2-page hole at 3-4
    h = chunk.allocate_run(2 * PAGE)
    assert (run_offset(h), run_pages(h)) == (3, 2)


# --------------------------------------------------------------------------- arenas and subpages

@pytest.fixture
def arena(sc) -> PoolArena:
    return PoolArena("heap-test", sc, direct=False)


def test_small_elements_share_a_subpage_and_are_adjacent(arena, sc):
    idx = sc.size_index(256)
    regions = [arena.allocate(idx, 256) for _ in range(3)]
    chunk = regions[0][CHUNK]
    assert all(r[CHUNK] is chunk for r in regions)
    assert [r[LENGTH] for r in regions] == [256] * 3
    assert [r[HANDLE] & 0x7FFF for r in regions] == [0, 1, 2]  # element indexes
    regions[0][VIEW][:] = b"a" * 256
    regions[1][VIEW][:] = b"b" * 256
    assert bytes(chunk.view[0:512]) == b"a" * 256 + b"b" * 256
    assert len(chunk.subpages) == 1 and next(iter(chunk.subpages.values())).num_avail == 32 - 3


def test_a_freed_element_is_handed_out_next(arena, sc):
    idx = sc.size_index(64)
    a, b = arena.allocate(idx, 64), arena.allocate(idx, 64)
    arena.free(a)
    again = arena.allocate(idx, 64)
    assert again[HANDLE] == a[HANDLE]
    arena.free(b)
    arena.free(again)


def test_an_empty_subpage_returns_its_run_unless_it_is_the_last(arena, sc):
    idx = sc.size_index(8192)  # one element per subpage
    first, second = arena.allocate(idx, 8192), arena.allocate(idx, 8192)
    chunk = first[CHUNK]
    assert chunk.free_bytes == chunk.chunk_size - 2 * PAGE
    arena.free(first)  # both were full: now the only subpage with room, so it stays (as in Netty)
    assert chunk.free_bytes == chunk.chunk_size - 2 * PAGE
    arena.free(second)  # the pool has another subpage of this size: this run goes back to the chunk
    assert chunk.free_bytes == chunk.chunk_size - PAGE
    assert arena.allocate(idx, 8192)[HANDLE] == first[HANDLE]  # the kept subpage serves the next one
    assert arena.allocations_small == 3 and arena.deallocations_small == 2


def test_normal_sizes_are_runs_and_chunks_move_between_usage_lists(arena, sc):
    idx = sc.size_index(1 << 20)
    regions = [arena.allocate(idx, 1 << 20) for _ in range(4)]
    chunk = regions[0][CHUNK]
    assert chunk.usage() == 100 and chunk.parent is arena.q100
    arena.free(regions.pop())
    assert chunk.parent is arena.q075
    while regions:
        arena.free(regions.pop())
    # emptied out of q000: kept no more (max_empty_chunks=0 here) and unmapped
    assert chunk.parent is None and arena.chunks() == []
    assert (arena.chunks_created, arena.chunks_destroyed) == (1, 1)


def test_empty_chunks_are_kept_for_reuse_up_to_the_limit(sc):
    arena = PoolArena("heap-test", sc, direct=True, max_empty_chunks=1)
    idx = sc.size_index(4 << 20)
    a, b = arena.allocate(idx, 4 << 20), arena.allocate(idx, 4 << 20)
    arena.free(a)
    arena.free(b)
    assert len(arena.empty_chunks) == 1 and arena.chunks_destroyed == 1
    c = arena.allocate(idx, 4 << 20)
    assert arena.chunks_created == 2  # the kept chunk was reused
    arena.free(c)
    assert arena.release_empty_chunks() == 1 and arena.chunks() == []


def test_huge_regions_are_exact_and_unpooled(arena, sc):
    size = (4 << 20) + 1
    region = arena.allocate(sc.size_index(size), size)
    assert region[LENGTH] == size and len(region[VIEW]) == size
    assert arena.active_bytes_huge == size and arena.chunks() == []
    arena.free(region)
    assert arena.active_bytes_huge == 0 and arena.deallocations_huge == 1
