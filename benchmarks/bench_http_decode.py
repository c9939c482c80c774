"""The HTTP decoders' cost per message in an ``EmbeddedChannel``; prints microseconds per message.

Run: ``python benchmarks/bench_http_decode.py [N [response|request]]`` (a few seconds). Cases, each message arriving in one
read and every decoded object released:

* response: a 5-header ``200 OK`` with a 64-byte body through ``HttpResponseDecoder``;
* request: a 5-header ``GET`` through ``HttpRequestDecoder``.

For a count that the machine's noise does not move, run it under callgrind twice with different N and
divide the difference of the instruction counts by the difference of N:
``valgrind --tool=callgrind --callgrind-out-file=/dev/null python benchmarks/bench_http_decode.py 200``.
"""
from __future__ import annotations

import sys
import time

from pytest_bufleak import Unpooled
from pytest_bufleak.channel import EmbeddedChannel
from pytest_bufleak.http import HttpRequestDecoder, HttpResponseDecoder

RESPONSE = (b"HTTP/1.1 200 OK\r\nServer: bench/1.0\r\nDate: Mon, 06 Jan 2025 10:00:00 GMT\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 64\r\nConnection: keep-alive\r\n\r\n"
            + b"x" * 64)
REQUEST = (b"GET /small HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: bench/1.0\r\nAccept: */*\r\n"
           b"Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n")


def decode(decoder, data: bytes, n: int) -> float:
    """Seconds per message for ``n`` messages of ``data``, each in one read."""
    ch = EmbeddedChannel(decoder)
    start = time.perf_counter()
    for _ in range(n):
        ch.write_inbound(Unpooled.copied_buffer(data))
        while True:
            msg = ch.read_inbound()
            if msg is None:
                break
            if hasattr(msg, "release"):
                msg.release()
    elapsed = time.perf_counter() - start
    ch.finish_and_release_all()
    return elapsed / max(n, 1)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    only = sys.argv[2:]
    for name, make, data in (("response", HttpResponseDecoder, RESPONSE), ("request", HttpRequestDecoder, REQUEST)):
        if only and name not in only:
            continue
        best = min(decode(make(), data, n) for _ in range(3 if n >= 5000 else 1))
        print(f"{name:<10}{best * 1e6:8.2f} us/message")


if __name__ == "__main__":
    main()
