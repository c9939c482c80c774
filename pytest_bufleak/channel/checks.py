"""What a pipeline and a channel accept, checked where it is given, with a TypeError saying what was expected.

A wrong handler or option fails at ``add_last``, ``EmbeddedChannel(...)`` or ``aio.serve``, not later
with an ``AttributeError`` from deep inside (or, for a server, once per accepted connection).
"""
from __future__ import annotations

from typing import Any, Optional

from ..buffer.allocator import ByteBufAllocator


def check_handler(handler: Any) -> None:
    """Raise TypeError unless ``handler`` is a channel handler instance (it has ``handler_added`` and ``handler_removed``)."""
    if isinstance(handler, type):
        # Checked before anything is set on it: marking the class "added" would refuse all its instances.
        raise TypeError(f"{handler.__name__} is a class, not a handler: add an instance, {handler.__name__}()")
    if callable(getattr(handler, "handler_added", None)) and callable(getattr(handler, "handler_removed", None)):
        return
    hint = ""
    if isinstance(handler, tuple):
        hint = "; to name a handler, pass the name first: add_last('name', handler)"
    elif isinstance(handler, str):
        hint = "; a name goes with one handler: add_last('name', handler)"
    raise TypeError(
        f"expected a channel handler (an instance of a ChannelHandler subclass such as ChannelInboundHandlerAdapter), "
        f"not {type(handler).__name__}: {handler!r}{hint}"
    )


def check_name(name: Any) -> None:
    """Raise TypeError unless a handler's ``name`` is a str or None (a generated name)."""
    if name is not None and not isinstance(name, str):
        raise TypeError(f"a handler's name must be a str or None, not {type(name).__name__}: {name!r}")


def check_initializer(initializer: Any) -> None:
    """Raise TypeError unless ``initializer`` is a handler (a ``ChannelInitializer``, say) or a callable taking the channel."""
    if isinstance(initializer, type) or not (callable(initializer) or hasattr(initializer, "handler_added")):
        raise TypeError(
            "initializer must be a handler (e.g. a ChannelInitializer instance) or a callable that receives the "
            f"new channel, not {type(initializer).__name__}: {initializer!r}"
        )


def check_channel_options(alloc: Optional[Any], water_mark: Optional[Any]) -> None:
    """Raise TypeError unless ``alloc`` is a ByteBufAllocator and ``water_mark`` a WriteBufferWaterMark (or None)."""
    from .channel import WriteBufferWaterMark  # channel imports the pipeline, which imports this module

    if alloc is not None and not isinstance(alloc, ByteBufAllocator):
        raise TypeError(f"alloc must be a ByteBufAllocator (or None for the default), not {type(alloc).__name__}")
    if water_mark is not None and not isinstance(water_mark, WriteBufferWaterMark):
        raise TypeError(
            f"water_mark must be a WriteBufferWaterMark (or None for the default), not {type(water_mark).__name__}"
        )
