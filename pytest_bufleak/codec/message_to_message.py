"""Message-to-message codecs: ``MessageToMessageDecoder``, ``MessageToMessageEncoder``, ``MessageToMessageCodec``.

Ownership as in Netty: an accepted message is released after ``decode``/``encode`` returns or raises,
so whatever goes into ``out`` must own its own reference (``retain()`` the input, or a part of it, to
pass it on). Messages of another type pass through untouched. What ``decode`` put into ``out`` before
raising is still passed on (Netty fires it in a ``finally``).
"""
from __future__ import annotations

from typing import Any, ClassVar, List, Optional

from ..buffer.refcount import ReferenceCountUtil
from .byte_to_message import DecoderException, EncoderException
from ..channel.handlers import (
    ChannelDuplexHandler,
    ChannelInboundHandlerAdapter,
    ChannelOutboundHandlerAdapter,
    MessageType,
    check_message_type,
)


def _message_type(value: Optional[MessageType], default: MessageType, name: str) -> MessageType:
    return default if value is None else check_message_type(value, name)


def write_all(ctx: Any, out: List[Any], promise: Any) -> None:
    """Write every message of ``out``; ``promise`` completes when the last write does (Netty's PromiseCombiner)."""
    if len(out) == 1:
        ctx.write(out[0], promise)
        return
    promise = promise if promise is not None else ctx.new_promise()
    pending = [len(out)]

    def one_done(future: Any) -> None:
        pending[0] -= 1
        if not future.is_success():
            promise.try_failure(future.cause())
        elif pending[0] == 0:
            promise.try_success()

    for msg in out:
        ctx.write(msg).add_listener(one_done)


class MessageToMessageDecoder(ChannelInboundHandlerAdapter):
    """Decodes one message into others: implement ``decode(ctx, msg, out)``.

    ``inbound_message_type`` (class attribute or argument) selects the messages to decode. The input
    is released after ``decode`` returns or raises: retain what you pass on from it (``msg.retain()``,
    ``msg.retained_slice()``).
    """

    inbound_message_type: ClassVar[MessageType] = object

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "inbound_message_type" in cls.__dict__:
            check_message_type(cls.__dict__["inbound_message_type"], f"{cls.__name__}.inbound_message_type")

    def __init__(self, inbound_message_type: Optional[MessageType] = None) -> None:
        if inbound_message_type is not None:
            self.inbound_message_type = check_message_type(inbound_message_type, "inbound_message_type")  # type: ignore[misc]

    def accept_inbound_message(self, msg: Any) -> bool:
        """True when ``msg`` should be decoded."""
        return isinstance(msg, self.inbound_message_type)

    def decode(self, ctx: Any, msg: Any, out: List[Any]) -> None:
        """Append what ``msg`` decodes to to ``out`` (``msg`` is released afterwards)."""
        raise NotImplementedError(f"{type(self).__name__} must implement decode(ctx, msg, out)")

    def channel_read(self, ctx: Any, msg: Any) -> None:
        out: List[Any] = []
        try:
            if not self.accept_inbound_message(msg):
                out.append(msg)
                return
            try:
                self.decode(ctx, msg, out)
            finally:
                ReferenceCountUtil.safe_release(msg)
        except DecoderException:
            raise
        except Exception as exc:
            raise DecoderException(f"{type(exc).__name__}: {exc}") from exc
        finally:
            for decoded in out:
                ctx.fire_channel_read(decoded)


class MessageToMessageEncoder(ChannelOutboundHandlerAdapter):
    """Encodes one outbound message into others: implement ``encode(ctx, msg, out)``.

    ``outbound_message_type`` selects the messages to encode. The input is released after ``encode``
    returns or raises; ``encode`` must produce at least one message (else ``EncoderException``, as Netty).
    """

    outbound_message_type: ClassVar[MessageType] = object

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "outbound_message_type" in cls.__dict__:
            check_message_type(cls.__dict__["outbound_message_type"], f"{cls.__name__}.outbound_message_type")

    def __init__(self, outbound_message_type: Optional[MessageType] = None) -> None:
        if outbound_message_type is not None:
            self.outbound_message_type = check_message_type(outbound_message_type, "outbound_message_type")  # type: ignore[misc]

    def accept_outbound_message(self, msg: Any) -> bool:
        """True when ``msg`` should be encoded."""
        return isinstance(msg, self.outbound_message_type)

    def encode(self, ctx: Any, msg: Any, out: List[Any]) -> None:
        """Append what ``msg`` encodes to to ``out`` (``msg`` is released afterwards)."""
        raise NotImplementedError(f"{type(self).__name__} must implement encode(ctx, msg, out)")

    def write(self, ctx: Any, msg: Any, promise: Any = None) -> None:
        if not self.accept_outbound_message(msg):
            ctx.write(msg, promise)
            return
        out: List[Any] = []
        try:
            try:
                self.encode(ctx, msg, out)
            finally:
                ReferenceCountUtil.safe_release(msg)
            if not out:
                raise EncoderException(f"{type(self).__name__} must produce at least one message.")
        except EncoderException:
            raise
        except Exception as exc:
            raise EncoderException(f"{type(exc).__name__}: {exc}") from exc
        finally:
            # What encode made before it raised is written all the same, as Netty does.
            if out:
                write_all(ctx, out, promise)


class MessageToMessageCodec(ChannelDuplexHandler):
    """A decoder and an encoder in one handler: implement ``decode(ctx, msg, out)`` and ``encode(ctx, msg, out)``.

    ``inbound_message_type`` selects what is decoded, ``outbound_message_type`` what is encoded; each
    input is released after its ``decode``/``encode``, as in the two halves.
    """

    inbound_message_type: ClassVar[MessageType] = object
    outbound_message_type: ClassVar[MessageType] = object

    def __init__(
        self, inbound_message_type: Optional[MessageType] = None, outbound_message_type: Optional[MessageType] = None
    ) -> None:
        self.inbound_message_type = _message_type(  # type: ignore[misc]
            inbound_message_type, self.inbound_message_type, "inbound_message_type")
        self.outbound_message_type = _message_type(  # type: ignore[misc]
            outbound_message_type, self.outbound_message_type, "outbound_message_type")

    accept_inbound_message = MessageToMessageDecoder.accept_inbound_message
    accept_outbound_message = MessageToMessageEncoder.accept_outbound_message
    channel_read = MessageToMessageDecoder.channel_read
    write = MessageToMessageEncoder.write

    def decode(self, ctx: Any, msg: Any, out: List[Any]) -> None:
        """Append what inbound ``msg`` decodes to to ``out``."""
        raise NotImplementedError(f"{type(self).__name__} must implement decode(ctx, msg, out)")

    def encode(self, ctx: Any, msg: Any, out: List[Any]) -> None:
        """Append what outbound ``msg`` encodes to to ``out``."""
        raise NotImplementedError(f"{type(self).__name__} must implement encode(ctx, msg, out)")
