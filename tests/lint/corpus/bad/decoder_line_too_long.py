"""A line decoder that reads the line first and checks the length limit afterwards."""

from pytest_bufleak.channel import ByteToMessageDecoder, TooLongFrameException

LF = 0x0A


class LineDecoder(ByteToMessageDecoder):
    """Splits the stream on LF; the delimiter is dropped."""

    def __init__(self, max_length=8192):
        super().__init__()
        self.max_length = max_length

    def decode(self, ctx, in_, out):
        line_length = in_.bytes_before(LF)
        if line_length < 0:
            return
        line = in_.read_bytes(line_length)
        in_.skip_bytes(1)
        if line_length > self.max_length:
            raise TooLongFrameException(f"line of {line_length} bytes, limit {self.max_length}")  # expect: BUF007
        out.append(line)
