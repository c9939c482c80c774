"""``ByteToMessageCodec``: a ``ByteToMessageDecoder`` and a ``MessageToByteEncoder`` in one handler (Netty's).

Implement ``decode(ctx, buf, out)`` (read frames from the cumulation, which the codec owns) and
``encode(ctx, msg, out)`` (write ``msg`` into the buffer ``out``; ``msg`` is released afterwards).
The two halves keep their own rules: the cumulation is released when the channel closes or the codec
is removed, the encoder's input after ``encode``.
"""
from __future__ import annotations

from typing import Any, ClassVar, List, Optional

from ..buffer.bytebuf import ByteBuf
from .byte_to_message import ByteToMessageDecoder, MessageToByteEncoder
from ..channel.handlers import ChannelDuplexHandler, MessageType


class _Decoder(ByteToMessageDecoder):
    def __init__(self, codec: ByteToMessageCodec) -> None:
        super().__init__()
        self._codec = codec

    def decode(self, ctx: Any, buf: ByteBuf, out: List[Any]) -> None:
        self._codec.decode(ctx, buf, out)

    def decode_last(self, ctx: Any, buf: ByteBuf, out: List[Any]) -> None:
        self._codec.decode_last(ctx, buf, out)

    def default_decode_last(self, ctx: Any, buf: ByteBuf, out: List[Any]) -> None:
        super().decode_last(ctx, buf, out)


class _Encoder(MessageToByteEncoder):
    def __init__(self, codec: ByteToMessageCodec, message_type: MessageType, prefer_direct: bool) -> None:
        super().__init__(message_type, prefer_direct)
        self._codec = codec

    def accept_outbound_message(self, msg: Any) -> bool:
        return self._codec.accept_outbound_message(msg)

    def encode(self, ctx: Any, msg: Any, out: ByteBuf) -> None:
        self._codec.encode(ctx, msg, out)


class ByteToMessageCodec(ChannelDuplexHandler):
    """``ByteToMessageCodec(outbound_message_type=None, prefer_direct=True)``: implement ``decode`` and ``encode``."""

    outbound_message_type: ClassVar[MessageType] = object

    def __init__(self, outbound_message_type: Optional[MessageType] = None, prefer_direct: bool = True) -> None:
        self._decoder = _Decoder(self)
        self._encoder = _Encoder(self, outbound_message_type or self.outbound_message_type, prefer_direct)

    def accept_outbound_message(self, msg: Any) -> bool:
        """True when ``msg`` should be encoded."""
        return isinstance(msg, self._encoder.outbound_message_type)

    def decode(self, ctx: Any, buf: ByteBuf, out: List[Any]) -> None:
        """Read whole messages from ``buf`` into ``out``; leave a partial one unread."""
        raise NotImplementedError(f"{type(self).__name__} must implement decode(ctx, buf, out)")

    def decode_last(self, ctx: Any, buf: ByteBuf, out: List[Any]) -> None:
        """Called once when the channel closes (by default: one more ``decode`` of what is left)."""
        self._decoder.default_decode_last(ctx, buf, out)

    def encode(self, ctx: Any, msg: Any, out: ByteBuf) -> None:
        """Write ``msg``'s bytes into ``out``."""
        raise NotImplementedError(f"{type(self).__name__} must implement encode(ctx, msg, out)")

    def channel_read(self, ctx: Any, msg: Any) -> None:
        self._decoder.channel_read(ctx, msg)

    def channel_read_complete(self, ctx: Any) -> None:
        self._decoder.channel_read_complete(ctx)

    def channel_inactive(self, ctx: Any) -> None:
        self._decoder.channel_inactive(ctx)

    def handler_removed(self, ctx: Any) -> None:
        self._decoder.handler_removed(ctx)

    def write(self, ctx: Any, msg: Any, promise: Any = None) -> None:
        self._encoder.write(ctx, msg, promise)
