"""A text decoder that turns each line into a str and never releases the bytes it read."""

from pytest_bufleak.channel import ByteToMessageDecoder

LF = 0x0A


class TextLineDecoder(ByteToMessageDecoder):
    """Emits one str per CRLF- or LF-terminated line."""

    def __init__(self, encoding="utf-8"):
        super().__init__()
        self.encoding = encoding

    def decode(self, ctx, in_, out):
        length = in_.bytes_before(LF)
        if length < 0:
            return
        raw = in_.read_bytes(length)  # expect: BUF006
        in_.skip_bytes(1)
        text = raw.to_string(self.encoding)
        out.append(text.rstrip("\r"))
