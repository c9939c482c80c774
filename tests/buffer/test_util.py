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
