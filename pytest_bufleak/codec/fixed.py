"""``FixedLengthFrameDecoder``: splits the stream into frames of ``frame_length`` bytes (Netty's).

Each frame is a retained slice of the cumulation: whoever receives it releases it. Bytes short of a
whole frame wait for the next read (and are released with the decoder when the channel closes).
"""
from __future__ import annotations

from typing import Any, List

from ..buffer.bytebuf import ByteBuf
from .byte_to_message import ByteToMessageDecoder
from .args import positive_int


class FixedLengthFrameDecoder(ByteToMessageDecoder):
    """``FixedLengthFrameDecoder(frame_length)``."""

    def __init__(self, frame_length: int) -> None:
        super().__init__()
        self.frame_length = positive_int(frame_length, "frame_length")

    def decode(self, ctx: Any, buf: ByteBuf, out: List[Any]) -> None:
        if buf.readable_bytes() >= self.frame_length:
            out.append(buf.read_retained_slice(self.frame_length))
