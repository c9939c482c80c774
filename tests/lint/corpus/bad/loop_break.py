"""Chunked senders that stop early and forget the chunk buffer allocated for that iteration."""

from collections import deque

from pytest_bufleak.channel import ChannelHandlerContext

END_OF_STREAM = None


def send_chunks(ctx: ChannelHandlerContext, chunks, max_chunk: int):
    for chunk in chunks:
        buf = ctx.alloc().buffer(len(chunk))
        if len(chunk) > max_chunk:
            break  # expect: BUF007
        buf.write_bytes(chunk)
        ctx.write(buf)
    ctx.flush()


def drain(ctx: ChannelHandlerContext, pending: deque):
    while pending:
        item = pending.popleft()
        out = ctx.alloc().buffer()
        if item is END_OF_STREAM:
            break  # expect: BUF007
        out.write_bytes(item)
        ctx.write(out)
    ctx.flush()
