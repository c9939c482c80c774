"""A length-prefixed framing codec with two classic mistakes."""

from pytest_bufleak import ByteBufAllocator, Unpooled


def encode_frame(payload: bytes):
    allocator = ByteBufAllocator.DEFAULT
    frame = allocator.buffer(4 + len(payload))
    frame.write_int(len(payload))
    frame.write_bytes(payload)
    header = frame.retained_slice(0, 4)  # expect: BUF006
    return frame


def checksum(data: bytes) -> int:
    scratch = Unpooled.copied_buffer(data)
    total = 0
    while scratch.is_readable():
        total = (total + scratch.read_unsigned_byte()) & 0xFFFF
    scratch.release()  # expect: BUF001
    return total


def peek_length(buf) -> int:
    head = buf.read_retained_slice(4)
    try:
        return head.read_int()
    finally:
        head.release()  # nothing in the try body can end it: no BUF005
