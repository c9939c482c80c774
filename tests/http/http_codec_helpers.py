"""Shared helpers of the HTTP codec tests: feed bytes, drain a channel's queues, release what was read."""
from pytest_bufleak import ReferenceCountUtil, Unpooled
from pytest_bufleak.channel import EmbeddedChannel


def data(text):
    """A fresh buffer holding ``text`` (str as latin-1, or bytes)."""
    return Unpooled.copied_buffer(text.encode("latin-1") if isinstance(text, str) else text)


def inbound(channel):
    """Every message waiting at the channel's tail, oldest first (the caller releases them)."""
    out = []
    while (msg := channel.read_inbound()) is not None:
        out.append(msg)
    return out


def decode_all(decoder, chunks, close=False):
    """Feed ``chunks`` to ``decoder``, one read each; every message decoded (with ``close``: after the close too)."""
    channel = EmbeddedChannel(decoder)
    for chunk in chunks:
        channel.write_inbound(data(chunk))
    if close:
        channel.finish()
    messages = inbound(channel)
    channel.finish_and_release_all()
    return messages


def outbound_bytes(channel):
    """Everything written so far, as bytes (each buffer released)."""
    chunks = []
    while (buf := channel.read_outbound()) is not None:
        chunks.append(bytes(buf))
        buf.release()
    return b"".join(chunks)


def release_all(messages):
    """Release each message that is reference counted."""
    for msg in messages:
        ReferenceCountUtil.release(msg)


def body(messages):
    """The content bytes of the messages that carry content."""
    return b"".join(bytes(m.content()) for m in messages if hasattr(m, "content"))
