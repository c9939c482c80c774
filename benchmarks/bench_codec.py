"""Framing through the codecs vs plain Python, side by side in one process; prints ratios.

Run: ``python benchmarks/bench_codec.py`` (a few seconds). Cases:

* lines: a 1 MiB stream of 32-byte lines, fed in 8 KiB reads, through ``LineBasedFrameDecoder`` in an
  ``EmbeddedChannel`` (each frame read and released) vs the same split done with ``bytes.split`` on a
  carried-over remainder.
* length: the same payloads as 4-byte length-prefixed frames through ``LengthFieldBasedFrameDecoder``
  vs a ``struct.unpack_from`` loop over the bytes.
* composite int: ``get_int`` across two components of a ``CompositeByteBuf`` vs within one buffer.

Ratio = bufleak time / baseline time (lower is better); the best of ``REPEAT`` runs each.
"""
from __future__ import annotations

import struct
import time
import timeit

from pytest_bufleak import Unpooled
from pytest_bufleak.channel import EmbeddedChannel, LengthFieldBasedFrameDecoder, LineBasedFrameDecoder

REPEAT = 5
STREAM = 1024 * 1024
READ = 8 * 1024
LINE = b"x" * 31 + b"\n"
LINES = LINE * (STREAM // len(LINE))
PAYLOAD = LINE[:-1]
FRAMES = (struct.pack(">I", len(PAYLOAD)) + PAYLOAD) * (STREAM // (len(PAYLOAD) + 4))


def chunks(data: bytes):
    return [data[i:i + READ] for i in range(0, len(data), READ)]


def through_channel(decoder, reads) -> int:
    ch = EmbeddedChannel(decoder)
    count = 0
    for data in reads:
        ch.write_inbound(Unpooled.copied_buffer(data))
        while True:
            frame = ch.read_inbound()
            if frame is None:
                break
            count += 1
            frame.release()
    ch.finish_and_release_all()
    return count


def split_lines(reads) -> int:
    count, rest = 0, b""
    for data in reads:
        parts = (rest + data).split(b"\n")
        rest = parts.pop()
        count += len(parts)
    return count


def split_length_prefixed(reads) -> int:
    count, rest = 0, b""
    for data in reads:
        buf, pos = rest + data, 0
        while len(buf) - pos >= 4:
            (n,) = struct.unpack_from(">I", buf, pos)
            if len(buf) - pos - 4 < n:
                break
            buf[pos + 4:pos + 4 + n]
            pos += 4 + n
            count += 1
        rest = buf[pos:]
    return count


def best(fn) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def report(name: str, ours: float, baseline: float, unit: str = "ms", scale: float = 1e3) -> None:
    print(f"  {name:<44} bufleak {ours * scale:9.1f} {unit}  baseline {baseline * scale:8.1f} {unit}"
          f"  ratio {ours / baseline:6.1f}x")


def main() -> None:
    line_reads, frame_reads = chunks(LINES), chunks(FRAMES)
    expected = STREAM // len(LINE)
    assert through_channel(LineBasedFrameDecoder(64), line_reads) == split_lines(line_reads) == expected
    assert through_channel(LengthFieldBasedFrameDecoder(64, 0, 4, 0, 4), frame_reads) == \
        split_length_prefixed(frame_reads)
    print(f"1 MiB in {READ // 1024} KiB reads, {expected} frames of 32 bytes (best of {REPEAT})")
    report("lines: LineBasedFrameDecoder vs bytes.split",
           best(lambda: through_channel(LineBasedFrameDecoder(64), line_reads)), best(lambda: split_lines(line_reads)))
    report("length: LengthFieldBasedFrameDecoder vs struct",
           best(lambda: through_channel(LengthFieldBasedFrameDecoder(64, 0, 4, 0, 4), frame_reads)),
           best(lambda: split_length_prefixed(frame_reads)))
    single = Unpooled.copied_buffer(b"\x01\x02\x03\x04")
    composite = Unpooled.wrapped_buffer(Unpooled.copied_buffer(b"\x01\x02"), Unpooled.copied_buffer(b"\x03\x04"))
    try:
        n = 20000
        ours = min(timeit.repeat(lambda: composite.get_int(0), number=n, repeat=REPEAT)) / n
        base = min(timeit.repeat(lambda: single.get_int(0), number=n, repeat=REPEAT)) / n
        report("composite int across 2 components vs 1 buffer", ours, base, "ns", 1e9)
    finally:
        single.release()
        composite.release()


if __name__ == "__main__":
    main()
