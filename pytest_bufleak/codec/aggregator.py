"""``MessageAggregator``: joins a start message and its content messages into one full message (Netty's).

The base of HTTP's aggregator. Subclasses say which messages start, continue and end a message and how
the full message is made (``begin_aggregation``). Ownership: every input is released after it was
handled (this is a ``MessageToMessageDecoder``); the content of each part is retained into a
``CompositeByteBuf`` that the full message owns. A message still being aggregated is released when the
channel goes inactive or the handler is removed; an oversized one is released and reported by
``handle_oversized_message`` (``TooLongFrameException`` through ``exception_caught`` by default).
"""
from __future__ import annotations

from typing import Any, List, Optional

from ..buffer.bytebuf import ByteBuf
from ..buffer.holder import ByteBufHolder
from ..buffer.refcount import ReferenceCountUtil
from .byte_to_message import DecoderException, TooLongFrameException
from .args import non_negative_int
from .message_to_message import MessageToMessageDecoder
from .result import DecoderResult

#: Netty's ``DEFAULT_MAX_COMPOSITEBUFFER_COMPONENTS``.
DEFAULT_MAX_COMPOSITEBUFFER_COMPONENTS = 1024


class MessageAggregationException(DecoderException):
    """A message arrived out of order: a start before the last message ended, or content with no start."""


def _decoder_result(msg: Any) -> Optional[DecoderResult]:
    getter = getattr(msg, "decoder_result", None)
    return getter() if callable(getter) else None


class MessageAggregator(MessageToMessageDecoder):
    """``MessageAggregator(max_content_length)``: implement the ``is_*`` tests and ``begin_aggregation``.

    ``begin_aggregation(start, content)`` returns the full message (a ``ByteBufHolder`` owning
    ``content``, a ``CompositeByteBuf``); ``aggregate(full, part)`` merges a part's extras (trailers);
    ``finish_aggregation(full)`` completes it. Messages with a ``decoder_result()`` that failed end the
    aggregation at once, as in Netty.
    """

    max_cumulation_buffer_components = DEFAULT_MAX_COMPOSITEBUFFER_COMPONENTS

    def __init__(self, max_content_length: int, inbound_message_type: Any = None) -> None:
        super().__init__(inbound_message_type)
        self.max_content_length = non_negative_int(max_content_length, "max_content_length")
        self._current: Optional[ByteBufHolder] = None
        self._aggregating = False

    # ------------------------------------------------------------------ what subclasses say

    def is_start_message(self, msg: Any) -> bool:
        """True when ``msg`` starts a message (HTTP: a request or response head)."""
        raise NotImplementedError(f"{type(self).__name__} must implement is_start_message(msg)")

    def is_content_message(self, msg: Any) -> bool:
        """True when ``msg`` is a part of content (a ``ByteBufHolder``)."""
        raise NotImplementedError(f"{type(self).__name__} must implement is_content_message(msg)")

    def is_last_content_message(self, msg: Any) -> bool:
        """True when content message ``msg`` ends the message."""
        raise NotImplementedError(f"{type(self).__name__} must implement is_last_content_message(msg)")

    def is_aggregated(self, msg: Any) -> bool:
        """True when ``msg`` is already whole: it passes through."""
        raise NotImplementedError(f"{type(self).__name__} must implement is_aggregated(msg)")

    def is_content_length_invalid(self, start: Any, max_content_length: int) -> bool:
        """True when the start message already announces too much content (HTTP: Content-Length)."""
        return False

    def new_continue_response(self, start: Any, max_content_length: int, pipeline: Any) -> Any:
        """A response to write before the content comes (HTTP's 100-continue), or None."""
        return None

    def ignore_content_after_continue_response(self, response: Any) -> bool:
        """True when the content after ``response`` must be skipped (the response refused it)."""
        return False

    def begin_aggregation(self, start: Any, content: ByteBuf) -> ByteBufHolder:
        """The full message made of ``start`` and ``content`` (which it takes over)."""
        raise NotImplementedError(f"{type(self).__name__} must implement begin_aggregation(start, content)")

    def aggregate(self, aggregated: ByteBufHolder, content: Any) -> None:
        """Merge what ``content`` carries besides its bytes into ``aggregated``; nothing by default."""

    def finish_aggregation(self, aggregated: ByteBufHolder) -> None:
        """Complete ``aggregated`` (HTTP: set Content-Length); nothing by default."""

    def handle_oversized_message(self, ctx: Any, oversized: Any) -> None:
        """Report a message over ``max_content_length`` (released by the caller afterwards)."""
        ctx.fire_exception_caught(
            TooLongFrameException(f"content length exceeded {self.max_content_length} bytes."))

    # ------------------------------------------------------------------ decoding

    def accept_inbound_message(self, msg: Any) -> bool:
        if not super().accept_inbound_message(msg) or self.is_aggregated(msg):
            return False
        if self.is_start_message(msg):
            self._aggregating = True
            return True
        return self._aggregating and self.is_content_message(msg)

    def decode(self, ctx: Any, msg: Any, out: List[Any]) -> None:
        if self.is_start_message(msg):
            self._begin(ctx, msg, out)
        elif self.is_content_message(msg):
            self._append(ctx, msg, out)
        else:
            raise MessageAggregationException(f"unexpected message: {msg!r}")

    def _begin(self, ctx: Any, start: Any, out: List[Any]) -> None:
        if self._current is not None:
            self._release_current()
            raise MessageAggregationException("a new message started before the last one ended")
        response = self.new_continue_response(start, self.max_content_length, ctx.pipeline())
        if response is not None:
            ignore = self.ignore_content_after_continue_response(response)
            ctx.write_and_flush(response)
            if ignore:
                return
        elif self.is_content_length_invalid(start, self.max_content_length):
            self.handle_oversized_message(ctx, start)  # the decoder releases start afterwards
            return
        result = _decoder_result(start)
        if result is not None and not result.is_success():
            body = start.content().retain() if isinstance(start, ByteBufHolder) else ctx.alloc().buffer(0)
            aggregated = self.begin_aggregation(start, body)
            self.finish_aggregation(aggregated)
            out.append(aggregated)
            return
        content = ctx.alloc().composite_buffer(self.max_cumulation_buffer_components)
        if isinstance(start, ByteBufHolder):
            _append_partial(content, start.content())
        self._current = self.begin_aggregation(start, content)

    def _append(self, ctx: Any, part: Any, out: List[Any]) -> None:
        current = self._current
        if current is None:
            return  # content after an oversized or refused start: skipped until the next start
        content = current.content()
        if content.readable_bytes() > self.max_content_length - part.content().readable_bytes():
            self._current = None
            try:
                self.handle_oversized_message(ctx, current)
            finally:
                ReferenceCountUtil.release(current)
            return
        _append_partial(content, part.content())
        self.aggregate(current, part)
        result = _decoder_result(part)
        last = self.is_last_content_message(part)
        if result is not None and not result.is_success():
            setter = getattr(current, "set_decoder_result", None)
            if callable(setter):
                setter(DecoderResult.failure(result.cause()))
            last = True
        if last:
            self._current = None
            self.finish_aggregation(current)
            out.append(current)

    # ------------------------------------------------------------------ the end of the channel or the handler

    def channel_inactive(self, ctx: Any) -> None:
        try:
            ctx.fire_channel_inactive()
        finally:
            self._release_current()

    def handler_removed(self, ctx: Any) -> None:
        self._release_current()

    def _release_current(self) -> None:
        current, self._current = self._current, None
        if current is not None:
            ReferenceCountUtil.safe_release(current)


def _append_partial(content: Any, partial: ByteBuf) -> None:
    if partial.is_readable():
        content.add_component(True, partial.retain())
