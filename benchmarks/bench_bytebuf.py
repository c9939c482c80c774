"""ByteBuf hot paths against their plain-Python baselines, side by side in one process.

Run: python benchmarks/bench_bytebuf.py   (prints ns per operation and the ratio ours/baseline)

When the compiled core is built, each case runs on it and on the pure-Python sources (``_variants.py``).
"""
from __future__ import annotations

import io
import struct
import timeit
from typing import Any

from _variants import variants

INT = struct.Struct(">i")


def best_pair_ns(ours, baseline, per_call: int, number: int, repeat: int = 9) -> tuple[float, float]:
    """Best of ``repeat`` runs of each, in ns per operation; the runs alternate, so that load from
    elsewhere on the machine hits both sides alike."""
    best_ours = best_base = float("inf")
    for _ in range(repeat):
        best_ours = min(best_ours, timeit.timeit(ours, number=number))
        best_base = min(best_base, timeit.timeit(baseline, number=number))
    scale = 1e9 / (number * per_call)
    return best_ours * scale, best_base * scale


def bench_int_round_trip(Unpooled: Any) -> tuple[float, float]:
    """write_int + read_int, 100 of each per call, the buffer reused (cleared) between calls."""
    buf = Unpooled.buffer(512)
    write, read, clear = buf.write_int, buf.read_int, buf.clear

    def ours():
        clear()
        for i in range(100):
            write(i)
        for _ in range(100):
            read()

    stream = io.BytesIO(bytearray(512))
    pack, unpack, swrite, sread, seek = INT.pack, INT.unpack, stream.write, stream.read, stream.seek

    def baseline():
        seek(0)
        for i in range(100):
            swrite(pack(i))
        seek(0)
        for _ in range(100):
            unpack(sread(4))

    result = best_pair_ns(ours, baseline, 100, 2000)
    buf.release()
    return result


def bench_write_bytes(Unpooled: Any, size: int = 8192) -> tuple[float, float]:
    """Append 8 KiB into a buffer vs a memoryview slice copy into a preallocated bytearray."""
    payload = bytes(size)
    buf = Unpooled.buffer(size * 8)
    write, clear = buf.write_bytes, buf.clear

    def ours():
        clear()
        for _ in range(8):
            write(payload)

    target = memoryview(bytearray(size * 8))

    def baseline():
        for k in range(8):
            target[k * size:(k + 1) * size] = payload

    result = best_pair_ns(ours, baseline, 8, 5000)
    buf.release()
    return result


def bench_retain_release(Unpooled: Any) -> tuple[float, float]:
    """retain()+release() (thread-safe) vs a plain, unsynchronised counter object with the same two methods."""
    buf = Unpooled.buffer(8)
    retain, release = buf.retain, buf.release

    def ours():
        for _ in range(100):
            retain()
            release()

    class PlainCounter:
        def __init__(self) -> None:
            self.count = 1

        def retain(self):
            self.count += 1
            return self

        def release(self):
            self.count -= 1
            return self.count == 0

    plain = PlainCounter()
    pretain, prelease = plain.retain, plain.release

    def baseline():
        for _ in range(100):
            pretain()
            prelease()

    result = best_pair_ns(ours, baseline, 100, 3000)
    buf.release()
    return result


def main() -> None:
    cases = [
        ("write_int+read_int (per pair) vs BytesIO+struct", bench_int_round_trip, 1.0),
        ("write_bytes 8 KiB vs memoryview slice copy", bench_write_bytes, 1.5),
        ("retain+release vs plain counter methods", bench_retain_release, 1.0),
    ]
    runs = variants()
    print(f"{'benchmark':52} {'variant':>9} {'ours ns':>9} {'base ns':>9} {'ratio':>7} {'target':>7}")
    for name, bench, target in cases:
        results = {label: bench(pkg.Unpooled) for label, pkg in runs}
        for label, (ours, base) in results.items():
            print(f"{name:52} {label:>9} {ours:9.1f} {base:9.1f} {ours / base:6.2f}x {'<=':>3}{target:.1f}x")
        if len(results) > 1:
            speedup = results["pure"][0] / results["compiled"][0]
            print(f"{'':52} {'pure/compiled':>19} {speedup:9.2f}x")


if __name__ == "__main__":
    main()
