"""Pooled allocator vs plain ``bytearray``, side by side in one process; prints times and ratios.

Run: ``python benchmarks/bench_pool.py`` (a few seconds). Ratio = bufleak time / baseline time,
so below 1 means the pool is faster. Each case takes the best of several short repeats. When the
compiled core is built, every case runs on it and on the pure-Python sources (``_variants.py``), and
the last column is pure / compiled. When ``socket_netty`` is importable, its pooled allocator is
compared too (it is not a dependency).
"""
from __future__ import annotations

import struct
import timeit
from typing import Any, Callable, Dict, List, Optional, Tuple

from _variants import variants
from pytest_bufleak import PooledByteBufAllocator, ResourceLeakDetector

REPEAT = 5
INT = struct.Struct(">i")


def best(fn: Callable[[], None], number: int) -> float:
    """Seconds per call of ``fn``, the best of ``REPEAT`` runs of ``number`` calls."""
    return min(timeit.repeat(fn, number=number, repeat=REPEAT)) / number


def alloc_release(alloc: Any, size: int) -> Tuple[Callable[[], None], Callable[[], None]]:
    heap_buffer = alloc.heap_buffer

    def pooled() -> None:
        heap_buffer(size).release()

    def plain() -> None:
        bytearray(size)

    return pooled, plain


def burst(alloc: Any, size: int, live: int = 64) -> Tuple[Callable[[], None], Callable[[], None]]:
    heap_buffer = alloc.heap_buffer

    def pooled() -> None:
        bufs = [heap_buffer(size) for _ in range(live)]
        for buf in bufs:
            buf.release()

    def plain() -> None:
        bufs = [bytearray(size) for _ in range(live)]
        del bufs

    return pooled, plain


def write_int_case(pkg: Any) -> Tuple[Callable[[], None], Callable[[], None]]:
    default = pkg.ByteBufAllocator.DEFAULT
    pack_into = INT.pack_into

    def pooled() -> None:
        buf = default.buffer(256)
        buf.write_int(42)
        buf.release()

    def plain() -> None:
        mem = bytearray(256)
        pack_into(mem, 0, 42)

    return pooled, plain


def floor_case(pkg: Any) -> Tuple[Callable[[], None], Callable[[], None]]:
    class _FloorByteBuf(pkg.ByteBuf):
        """A ByteBuf on fixed memory with nothing to free: what any buffer object costs before a pool.

        (A user's subclass of ByteBuf, too: it works the same on the compiled core.)
        """

        __slots__ = ()

        def _deallocate(self) -> None:
            pass

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


def cases(pkg: Any) -> List[Tuple[str, Tuple[Callable[[], None], Callable[[], None]], int]]:
    alloc = pkg.PooledByteBufAllocator()
    caching_64k = pkg.PooledByteBufAllocator(max_cached_buffer_capacity=64 * 1024)
    return [
        ("alloc+release 256 B", alloc_release(alloc, 256), 20_000),
        ("alloc+release 8 KiB", alloc_release(alloc, 8192), 20_000),
        ("alloc+release 64 KiB", alloc_release(alloc, 65536), 5_000),
        ("  same, max_cached_buffer_capacity=64K", alloc_release(caching_64k, 65536), 5_000),
        ("alloc+release 1 MiB", alloc_release(alloc, 1 << 20), 500),
        ("burst 64 x 64 KiB", burst(alloc, 65536), 50),
        ("burst 64 x 1 MiB", burst(alloc, 1 << 20), 5),
        ("DEFAULT.buffer(256)+write_int+release", write_int_case(pkg), 20_000),
        ("floor: bare ByteBuf create+release", floor_case(pkg), 20_000),
    ]


def main() -> None:
    runs = variants()
    print(f"leak detection: {ResourceLeakDetector.get_level().name}; variants: {', '.join(l for l, _ in runs)}")
    peer = peer_case()
    table: Dict[str, Dict[str, float]] = {}
    for label, pkg in runs:
        for name, (pooled, plain), number in cases(pkg):
            pooled()  # warm the thread cache and the chunks
            row = table.setdefault(name, {})
            # the baseline runs next to each variant; its best over all of them is the one column
            t_pool, t_plain = best(pooled, number), best(plain, number)
            row[label] = t_pool
            row["bytearray"] = min(row.get("bytearray", t_plain), t_plain)
    labels = [label for label, _ in runs]
    head = "".join(f"{label:>10}" for label in labels) + f"{'bytearray':>10}"
    head += "".join(f"{label[:4] + '/base':>10}" for label in labels)
    print(f"{'case':40}{head}{'pure/comp':>10}" if len(labels) > 1 else f"{'case':40}{head}")
    for name, row in table.items():
        base = row["bytearray"]
        line = f"{name:40}" + "".join(f"{row[label] * 1e9:8.0f}ns" for label in labels) + f"{base * 1e9:8.0f}ns"
        line += "".join(f"{row[label] / base:9.2f}x" for label in labels)
        if len(labels) > 1:
            line += f"{row['pure'] / row['compiled']:9.2f}x"
        print(line)
    if peer is not None:
        pooled, baseline = peer
        t_pool, t_peer = best(pooled, 20_000), best(baseline, 20_000)
        print(f"{'buffer(256)+release vs socket-netty 0.4':40} {t_pool * 1e9:8.0f}ns {t_peer * 1e9:8.0f}ns "
              f"{t_pool / t_peer:6.2f}x  (baseline column: socket-netty)")


if __name__ == "__main__":
    main()
