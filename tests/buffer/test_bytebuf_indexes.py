"""Indexes, capacity and growth: Netty's AbstractByteBufTest cases that apply, for heap and direct."""
import pytest

from pytest_bufleak import Unpooled
from pytest_bufleak.buffer.bytebuf import calculate_new_capacity

MiB = 1024 * 1024


def test_new_buffer_state(new_buffer):
    buf = new_buffer(3)
    assert (buf.reader_index, buf.writer_index, buf.capacity) == (0, 0, 3)
    assert buf.max_capacity == 2**31 - 1
    assert buf.readable_bytes() == 0 and buf.writable_bytes() == 3
    assert buf.max_writable_bytes() == 2**31 - 1
    assert not buf.is_readable() and buf.is_writable(3) and not buf.is_writable(4)
    assert buf.is_direct() == (new_buffer.kind == "direct")
    buf.write_short(1)
    assert buf.is_readable(n=2) and not buf.is_readable(n=3) and buf.is_writable(n=1)  # SPEC: is_readable(n=1)


def test_repr_matches_netty_to_string():
    buf = Unpooled.buffer(3)
    assert repr(buf) == "UnpooledHeapByteBuf(ridx: 0, widx: 0, cap: 3)"
    assert str(buf) == repr(buf)
    bounded = Unpooled.buffer(3, 10)
    assert repr(bounded) == "UnpooledHeapByteBuf(ridx: 0, widx: 0, cap: 3/10)"
    direct = Unpooled.direct_buffer(3, 10)
    assert repr(direct) == "UnpooledDirectByteBuf(ridx: 0, widx: 0, cap: 3/10)"
    for b in (buf, bounded, direct):
        b.release()
    assert repr(buf) == "UnpooledHeapByteBuf(freed)"


def test_growth_to_64_after_four_bytes(new_buffer):
    buf = new_buffer(3)
    for i in range(4):
        buf.write_byte(i)
    assert buf.capacity == (16 if new_buffer.pooled else 64)  # pooled: first the rest of the size class
    assert bytes(buf) == b"\x00\x01\x02\x03"


@pytest.mark.parametrize(
    "needed, maximum, expected",
    [
        (0, 2**31 - 1, 64),
        (1, 2**31 - 1, 64),
        (64, 2**31 - 1, 64),
        (65, 2**31 - 1, 128),
        (1000, 2**31 - 1, 1024),
        (1000, 700 + 400, 1024),
        (1000, 1010, 1010),
        (4 * MiB - 1, 2**31 - 1, 4 * MiB),
        (4 * MiB, 2**31 - 1, 4 * MiB),
        (4 * MiB + 1, 2**31 - 1, 8 * MiB),
        (9 * MiB, 2**31 - 1, 12 * MiB),
        (9 * MiB, 10 * MiB, 10 * MiB),
    ],
)
def test_calculate_new_capacity(needed, maximum, expected):
    assert calculate_new_capacity(needed, maximum) == expected


def test_calculate_new_capacity_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"minNewCapacity: -1 \(expected: >= 0\)"):
        calculate_new_capacity(-1, 100)
    with pytest.raises(ValueError, match="maxCapacity"):
        calculate_new_capacity(101, 100)


def test_growth_is_linear_above_4_mib(new_buffer):
    buf = new_buffer(0)
    buf.write_zero(4 * MiB + 1)
    assert buf.capacity == 8 * MiB


def test_growth_never_passes_max_capacity(new_buffer):
    buf = new_buffer(3, 100)
    buf.write_zero(70)
    assert buf.capacity == 100
    buf.write_zero(30)
    with pytest.raises(IndexError) as err:
        buf.write_byte(1)
    assert str(err.value).startswith("writerIndex(100) + minWritableBytes(1) exceeds maxCapacity(100): ")
    assert repr(buf) in str(err.value)
    assert buf.writer_index == 100


def test_write_past_max_capacity_changes_nothing(new_buffer):
    buf = new_buffer(4, 8)
    buf.write_int(7)
    with pytest.raises(IndexError, match=r"writerIndex\(4\) \+ minWritableBytes\(8\) exceeds maxCapacity\(8\)"):
        buf.write_long(1)
    assert (buf.writer_index, buf.capacity, bytes(buf)) == (4, 4, b"\x00\x00\x00\x07")


def test_reader_index_bounds(new_buffer):
    buf = new_buffer(8)
    buf.writer_index = 4
    buf.reader_index = 4
    with pytest.raises(IndexError, match=r"readerIndex: 5 \(expected: 0 <= readerIndex <= writerIndex\(4\)\)"):
        buf.reader_index = 5
    with pytest.raises(IndexError):
        buf.reader_index = -1
    assert buf.reader_index == 4


def test_writer_index_bounds(new_buffer):
    buf = new_buffer(8)
    buf.set_index(2, 4)
    with pytest.raises(IndexError, match=r"writerIndex: 1 \(expected: readerIndex\(2\) <= writerIndex <= capacity\(8\)\)"):
        buf.writer_index = 1
    with pytest.raises(IndexError):
        buf.writer_index = 9
    buf.writer_index = 8
    assert buf.writer_index == 8


def test_set_index_message_from_spec(new_buffer):
    buf = new_buffer(4096)
    buf.writer_index = 1024
    with pytest.raises(IndexError) as err:
        buf.set_index(2048, 1024)
    assert str(err.value) == (
        "readerIndex: 2048, writerIndex: 1024 (expected: 0 <= readerIndex <= writerIndex <= capacity(4096))"
    )
    assert (buf.reader_index, buf.writer_index) == (0, 1024)


def test_get_index_message_from_spec(new_buffer):
    buf = new_buffer(4096)
    with pytest.raises(IndexError) as err:
        buf.get_short(4095)
    assert str(err.value) == "index: 4095, length: 2 (expected: range(0, 4096))"
    with pytest.raises(IndexError):
        buf.get_byte(-1)
    with pytest.raises(IndexError):
        buf.set_int(4093, 1)


def test_read_past_writer_index_message(new_buffer):
    buf = new_buffer(8)
    buf.write_byte(1)
    buf.read_byte()
    with pytest.raises(IndexError) as err:
        buf.read_byte()
    assert "readerIndex(1) + length(1) exceeds writerIndex(1)" in str(err.value)
    assert repr(buf) in str(err.value)
    assert buf.reader_index == 1


def test_failed_read_moves_nothing(new_buffer):
    buf = new_buffer(8)
    buf.write_short(0x0102)
    with pytest.raises(IndexError):
        buf.read_int()
    assert buf.reader_index == 0
    assert buf.read_short() == 0x0102


def test_clear_keeps_bytes(new_buffer):
    buf = new_buffer(8)
    buf.write_int(0x01020304)
    buf.read_byte()
    buf.clear()
    assert (buf.reader_index, buf.writer_index) == (0, 0)
    assert buf.get_int(0) == 0x01020304


def test_marks_and_resets(new_buffer):
    buf = new_buffer(16)
    buf.write_int(1).write_int(2)
    buf.mark_reader_index()
    assert buf.read_int() == 1
    buf.reset_reader_index()
    assert buf.read_int() == 1
    buf.mark_writer_index()
    buf.write_int(3)
    buf.reset_writer_index()
    assert buf.writer_index == 8


def test_reset_to_stale_mark_raises(new_buffer):
    buf = new_buffer(16)
    buf.write_int(1)
    buf.read_int()
    buf.mark_reader_index()
    buf.clear()
    with pytest.raises(IndexError, match=r"readerIndex: 4 \(expected"):
        buf.reset_reader_index()


def test_discard_read_bytes_moves_data_and_marks(new_buffer):
    buf = new_buffer(16)
    buf.write_bytes(bytes(range(10)))
    buf.read_bytes_into(bytearray(3))
    buf.mark_reader_index()
    buf.mark_writer_index()
    buf.read_byte()
    buf.discard_read_bytes()
    assert (buf.reader_index, buf.writer_index) == (0, 6)
    assert bytes(buf) == bytes(range(4, 10))
    buf.reset_reader_index()  # the mark was at 3, at or below the discarded 4 bytes: now 0
    assert buf.reader_index == 0
    assert buf.capacity == 16


def test_discard_read_bytes_shifts_marks_above_the_cut(new_buffer):
    buf = new_buffer(16)
    buf.write_bytes(bytes(range(10)))
    buf.reader_index = 6
    buf.mark_reader_index()
    buf.mark_writer_index()
    buf.reader_index = 2
    buf.discard_read_bytes()
    buf.reset_reader_index()
    assert buf.reader_index == 4
    buf.reset_writer_index()
    assert buf.writer_index == 8


def test_discard_read_bytes_when_all_read(new_buffer):
    buf = new_buffer(8)
    buf.write_int(5)
    buf.read_int()
    buf.discard_read_bytes()
    assert (buf.reader_index, buf.writer_index) == (0, 0)


def test_ensure_writable(new_buffer):
    buf = new_buffer(8, 100)
    assert buf.ensure_writable(8) is buf and buf.capacity == 8
    buf.ensure_writable(9)
    # Netty's pooled buffers grow into the rest of their size class before calculateNewCapacity.
    assert buf.capacity == (16 if new_buffer.pooled else 64)
    with pytest.raises(IndexError, match="exceeds maxCapacity"):
        buf.ensure_writable(101)
    with pytest.raises(ValueError, match=r"minWritableBytes: -1 \(expected: >= 0\)"):
        buf.ensure_writable(-1)


def test_capacity_setter_grows_and_keeps_content(new_buffer):
    buf = new_buffer(4)
    buf.write_int(0x0A0B0C0D)
    buf.capacity = 100
    assert buf.capacity == 100 and buf.read_int() == 0x0A0B0C0D
    if not new_buffer.pooled:  # pooled memory is reused, not zeroed, as in Netty
        assert buf.get_bytes(4, 96) == bytes(96)


def test_capacity_setter_truncates_indexes(new_buffer):
    buf = new_buffer(16)
    buf.write_bytes(bytes(range(12)))
    buf.reader_index = 10
    buf.capacity = 8
    assert (buf.reader_index, buf.writer_index, buf.capacity) == (8, 8, 8)
    assert buf.get_bytes(0, 8) == bytes(range(8))


def test_capacity_setter_rejects_out_of_range(new_buffer):
    buf = new_buffer(4, 10)
    with pytest.raises(ValueError, match=r"newCapacity: 11 \(expected: 0-10\)"):
        buf.capacity = 11
    with pytest.raises(ValueError, match="newCapacity: -1"):
        buf.capacity = -1
    assert buf.capacity == 4


def test_max_capacity_is_read_only(new_buffer):
    buf = new_buffer(4)
    with pytest.raises(AttributeError):
        buf.max_capacity = 5


def test_skip_bytes(new_buffer):
    buf = new_buffer(8)
    buf.write_int(1).write_int(2)
    buf.skip_bytes(4)
    assert buf.read_int() == 2
    with pytest.raises(IndexError):
        buf.skip_bytes(1)
    with pytest.raises(ValueError, match="minimumReadableBytes: -1"):
        buf.skip_bytes(-1)


def test_write_zero(new_buffer):
    buf = new_buffer(4)
    buf.write_byte(0xFF)
    buf.write_zero(10)
    assert bytes(buf) == b"\xff" + bytes(10)
    assert buf.capacity == (16 if new_buffer.pooled else 64)


def test_allocator_argument_validation():
    with pytest.raises(ValueError, match=r"initialCapacity: -1 \(expected: >= 0\)"):
        Unpooled.buffer(-1)
    with pytest.raises(ValueError, match=r"initialCapacity: 11 \(expected: not greater than maxCapacity\(10\)"):
        Unpooled.direct_buffer(11, 10)


class Index:
    """An integer that is not an int (as a NumPy integer): ``operator.index`` accepts it."""

    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value


def test_indexes_must_be_whole_numbers(new_buffer):
    buf = new_buffer(8)
    buf.writer_index = 4
    with pytest.raises(TypeError):
        buf.reader_index = 0.5
    with pytest.raises(TypeError):
        buf.writer_index = 2.0
    with pytest.raises(TypeError):
        buf.set_index(0.5, 1)
    with pytest.raises(TypeError, match="reader_index must be an int, not bool"):
        buf.reader_index = True  # a flag is no index, though bool subclasses int
    assert (buf.reader_index, buf.writer_index) == (0, 4)
    buf.reader_index = Index(1)  # anything operator.index accepts, stored as a plain int
    assert buf.reader_index == 1 and type(buf.reader_index) is int
