"""ChunkedStream and ChunkedWriteHandler (after Netty's ChunkedWriteHandlerTest)."""
from __future__ import annotations

import io

import pytest
from channel_helpers import buf, drain

from pytest_bufleak import ByteBuf
from pytest_bufleak.channel import (
    ChunkedStream,
    ChunkedWriteHandler,
    ClosedChannelException,
    EmbeddedChannel,
    WriteBufferWaterMark,
)

DATA = bytes(range(256)) * 100  # 25600 bytes


def test_chunked_stream_reads_chunks_and_closes():
    src = io.BytesIO(b"abcdefg")
    stream = ChunkedStream(src, chunk_size=3)
    ch = EmbeddedChannel()
    chunks = []
    while not stream.is_end_of_input():
        chunk = stream.read_chunk(ch.alloc())
        chunks.append(bytes(chunk))
        chunk.release()
    assert chunks == [b"abc", b"def", b"g"] and stream.progress() == 7
    assert stream.read_chunk(ch.alloc()) is None
    stream.close()
    assert src.closed
    with pytest.raises(ValueError):
        ChunkedStream(src, chunk_size=0)
    assert not ch.finish()


def test_stream_written_in_chunks_and_promise_completes():
    ch = EmbeddedChannel(ChunkedWriteHandler())
    src = io.BytesIO(DATA)
    promise = ch.write_and_flush(ChunkedStream(src, chunk_size=8192))
    ch.check_exception()
    chunks = drain(ch.read_outbound)
    assert [len(c) for c in chunks] == [8192, 8192, 8192, 1024]
    assert b"".join(chunks) == DATA
    assert promise.is_success() and src.closed
    assert not ch.finish()


def test_other_messages_keep_their_order():
    ch = EmbeddedChannel(ChunkedWriteHandler())
    first, last = buf(b"<"), buf(b">")
    ch.write(first)
    ch.write(ChunkedStream(io.BytesIO(b"middle"), chunk_size=4))
    ch.write(last)
    ch.flush()
    assert drain(ch.read_outbound) == [b"<", b"midd", b"le", b">"]
    assert not ch.finish()


class SlowChannel(EmbeddedChannel):
    """A channel whose transport takes nothing until told: flushed writes stay pending, as on a slow socket."""

    def _do_write(self, outbound):
        pass

    def drain(self, count=None):
        """Let the transport take ``count`` flushed writes (all by default); return their bytes."""
        outbound, taken = self._outbound, []
        while outbound.flushed and (count is None or len(taken) < count):
            msg, _, promise = outbound.remove()
            taken.append(bytes(msg))
            msg.release()
            promise.set_success()
        return taken


def test_writes_only_while_writable_and_resumes():
    ch = SlowChannel(ChunkedWriteHandler(), water_mark=WriteBufferWaterMark(low=1024, high=4096))
    promise = ch.write_and_flush(ChunkedStream(io.BytesIO(DATA), chunk_size=2048))
    assert len(ch._outbound.flushed) == 3 and not ch.is_writable()  # stopped past the high water mark
    got = ch.drain(1)
    assert len(ch._outbound.flushed) == 2 and not ch.is_writable()  # still above the low mark
    got += ch.drain(2)  # below the low mark: writability fires and the transfer resumes
    assert len(ch._outbound.flushed) == 3
    while not promise.is_done():
        got += ch.drain()
    assert promise.is_success() and b"".join(got) == DATA
    assert not ch.finish()


def test_close_mid_transfer_fails_the_write_and_closes_the_input():
    ch = SlowChannel(ChunkedWriteHandler(), water_mark=WriteBufferWaterMark(low=1, high=2))
    src = io.BytesIO(DATA)
    promise = ch.write_and_flush(ChunkedStream(src))
    queued = buf(b"queued")
    queued_promise = ch.write_and_flush(queued)
    assert not promise.is_done() and ch._outbound.flushed
    ch.close()
    assert isinstance(promise.cause(), ClosedChannelException) and src.closed
    assert isinstance(queued_promise.cause(), ClosedChannelException) and queued.ref_cnt() == 0


def test_failing_input_fails_only_its_write():
    class Broken(io.RawIOBase):
        def readable(self):
            return True

        def read(self, n=-1):
            raise OSError("read error")

    ch = EmbeddedChannel(ChunkedWriteHandler())
    promise = ch.write_and_flush(ChunkedStream(Broken()))
    assert isinstance(promise.cause(), OSError)
    after = ch.write_and_flush(buf(b"still works"))
    assert after.is_success()
    assert drain(ch.read_outbound) == [b"still works"]
    assert not ch.finish()


def test_removed_handler_releases_pending_writes():
    handler = ChunkedWriteHandler()
    ch = SlowChannel(handler, water_mark=WriteBufferWaterMark(low=1, high=2))
    ch.write_and_flush(buf(b"fills the buffer"))
    pending = buf(b"pending")
    stream_promise = ch.write_and_flush(ChunkedStream(io.BytesIO(b"data")))
    ch.write(pending)
    ch.pipeline().remove(handler)
    assert pending.ref_cnt() == 0 and stream_promise.cause() is not None
    assert not ch.finish()


def test_chunks_are_buffers_from_the_channel_allocator():
    ch = EmbeddedChannel(ChunkedWriteHandler())
    ch.write_and_flush(ChunkedStream(io.BytesIO(b"xyz")))
    chunk = ch.read_outbound()
    assert isinstance(chunk, ByteBuf) and chunk.alloc() is ch.alloc()
    chunk.release()
    assert not ch.finish()
