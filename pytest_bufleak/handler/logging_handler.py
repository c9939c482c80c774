"""``LoggingHandler``: every event that passes through it, logged in Netty's format
(Netty's ``io.netty.handler.logging``).

Each line is the channel, then the event: ``[id: 0xembedded, L:embedded - R:embedded] READ: 5B`` followed,
for a buffer, by ``ByteBufUtil.pretty_hex_dump`` of its readable bytes. The handler only looks: every event
is passed on unchanged, and it never retains, releases or moves the indexes of a message, so ownership is
exactly what it would be without it. Nothing is formatted unless the logger is enabled for the level.

The module is not called ``logging`` so that it does not shadow the standard library inside the package.
"""
from __future__ import annotations

import enum
import logging
import random
import weakref
from typing import Any, Optional, Union

from ..buffer.bytebuf import ByteBuf
from ..buffer.holder import ByteBufHolder
from ..buffer.util import ByteBufUtil
from ..channel.embedded import EmbeddedChannel
from ..channel.handlers import ChannelDuplexHandler

NEWLINE = "\n"


class ByteBufFormat(enum.Enum):
    """How ``LoggingHandler`` shows a buffer (Netty's ``ByteBufFormat``)."""

    #: Only the size: ``READ: 5B``.
    SIMPLE = "SIMPLE"
    #: The size, then a newline and the pretty hex dump of the readable bytes (the default).
    HEX_DUMP = "HEX_DUMP"


def _level_arg(level: Any) -> int:
    """A ``logging`` level: an int, or a registered name such as ``"INFO"`` (``"WARN"`` too)."""
    if isinstance(level, bool) or not isinstance(level, (int, str)):
        raise TypeError(f"level must be a logging level (int or name), not {type(level).__name__}")
    if isinstance(level, str):
        value = logging.getLevelName(level.upper())
        if not isinstance(value, int):
            raise ValueError(f"level: unknown logging level name {level!r}")
        return value
    if level < 0:
        raise ValueError(f"level: {level} (expected: >= 0)")
    return level


def _logger_name_arg(logger_name: Any, default: type) -> str:
    """The logger's name: a string, or a class (named ``module.QualName``, as Netty names a logger after a class)."""
    if logger_name is None:
        logger_name = default
    if isinstance(logger_name, type):
        return f"{logger_name.__module__}.{logger_name.__qualname__}"
    if not isinstance(logger_name, str):
        raise TypeError(f"logger_name must be a str or a class, not {type(logger_name).__name__}")
    if not logger_name:
        raise ValueError("logger_name: empty (expected: a logger name)")
    return logger_name


# Netty's DefaultChannelId shows 8 hex digits; a channel without an ``id()`` gets a random one,
# kept for as long as the channel lives.
_channel_ids: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def _channel_id(channel: Any) -> str:
    id_method = getattr(channel, "id", None)
    if callable(id_method):
        channel_id = id_method()
        short = getattr(channel_id, "as_short_text", None)
        return str(short() if callable(short) else channel_id)
    if isinstance(channel, EmbeddedChannel):
        return "embedded"  # Netty's EmbeddedChannelId
    try:
        text = _channel_ids.get(channel)
        if text is None:
            text = _channel_ids[channel] = f"{random.getrandbits(32):08x}"
        return text
    except TypeError:  # not weakly referenceable
        return f"{id(channel) & 0xFFFFFFFF:08x}"


def _address(channel: Any, which: str) -> Any:
    if isinstance(channel, EmbeddedChannel):
        return "embedded"  # Netty's EmbeddedSocketAddress
    method = getattr(channel, which, None)
    address = method() if callable(method) else None
    if isinstance(address, tuple) and len(address) >= 2:
        host, port = address[0], address[1]
        return f"/{host}:{port}"  # Java's InetSocketAddress: /127.0.0.1:8080
    return address


def channel_string(channel: Any) -> str:
    """Netty's ``Channel.toString()``: ``[id: 0x..., L:local - R:remote]`` (``!`` in place of ``-`` when
    the channel is not active), ``[id: 0x..., L:local]`` with no peer, ``[id: 0x...]`` with neither."""
    channel_id = _channel_id(channel)
    local, remote = _address(channel, "local_address"), _address(channel, "remote_address")
    if remote is not None:
        active = channel.is_active() if callable(getattr(channel, "is_active", None)) else True
        return f"[id: 0x{channel_id}, L:{local}{' - ' if active else ' ! '}R:{remote}]"
    if local is not None:
        return f"[id: 0x{channel_id}, L:{local}]"
    return f"[id: 0x{channel_id}]"


def _exception_string(cause: BaseException) -> str:
    """Java's ``Throwable.toString()``: the qualified class name, then ``: message`` if there is one."""
    cls = type(cause)
    name = cls.__qualname__ if cls.__module__ in ("builtins", "__main__") else f"{cls.__module__}.{cls.__qualname__}"
    message = str(cause)
    return f"{name}: {message}" if message else name


class LoggingHandler(ChannelDuplexHandler):
    """``LoggingHandler(level=logging.DEBUG, logger_name=None, byte_buf_format=ByteBufFormat.HEX_DUMP)``:
    logs every event at ``level`` to the logger ``logger_name`` (default: this class's qualified name,
    ``pytest_bufleak.handler.logging_handler.LoggingHandler``; a class names the logger after it).

    Events: ``ACTIVE``, ``INACTIVE``, ``EXCEPTION: <cause>`` (with its traceback), ``USER_EVENT: <evt>``,
    ``READ: <msg>``, ``READ COMPLETE``, ``WRITABILITY CHANGED``, ``WRITE: <msg>``, ``FLUSH``, ``CLOSE``.
    A ``ByteBuf`` is shown as ``5B`` (``0B`` when empty) plus the hex dump, a ``ByteBufHolder`` as
    ``<holder>, 5B`` plus the hex dump. Every event is passed on unchanged; the handler never retains or
    releases. It may be in many pipelines at once (Netty's ``@Sharable``). Override ``format(ctx, event, *args)``
    to change the text.
    """

    sharable = True

    def __init__(
        self,
        level: Union[int, str] = logging.DEBUG,
        logger_name: Optional[Union[str, type]] = None,
        byte_buf_format: ByteBufFormat = ByteBufFormat.HEX_DUMP,
    ) -> None:
        self._level = _level_arg(level)
        if not isinstance(byte_buf_format, ByteBufFormat):
            raise TypeError(f"byte_buf_format must be a ByteBufFormat, not {type(byte_buf_format).__name__}")
        self._byte_buf_format = byte_buf_format
        self._logger = logging.getLogger(_logger_name_arg(logger_name, type(self)))

    def level(self) -> int:
        """The ``logging`` level events are logged at (Netty's ``level()``)."""
        return self._level

    def byte_buf_format(self) -> ByteBufFormat:
        """How buffers are shown (Netty's ``byteBufFormat()``)."""
        return self._byte_buf_format

    def logger(self) -> logging.Logger:
        """The logger events go to."""
        return self._logger

    # ------------------------------------------------------------------ formatting

    def format(self, ctx: Any, event_name: str, *args: Any) -> str:
        """The log line: the channel, the event and its arguments (Netty's ``format`` overloads).

        One argument that is a ``ByteBuf`` or ``ByteBufHolder`` is shown with its size and hex dump;
        anything else with ``str``; two arguments are joined with ``, ``.
        """
        chan = channel_string(ctx.channel())
        if not args:
            return f"{chan} {event_name}"
        if len(args) == 1:
            arg = args[0]
            if isinstance(arg, ByteBuf):
                return self._format_byte_buf(chan, event_name, arg)
            if isinstance(arg, ByteBufHolder):
                return self._format_byte_buf_holder(chan, event_name, arg)
            if isinstance(arg, BaseException):
                arg = _exception_string(arg)
            return f"{chan} {event_name}: {arg}"
        return f"{chan} {event_name}: {', '.join(str(arg) for arg in args)}"

    def _format_byte_buf(self, chan: str, event_name: str, buf: ByteBuf) -> str:
        if buf.ref_cnt() == 0:
            return f"{chan} {event_name}: {buf!r}"  # already released: its bytes can not be read
        length = buf.readable_bytes()
        if length == 0:
            return f"{chan} {event_name}: 0B"
        text = f"{chan} {event_name}: {length}B"
        if self._byte_buf_format is ByteBufFormat.HEX_DUMP:
            text += NEWLINE + ByteBufUtil.pretty_hex_dump(buf)
        return text

    def _format_byte_buf_holder(self, chan: str, event_name: str, holder: ByteBufHolder) -> str:
        if holder.ref_cnt() == 0:
            return f"{chan} {event_name}: {type(holder).__name__}(freed)"
        content = holder.content()
        length = content.readable_bytes()
        if length == 0:
            return f"{chan} {event_name}: {holder}, 0B"
        text = f"{chan} {event_name}: {holder}, {length}B"
        if self._byte_buf_format is ByteBufFormat.HEX_DUMP:
            text += NEWLINE + ByteBufUtil.pretty_hex_dump(content)
        return text

    def _log(self, ctx: Any, event_name: str, *args: Any, exc_info: Any = None) -> None:
        logger = self._logger
        if not logger.isEnabledFor(self._level):
            return
        try:
            text = self.format(ctx, event_name, *args)
        except Exception as exc:  # noqa: BLE001 - a message that can not be shown must still be passed on
            kinds = ", ".join(type(arg).__name__ for arg in args)
            text = f"{channel_string(ctx.channel())} {event_name}: <{kinds} not formatted: {_exception_string(exc)}>"
        logger.log(self._level, text, exc_info=exc_info)

    # ------------------------------------------------------------------ inbound

    def channel_active(self, ctx: Any) -> None:
        self._log(ctx, "ACTIVE")
        ctx.fire_channel_active()

    def channel_inactive(self, ctx: Any) -> None:
        self._log(ctx, "INACTIVE")
        ctx.fire_channel_inactive()

    def exception_caught(self, ctx: Any, cause: BaseException) -> None:
        self._log(ctx, "EXCEPTION", cause, exc_info=(type(cause), cause, cause.__traceback__))
        ctx.fire_exception_caught(cause)

    def user_event_triggered(self, ctx: Any, evt: Any) -> None:
        self._log(ctx, "USER_EVENT", evt)
        ctx.fire_user_event_triggered(evt)

    def channel_read(self, ctx: Any, msg: Any) -> None:
        self._log(ctx, "READ", msg)
        ctx.fire_channel_read(msg)

    def channel_read_complete(self, ctx: Any) -> None:
        self._log(ctx, "READ COMPLETE")
        ctx.fire_channel_read_complete()

    def channel_writability_changed(self, ctx: Any) -> None:
        self._log(ctx, "WRITABILITY CHANGED")
        ctx.fire_channel_writability_changed()

    # ------------------------------------------------------------------ outbound

    def write(self, ctx: Any, msg: Any, promise: Any = None) -> None:
        self._log(ctx, "WRITE", msg)
        ctx.write(msg, promise)

    def flush(self, ctx: Any) -> None:
        self._log(ctx, "FLUSH")
        ctx.flush()

    def close(self, ctx: Any, promise: Any = None) -> None:
        self._log(ctx, "CLOSE")
        ctx.close(promise)
