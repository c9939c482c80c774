"""A checksummed frame decoder that drops its retained slice when the checksum does not match."""

import zlib

from pytest_bufleak.channel import ByteToMessageDecoder, CorruptedFrameException

HEADER_LENGTH = 8


class ChecksumFrameDecoder(ByteToMessageDecoder):
    """Frames: payload length (4 bytes), CRC-32 of the payload (4 bytes), payload."""

    def __init__(self, max_frame_length=1 << 20):
        super().__init__()
        self.max_frame_length = max_frame_length

    def decode(self, ctx, in_, out):
        if in_.readable_bytes() < HEADER_LENGTH:
            return
        length = in_.get_int(in_.reader_index)
        if length < 0 or length > self.max_frame_length:
            in_.skip_bytes(in_.readable_bytes())
            raise CorruptedFrameException(f"bad frame length: {length}")
        if in_.readable_bytes() < HEADER_LENGTH + length:
            return
        in_.skip_bytes(4)
        expected = in_.read_unsigned_int()
        payload = in_.read_retained_slice(length)
        actual = zlib.crc32(bytes(payload))
        if actual != expected:
            raise CorruptedFrameException(f"CRC mismatch: {actual:#010x} != {expected:#010x}")  # expect: BUF007
        out.append(payload)
