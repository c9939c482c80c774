"""``LineBasedFrameDecoder``: splits the stream at ``\\n`` or ``\\r\\n`` (Netty's).

Each frame is a retained slice of the cumulation (no copy): whoever receives it releases it. A line
longer than ``max_length`` is discarded and reported with ``TooLongFrameException`` through
``exception_caught`` (as Netty fires it, so decoding goes on with the next line): as soon as the
limit is passed when ``fail_fast``, else once the whole line was skipped.
"""
from __future__ import annotations

from typing import Any, List, Optional

from ..buffer.bytebuf import ByteBuf
from .byte_to_message import ByteToMessageDecoder, TooLongFrameException
from .args import decode_frames, positive_int

_LF, _CR = 10, 13


class LineBasedFrameDecoder(ByteToMessageDecoder):
    """``LineBasedFrameDecoder(max_length, strip_delimiter=True, fail_fast=False)``."""

    def __init__(self, max_length: int, strip_delimiter: bool = True, fail_fast: bool = False) -> None:
        super().__init__()
        self.max_length = positive_int(max_length, "max_length")
        self.strip_delimiter = bool(strip_delimiter)
        self.fail_fast = bool(fail_fast)
        self._discarding = False
        self._discarded_bytes = 0
        self._offset = 0  # bytes after the reader index already searched without finding a line end

    def decode(self, ctx: Any, buf: ByteBuf, out: List[Any]) -> None:
        decode_frames(buf, out, self.single_decode, lambda data, base: self.decode_frame(ctx, buf, data, base))

    def decode_frame(self, ctx: Any, buf: ByteBuf, data: bytes, base: int) -> Optional[ByteBuf]:
        """The next line as a retained slice, or None; ``data`` holds ``buf``'s bytes from index ``base``."""
        eol = self._find_end_of_line(buf, data, base)
        if not self._discarding:
            if eol >= 0:
                length = eol - buf.reader_index
                delim_length = 2 if data[eol - base] == _CR else 1
                if length > self.max_length:
                    buf.reader_index = eol + delim_length
                    self._fail(ctx, str(length))
                    return None
                if self.strip_delimiter:
                    frame = buf.read_retained_slice(length)
                    buf.skip_bytes(delim_length)
                    return frame
                return buf.read_retained_slice(length + delim_length)
            length = buf.readable_bytes()
            if length > self.max_length:
                self._discarded_bytes = length
                buf.reader_index = buf.writer_index
                self._discarding = True
                self._offset = 0
                if self.fail_fast:
                    self._fail(ctx, f"over {length}")
            return None
        if eol >= 0:
            length = self._discarded_bytes + eol - buf.reader_index
            buf.reader_index = eol + (2 if data[eol - base] == _CR else 1)
            self._discarded_bytes = 0
            self._discarding = False
            if not self.fail_fast:
                self._fail(ctx, str(length))
        else:
            self._discarded_bytes += buf.readable_bytes()
            buf.reader_index = buf.writer_index
            self._offset = 0
        return None

    def _find_end_of_line(self, buf: ByteBuf, data: bytes, base: int) -> int:
        start = buf.reader_index - base
        i = data.find(_LF, start + self._offset)
        if i < 0:
            self._offset = len(data) - start
            return -1
        self._offset = 0
        if i > 0 and data[i - 1] == _CR:
            i -= 1
        return i + base

    def _fail(self, ctx: Any, length: str) -> None:
        ctx.fire_exception_caught(
            TooLongFrameException(f"frame length ({length}) exceeds the allowed maximum ({self.max_length})")
        )
