"""Codecs: ``ByteToMessageDecoder`` (with its cumulation buffer) and ``MessageToByteEncoder``.

The cumulation is the classic leak spot: it holds bytes between reads. It is released as soon as it
is fully read, and whatever is left when the channel closes (after a last ``decode_last``) or when
the decoder is removed (its readable bytes are passed on to the next handler, as in Netty).
"""
from __future__ import annotations

from typing import Any, ClassVar, List, Optional

from ..buffer.allocator import ByteBufAllocator
from ..buffer.bytebuf import DEFAULT_MAX_CAPACITY, ByteBuf
from ..buffer.refcount import IllegalReferenceCountException, ReferenceCountUtil
from ..leak.overrelease import report as report_over_release
from ..buffer.unpooled import Unpooled
from ..channel.handlers import ChannelInboundHandlerAdapter, ChannelOutboundHandlerAdapter, MessageType, check_message_type


class CodecException(ValueError):
    """A codec failed (Netty's ``CodecException``)."""


class DecoderException(CodecException):
    """A decoder failed; other exceptions raised by ``decode`` arrive wrapped in one (the original is ``__cause__``)."""


class EncoderException(CodecException):
    """An encoder failed; other exceptions raised by ``encode`` arrive wrapped in one."""


class TooLongFrameException(DecoderException):
    """A frame is longer than the decoder allows."""


class CorruptedFrameException(DecoderException):
    """A frame's header makes no sense (a negative length, say)."""


_STATE_INIT, _STATE_CALLING_CHILD_DECODE, _STATE_HANDLER_REMOVED_PENDING = 0, 1, 2


def merge_cumulate(alloc: ByteBufAllocator, cumulation: ByteBuf, incoming: ByteBuf) -> ByteBuf:
    """Netty's ``MERGE_CUMULATOR``: append ``incoming`` to ``cumulation`` (copying to a bigger buffer
    when it must), release ``incoming`` and return the cumulation to use from now on."""
    if not cumulation.is_readable():
        cumulation.release()
        return incoming
    try:
        required = incoming.readable_bytes()
        if required > cumulation.max_writable_bytes() or (
            required > cumulation.writable_bytes() and cumulation.ref_cnt() > 1
        ):
            # Growing in place is impossible, or would move memory that slices of it still share.
            return _expand_cumulation(alloc, cumulation, incoming)
        cumulation.write_bytes(incoming)
        return cumulation
    finally:
        incoming.release()


def _expand_cumulation(alloc: ByteBufAllocator, old: ByteBuf, incoming: ByteBuf) -> ByteBuf:
    total = old.readable_bytes() + incoming.readable_bytes()
    new = alloc.buffer(alloc.calculate_new_capacity(total, DEFAULT_MAX_CAPACITY))
    to_release = new
    try:
        new.write_bytes(old)
        new.write_bytes(incoming)
        to_release = old
    finally:
        to_release.release()
    return new


class ByteToMessageDecoder(ChannelInboundHandlerAdapter):
    """Turns a stream of ``ByteBuf`` reads into messages: implement ``decode(ctx, buf, out)``.

    ``decode`` reads what it can from ``buf`` (the cumulation, which it must not release) and appends
    the messages it made to ``out``; it is called again while it makes progress. Bytes it leaves wait
    for the next read. ``decode_last`` runs once more when the channel closes. Messages that are not
    ``ByteBuf`` pass through untouched.
    """

    single_decode: bool = False
    discard_after_reads: int = 16
    # The decoding state starts as class attributes, not in __init__: a subclass whose __init__ does
    # not call super().__init__() (Java calls the super constructor implicitly) still decodes, and releases.
    _cumulation: Optional[ByteBuf] = None
    _num_reads = 0
    _decode_state = _STATE_INIT
    _fired_channel_read = False

    def decode(self, ctx: Any, buf: ByteBuf, out: List[Any]) -> None:
        """Read whole messages from ``buf`` into ``out``; leave a partial one unread."""
        raise NotImplementedError(f"{type(self).__name__} must implement decode(ctx, buf, out)")

    def decode_last(self, ctx: Any, buf: ByteBuf, out: List[Any]) -> None:
        """Called once when the channel closes, with what is left (by default: one more ``decode``)."""
        if buf.is_readable():
            self._decode_removal_reentry_protection(ctx, buf, out)

    def internal_buffer(self) -> ByteBuf:
        """The cumulation (do not release it), or the empty buffer."""
        return self._cumulation if self._cumulation is not None else Unpooled.EMPTY_BUFFER

    def actual_readable_bytes(self) -> int:
        """Bytes waiting in the cumulation."""
        return self.internal_buffer().readable_bytes()

    def handler_removed0(self, ctx: Any) -> None:
        """Called after the decoder was removed and its cumulation passed on; override to clean up more."""

    # ------------------------------------------------------------------ events

    def channel_read(self, ctx: Any, msg: Any) -> None:
        if not isinstance(msg, ByteBuf):
            ctx.fire_channel_read(msg)
            return
        if msg.ref_cnt() == 0:
            _released_before_fired(ctx, self, msg)
        out: List[Any] = []
        try:
            cumulation = self._cumulation
            self._cumulation = msg if cumulation is None else merge_cumulate(ctx.alloc(), cumulation, msg)
            self._call_decode(ctx, self._cumulation, out)
        except DecoderException:
            raise
        except Exception as exc:
            raise DecoderException(f"{type(exc).__name__}: {exc}") from exc
        finally:
            # Nothing here may raise over the error on its way: a cumulation that decode() released
            # (freed behind the decoder's back) is dropped with a safe_release, which reports it.
            cumulation = self._cumulation
            if cumulation is not None and (cumulation.ref_cnt() == 0 or not cumulation.is_readable()):
                self._num_reads = 0
                self._cumulation = None
                ReferenceCountUtil.safe_release(cumulation)
            else:
                self._num_reads += 1
                if self._num_reads >= self.discard_after_reads:
                    self._num_reads = 0
                    self._discard_some_read_bytes()
            if out:
                self._fired_channel_read = True
                _fire(ctx, out)

    def channel_read_complete(self, ctx: Any) -> None:
        self._num_reads = 0
        self._discard_some_read_bytes()
        self._fired_channel_read = False
        ctx.fire_channel_read_complete()

    def channel_inactive(self, ctx: Any) -> None:
        self._channel_input_closed(ctx)

    def handler_removed(self, ctx: Any) -> None:
        if self._decode_state == _STATE_CALLING_CHILD_DECODE:
            self._decode_state = _STATE_HANDLER_REMOVED_PENDING
            return
        buf, self._cumulation = self._cumulation, None
        self._num_reads = 0
        if buf is not None:
            if buf.ref_cnt() > 0 and buf.is_readable():
                ctx.fire_channel_read(buf)
                ctx.fire_channel_read_complete()
            else:
                ReferenceCountUtil.safe_release(buf)
        self.handler_removed0(ctx)

    # ------------------------------------------------------------------ decoding

    def _call_decode(self, ctx: Any, buf: ByteBuf, out: List[Any]) -> None:
        while buf.is_readable():
            if out:
                _fire(ctx, out)
                if ctx.is_removed():
                    break
            before = buf.readable_bytes()
            self._decode_removal_reentry_protection(ctx, buf, out)
            if ctx.is_removed():
                break
            if not out:
                if before == buf.readable_bytes():
                    break
                continue
            if before == buf.readable_bytes():
                raise DecoderException(f"{type(self).__name__}.decode() did not read anything but decoded a message.")
            if self.single_decode:
                break

    def _decode_removal_reentry_protection(self, ctx: Any, buf: ByteBuf, out: List[Any]) -> None:
        self._decode_state = _STATE_CALLING_CHILD_DECODE
        try:
            self.decode(ctx, buf, out)
        finally:
            removal_pending = self._decode_state == _STATE_HANDLER_REMOVED_PENDING
            self._decode_state = _STATE_INIT
            if removal_pending:
                _fire(ctx, out)
                self.handler_removed(ctx)

    def _channel_input_closed(self, ctx: Any) -> None:
        out: List[Any] = []
        try:
            cumulation = self._cumulation
            if cumulation is not None:
                self._call_decode(ctx, cumulation, out)
                if not ctx.is_removed():
                    rest = self._cumulation
                    self.decode_last(ctx, rest if rest is not None else Unpooled.EMPTY_BUFFER, out)
            else:
                self.decode_last(ctx, Unpooled.EMPTY_BUFFER, out)
        except DecoderException:
            raise
        except Exception as exc:
            raise DecoderException(f"{type(exc).__name__}: {exc}") from exc
        finally:
            cumulation, self._cumulation = self._cumulation, None
            if cumulation is not None:
                ReferenceCountUtil.safe_release(cumulation)  # never raises over the error on its way
            fired = bool(out)
            _fire(ctx, out)
            if fired:
                ctx.fire_channel_read_complete()
            ctx.fire_channel_inactive()

    def _discard_some_read_bytes(self) -> None:
        cumulation = self._cumulation
        # Only a cumulation nobody else shares (no retained slices) may move its bytes.
        if cumulation is not None and cumulation.ref_cnt() == 1 and cumulation.reader_index >= cumulation.capacity >> 1:
            cumulation.discard_read_bytes()


def _released_before_fired(ctx: Any, decoder: ByteToMessageDecoder, msg: ByteBuf) -> None:
    """A released buffer reached the decoder: a handler before it released the message and then passed it on.

    Reported like an over-release (the leak detector's report says where the buffer was freed, in that
    handler) and raised as a DecoderException naming both handlers; the buffer is not touched again.
    """
    names = ctx.pipeline().names()
    before = names[names.index(ctx.name()) - 1] if ctx.name() in names else None
    source = "the pipeline's head (write_inbound or the transport)" if before in (None, names[0]) else f"'{before}'"
    error = IllegalReferenceCountException(0)
    report_over_release(msg, error, by=f"'{ctx.name()}' ({type(decoder).__name__}) on arrival: {source} passed it "
                                       "on after releasing it (release-then-fire)")
    raise DecoderException(
        f"'{ctx.name()}' ({type(decoder).__name__}) received a released buffer from {source}: a handler released "
        f"the message and then passed it on with fire_channel_read (release-then-fire); {error}"
    ) from error


def _fire(ctx: Any, out: List[Any]) -> None:
    """Pass every decoded message on, and empty ``out``."""
    for msg in out:
        ctx.fire_channel_read(msg)
    out.clear()


class MessageToByteEncoder(ChannelOutboundHandlerAdapter):
    """Encodes messages of ``outbound_message_type`` into a ``ByteBuf``: implement ``encode(ctx, msg, out)``.

    The message is released after ``encode`` (retain it there to keep it); other messages pass through.
    The buffer comes from ``allocate_buffer`` (``ctx.alloc().io_buffer()`` when ``prefer_direct``).
    ``outbound_message_type`` (class attribute or argument, as ``prefer_direct``) must be a class or a tuple of classes;
    ``MessageToByteEncoder(False)`` is Netty's ``MessageToByteEncoder(boolean preferDirect)``.
    """

    outbound_message_type: ClassVar[MessageType] = object
    #: Class attribute or argument (a class attribute also serves subclasses that skip super().__init__()).
    prefer_direct: bool = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "outbound_message_type" in cls.__dict__:
            check_message_type(cls.__dict__["outbound_message_type"], f"{cls.__name__}.outbound_message_type")

    def __init__(
        self, outbound_message_type: Optional[MessageType] = None, prefer_direct: Optional[bool] = None
    ) -> None:
        if isinstance(outbound_message_type, bool):
            # Netty's MessageToByteEncoder(boolean preferDirect): super().__init__(False).
            outbound_message_type, prefer_direct = None, outbound_message_type
        # An argument left out keeps the class attribute (``prefer_direct = False`` in a subclass body).
        if outbound_message_type is not None:
            checked = check_message_type(outbound_message_type, "outbound_message_type")
            self.outbound_message_type = checked  # type: ignore[misc]
        if prefer_direct is not None:
            self.prefer_direct = prefer_direct

    def accept_outbound_message(self, msg: Any) -> bool:
        """True when ``msg`` should be encoded."""
        return isinstance(msg, self.outbound_message_type)

    def allocate_buffer(self, ctx: Any, msg: Any, prefer_direct: bool) -> ByteBuf:
        """The buffer ``encode`` writes into."""
        alloc = ctx.alloc()
        return alloc.io_buffer() if prefer_direct else alloc.heap_buffer()

    def encode(self, ctx: Any, msg: Any, out: ByteBuf) -> None:
        """Write ``msg``'s bytes into ``out``."""
        raise NotImplementedError(f"{type(self).__name__} must implement encode(ctx, msg, out)")

    def write(self, ctx: Any, msg: Any, promise: Any = None) -> None:
        if not self.accept_outbound_message(msg):
            ctx.write(msg, promise)
            return
        buf: Optional[ByteBuf] = None
        try:
            buf = self.allocate_buffer(ctx, msg, self.prefer_direct)
            try:
                self.encode(ctx, msg, buf)
            finally:
                ReferenceCountUtil.safe_release(msg)
        except EncoderException:
            if buf is not None:
                buf.release()
            raise
        except Exception as exc:
            if buf is not None:
                buf.release()
            raise EncoderException(f"{type(exc).__name__}: {exc}") from exc
        if buf.is_readable():
            ctx.write(buf, promise)
        else:
            buf.release()
            ctx.write(Unpooled.EMPTY_BUFFER, promise)
