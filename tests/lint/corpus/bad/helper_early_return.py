"""Message encoders whose early return forgets the buffer they already allocated."""

from pytest_bufleak import ByteBufAllocator

MAX_PAYLOAD = 64 * 1024
TYPE_DATA = 0x01
TYPE_KEY_VALUE = 0x02


def encode_data(payload: bytes, alloc=ByteBufAllocator.DEFAULT):
    """Type byte, 4-byte length, payload; None when the payload is too large."""
    buf = alloc.buffer(5 + len(payload))
    if len(payload) > MAX_PAYLOAD:
        return None  # expect: BUF007
    buf.write_byte(TYPE_DATA)
    buf.write_int(len(payload))
    buf.write_bytes(payload)
    return buf


def encode_key_value(alloc, key: str, value: bytes):
    """Type byte, 1-byte key length, key, 4-byte value length, value."""
    frame = alloc.buffer(6 + len(key) + len(value))
    key_bytes = key.encode("utf-8")
    if len(key_bytes) > 255:
        return None  # expect: BUF007
    frame.write_byte(TYPE_KEY_VALUE)
    frame.write_byte(len(key_bytes))
    frame.write_bytes(key_bytes)
    frame.write_int(len(value))
    frame.write_bytes(value)
    return frame
