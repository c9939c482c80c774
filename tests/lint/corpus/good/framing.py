"""Framing done right: every buffer is returned, handed on or released in finally."""

import threading

from pytest_bufleak import ByteBufAllocator, ReferenceCountUtil, Unpooled

_lock = threading.Lock()


def encode_frame(payload: bytes):
    frame = ByteBufAllocator.DEFAULT.buffer(4 + len(payload))
    try:
        frame.write_int(len(payload))
        frame.write_bytes(payload)
    except BaseException:
        ReferenceCountUtil.safe_release(frame)
        raise
    return frame


def checksum(data: bytes) -> int:
    scratch = Unpooled.copied_buffer(data)
    try:
        total = 0
        while scratch.is_readable():
            total = (total + scratch.read_unsigned_byte()) & 0xFFFF
        return total
    finally:
        ReferenceCountUtil.safe_release(scratch)


def decode(ctx, in_, out):
    while in_.readable_bytes() >= 4:
        length = in_.get_int(in_.reader_index)
        if in_.readable_bytes() < 4 + length:
            return
        in_.skip_bytes(4)
        out.append(in_.read_retained_slice(length))


def with_block(alloc):
    with alloc.buffer() as buf:
        buf.write_int(1)
        return bytes(buf)


def counter():
    _lock.acquire()
    try:
        return 1
    finally:
        _lock.release()


def view(data):
    mv = memoryview(data)
    total = sum(mv)
    mv.release()
    return total
