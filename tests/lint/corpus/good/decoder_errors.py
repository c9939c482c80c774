"""Decoders whose error paths release what they read before raising, or check before reading."""

import zlib

from pytest_bufleak import ReferenceCountUtil
from pytest_bufleak.channel import ByteToMessageDecoder, CorruptedFrameException, TooLongFrameException

HEADER_LENGTH = 8
RESERVED_FLAGS = 0xF0


class CheckedFrameDecoder(ByteToMessageDecoder):
    """Frames: 4-byte length, 4-byte CRC-32, payload; the length is checked before anything is read."""

    def __init__(self, max_frame_length=1 << 20):
        super().__init__()
        self.max_frame_length = max_frame_length

    def decode(self, ctx, in_, out):
        if in_.readable_bytes() < HEADER_LENGTH:
            return
        length = in_.get_int(in_.reader_index)
        if length < 0 or length > self.max_frame_length:
            in_.skip_bytes(in_.readable_bytes())
            raise TooLongFrameException(f"frame length {length} exceeds {self.max_frame_length}")
        if in_.readable_bytes() < HEADER_LENGTH + length:
            return
        in_.skip_bytes(4)
        expected = in_.read_unsigned_int()
        payload = in_.read_retained_slice(length)
        try:
            actual = zlib.crc32(bytes(payload))
            if actual != expected:
                raise CorruptedFrameException(f"CRC mismatch: {actual:#010x} != {expected:#010x}")
        except BaseException:
            ReferenceCountUtil.safe_release(payload)
            raise
        out.append(payload)


class FlaggedFrameDecoder(ByteToMessageDecoder):
    """Frames: flags (1 byte), length (1 byte), payload; reserved flags make the frame corrupt."""

    def decode(self, ctx, in_, out):
        if in_.readable_bytes() < 2:
            return
        length = in_.get_unsigned_byte(in_.reader_index + 1)
        if in_.readable_bytes() < 2 + length:
            return
        flags = in_.read_unsigned_byte()
        in_.skip_bytes(1)
        frame = in_.read_retained_slice(length)
        if flags & RESERVED_FLAGS:
            frame.release()
            raise CorruptedFrameException(f"reserved flags set: {flags:#04x}")
        out.append(frame)
