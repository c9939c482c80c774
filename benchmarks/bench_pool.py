"""Pooled allocator vs plain ``bytearray``, side by side in one process; prints times and ratios.

Run: ``python benchmarks/bench_pool.py`` (a few seconds). Ratio = bufleak time / baseline time,
so below 1 means the pool is faster. Each case takes the best of several short repeats. When
``socket_netty`` is importable, its pooled allocator is compared too (it is not a dependency).
"""
from __future__ import annotations

import struct
import timeit
from typing import Callable, List, Optional, Tuple

from pytest_bufleak import ByteBufAllocator, PooledByteBufAllocator, ResourceLeakDetector
from pytest_bufleak.buffer.bytebuf import ByteBuf

REPEAT = 5
INT = struct.Struct(">i")


def best(fn: Callable[[], None], number: int) -> float:
    """Seconds per call of ``fn``, the best of ``REPEAT`` runs of ``number`` calls."""
    return min(timeit.repeat(fn, number=number, repeat=REPEAT)) / number


def alloc_release(alloc: PooledByteBufAllocator, size: int) -> Tuple[Callable[[], None], Callable[[], None]]:
    heap_buffer = alloc.heap_buffer

    def pooled() -> None:
        heap_buffer(size).release()

    def plain() -> None:
        bytearray(size)

    return pooled, plain


def burst(alloc: PooledByteBufAllocator, size: int, live: int = 64) -> Tuple[Callable[[], None], Callable[[], None]]:
    heap_buffer = alloc.heap_buffer

    def pooled() -> None:
        bufs = [heap_buffer(size) for _ in range(live)]
        for buf in bufs:
            buf.release()

    def plain() -> None:
        bufs = [bytearray(size) for _ in range(live)]
        del bufs

    return pooled, plain


def write_int_case() -> Tuple[Callable[[], None], Callable[[], None]]:
    default = ByteBufAllocator.DEFAULT
    pack_into = INT.pack_into

    def pooled() -> None:
        buf = default.buffer(256)
        buf.write_int(42)
        buf.release()

    def plain() -> None:
        mem = bytearray(256)
        pack_into(mem, 0, 42)

    return pooled, plain


class _FloorByteBuf(ByteBuf):
    """A ByteBuf on fixed memory with nothing to free: what any buffer object costs before a pool."""

    __slots__ = ()

    def _deallocate(self) -> None:
        pass


def floor_case() -> Tuple[Callable[[], None], Callable[[], None]]:
    mem = memoryview(bytearray(256))

    def pooled() -> None:
        _FloorByteBuf(None, mem, 256, 256).release()

    def plain() -> None:
        bytearray(256)

    return pooled, plain


def peer_case() -> Optional[Tuple[Callable[[], None], Callable[[], None]]]:
    """socket-netty's pooled ``buffer()``+``release()`` (the best Python peer), when it is installed."""
    try:
        from socket_netty.buffer.allocator import PooledByteBufAllocator as PeerAllocator
    except ImportError:
        return None
    peer = PeerAllocator()
    ours = PooledByteBufAllocator()

    def pooled() -> None:
        ours.buffer(256).release()

    def baseline() -> None:
        peer.release(peer.buffer(256))

    return pooled, baseline


def main() -> None:
    alloc = PooledByteBufAllocator()
    caching_64k = PooledByteBufAllocator(max_cached_buffer_capacity=64 * 1024)
    cases: List[Tuple[str, Tuple[Callable[[], None], Callable[[], None]], int]] = [
        ("alloc+release 256 B", alloc_release(alloc, 256), 20_000),
        ("alloc+release 8 KiB", alloc_release(alloc, 8192), 20_000),
        ("alloc+release 64 KiB", alloc_release(alloc, 65536), 5_000),
        ("  same, max_cached_buffer_capacity=64K", alloc_release(caching_64k, 65536), 5_000),
        ("alloc+release 1 MiB", alloc_release(alloc, 1 << 20), 500),
        ("burst 64 x 64 KiB", burst(alloc, 65536), 50),
        ("burst 64 x 1 MiB", burst(alloc, 1 << 20), 5),
        ("DEFAULT.buffer(256)+write_int+release", write_int_case(), 20_000),
        ("floor: bare ByteBuf create+release", floor_case(), 20_000),
    ]
    print(f"leak detection: {ResourceLeakDetector.get_level().name}")
    peer = peer_case()
    print(f"{'case':40} {'bufleak':>10} {'bytearray':>10} {'ratio':>7}")
    for name, (pooled, plain), number in cases:
        pooled()  # warm the thread cache and the chunks
        t_pool, t_plain = best(pooled, number), best(plain, number)
        print(f"{name:40} {t_pool * 1e9:8.0f}ns {t_plain * 1e9:8.0f}ns {t_pool / t_plain:6.2f}x")
    if peer is not None:
        pooled, baseline = peer
        t_pool, t_peer = best(pooled, 20_000), best(baseline, 20_000)
        print(f"{'buffer(256)+release vs socket-netty 0.4':40} {t_pool * 1e9:8.0f}ns {t_peer * 1e9:8.0f}ns "
              f"{t_pool / t_peer:6.2f}x  (baseline column: socket-netty)")
    metric = alloc.metric()
    print(f"\nafter the run: {metric.num_allocations} allocations, {metric.num_cache_hits} cache hits, "
          f"{metric.num_active_allocations} active, {metric.num_heap_chunks} heap chunks")


if __name__ == "__main__":
    main()
