"""Shared by the codecs: argument checks (a TypeError or ValueError naming the argument) and the frame loop."""
from __future__ import annotations

from typing import Any, Callable, List, Optional

from ..buffer.args import int_arg


def positive_int(value: Any, name: str) -> int:
    """``value`` as an int > 0 (Netty's ``checkPositive``), else TypeError/ValueError naming ``name``."""
    value = int_arg(value, name)
    if value <= 0:
        raise ValueError(f"{name}: {value} (expected: > 0)")
    return value


def non_negative_int(value: Any, name: str) -> int:
    """``value`` as an int >= 0 (Netty's ``checkPositiveOrZero``), else TypeError/ValueError naming ``name``."""
    value = int_arg(value, name)
    if value < 0:
        raise ValueError(f"{name}: {value} (expected: >= 0)")
    return value


def decode_frames(buf: Any, out: List[Any], single_decode: bool,
                  next_frame: Callable[[bytes, int], Optional[Any]]) -> None:
    """Append frames to ``out`` while ``next_frame(data, base)`` makes progress (one frame if ``single_decode``).

    ``data`` is one copy of ``buf``'s readable bytes, taken once for every frame of this read, and
    ``base`` the buffer index its first byte came from: a delimiter search scans each byte once.
    """
    base = buf.reader_index
    data = buf.get_bytes(base, buf.readable_bytes())
    while buf.is_readable():
        before = buf.reader_index
        frame = next_frame(data, base)
        if frame is not None:
            out.append(frame)
            if single_decode:
                return
        elif buf.reader_index == before:
            return
