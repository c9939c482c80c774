"""Helpers for the codec tests: buffers from bytes, and every queued message read back as bytes and released."""
from __future__ import annotations

from typing import Any, List

from pytest_bufleak import Unpooled


def buf(data: bytes):
    """A fresh heap buffer holding ``data`` (count 1: the caller owns it)."""
    b = Unpooled.buffer(max(len(data), 1))
    b.write_bytes(data)
    return b


def frames(ch: Any) -> List[bytes]:
    """Every inbound message of ``ch`` as bytes, each released (a leak or double release fails under --bufleak)."""
    out = []
    while True:
        msg = ch.read_inbound()
        if msg is None:
            return out
        out.append(bytes(msg))
        msg.release()
