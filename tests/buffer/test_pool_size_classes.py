"""The size-class table against Netty 4.1's SizeClasses (values from its source and javadoc)."""
from __future__ import annotations

import pytest

from pytest_bufleak.buffer.pool.size_classes import SizeClasses


@pytest.fixture(scope="module")
def sc() -> SizeClasses:
    return SizeClasses(8192, 13, 8192 << 9)


def test_counts_for_the_default_4_mib_chunk(sc):
    assert (sc.n_sizes, sc.n_subpages, sc.n_psizes) == (68, 39, 32)
    assert sc.small_max_size_idx == 38 and sc.size_idx2size[38] == 28 * 1024
    assert sc.lookup_max_size == 4096
    assert sc.size_idx2size[-1] == 4 * 1024 * 1024


def test_first_groups_and_spacing(sc):
    assert sc.size_idx2size[:16] == [16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512]
    assert sc.size_idx2size[39:44] == [32768, 40960, 49152, 57344, 65536]
    assert sc.page_idx2size[:6] == [8192, 16384, 24576, 32768, 40960, 49152]


def test_rows_of_nettys_javadoc_table():
    # Netty's javadoc table is for pageShifts 13 and a 16 MiB chunk.
    sc = SizeClasses(8192, 13, 16 << 20)
    assert sc.n_sizes == 76
    row = lambda i: tuple(sc.table[i][:6]) + (sc.table[i].log2_delta_lookup,)  # noqa: E731
    assert row(0) == (0, 4, 4, 0, False, True, 4)
    assert row(3) == (3, 4, 4, 3, False, True, 4)
    assert row(4) == (4, 6, 4, 1, False, True, 4)
    assert row(8) == (8, 7, 5, 1, False, True, 5)
    assert row(11) == (11, 7, 5, 4, False, True, 5)
    assert row(72) == (72, 23, 21, 1, True, False, -1)
    assert row(75) == (75, 23, 21, 4, True, False, -1)


def test_size_index_is_the_smallest_class_that_fits(sc):
    sizes = sc.size_idx2size
    for n in list(range(0, 9000)) + [28672, 28673, 32768, 65535, 65536, 65537, 1 << 20, (1 << 20) + 1, 4 << 20]:
        idx = sc.size_index(n)
        assert sizes[idx] >= n
        assert idx == 0 or sizes[idx - 1] < n
    assert sc.size_index((4 << 20) + 1) == sc.n_sizes


def test_normalize_size(sc):
    assert [sc.normalize_size(n) for n in (0, 1, 17, 257, 4097, 30000, 70000)] == [16, 16, 32, 320, 5120, 32768, 81920]
    assert sc.normalize_size((4 << 20) + 3) == (4 << 20) + 3  # huge: exact


def test_page_classes_ceil_and_floor(sc):
    assert sc.pages2page_idx(1) == 0 and sc.pages2page_idx(5) == 4  # 5 pages -> the 40 KiB class
    assert sc.pages2page_idx(9) == 8 and sc.page_idx2size[8] == 80 * 1024  # 72 KiB -> 80 KiB (10 pages)
    assert sc.pages2page_idx_floor(9) == 7 and sc.page_idx2size[7] == 64 * 1024
    assert sc.pages2page_idx_floor(512) == sc.n_psizes - 1


def test_other_page_sizes_keep_the_rules():
    sc = SizeClasses(4096, 12, 4096 << 11)  # 8 MiB chunk of 4 KiB pages
    assert sc.size_idx2size[sc.small_max_size_idx] == 14 * 1024
    assert sc.size_idx2size[-1] == 8 << 20


def test_big_chunks_look_up_above_the_table():
    sc = SizeClasses(8192, 13, 8192 << 14)  # 128 MiB chunk: sizes above 16 MiB are searched
    sizes = sc.size_idx2size
    for n in (16 << 20, (16 << 20) + 1, 20 << 20, (100 << 20) + 5, 128 << 20):
        idx = sc.size_index(n)
        assert sizes[idx] >= n > sizes[idx - 1]
    assert sc.size_index((128 << 20) + 1) == sc.n_sizes
