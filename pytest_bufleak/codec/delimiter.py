"""``DelimiterBasedFrameDecoder`` and ``Delimiters``: split the stream at one of several delimiters (Netty's).

Delimiters are ``bytes`` (or bytes-like); a ByteBuf delimiter is copied (its readable bytes), never
retained, so the caller releases it as usual. When several delimiters match, the one giving the
shortest frame wins. Each frame is a retained slice of the cumulation: release it. A frame longer
than ``max_frame_length`` is discarded and raises ``TooLongFrameException`` (Netty's message): at once
when ``fail_fast`` (the default), else once the delimiter after it arrives. Exactly the line delimiters
(``Delimiters.line_delimiter()``) make it a ``LineBasedFrameDecoder`` inside, as Netty does.
"""
from __future__ import annotations

from typing import Any, List, Optional, Tuple

from ..buffer.args import bytes_arg
from ..buffer.bytebuf import ByteBuf
from .byte_to_message import ByteToMessageDecoder, TooLongFrameException
from .args import decode_frames, positive_int
from .line import LineBasedFrameDecoder


class Delimiters:
    """Netty's ``Delimiters``: the common delimiter sets, as tuples of ``bytes``."""

    @staticmethod
    def nul_delimiter() -> Tuple[bytes, ...]:
        """``(b"\\x00",)``: for Flash XML sockets and other NUL-terminated protocols."""
        return (b"\x00",)

    @staticmethod
    def line_delimiter() -> Tuple[bytes, ...]:
        """``(b"\\r\\n", b"\\n")``: text lines."""
        return (b"\r\n", b"\n")


def _delimiter_bytes(delimiter: Any) -> bytes:
    if isinstance(delimiter, ByteBuf):
        data = bytes(delimiter)
    else:
        data = bytes_arg(delimiter, "delimiter").tobytes()
    if not data:
        raise ValueError("empty delimiter")
    return data


class DelimiterBasedFrameDecoder(ByteToMessageDecoder):
    """``DelimiterBasedFrameDecoder(max_frame_length, *delimiters, strip_delimiter=True, fail_fast=True)``.

    ``delimiters`` may also be given as one tuple or list (``Delimiters.line_delimiter()``).
    """

    def __init__(self, max_frame_length: int, *delimiters: Any, strip_delimiter: bool = True,
                 fail_fast: bool = True) -> None:
        super().__init__()
        if len(delimiters) == 1 and isinstance(delimiters[0], (tuple, list)):
            delimiters = tuple(delimiters[0])
        if not delimiters:
            raise ValueError("delimiters must not be empty")
        self.max_frame_length = positive_int(max_frame_length, "max_frame_length")
        self.delimiters = tuple(_delimiter_bytes(d) for d in delimiters)
        self.strip_delimiter = bool(strip_delimiter)
        self.fail_fast = bool(fail_fast)
        self._line_decoder: Optional[LineBasedFrameDecoder] = None
        if sorted(self.delimiters) == [b"\n", b"\r\n"] and type(self) is DelimiterBasedFrameDecoder:
            self._line_decoder = LineBasedFrameDecoder(max_frame_length, strip_delimiter, fail_fast)
        self._discarding_too_long_frame = False
        self._too_long_frame_length = 0

    def decode(self, ctx: Any, buf: ByteBuf, out: List[Any]) -> None:
        if self._line_decoder is not None:
            self._line_decoder.decode(ctx, buf, out)
            return
        found: dict = {}  # delimiter -> where it next occurs in data (-1: nowhere), searched once per position
        decode_frames(buf, out, self.single_decode, lambda data, base: self.decode_frame(buf, data, base, found))

    def decode_frame(self, buf: ByteBuf, data: bytes, base: int, found: dict) -> Optional[ByteBuf]:
        """The next frame as a retained slice, or None; ``data`` holds ``buf``'s bytes from index ``base``."""
        start = buf.reader_index - base
        min_frame_length, min_delim = -1, b""
        for delim in self.delimiters:
            at = found.get(delim)
            if at is None or 0 <= at < start:
                at = found[delim] = data.find(delim, start)
            if at >= 0 and (min_frame_length < 0 or at - start < min_frame_length):
                min_frame_length, min_delim = at - start, delim
        if min_frame_length >= 0:
            delim_length = len(min_delim)
            if self._discarding_too_long_frame:
                self._discarding_too_long_frame = False
                buf.skip_bytes(min_frame_length + delim_length)
                too_long, self._too_long_frame_length = self._too_long_frame_length, 0
                if not self.fail_fast:
                    self._fail(too_long)
                return None
            if min_frame_length > self.max_frame_length:
                buf.skip_bytes(min_frame_length + delim_length)
                self._fail(min_frame_length)
            if self.strip_delimiter:
                frame = buf.read_retained_slice(min_frame_length)
                buf.skip_bytes(delim_length)
                return frame
            return buf.read_retained_slice(min_frame_length + delim_length)
        readable = buf.readable_bytes()
        if not self._discarding_too_long_frame:
            if readable > self.max_frame_length:
                self._too_long_frame_length = readable
                buf.skip_bytes(readable)
                self._discarding_too_long_frame = True
                if self.fail_fast:
                    self._fail(self._too_long_frame_length)
        else:
            self._too_long_frame_length += readable
            buf.skip_bytes(readable)
        return None

    def _fail(self, frame_length: int) -> None:
        if frame_length > 0:
            raise TooLongFrameException(
                f"frame length exceeds {self.max_frame_length}: {frame_length} - discarded")
        raise TooLongFrameException(f"frame length exceeds {self.max_frame_length} - discarding")
