"""ChannelPipeline and ChannelHandlerContext: a doubly linked list of handlers between a head and a tail.

Inbound events travel from the head towards the tail, outbound operations from the tail towards the
head, each reaching only the handlers that override the matching method (see ``handlers.skip``).
The head hands outbound operations to the channel's transport; the tail releases inbound messages
nobody handled and logs exceptions nobody caught, as Netty's ``HeadContext`` and ``TailContext`` do.
"""
from __future__ import annotations

import inspect
import logging
from typing import Any, Dict, Iterator, List, Optional, Tuple, Type, Union

from ..buffer.refcount import ReferenceCounted, ReferenceCountUtil
from ..leak import detector as _leak_detector
from ..leak.records import HandOver
from .checks import check_handler, check_name
from .future import ChannelPromise

logger = logging.getLogger("pytest_bufleak")

# One bit per event or operation: a context's mask holds the ones its handler really implements.
EVENTS = (
    "exception_caught", "channel_active", "channel_inactive", "channel_read", "channel_read_complete",
    "user_event_triggered", "channel_writability_changed", "write", "flush", "close",
)
(M_EXCEPTION, M_ACTIVE, M_INACTIVE, M_READ, M_READ_COMPLETE,
 M_USER_EVENT, M_WRITABILITY, M_WRITE, M_FLUSH, M_CLOSE) = (1 << i for i in range(len(EVENTS)))
M_ALL = (1 << len(EVENTS)) - 1

_class_info: Dict[type, Tuple[int, bool, bool]] = {}


class ChannelPipelineException(RuntimeError):
    """A handler's ``handler_added``/``handler_removed`` failed (Netty's ``ChannelPipelineException``)."""


def _takes_promise(method: Any, positional: int) -> bool:
    """True when ``method`` (unbound) accepts ``positional`` arguments after ``self``, the last one the promise."""
    try:
        params = list(inspect.signature(method).parameters.values())
    except (TypeError, ValueError):
        return True
    if any(p.kind is p.VAR_POSITIONAL for p in params) or any(p.name == "promise" for p in params):
        return True
    return len([p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]) > positional


def _handler_info(cls: type) -> Tuple[int, bool, bool]:
    """(mask, write takes a promise, close takes a promise) for a handler class, cached."""
    info = _class_info.get(cls)
    if info is None:
        mask = 0
        for bit, name in enumerate(EVENTS):
            method = getattr(cls, name, None)
            if method is not None and not getattr(method, "_bufleak_skip", False):
                mask |= 1 << bit
        write, close = getattr(cls, "write", None), getattr(cls, "close", None)
        info = (
            mask,
            write is not None and _takes_promise(write, 3),
            close is not None and _takes_promise(close, 2),
        )
        _class_info[cls] = info
    return info


def touch(msg: Any, ctx: ChannelHandlerContext) -> None:
    """Netty's ``pipeline.touch``: an access record naming the handler that takes ``msg`` from here.

    Called only while leak detection keeps access records (ADVANCED, PARANOID), so that a leak report
    says which handler had the message last, even for a buffer the transport allocated.
    """
    if isinstance(msg, ReferenceCounted):
        msg.touch(ctx._touch_hint)


class ChannelHandlerContext:
    """A handler's place in a pipeline: how it fires events on and starts operations.

    ``fire_*`` methods pass an inbound event to the next handler; ``write``/``flush``/``close`` start
    an outbound operation at the previous handler. ``fire_channel_read(msg)`` and ``write(msg)`` hand
    ownership of ``msg`` over.

    Netty's skip masks are resolved when the pipeline changes, not on every event: each live context
    holds, per event, the next context that implements it (``_n_*`` inbound, ``_p_*`` outbound), so
    firing an event is one attribute load and one call. A removed context becomes a
    :class:`_RemovedContext`, which walks its old links as Netty does, so an event already travelling
    through it goes on.
    """

    __slots__ = (
        "_pipeline", "_channel", "_name", "_handler", "_mask", "_write_promise", "_close_promise",
        "_prev", "_next", "_removed", "_inherited",
        "_n_read", "_n_complete", "_n_active", "_n_inactive", "_n_writability", "_n_user", "_n_exc",
        "_p_write", "_p_flush", "_p_close", "_touch_hint",
    )

    def __init__(self, pipeline: ChannelPipeline, name: str, handler: Any, mask: Optional[int] = None) -> None:
        self._pipeline = pipeline
        self._channel = pipeline._channel
        self._name = name
        self._touch_hint = HandOver(f"'{name}' will handle the message from this point.")  # kept in every report
        self._handler = handler
        info = _handler_info(type(handler))
        self._mask = info[0] if mask is None else mask
        self._write_promise, self._close_promise = info[1], info[2]
        self._prev: ChannelHandlerContext = self
        self._next: ChannelHandlerContext = self
        self._removed = False
        self._inherited: Optional[ChannelPromise] = None
        self._n_read = self._n_complete = self._n_active = self._n_inactive = self._n_writability = self
        self._n_user = self._n_exc = self._p_write = self._p_flush = self._p_close = self

    # ------------------------------------------------------------------ accessors

    def channel(self) -> Any:
        """The channel this context's pipeline belongs to."""
        return self._channel

    def pipeline(self) -> ChannelPipeline:
        """The pipeline this context is (or was) part of."""
        return self._pipeline

    def handler(self) -> Any:
        """The handler this context wraps."""
        return self._handler

    def name(self) -> str:
        """The handler's unique name in the pipeline."""
        return self._name

    def alloc(self) -> Any:
        """The channel's buffer allocator: allocate what you write from here."""
        return self._channel.alloc()

    def is_removed(self) -> bool:
        """True once the handler was removed from the pipeline."""
        return self._removed

    def new_promise(self) -> ChannelPromise:
        """A fresh promise for an outbound operation on this channel."""
        return ChannelPromise(self._channel)

    # ------------------------------------------------------------------ inbound events

    def fire_channel_read(self, msg: Any) -> ChannelHandlerContext:
        """Pass ``msg`` (and its ownership) to the next inbound handler."""
        ctx = self._n_read
        if _leak_detector.keeps_records:
            touch(msg, ctx)
        try:
            ctx._handler.channel_read(ctx, msg)
        except Exception as exc:  # noqa: BLE001 - a handler's failure goes to exception_caught
            ctx._invoke_exception_caught(exc)
        return self

    def fire_channel_read_complete(self) -> ChannelHandlerContext:
        """Tell the next handlers that the current burst of reads is complete."""
        ctx = self._n_complete
        try:
            ctx._handler.channel_read_complete(ctx)
        except Exception as exc:  # noqa: BLE001
            ctx._invoke_exception_caught(exc)
        return self

    def fire_channel_active(self) -> ChannelHandlerContext:
        """Tell the next handlers that the channel is active."""
        return self._fire_next(self._n_active, "channel_active")

    def fire_channel_inactive(self) -> ChannelHandlerContext:
        """Tell the next handlers that the channel became inactive."""
        return self._fire_next(self._n_inactive, "channel_inactive")

    def fire_channel_writability_changed(self) -> ChannelHandlerContext:
        """Tell the next handlers that the channel's writability changed."""
        return self._fire_next(self._n_writability, "channel_writability_changed")

    def fire_user_event_triggered(self, evt: Any) -> ChannelHandlerContext:
        """Pass a user event to the next handlers (a reference-counted event is owned like a message)."""
        return self._fire_next(self._n_user, "user_event_triggered", evt)

    def _fire_next(self, ctx: ChannelHandlerContext, event: str, *args: Any) -> ChannelHandlerContext:
        """Call ``event`` on ``ctx``'s handler (the next one that implements it); a failure goes to its
        ``exception_caught``. The per-message events (read, read complete) inline this instead."""
        try:
            getattr(ctx._handler, event)(ctx, *args)
        except Exception as exc:  # noqa: BLE001 - a handler's failure goes to exception_caught
            ctx._invoke_exception_caught(exc)
        return self

    def fire_exception_caught(self, cause: BaseException) -> ChannelHandlerContext:
        """Pass ``cause`` to the next handler's ``exception_caught``."""
        self._n_exc._invoke_exception_caught(cause)
        return self

    def _invoke_exception_caught(self, cause: BaseException) -> None:
        if not self._mask & M_EXCEPTION:
            self.fire_exception_caught(cause)
            return
        try:
            self._handler.exception_caught(self, cause)
        except Exception as error:  # noqa: BLE001 - Netty logs and goes on
            logger.warning(
                "An exception %r was thrown by a user handler's exception_caught() method while handling "
                "the following exception:", error, exc_info=cause,
            )

    # ------------------------------------------------------------------ outbound operations

    def _promise(self, promise: Optional[ChannelPromise]) -> ChannelPromise:
        if promise is not None:
            return promise
        inherited = self._inherited
        if inherited is not None:
            self._inherited = None
            return inherited
        return ChannelPromise(self._channel)

    def write(self, msg: Any, promise: Optional[ChannelPromise] = None) -> ChannelPromise:
        """Queue ``msg`` for writing at the previous outbound handler; the channel now owns it.

        The write reaches the transport at the next ``flush()``. Returns the operation's promise.
        """
        if promise is None:
            promise = self._inherited
            if promise is None:
                promise = ChannelPromise(self._channel)
            else:
                self._inherited = None
        ctx = self._p_write
        if _leak_detector.keeps_records:
            touch(msg, ctx)
        try:
            if ctx._write_promise:
                ctx._handler.write(ctx, msg, promise)
            else:
                ctx._write_inheriting(msg, promise)
        except Exception as exc:  # noqa: BLE001 - an outbound failure fails the promise, as in Netty
            promise.try_failure(exc)
        return promise

    def _write_inheriting(self, msg: Any, promise: ChannelPromise) -> None:
        # A handler whose write takes no promise: its first ctx.write inherits this one.
        saved, self._inherited = self._inherited, promise
        try:
            self._handler.write(self, msg)
        finally:
            self._inherited = saved

    def flush(self) -> ChannelHandlerContext:
        """Flush the queued writes towards the transport."""
        ctx = self._p_flush
        try:
            ctx._handler.flush(ctx)
        except Exception as exc:  # noqa: BLE001
            ctx._invoke_exception_caught(exc)
        return self

    def write_and_flush(self, msg: Any, promise: Optional[ChannelPromise] = None) -> ChannelPromise:
        """``write(msg)`` then ``flush()``; returns the write's promise."""
        # write() and flush() inlined: this is every request/response handler's call.
        if promise is None:
            promise = self._inherited
            if promise is None:
                promise = ChannelPromise(self._channel)
            else:
                self._inherited = None
        ctx = self._p_write
        if _leak_detector.keeps_records:
            touch(msg, ctx)
        try:
            if ctx._write_promise:
                ctx._handler.write(ctx, msg, promise)
            else:
                ctx._write_inheriting(msg, promise)
        except Exception as exc:  # noqa: BLE001
            promise.try_failure(exc)
        ctx = self._p_flush
        try:
            ctx._handler.flush(ctx)
        except Exception as exc:  # noqa: BLE001
            ctx._invoke_exception_caught(exc)
        return promise

    def close(self, promise: Optional[ChannelPromise] = None) -> ChannelPromise:
        """Close the channel, starting at the previous outbound handler."""
        promise = self._promise(promise)
        ctx = self._p_close
        handler = ctx._handler
        try:
            if ctx._close_promise:
                handler.close(ctx, promise)
            else:
                saved, ctx._inherited = ctx._inherited, promise
                try:
                    handler.close(ctx)
                finally:
                    ctx._inherited = saved
        except Exception as exc:  # noqa: BLE001
            promise.try_failure(exc)
        return promise

    def __repr__(self) -> str:
        return f"ChannelHandlerContext({self._name}, {self._handler!r}, {self._channel!r})"


def _inbound(ctx: ChannelHandlerContext, bit: int) -> ChannelHandlerContext:
    """The next context from ``ctx`` on that handles ``bit``, following the links as they are now."""
    ctx = ctx._next
    while not ctx._mask & bit:
        ctx = ctx._next
    return ctx


def _outbound(ctx: ChannelHandlerContext, bit: int) -> ChannelHandlerContext:
    """The previous context from ``ctx`` on that handles ``bit``, following the links as they are now."""
    ctx = ctx._prev
    while not ctx._mask & bit:
        ctx = ctx._prev
    return ctx


class _RemovedContext(ChannelHandlerContext):
    """A context after its handler was removed: events started from it walk the links it kept.

    Its precomputed links are no longer maintained, so every event resolves its target by walking
    (``_next``/``_prev`` and the masks), exactly as before the optimisation.
    """

    __slots__ = ()

    def fire_channel_read(self, msg: Any) -> ChannelHandlerContext:
        return self._fire(M_READ, "channel_read", msg)

    def _fire(self, bit: int, name: str, *args: Any) -> ChannelHandlerContext:
        return self._fire_next(_inbound(self, bit), name, *args)

    def fire_channel_read_complete(self) -> ChannelHandlerContext:
        return self._fire(M_READ_COMPLETE, "channel_read_complete")

    def fire_channel_active(self) -> ChannelHandlerContext:
        return self._fire(M_ACTIVE, "channel_active")

    def fire_channel_inactive(self) -> ChannelHandlerContext:
        return self._fire(M_INACTIVE, "channel_inactive")

    def fire_channel_writability_changed(self) -> ChannelHandlerContext:
        return self._fire(M_WRITABILITY, "channel_writability_changed")

    def fire_user_event_triggered(self, evt: Any) -> ChannelHandlerContext:
        return self._fire(M_USER_EVENT, "user_event_triggered", evt)

    def fire_exception_caught(self, cause: BaseException) -> ChannelHandlerContext:
        _inbound(self, M_EXCEPTION)._invoke_exception_caught(cause)
        return self

    def write(self, msg: Any, promise: Optional[ChannelPromise] = None) -> ChannelPromise:
        promise = self._promise(promise)
        ctx = _outbound(self, M_WRITE)
        try:
            if ctx._write_promise:
                ctx._handler.write(ctx, msg, promise)
            else:
                ctx._write_inheriting(msg, promise)
        except Exception as exc:  # noqa: BLE001
            promise.try_failure(exc)
        return promise

    def flush(self) -> ChannelHandlerContext:
        ctx = _outbound(self, M_FLUSH)
        try:
            ctx._handler.flush(ctx)
        except Exception as exc:  # noqa: BLE001
            ctx._invoke_exception_caught(exc)
        return self

    def write_and_flush(self, msg: Any, promise: Optional[ChannelPromise] = None) -> ChannelPromise:
        promise = self.write(msg, promise)
        self.flush()
        return promise

    def close(self, promise: Optional[ChannelPromise] = None) -> ChannelPromise:
        promise = self._promise(promise)
        ctx = _outbound(self, M_CLOSE)
        handler = ctx._handler
        try:
            if ctx._close_promise:
                handler.close(ctx, promise)
            else:
                saved, ctx._inherited = ctx._inherited, promise
                try:
                    handler.close(ctx)
                finally:
                    ctx._inherited = saved
        except Exception as exc:  # noqa: BLE001
            promise.try_failure(exc)
        return promise


_INBOUND_LINKS = (
    ("_n_read", M_READ), ("_n_complete", M_READ_COMPLETE), ("_n_active", M_ACTIVE), ("_n_inactive", M_INACTIVE),
    ("_n_writability", M_WRITABILITY), ("_n_user", M_USER_EVENT), ("_n_exc", M_EXCEPTION),
)
_OUTBOUND_LINKS = (("_p_write", M_WRITE), ("_p_flush", M_FLUSH), ("_p_close", M_CLOSE))


class _HeadHandler:
    """Hands outbound operations to the channel's transport."""

    def __init__(self, channel: Any) -> None:
        self._channel = channel
        # The hot operations go straight to the channel: one call instead of two. (The methods below
        # stay for introspection: they are what the head's mask and promise flags are read from.)
        self.write = channel._head_write_from_ctx
        self.flush = channel._head_flush_from_ctx

    def write(self, ctx: ChannelHandlerContext, msg: Any, promise: ChannelPromise) -> None:
        self._channel._head_write(msg, promise)

    def flush(self, ctx: ChannelHandlerContext) -> None:
        self._channel._head_flush()

    def close(self, ctx: ChannelHandlerContext, promise: ChannelPromise) -> None:
        self._channel._head_close(promise)


class _TailHandler:
    """The end of the inbound path: what arrives here was not handled by anyone."""

    def __init__(self, channel: Any) -> None:
        self._channel = channel

    def channel_read(self, ctx: ChannelHandlerContext, msg: Any) -> None:
        self._channel._on_unhandled_inbound_message(msg)

    def exception_caught(self, ctx: ChannelHandlerContext, cause: BaseException) -> None:
        self._channel._on_unhandled_exception(cause)

    def user_event_triggered(self, ctx: ChannelHandlerContext, evt: Any) -> None:
        ReferenceCountUtil.release(evt)

    def channel_active(self, ctx: ChannelHandlerContext) -> None:
        pass

    channel_inactive = channel_read_complete = channel_writability_changed = channel_active


HandlerRef = Union[str, Any, Type[Any], ChannelHandlerContext]


class ChannelPipeline:
    """The handlers of one channel, by unique name, between a head and a tail.

    ``add_last(handler, ...)`` or ``add_last("name", handler)``; ``add_first`` likewise;
    ``add_before/add_after(base_name, name, handler)``; ``remove``/``replace`` by name, instance,
    class or context. Inbound events start with ``fire_*``; outbound operations with ``write``,
    ``flush``, ``write_and_flush`` and ``close`` start at the tail.
    """

    def __init__(self, channel: Any) -> None:
        self._channel = channel
        self._head = ChannelHandlerContext(self, "HeadContext#0", _HeadHandler(channel), M_WRITE | M_FLUSH | M_CLOSE)
        self._tail = ChannelHandlerContext(self, "TailContext#0", _TailHandler(channel), M_ALL & ~(M_WRITE | M_FLUSH | M_CLOSE))
        self._head._next = self._tail
        self._tail._prev = self._head
        self._by_name: Dict[str, ChannelHandlerContext] = {}
        self._relink()

    def channel(self) -> Any:
        """The channel this pipeline belongs to."""
        return self._channel

    # ------------------------------------------------------------------ adding and removing

    def add_first(self, *args: Any) -> ChannelPipeline:
        """``add_first(name, handler)`` or ``add_first(handler, ...)``: insert right after the head."""
        for name, handler in reversed(self._named(args)):
            self._insert(self._head, name, handler)
        return self

    def add_last(self, *args: Any) -> ChannelPipeline:
        """``add_last(name, handler)`` or ``add_last(handler, ...)``: insert right before the tail."""
        for name, handler in self._named(args):
            self._insert(self._tail._prev, name, handler)
        return self

    def add_before(self, base: HandlerRef, name: Optional[str], handler: Any) -> ChannelPipeline:
        """Insert ``handler`` as ``name`` (generated when None) before the handler ``base``."""
        self._insert(self._context_or_raise(base)._prev, name, handler)
        return self

    def add_after(self, base: HandlerRef, name: Optional[str], handler: Any) -> ChannelPipeline:
        """Insert ``handler`` as ``name`` (generated when None) after the handler ``base``."""
        self._insert(self._context_or_raise(base), name, handler)
        return self

    def remove(self, what: HandlerRef) -> Any:
        """Remove a handler (by name, instance, class or context) and return it; ``KeyError`` if absent."""
        ctx = self._context_or_raise(what)
        self._unlink(ctx)
        self._call_handler_removed(ctx)
        return ctx._handler

    def remove_first(self) -> Any:
        """Remove the first handler and return it."""
        if self._head._next is self._tail:
            raise KeyError("the pipeline is empty")
        return self.remove(self._head._next)

    def remove_last(self) -> Any:
        """Remove the last handler and return it."""
        if self._tail._prev is self._head:
            raise KeyError("the pipeline is empty")
        return self.remove(self._tail._prev)

    def replace(self, old: HandlerRef, new_name: Optional[str], new_handler: Any) -> Any:
        """Put ``new_handler`` in the place of ``old``; return the old handler."""
        ctx = self._context_or_raise(old)
        check_name(new_name)
        check_handler(new_handler)
        self._check_multiplicity(new_handler)
        if new_name is None:
            new_name = self._generate_name(new_handler)
        elif new_name != ctx._name and new_name in self._by_name:
            raise ValueError(f"Duplicate handler name: {new_name}")
        new_ctx = ChannelHandlerContext(self, new_name, new_handler)
        new_ctx._prev, new_ctx._next = ctx._prev, ctx._next
        ctx._prev._next = new_ctx
        ctx._next._prev = new_ctx
        del self._by_name[ctx._name]
        self._by_name[new_name] = new_ctx
        # Events still travelling through the old context continue into the new one.
        ctx._prev = ctx._next = new_ctx
        ctx._removed, ctx._mask = True, 0
        ctx.__class__ = _RemovedContext
        self._relink()
        self._call_handler_added(new_ctx)
        self._call_handler_removed(ctx)
        return ctx._handler

    def _named(self, args: tuple) -> List[Tuple[Optional[str], Any]]:
        if len(args) == 2 and (isinstance(args[0], str) or args[0] is None) and not isinstance(args[1], str):
            return [(args[0], args[1])]
        if any(isinstance(a, str) for a in args):
            raise TypeError("expected (name, handler) or (handler, ...)")
        return [(None, h) for h in args if h is not None]

    def _check_multiplicity(self, handler: Any) -> None:
        if not getattr(handler, "sharable", False):
            if getattr(handler, "_added", False):
                raise ValueError(
                    f"{type(handler).__name__} is not a @Sharable handler, so can't be added or removed multiple times."
                )
            handler._added = True

    def _generate_name(self, handler: Any) -> str:
        base = type(handler).__name__ + "#"
        i = 0
        while f"{base}{i}" in self._by_name:
            i += 1
        return f"{base}{i}"

    def _insert(self, prev: ChannelHandlerContext, name: Optional[str], handler: Any) -> None:
        check_name(name)
        check_handler(handler)  # before a name is generated from its type
        if name is None:
            name = self._generate_name(handler)
        elif name in self._by_name:
            raise ValueError(f"Duplicate handler name: {name}")
        self._check_multiplicity(handler)
        ctx = ChannelHandlerContext(self, name, handler)
        nxt = prev._next
        ctx._prev, ctx._next = prev, nxt
        prev._next = ctx
        nxt._prev = ctx
        self._by_name[name] = ctx
        self._relink()
        self._call_handler_added(ctx)

    def _unlink(self, ctx: ChannelHandlerContext) -> None:
        # The removed context keeps its links, so an event already travelling through it goes on.
        ctx._prev._next = ctx._next
        ctx._next._prev = ctx._prev
        del self._by_name[ctx._name]
        ctx._removed, ctx._mask = True, 0
        ctx.__class__ = _RemovedContext
        self._relink()

    def _relink(self) -> None:
        """Resolve every live context's per-event links (Netty's skip masks), after any change."""
        head, tail = self._head, self._tail
        for attr, bit in _INBOUND_LINKS:
            setattr(tail, attr, tail)
            target = tail
            ctx = tail._prev
            while True:
                setattr(ctx, attr, target)
                if ctx is head:
                    break
                if ctx._mask & bit:
                    target = ctx
                ctx = ctx._prev
        for attr, bit in _OUTBOUND_LINKS:
            setattr(head, attr, head)
            target = head
            ctx = head._next
            while True:
                setattr(ctx, attr, target)
                if ctx is tail:
                    break
                if ctx._mask & bit:
                    target = ctx
                ctx = ctx._next

    def _call_handler_added(self, ctx: ChannelHandlerContext) -> None:
        try:
            ctx._handler.handler_added(ctx)
        except Exception as exc:  # noqa: BLE001 - Netty removes the handler and reports
            error = ChannelPipelineException(f"{type(ctx._handler).__name__}.handler_added() has thrown an exception; removed.")
            error.__cause__ = exc
            if not ctx._removed:
                self._unlink(ctx)
                self._call_handler_removed(ctx)
            self.fire_exception_caught(error)

    def _call_handler_removed(self, ctx: ChannelHandlerContext) -> None:
        try:
            ctx._handler.handler_removed(ctx)
        except Exception as exc:  # noqa: BLE001
            error = ChannelPipelineException(f"{ctx._name}.handler_removed() has thrown an exception.")
            error.__cause__ = exc
            self.fire_exception_caught(error)

    def _destroy(self) -> None:
        """Remove every handler, last to first (the channel closed)."""
        while self._tail._prev is not self._head:
            self.remove(self._tail._prev)

    # ------------------------------------------------------------------ lookup

    def context(self, what: HandlerRef) -> Optional[ChannelHandlerContext]:
        """The context of a handler given by name, instance, class or context; None if absent."""
        if isinstance(what, str):
            return self._by_name.get(what)
        if isinstance(what, ChannelHandlerContext):
            return what if not what._removed and what._pipeline is self else None
        ctx = self._head._next
        while ctx is not self._tail:
            h = ctx._handler
            if h is what or (isinstance(what, type) and isinstance(h, what)):
                return ctx
            ctx = ctx._next
        return None

    def _context_or_raise(self, what: HandlerRef) -> ChannelHandlerContext:
        ctx = self.context(what)
        if ctx is None:
            raise KeyError(f"handler not in the pipeline: {what!r}")
        return ctx

    def get(self, what: HandlerRef) -> Any:
        """The handler given by name or class, or None."""
        ctx = self.context(what)
        return None if ctx is None else ctx._handler

    def first(self) -> Any:
        """The first handler, or None."""
        ctx = self._head._next
        return None if ctx is self._tail else ctx._handler

    def last(self) -> Any:
        """The last handler, or None."""
        ctx = self._tail._prev
        return None if ctx is self._head else ctx._handler

    def first_context(self) -> Optional[ChannelHandlerContext]:
        """The first handler's context, or None."""
        ctx = self._head._next
        return None if ctx is self._tail else ctx

    def last_context(self) -> Optional[ChannelHandlerContext]:
        """The last handler's context, or None."""
        ctx = self._tail._prev
        return None if ctx is self._head else ctx

    def names(self) -> List[str]:
        """The handlers' names, head to tail (head and tail themselves included, as in Netty)."""
        names = [self._head._name]
        ctx = self._head._next
        while ctx is not None:
            names.append(ctx._name)
            ctx = ctx._next if ctx is not self._tail else None
        return names

    def to_dict(self) -> Dict[str, Any]:
        """Name -> handler, head to tail, without the head and tail."""
        return dict(self)

    def __iter__(self) -> Iterator[Tuple[str, Any]]:
        ctx = self._head._next
        while ctx is not self._tail:
            yield ctx._name, ctx._handler
            ctx = ctx._next

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, what: HandlerRef) -> bool:
        return self.context(what) is not None

    def __repr__(self) -> str:
        inner = ", ".join(f"{n} = {type(h).__name__}" for n, h in self)
        return f"ChannelPipeline{{{inner}}}"

    # ------------------------------------------------------------------ events and operations

    def fire_channel_read(self, msg: Any) -> ChannelPipeline:
        """Start an inbound message at the first handler (ownership goes with it)."""
        ctx = self._head._n_read
        if _leak_detector.keeps_records:
            touch(msg, ctx)
        try:
            ctx._handler.channel_read(ctx, msg)
        except Exception as exc:  # noqa: BLE001 - a handler's failure goes to exception_caught
            ctx._invoke_exception_caught(exc)
        return self

    def fire_channel_read_complete(self) -> ChannelPipeline:
        """Start a read-complete event at the first handler."""
        ctx = self._head._n_complete
        try:
            ctx._handler.channel_read_complete(ctx)
        except Exception as exc:  # noqa: BLE001
            ctx._invoke_exception_caught(exc)
        return self

    def fire_channel_active(self) -> ChannelPipeline:
        """Start a channel-active event at the first handler."""
        self._head.fire_channel_active()
        return self

    def fire_channel_inactive(self) -> ChannelPipeline:
        """Start a channel-inactive event at the first handler."""
        self._head.fire_channel_inactive()
        return self

    def fire_channel_writability_changed(self) -> ChannelPipeline:
        """Start a writability-changed event at the first handler."""
        self._head.fire_channel_writability_changed()
        return self

    def fire_user_event_triggered(self, evt: Any) -> ChannelPipeline:
        """Start a user event at the first handler."""
        self._head.fire_user_event_triggered(evt)
        return self

    def fire_exception_caught(self, cause: BaseException) -> ChannelPipeline:
        """Start an exception at the first handler."""
        self._head.fire_exception_caught(cause)
        return self

    def write(self, msg: Any, promise: Optional[ChannelPromise] = None) -> ChannelPromise:
        """Write ``msg`` through every outbound handler, from the tail."""
        return self._tail.write(msg, promise)

    def flush(self) -> ChannelPipeline:
        """Flush through every outbound handler, from the tail."""
        self._tail.flush()
        return self

    def write_and_flush(self, msg: Any, promise: Optional[ChannelPromise] = None) -> ChannelPromise:
        """``write(msg)`` then ``flush()``."""
        return self._tail.write_and_flush(msg, promise)

    def close(self, promise: Optional[ChannelPromise] = None) -> ChannelPromise:
        """Close the channel through every outbound handler, from the tail."""
        return self._tail.close(promise)
