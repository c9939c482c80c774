"""A versioned frame decoder that reads the frame and then rejects it, losing the frame."""

from pytest_bufleak.channel import ByteToMessageDecoder, CorruptedFrameException

HEADER_LENGTH = 3
SUPPORTED_VERSIONS = (1, 2)


class VersionedFrameDecoder(ByteToMessageDecoder):
    """Frames: version (1 byte), payload length (2 bytes), payload."""

    def decode(self, ctx, in_, out):
        if in_.readable_bytes() < HEADER_LENGTH:
            return
        length = in_.get_unsigned_short(in_.reader_index + 1)
        if in_.readable_bytes() < HEADER_LENGTH + length:
            return
        version = in_.read_unsigned_byte()
        in_.skip_bytes(2)
        frame = in_.read_bytes(length)
        if version not in SUPPORTED_VERSIONS:
            raise CorruptedFrameException(f"unsupported protocol version {version}")  # expect: BUF007
        out.append(frame)
