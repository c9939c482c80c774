"""Length-field framing: ``LengthFieldBasedFrameDecoder`` and ``LengthFieldPrepender`` (Netty's).

Frames come out as retained slices of the cumulation (no copy): release each frame you receive.
"""
from __future__ import annotations

from typing import Any, List, Optional

from ..buffer.bytebuf import ByteBuf
from ..buffer.refcount import ReferenceCountUtil
from .byte_to_message import (
    ByteToMessageDecoder,
    CorruptedFrameException,
    DecoderException,
    EncoderException,
    TooLongFrameException,
)
from ..channel.handlers import ChannelOutboundHandlerAdapter

_LENGTH_READERS = {
    ("big", 1): "get_unsigned_byte", ("little", 1): "get_unsigned_byte",
    ("big", 2): "get_unsigned_short", ("little", 2): "get_unsigned_short_le",
    ("big", 3): "get_unsigned_medium", ("little", 3): "get_unsigned_medium_le",
    ("big", 4): "get_unsigned_int", ("little", 4): "get_unsigned_int_le",
    ("big", 8): "get_long", ("little", 8): "get_long_le",
}


#: Netty's words for the field widths in "length does not fit into ...".
_FIELD_NAMES = {1: "a byte", 2: "a short integer", 3: "a medium integer", 4: "an integer"}


def _check_byte_order(byte_order: str) -> str:
    if byte_order not in ("big", "little"):
        raise ValueError(f"byte_order: {byte_order!r} (expected: 'big' or 'little')")
    return byte_order


class LengthFieldBasedFrameDecoder(ByteToMessageDecoder):
    """Splits the stream into frames by a length field, as Netty's decoder of the same name.

    ``max_frame_length``: longer frames raise ``TooLongFrameException`` and are discarded.
    ``length_field_offset``/``length_field_length`` (1, 2, 3, 4 or 8): where the length is.
    ``length_adjustment``: added to the length (e.g. ``-header`` when the length counts the header).
    ``initial_bytes_to_strip``: bytes dropped from the start of each frame (e.g. the header).
    ``fail_fast``: raise as soon as the length field shows the frame is too long (else after discarding it).
    A negative length raises ``CorruptedFrameException``.
    """

    def __init__(
        self,
        max_frame_length: int,
        length_field_offset: int,
        length_field_length: int,
        length_adjustment: int = 0,
        initial_bytes_to_strip: int = 0,
        fail_fast: bool = True,
        byte_order: str = "big",
    ) -> None:
        super().__init__()
        if max_frame_length <= 0:
            raise ValueError(f"maxFrameLength : {max_frame_length} (expected: > 0)")
        if length_field_offset < 0:
            raise ValueError(f"lengthFieldOffset : {length_field_offset} (expected: >= 0)")
        if initial_bytes_to_strip < 0:
            raise ValueError(f"initialBytesToStrip : {initial_bytes_to_strip} (expected: >= 0)")
        if length_field_offset > max_frame_length - length_field_length:
            raise ValueError(
                f"maxFrameLength ({max_frame_length}) must be equal to or greater than lengthFieldOffset "
                f"({length_field_offset}) + lengthFieldLength ({length_field_length})."
            )
        self.byte_order = _check_byte_order(byte_order)
        self.max_frame_length = max_frame_length
        self.length_field_offset = length_field_offset
        self.length_field_length = length_field_length
        self.length_adjustment = length_adjustment
        self.length_field_end_offset = length_field_offset + length_field_length
        self.initial_bytes_to_strip = initial_bytes_to_strip
        self.fail_fast = fail_fast
        self._discarding_too_long_frame = False
        self._too_long_frame_length = 0
        self._bytes_to_discard = 0
        self._frame_length_int = -1

    def decode(self, ctx: Any, buf: ByteBuf, out: List[Any]) -> None:
        frame = self.decode_frame(ctx, buf)
        if frame is not None:
            out.append(frame)

    def decode_frame(self, ctx: Any, buf: ByteBuf) -> Optional[ByteBuf]:
        """One frame from ``buf``, or None when it is not complete yet."""
        if self._frame_length_int == -1:
            if self._discarding_too_long_frame:
                self._discard_too_long_frame(buf)
            if buf.readable_bytes() < self.length_field_end_offset:
                return None
            end = self.length_field_end_offset
            frame_length = self.get_unadjusted_frame_length(
                buf, buf.reader_index + self.length_field_offset, self.length_field_length, self.byte_order
            )
            if frame_length < 0:
                buf.skip_bytes(end)
                raise CorruptedFrameException(f"negative pre-adjustment length field: {frame_length}")
            frame_length += self.length_adjustment + end
            if frame_length < end:
                buf.skip_bytes(end)
                raise CorruptedFrameException(
                    f"Adjusted frame length ({frame_length}) is less than lengthFieldEndOffset: {end}"
                )
            if frame_length > self.max_frame_length:
                self._exceeded_frame_length(buf, frame_length)
                return None
            self._frame_length_int = frame_length
        frame_length = self._frame_length_int
        if buf.readable_bytes() < frame_length:
            return None
        self._frame_length_int = -1
        strip = self.initial_bytes_to_strip
        if strip > frame_length:
            buf.skip_bytes(frame_length)
            raise CorruptedFrameException(
                f"Adjusted frame length ({frame_length}) is less than initialBytesToStrip: {strip}"
            )
        buf.skip_bytes(strip)
        index = buf.reader_index
        actual = frame_length - strip
        frame = self.extract_frame(ctx, buf, index, actual)
        buf.reader_index = index + actual
        return frame

    def get_unadjusted_frame_length(self, buf: ByteBuf, offset: int, length: int, byte_order: str) -> int:
        """The raw value of the length field (override for a custom encoding)."""
        reader = _LENGTH_READERS.get((byte_order, length))
        if reader is None:
            raise DecoderException(f"unsupported lengthFieldLength: {length} (expected: 1, 2, 3, 4, or 8)")
        return getattr(buf, reader)(offset)

    def extract_frame(self, ctx: Any, buf: ByteBuf, index: int, length: int) -> ByteBuf:
        """The frame at ``[index, index+length)``: a retained slice of the cumulation."""
        return buf.retained_slice(index, length)

    def _exceeded_frame_length(self, buf: ByteBuf, frame_length: int) -> None:
        discard = frame_length - buf.readable_bytes()
        self._too_long_frame_length = frame_length
        if discard < 0:
            buf.skip_bytes(frame_length)
        else:
            self._discarding_too_long_frame = True
            self._bytes_to_discard = discard
            buf.skip_bytes(buf.readable_bytes())
        self._fail_if_necessary(True)

    def _discard_too_long_frame(self, buf: ByteBuf) -> None:
        local = min(self._bytes_to_discard, buf.readable_bytes())
        buf.skip_bytes(local)
        self._bytes_to_discard -= local
        self._fail_if_necessary(False)

    def _fail_if_necessary(self, first_detection: bool) -> None:
        if self._bytes_to_discard == 0:
            too_long = self._too_long_frame_length
            self._too_long_frame_length = 0
            self._discarding_too_long_frame = False
            if not self.fail_fast or first_detection:
                self._fail(too_long)
        elif self.fail_fast and first_detection:
            self._fail(self._too_long_frame_length)

    def _fail(self, frame_length: int) -> None:
        if frame_length > 0:
            raise TooLongFrameException(
                f"Adjusted frame length exceeds {self.max_frame_length}: {frame_length} - discarded"
            )
        raise TooLongFrameException(f"Adjusted frame length exceeds {self.max_frame_length} - discarding")


class LengthFieldPrepender(ChannelOutboundHandlerAdapter):
    """Writes a length field before each outbound ``ByteBuf`` (Netty's ``LengthFieldPrepender``).

    The header goes out as its own buffer followed by the message itself: no copy of the payload.
    A length that is negative or does not fit the field raises ``EncoderException`` (the message is released).
    """

    sharable = True

    def __init__(
        self,
        length_field_length: int,
        length_adjustment: int = 0,
        length_includes_length_field_length: bool = False,
        byte_order: str = "big",
    ) -> None:
        if length_field_length not in (1, 2, 3, 4, 8):
            raise ValueError(f"lengthFieldLength must be either 1, 2, 3, 4, or 8: {length_field_length}")
        self.length_field_length = length_field_length
        self.length_adjustment = length_adjustment
        self.length_includes_length_field_length = length_includes_length_field_length
        self.byte_order = _check_byte_order(byte_order)

    def write(self, ctx: Any, msg: Any, promise: Any = None) -> None:
        if not isinstance(msg, ByteBuf):
            ctx.write(msg, promise)
            return
        n = self.length_field_length
        length = msg.readable_bytes() + self.length_adjustment
        if self.length_includes_length_field_length:
            length += n
        try:
            if length < 0:
                raise ValueError(f"Adjusted frame length ({length}) is less than zero")
            if n < 8 and length >= 1 << (8 * n):
                raise ValueError(f"length does not fit into {_FIELD_NAMES[n]}: {length}")
            header = ctx.alloc().buffer(n)
        except Exception as exc:
            ReferenceCountUtil.safe_release(msg)
            # As Netty's encoders: whatever encoding raised arrives wrapped in an EncoderException.
            raise EncoderException(f"{type(exc).__name__}: {exc}") from exc
        header.write_bytes(length.to_bytes(n, self.byte_order))
        ctx.write(header)
        ctx.write(msg, promise)
