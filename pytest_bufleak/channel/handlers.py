"""Handler base classes: the adapters, ``SimpleChannelInboundHandler`` and ``ChannelInitializer``.

Every method an adapter defines only passes the event on. Such pass-through methods are marked with
:func:`skip`, and the pipeline never calls a skipped method: an event goes straight to the next handler
that overrides it (Netty's ``@Skip`` and execution mask).
"""
from __future__ import annotations

from typing import Any, Callable, ClassVar, Optional, Tuple, Type, TypeVar, Union

from ..buffer.refcount import ReferenceCountUtil

F = TypeVar("F", bound=Callable[..., Any])

MessageType = Union[Type[Any], Tuple[Type[Any], ...]]


def check_message_type(message_type: Any, name: str) -> MessageType:
    """Return ``message_type`` if ``isinstance`` accepts it (a class or a tuple of classes), else raise TypeError.

    Checked when a handler is made, so a wrong type fails there, not on every message.
    """
    try:
        isinstance(None, message_type)
    except TypeError:
        raise TypeError(f"{name}: {message_type!r} (expected: a class or a tuple of classes)") from None
    return message_type


def skip(method: F) -> F:
    """Mark a handler method as pass-through: the pipeline calls the next handler instead."""
    method._bufleak_skip = True  # type: ignore[attr-defined]
    return method


class ChannelHandler:
    """The root of all handlers: lifecycle callbacks and exception forwarding.

    A handler instance may be in one pipeline once unless its class sets ``sharable = True``
    (Netty's ``@Sharable``).
    """

    sharable: ClassVar[bool] = False
    _added = False

    def handler_added(self, ctx: Any) -> None:
        """Called after the handler was added to a pipeline."""

    def handler_removed(self, ctx: Any) -> None:
        """Called after the handler was removed from its pipeline (also when the channel closes)."""

    @skip
    def exception_caught(self, ctx: Any, cause: BaseException) -> None:
        """An exception was raised by this handler or an earlier one; forwards it by default."""
        ctx.fire_exception_caught(cause)


class ChannelInboundHandlerAdapter(ChannelHandler):
    """Inbound events, each forwarded to the next handler unless overridden.

    ``channel_read(ctx, msg)`` receives ownership of ``msg``: release it, or pass it on with
    ``ctx.fire_channel_read(msg)``.
    """

    @skip
    def channel_active(self, ctx: Any) -> None:
        """The channel became active (connected)."""
        ctx.fire_channel_active()

    @skip
    def channel_inactive(self, ctx: Any) -> None:
        """The channel became inactive (closed)."""
        ctx.fire_channel_inactive()

    @skip
    def channel_read(self, ctx: Any, msg: Any) -> None:
        """A message arrived; this handler now owns it."""
        ctx.fire_channel_read(msg)

    @skip
    def channel_read_complete(self, ctx: Any) -> None:
        """The last message of the current read burst was delivered."""
        ctx.fire_channel_read_complete()

    @skip
    def user_event_triggered(self, ctx: Any, evt: Any) -> None:
        """A user event was fired through the pipeline."""
        ctx.fire_user_event_triggered(evt)

    @skip
    def channel_writability_changed(self, ctx: Any) -> None:
        """``ctx.channel().is_writable()`` changed."""
        ctx.fire_channel_writability_changed()


class ChannelOutboundHandlerAdapter(ChannelHandler):
    """Outbound operations, each forwarded towards the head unless overridden.

    ``write(ctx, msg)`` (or ``write(ctx, msg, promise)``) receives ownership of ``msg``: release it,
    or pass it on with ``ctx.write(msg)``. A handler whose ``write`` takes no promise hands the
    operation's promise on with its first ``ctx.write``.
    """

    @skip
    def write(self, ctx: Any, msg: Any, promise: Any = None) -> None:
        """Write ``msg`` (queued until a flush)."""
        ctx.write(msg, promise)

    @skip
    def flush(self, ctx: Any) -> None:
        """Flush every queued write to the transport."""
        ctx.flush()

    @skip
    def close(self, ctx: Any, promise: Any = None) -> None:
        """Close the channel."""
        ctx.close(promise)


class ChannelDuplexHandler(ChannelInboundHandlerAdapter, ChannelOutboundHandlerAdapter):
    """A handler for both directions (Netty's ``ChannelDuplexHandler``)."""


class SimpleChannelInboundHandler(ChannelInboundHandlerAdapter):
    """Handles messages of one type in ``channel_read0`` and releases them afterwards.

    The accepted type (or tuple of types) is the class attribute or constructor argument
    ``inbound_message_type`` (default ``object``: everything); anything else raises ``TypeError`` when
    the class or handler is made. ``auto_release`` is a class attribute or argument too (default True);
    ``SimpleChannelInboundHandler(False)`` is Netty's
    ``SimpleChannelInboundHandler(boolean autoRelease)``. Messages of another type are passed on
    untouched. With ``auto_release`` (the default) an accepted message is released after
    ``channel_read0`` returns or raises: retain it there to keep it. The release is a ``safe_release``:
    a message that ``channel_read0`` already released is logged as a warning instead of raising over
    the error ``channel_read0`` may be propagating.
    """

    inbound_message_type: ClassVar[MessageType] = object
    auto_release: bool = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "inbound_message_type" in cls.__dict__:
            check_message_type(cls.__dict__["inbound_message_type"], f"{cls.__name__}.inbound_message_type")

    def __init__(self, inbound_message_type: Optional[MessageType] = None, auto_release: Optional[bool] = None) -> None:
        if isinstance(inbound_message_type, bool):
            # Netty's SimpleChannelInboundHandler(boolean autoRelease): super().__init__(False).
            inbound_message_type, auto_release = None, inbound_message_type
        # An argument left out keeps the class attribute (``auto_release = False`` in a subclass body).
        if inbound_message_type is not None:
            checked = check_message_type(inbound_message_type, "inbound_message_type")
            self.inbound_message_type = checked  # type: ignore[misc]
        if auto_release is not None:
            self.auto_release = auto_release

    def accept_inbound_message(self, msg: Any) -> bool:
        """True when ``msg`` should go to ``channel_read0``."""
        return isinstance(msg, self.inbound_message_type)

    def channel_read(self, ctx: Any, msg: Any) -> None:
        release = True
        try:
            if self.accept_inbound_message(msg):
                self.channel_read0(ctx, msg)
            else:
                release = False
                ctx.fire_channel_read(msg)
        finally:
            if self.auto_release and release:
                ReferenceCountUtil.safe_release(msg)

    def channel_read0(self, ctx: Any, msg: Any) -> None:
        """Handle an accepted message; it is released afterwards when ``auto_release`` is on."""
        raise NotImplementedError(f"{type(self).__name__} must implement channel_read0(ctx, msg)")


class ChannelInitializer(ChannelInboundHandlerAdapter):
    """Sets up a new channel's pipeline in ``init_channel(channel)``, then removes itself.

    Pass a subclass instance (or any callable taking the channel) to ``aio.serve``/``aio.connect``.
    """

    sharable = True

    def __init__(self, init: Optional[Callable[[Any], None]] = None) -> None:
        self._init = init

    def init_channel(self, channel: Any) -> None:
        """Add the channel's handlers: ``channel.pipeline().add_last(...)``."""
        if self._init is None:
            raise NotImplementedError(f"{type(self).__name__} must implement init_channel(channel)")
        self._init(channel)

    def handler_added(self, ctx: Any) -> None:
        try:
            self.init_channel(ctx.channel())
        except Exception as exc:  # noqa: BLE001 - Netty logs, and closes the channel it could not set up
            ctx.fire_exception_caught(exc)
            ctx.channel().close()
        finally:
            if not ctx.is_removed():
                ctx.pipeline().remove(ctx)
