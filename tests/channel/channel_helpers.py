"""Shared test helpers for the channel tests."""
from __future__ import annotations

from typing import Any, List

from pytest_bufleak import Unpooled
from pytest_bufleak.channel import ChannelInboundHandlerAdapter, ChannelOutboundHandlerAdapter


def buf(data: bytes):
    """A fresh heap buffer holding ``data`` (count 1: the caller owns it)."""
    b = Unpooled.buffer(max(len(data), 1))
    b.write_bytes(data)
    return b


def drain(read) -> List[bytes]:
    """Everything ``read`` (``ch.read_inbound`` or ``ch.read_outbound``) returns, as bytes, each released."""
    out = []
    while True:
        msg = read()
        if msg is None:
            return out
        out.append(bytes(msg))
        msg.release()


class Recorder(ChannelInboundHandlerAdapter):
    """Records every inbound event by name, then passes it on."""

    def __init__(self, events: List[Any], tag: str = "") -> None:
        self.events = events
        self.tag = tag

    def channel_active(self, ctx):
        self.events.append((self.tag, "active"))
        ctx.fire_channel_active()

    def channel_inactive(self, ctx):
        self.events.append((self.tag, "inactive"))
        ctx.fire_channel_inactive()

    def channel_read(self, ctx, msg):
        self.events.append((self.tag, "read", msg if isinstance(msg, str) else bytes(msg)))
        ctx.fire_channel_read(msg)

    def channel_read_complete(self, ctx):
        self.events.append((self.tag, "read_complete"))
        ctx.fire_channel_read_complete()

    def user_event_triggered(self, ctx, evt):
        self.events.append((self.tag, "user_event", evt))
        ctx.fire_user_event_triggered(evt)

    def handler_added(self, ctx):
        self.events.append((self.tag, "added"))

    def handler_removed(self, ctx):
        self.events.append((self.tag, "removed"))


class OutRecorder(ChannelOutboundHandlerAdapter):
    """Records outbound operations by name, then passes them on."""

    def __init__(self, events: List[Any], tag: str = "") -> None:
        self.events = events
        self.tag = tag

    def write(self, ctx, msg):
        self.events.append((self.tag, "write"))
        ctx.write(msg)

    def flush(self, ctx):
        self.events.append((self.tag, "flush"))
        ctx.flush()

    def close(self, ctx):
        self.events.append((self.tag, "close"))
        ctx.close()
