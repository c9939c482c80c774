"""Typed access, bytes in and out, search: for heap and direct buffers against struct as the reference."""
import random
import struct

import pytest

from pytest_bufleak import ByteBuf, Unpooled

# (type name, size, struct code for reading, a sample of values that round-trip)
TYPES = [
    ("byte", 1, "b", [-128, -1, 0, 1, 127]),
    ("unsigned_byte", 1, "B", [0, 1, 128, 255]),
    ("short", 2, "h", [-32768, -1, 0, 0x1234, 32767]),
    ("unsigned_short", 2, "H", [0, 0x1234, 0xFFFF]),
    ("int", 4, "i", [-(2**31), -1, 0, 0x12345678, 2**31 - 1]),
    ("unsigned_int", 4, "I", [0, 0x12345678, 2**32 - 1]),
    ("long", 8, "q", [-(2**63), -1, 0, 0x0102030405060708, 2**63 - 1]),
    ("float", 4, "f", [0.0, 1.5, -2.25]),
    ("double", 8, "d", [0.0, 1.5, -1e300]),
]
MULTI_BYTE = [t for t in TYPES if t[1] > 1]


@pytest.mark.parametrize("name, size, code, values", TYPES)
def test_sequential_round_trip_big_endian(new_buffer, name, size, code, values):
    buf = new_buffer(1)
    for v in values:
        getattr(buf, f"write_{name}")(v)
    assert bytes(buf) == b"".join(struct.pack(">" + code, v) for v in values)
    assert [getattr(buf, f"read_{name}")() for _ in values] == values
    assert buf.readable_bytes() == 0


@pytest.mark.parametrize("name, size, code, values", MULTI_BYTE)
def test_sequential_round_trip_little_endian(new_buffer, name, size, code, values):
    buf = new_buffer(1)
    for v in values:
        getattr(buf, f"write_{name}_le")(v)
    assert bytes(buf) == b"".join(struct.pack("<" + code, v) for v in values)
    assert [getattr(buf, f"read_{name}_le")() for _ in values] == values


@pytest.mark.parametrize("name, size, code, values", TYPES)
def test_random_access_moves_no_index(new_buffer, name, size, code, values):
    buf = new_buffer(64)
    for i, v in enumerate(values):
        assert getattr(buf, f"set_{name}")(i * size, v) is buf
    assert (buf.reader_index, buf.writer_index) == (0, 0)
    assert [getattr(buf, f"get_{name}")(i * size) for i in range(len(values))] == values


@pytest.mark.parametrize("method", ["write_float", "write_double_le", "set_float_le", "set_double"])
@pytest.mark.parametrize("value", ["1.5", None, b"x"])
def test_float_of_a_non_number_is_a_type_error(new_buffer, method, value):
    buf = new_buffer(16)
    args = (value,) if method.startswith("write") else (0, value)
    with pytest.raises(TypeError, match="value must be a real number"):
        getattr(buf, method)(*args)
    assert buf.writer_index == 0


def test_hex_of_little_endian_int_from_spec(new_buffer):
    from pytest_bufleak import ByteBufUtil

    buf = new_buffer(4)
    buf.write_int_le(0x12345678)
    assert ByteBufUtil.hex_dump(buf) == "78563412"


def test_medium(new_buffer):
    buf = new_buffer(16)
    buf.write_medium(0x123456).write_medium(-2).write_medium_le(0x123456).write_unsigned_medium(0xFFFFFE)
    assert bytes(buf)[:9] == b"\x12\x34\x56\xff\xff\xfe\x56\x34\x12"
    assert buf.read_medium() == 0x123456
    assert buf.read_medium() == -2
    assert buf.read_unsigned_medium_le() == 0x123456
    assert buf.read_unsigned_medium() == 0xFFFFFE
    assert buf.get_unsigned_medium(3) == 0xFFFFFE
    assert buf.get_medium(3) == -2


def test_boolean(new_buffer):
    buf = new_buffer(4)
    buf.write_boolean(True).write_boolean(0).write_byte(7)
    assert [buf.read_boolean(), buf.read_boolean(), buf.read_boolean()] == [True, False, True]


def test_narrow_writes_truncate_like_netty(new_buffer):
    buf = new_buffer(8)
    buf.write_byte(0x1FF).write_short(0x12345)
    assert bytes(buf) == b"\xff\x23\x45"
    assert buf.get_byte(0) == -1 and buf.get_unsigned_byte(0) == 255


def test_int_and_long_accept_signed_and_unsigned_ranges_only(new_buffer):
    buf = new_buffer(16)
    buf.write_int(0xFFFFFFFF).write_long(2**64 - 1)
    assert buf.read_int() == -1 and buf.read_long() == -1
    with pytest.raises(ValueError, match="does not fit in a 4-byte int"):
        buf.write_int(2**32)
    with pytest.raises(ValueError, match="does not fit"):
        buf.write_long(-(2**63) - 1)
    with pytest.raises(TypeError):
        buf.write_int("1")
    assert buf.writer_index == 12


def test_bytes_in_and_out(new_buffer):
    buf = new_buffer(4)
    buf.write_bytes(b"hello").write_bytes(bytearray(b" ")).write_bytes(memoryview(b"world"))
    assert bytes(buf) == b"hello world"
    assert buf.get_bytes(6, 5) == b"world"
    buf.set_bytes(0, b"HE")
    out = bytearray(5)
    buf.read_bytes_into(out)
    assert out == b"HEllo"
    part = buf.read_bytes(3)
    try:
        assert bytes(part) == b" wo" and part.alloc() is buf.alloc()
    finally:
        part.release()
    assert bytes(buf) == b"rld"


def test_write_bytes_from_buffer_advances_source(new_buffer):
    src = new_buffer(8)
    src.write_bytes(b"abcdef")
    dst = new_buffer(2)
    dst.write_bytes(src, 2)
    assert (bytes(dst), src.reader_index) == (b"ab", 2)
    dst.write_bytes(src)
    assert (bytes(dst), src.readable_bytes()) == (b"abcdef", 0)
    with pytest.raises(IndexError):
        dst.write_bytes(src, 1)


def test_write_bytes_from_buffer_errors_use_netty_wording(new_buffer):
    src = new_buffer(8)
    src.write_bytes(b"ab")
    dst = new_buffer(8)
    with pytest.raises(IndexError) as err:
        dst.write_bytes(src, 5)
    assert str(err.value) == f"length(5) exceeds src.readableBytes(2) where src is: {src!r}"
    with pytest.raises(ValueError, match=r"minWritableBytes: -1 \(expected: >= 0\)"):
        dst.write_bytes(src, -1)
    assert (src.reader_index, dst.writer_index) == (0, 0)


@pytest.mark.parametrize("wrap", [bytes, bytearray, memoryview])
def test_write_bytes_negative_length_rejected(new_buffer, wrap):
    buf = new_buffer(8)
    with pytest.raises(ValueError, match=r"minWritableBytes: -1 \(expected: >= 0\)"):
        buf.write_bytes(wrap(b"abc"), -1)
    assert buf.writer_index == 0


def test_failed_write_bytes_takes_nothing_from_source_buffer(new_buffer):
    src = new_buffer(8)
    src.write_bytes(b"abcde")
    dst = new_buffer(2, 4)
    with pytest.raises(IndexError, match=r"writerIndex\(0\) \+ minWritableBytes\(5\) exceeds maxCapacity\(4\)"):
        dst.write_bytes(src)
    assert (src.reader_index, dst.writer_index) == (0, 0)


def test_write_bytes_of_itself(new_buffer):
    buf = new_buffer(4)
    buf.write_bytes(b"abcd")
    buf.skip_bytes(1)
    buf.write_bytes(buf)
    assert bytes(buf) == b"bcd" and buf.reader_index == 4


def test_write_bytes_of_non_byte_memoryview_and_length(new_buffer):
    buf = new_buffer(4)
    ints = memoryview(bytearray(b"\x01\x00\x00\x00\x02\x00\x00\x00")).cast("i")
    buf.write_bytes(ints)
    buf.write_bytes(b"xyz", 2)
    assert bytes(buf) == b"\x01\x00\x00\x00\x02\x00\x00\x00xy"
    with pytest.raises(IndexError, match=r"length\(9\) exceeds src.length\(3\)"):
        buf.write_bytes(bytearray(b"abc"), 9)
    with pytest.raises(TypeError, match="write_char_sequence"):
        buf.write_bytes("text")


def test_read_bytes_into_buffer_fills_its_writable_bytes(new_buffer):
    buf = new_buffer(8)
    buf.write_bytes(b"12345678")
    dst = new_buffer(3, 3)
    buf.read_bytes_into(dst)
    assert bytes(dst) == b"123" and buf.reader_index == 3


def test_read_bytes_zero_gives_the_empty_buffer(new_buffer):
    buf = new_buffer(8)
    assert buf.read_bytes(0) is Unpooled.EMPTY_BUFFER


def test_read_bytes_past_end_raises(new_buffer):
    buf = new_buffer(8)
    buf.write_short(1)
    with pytest.raises(IndexError, match=r"readerIndex\(0\) \+ length\(3\) exceeds writerIndex\(2\)"):
        buf.read_bytes(3)
    with pytest.raises(IndexError):
        buf.read_bytes_into(bytearray(3))
    dst = new_buffer(3, 3)
    with pytest.raises(IndexError, match=r"readerIndex\(0\) \+ length\(3\) exceeds writerIndex\(2\)"):
        buf.read_bytes_into(dst)
    assert buf.reader_index == 0 and dst.writer_index == 0


def test_set_bytes_out_of_range_changes_nothing(new_buffer):
    buf = new_buffer(4, 4)
    buf.set_bytes(0, bytes(4))  # pooled memory is reused, not zeroed
    with pytest.raises(IndexError, match=r"index: 2, length: 3 \(expected: range\(0, 4\)\)"):
        buf.set_bytes(2, b"abc")
    assert buf.get_bytes(0, 4) == bytes(4)


def test_set_bytes_from_buffer_advances_source(new_buffer):
    src = new_buffer(4)
    src.write_bytes(b"ab")
    buf = new_buffer(4)
    buf.set_bytes(0, bytes(4))  # pooled memory is reused, not zeroed
    buf.set_bytes(1, src)
    assert buf.get_bytes(0, 4) == b"\x00ab\x00" and src.readable_bytes() == 0


def test_char_sequences(new_buffer):
    buf = new_buffer(2)
    assert buf.write_char_sequence("héllo") == 6
    assert buf.write_char_sequence("ab", "ascii") == 2
    assert buf.to_string() == "héllo" + "ab"
    assert buf.reader_index == 0
    assert buf.read_char_sequence(6) == "héllo"
    assert buf.to_string("latin-1") == "ab"


def test_index_of_forwards_and_backwards(new_buffer):
    buf = new_buffer(16)
    buf.write_bytes(bytes([1, 2, 3, 2, 1]))
    assert buf.index_of(0, 5, 2) == 1
    assert buf.index_of(2, 5, 2) == 3
    assert buf.index_of(5, 0, 2) == 3  # backwards: from index 4 down to 0
    assert buf.index_of(3, 0, 2) == 1
    assert buf.index_of(0, 5, 9) == -1
    assert buf.index_of(-5, 2, 1) == 0
    assert buf.index_of(4, 4, 1) == -1
    assert buf.index_of(0, 5, -1) == -1
    buf.set_byte(0, 0xFF)
    assert buf.index_of(0, 5, -1) == 0
    with pytest.raises(IndexError):
        buf.index_of(0, 17, 1)


def test_bytes_before(new_buffer):
    buf = new_buffer(16)
    buf.write_bytes(b"key: value\r\n")
    buf.skip_bytes(1)
    assert buf.bytes_before(ord(":")) == 2
    assert buf.bytes_before(2, ord(":")) == -1
    assert buf.bytes_before(4, 8, ord("\r")) == 6
    assert buf.bytes_before(ord("#")) == -1
    with pytest.raises(IndexError):
        buf.bytes_before(20, ord(":"))


def test_for_each_byte(new_buffer):
    buf = new_buffer(16)
    buf.write_bytes(b"abc\ndef")
    buf.skip_bytes(1)
    seen = []
    assert buf.for_each_byte(lambda b: seen.append(b) or b != ord("\n")) == 3
    assert seen == [ord("b"), ord("c"), ord("\n")]
    assert buf.for_each_byte(lambda b: True) == -1
    assert buf.for_each_byte_desc(lambda b: b != ord("c")) == 2
    assert buf.for_each_byte(4, 3, lambda b: b != ord("f")) == 6
    assert buf.for_each_byte_desc(0, 3, lambda b: b != ord("a")) == 0


def test_python_protocols(new_buffer):
    a = new_buffer(8)
    b = new_buffer(32)
    a.write_bytes(b"xyz")
    b.write_bytes(b"__xyz")
    b.skip_bytes(2)
    assert bytes(a) == b"xyz" and a.reader_index == 0
    assert a == b and hash(a) == hash(b)
    assert a != Unpooled.EMPTY_BUFFER
    assert (a == b"xyz") is False
    assert isinstance(a, ByteBuf)


def test_with_statement_releases_once(new_buffer):
    with new_buffer(4) as buf:
        buf.write_int(1)
    assert buf.ref_cnt() == 0
    with new_buffer(4) as other:
        other.release()  # released inside: the exit does not release again
    assert other.ref_cnt() == 0


def test_against_struct_on_random_data(new_buffer):
    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(512))
    buf = new_buffer(512)
    buf.write_bytes(data)
    for i in range(0, 504, 7):
        assert buf.get_long(i) == struct.unpack_from(">q", data, i)[0]
        assert buf.get_unsigned_int_le(i) == struct.unpack_from("<I", data, i)[0]
        assert buf.get_short(i) == struct.unpack_from(">h", data, i)[0]
        assert buf.get_bytes(i, 8) == data[i:i + 8]


def test_accessors_are_documented():
    assert ByteBuf.read_int.__doc__ and "big-endian int" in ByteBuf.read_int.__doc__
    assert ByteBuf.write_long_le.__name__ == "write_long_le"


def test_nio_buffer_shares_memory(new_buffer):
    buf = new_buffer(8)
    buf.write_bytes(b"abcdef")
    buf.skip_bytes(2)
    view = buf.nio_buffer()
    assert view.tobytes() == b"cdef"
    view[0] = ord("C")
    assert buf.get_byte(2) == ord("C")
    assert buf.nio_buffer(0, 2).tobytes() == b"ab"
    with pytest.raises(IndexError):
        buf.nio_buffer(6, 3)
    with pytest.raises(ValueError, match="needs both arguments"):
        buf.nio_buffer(1)
    view.release()
    assert buf.unwrap() is None and buf.alloc() is not None
