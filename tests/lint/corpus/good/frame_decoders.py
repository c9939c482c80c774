"""Frame decoders that hand every frame they take to out: borrowed slices are retained first."""

from pytest_bufleak.channel import ByteToMessageDecoder

LF = 0x0A


class LengthFieldDecoder(ByteToMessageDecoder):
    """Frames: 2-byte length, payload. The frame is a slice of the cumulation, retained for out."""

    def decode(self, ctx, in_, out):
        while in_.readable_bytes() >= 2:
            length = in_.get_unsigned_short(in_.reader_index)
            if in_.readable_bytes() < 2 + length:
                return
            in_.skip_bytes(2)
            frame = in_.read_slice(length)
            out.append(frame.retain())


class FixedLengthDecoder(ByteToMessageDecoder):
    """Cuts the stream into frames of a fixed size."""

    def __init__(self, frame_length):
        super().__init__()
        self.frame_length = frame_length

    def decode(self, ctx, in_, out):
        while in_.readable_bytes() >= self.frame_length:
            out.append(in_.read_retained_slice(self.frame_length))


class LineFrameDecoder(ByteToMessageDecoder):
    """Emits each LF-terminated line as its own buffer, without the delimiter."""

    def decode(self, ctx, in_, out):
        length = in_.bytes_before(LF)
        if length < 0:
            return
        line = in_.read_bytes(length)
        in_.skip_bytes(1)
        out.append(line)

    def decode_last(self, ctx, in_, out):
        self.decode(ctx, in_, out)
        if in_.is_readable():
            out.append(in_.read_retained_slice(in_.readable_bytes()))
