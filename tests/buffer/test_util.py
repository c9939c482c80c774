from pytest_bufleak import ByteBufUtil, Unpooled


def test_hex_dump_is_lowercase_readable_bytes():
    buf = Unpooled.copied_buffer(b"\x00\xab\xff\x10")
    buf.skip_bytes(1)
    assert ByteBufUtil.hex_dump(buf) == "abff10"
    buf.release()


def test_pretty_hex_dump_matches_netty_layout():
    buf = Unpooled.copied_buffer(bytes(range(0x3E, 0x3E + 17)) + b"\x7f")
    assert ByteBufUtil.pretty_hex_dump(buf) == (
        "         +-------------------------------------------------+\n"
        "         |  0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f |\n"
        "+--------+-------------------------------------------------+----------------+\n"
        "|00000000| 3e 3f 40 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d |>?@ABCDEFGHIJKLM|\n"
        "|00000010| 4e 7f                                           |N.              |\n"
        "+--------+-------------------------------------------------+----------------+"
    )
    buf.release()


def test_pretty_hex_dump_of_empty_buffer_is_empty():
    assert ByteBufUtil.pretty_hex_dump(Unpooled.EMPTY_BUFFER) == ""


def test_dumps_of_a_range_and_of_bytes_like_data():
    import pytest

    buf = Unpooled.copied_buffer(b"0123456789abcdefXYZ")
    buf.skip_bytes(3)
    assert ByteBufUtil.hex_dump(buf, 0, 2) == "3031" and buf.reader_index == 3
    assert ByteBufUtil.hex_dump(b"\x01\xfe") == "01fe"
    assert ByteBufUtil.hex_dump(bytearray(b"abc"), 1, 2) == "6263"
    assert ByteBufUtil.pretty_hex_dump(buf, 16, 3).splitlines()[3] == (
        "|00000000| 58 59 5a                                        |XYZ             |"
    )
    assert ByteBufUtil.pretty_hex_dump(b"XYZ") == ByteBufUtil.pretty_hex_dump(buf, 16, 3)
    assert ByteBufUtil.pretty_hex_dump(buf, 0, 0) == ""
    with pytest.raises(IndexError, match=r"index: 18, length: 2 \(expected: range\(0, 19\)\)"):
        ByteBufUtil.hex_dump(buf, 18, 2)
    with pytest.raises(IndexError, match=r"index: 2, length: 2 \(expected: range\(0, 3\)\)"):
        ByteBufUtil.hex_dump(b"abc", 2, 2)
    with pytest.raises(TypeError):
        ByteBufUtil.hex_dump(buf, 1)
    buf.release()
