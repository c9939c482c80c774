"""``StringDecoder`` (ByteBuf -> str) and ``StringEncoder`` (str -> ByteBuf), Netty's string codecs.

The decoder releases each buffer it decodes (it is a ``MessageToMessageDecoder``); put a frame
decoder before it, or a message may end in the middle of a character. The encoder's buffer comes
from the channel's allocator and is released by whoever writes it out.
"""
from __future__ import annotations

from typing import Any, List

from ..buffer.args import encoding_arg
from ..buffer.bytebuf import ByteBuf
from .message_to_message import MessageToMessageDecoder, MessageToMessageEncoder


class StringDecoder(MessageToMessageDecoder):
    """Decodes each ``ByteBuf``'s readable bytes with ``encoding`` (default utf-8); other messages pass."""

    inbound_message_type = ByteBuf

    def __init__(self, encoding: str = "utf-8") -> None:
        super().__init__()
        self.encoding = encoding_arg(encoding)

    def decode(self, ctx: Any, msg: ByteBuf, out: List[Any]) -> None:
        out.append(msg.to_string(self.encoding))


class StringEncoder(MessageToMessageEncoder):
    """Encodes each ``str`` with ``encoding`` (default utf-8) into a buffer from ``ctx.alloc()``.

    As in Netty, an empty string produces no message, which ``MessageToMessageEncoder`` refuses with
    ``EncoderException``.
    """

    outbound_message_type = str

    def __init__(self, encoding: str = "utf-8") -> None:
        super().__init__()
        self.encoding = encoding_arg(encoding)

    def encode(self, ctx: Any, msg: str, out: List[Any]) -> None:
        if not msg:
            return
        data = msg.encode(self.encoding)
        buf = ctx.alloc().buffer(len(data))
        buf.write_bytes(data)
        out.append(buf)
