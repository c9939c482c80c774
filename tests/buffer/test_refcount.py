"""Reference counting: Netty's AbstractReferenceCountedByteBufTest, released-buffer access, threads."""
import logging
import threading

import pytest

from pytest_bufleak import IllegalReferenceCountException, ReferenceCounted, ReferenceCountUtil, Unpooled, track_leaks

MAX = 2**31 - 1


def test_retain_and_release_counts(new_buffer):
    buf = new_buffer(8)
    assert buf.ref_cnt() == 1
    assert buf.retain() is buf and buf.retain(3) is buf
    assert buf.ref_cnt() == 5
    assert buf.release(2) is False and buf.ref_cnt() == 3
    assert buf.release() is False
    assert buf.release(2) is True
    assert buf.ref_cnt() == 0


def test_release_of_released_buffer(new_buffer):
    buf = new_buffer(8)
    buf.release()
    with pytest.raises(IllegalReferenceCountException) as err:
        buf.release()
    assert "refCnt: 0, decrement: 1" in str(err.value)
    assert isinstance(err.value, RuntimeError)


def test_retain_of_released_buffer(new_buffer):
    buf = new_buffer(8)
    buf.release()
    with pytest.raises(IllegalReferenceCountException, match="refCnt: 0, increment: 1"):
        buf.retain()
    assert buf.ref_cnt() == 0


def test_over_release_leaves_count(new_buffer):
    buf = new_buffer(8)
    buf.retain()
    with pytest.raises(IllegalReferenceCountException, match="refCnt: 2, decrement: 3"):
        buf.release(3)
    assert buf.ref_cnt() == 2


def test_non_positive_amounts_rejected(new_buffer):
    buf = new_buffer(8)
    with pytest.raises(ValueError, match=r"increment: 0 \(expected: > 0\)"):
        buf.retain(0)
    with pytest.raises(ValueError, match=r"decrement: -1 \(expected: > 0\)"):
        buf.release(-1)
    assert buf.ref_cnt() == 1


@pytest.mark.parametrize("amount", [1.5, 2.0, "2", None])
def test_non_integer_amounts_rejected(new_buffer, amount):
    buf = new_buffer(8)
    buf.retain(3)
    with pytest.raises(TypeError):
        buf.retain(amount)
    with pytest.raises(TypeError):
        buf.release(amount)
    assert buf.ref_cnt() == 4 and type(buf.ref_cnt()) is int
    assert buf.release(4) is True


def test_retain_overflow(new_buffer):
    buf = new_buffer(8)
    with pytest.raises(IllegalReferenceCountException, match=f"refCnt: 1, increment: {MAX}"):
        buf.retain(MAX)
    assert buf.ref_cnt() == 1
    buf.retain(MAX - 1)
    assert buf.ref_cnt() == MAX
    with pytest.raises(IllegalReferenceCountException, match=f"refCnt: {MAX}, increment: 1"):
        buf.retain()
    assert buf.ref_cnt() == MAX
    assert buf.release(MAX - 1) is False
    assert buf.release() is True


def test_large_counts_mix_with_single_steps(new_buffer):
    buf = new_buffer(8)
    buf.retain(5)
    buf.retain()
    for _ in range(6):
        assert buf.release() is False
    assert buf.ref_cnt() == 1
    assert buf.release() is True


@pytest.mark.parametrize(
    "access",
    [
        lambda b: b.read_byte(),
        lambda b: b.write_byte(1),
        lambda b: b.get_int(0),
        lambda b: b.set_long(0, 1),
        lambda b: b.write_bytes(b"x"),
        lambda b: b.write_bytes(b""),
        lambda b: b.write_bytes(bytearray()),
        lambda b: b.write_bytes(memoryview(b"")),
        lambda b: b.write_bytes(Unpooled.EMPTY_BUFFER),
        lambda b: b.write_char_sequence(""),
        lambda b: b.write_zero(0),
        lambda b: b.read_bytes(0),
        lambda b: b.read_bytes_into(bytearray()),
        lambda b: b.set_bytes(0, b""),
        lambda b: b.get_bytes(0, 0),
        lambda b: b.reader_index,
        lambda b: b.writer_index,
        lambda b: b.capacity,
        lambda b: b.readable_bytes(),
        lambda b: b.writable_bytes(),
        lambda b: b.set_index(0, 0),
        lambda b: b.clear(),
        lambda b: b.discard_read_bytes(),
        lambda b: b.ensure_writable(0),
        lambda b: b.skip_bytes(0),
        lambda b: b.slice(),
        lambda b: b.duplicate(),
        lambda b: b.copy(),
        lambda b: b.index_of(0, 1, 0),
        lambda b: b.to_string(),
        lambda b: bytes(b),
        lambda b: b.nio_buffer(),
        lambda b: b.mark_reader_index(),
    ],
)
@pytest.mark.parametrize(
    "view",
    [
        lambda b: b,
        lambda b: b.slice(0, 6),
        lambda b: b.duplicate(),
        lambda b: b.slice(1, 6).slice(1, 4),
        lambda b: b.slice(0, 6).duplicate(),
    ],
    ids=["buffer", "slice", "duplicate", "slice-of-slice", "duplicate-of-slice"],
)
def test_every_access_to_a_released_buffer_raises(new_buffer, access, view):
    buf = new_buffer(8)
    buf.write_long(42)
    target = view(buf)
    buf.release()
    with pytest.raises(IllegalReferenceCountException, match="refCnt: 0"):
        access(target)


def test_racing_releases_free_exactly_once(new_buffer):
    for _ in range(20):
        buf = new_buffer(8)
        threads_n = 8
        buf.retain(threads_n - 1)
        results = []
        barrier = threading.Barrier(threads_n)

        def worker():
            barrier.wait()
            results.append(buf.release())

        threads = [threading.Thread(target=worker) for _ in range(threads_n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == [False] * (threads_n - 1) + [True]
        assert buf.ref_cnt() == 0


def test_racing_retain_release_pairs_keep_the_count(new_buffer):
    buf = new_buffer(8)
    barrier = threading.Barrier(4)

    def worker():
        barrier.wait()
        for i in range(5000):
            buf.retain(1 + i % 3)
            assert buf.release(1 + i % 3) is False

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert buf.ref_cnt() == 1
    assert buf.release() is True


class _Counted(ReferenceCounted):
    def __init__(self):
        self.count = 1

    def ref_cnt(self):
        return self.count

    def retain(self, increment=1):
        self.count += increment
        return self

    def release(self, decrement=1):
        self.count -= decrement
        return self.count == 0

    def touch(self, hint=None):
        self.hint = hint
        return self


def test_reference_count_util_on_plain_objects():
    msg = "not counted"
    assert ReferenceCountUtil.retain(msg) is msg
    assert ReferenceCountUtil.release(msg) is False
    assert ReferenceCountUtil.safe_release(msg) is False
    assert ReferenceCountUtil.touch(msg, "hint") is msg
    assert ReferenceCountUtil.ref_cnt(msg) == -1


def test_reference_count_util_on_counted_objects():
    msg = _Counted()
    assert ReferenceCountUtil.retain(msg, 2) is msg and msg.count == 3
    assert ReferenceCountUtil.touch(msg, "seen") is msg and msg.hint == "seen"
    assert ReferenceCountUtil.ref_cnt(msg) == 3
    assert ReferenceCountUtil.release(msg, 2) is False
    assert ReferenceCountUtil.safe_release(msg) is True


def test_counts_take_the_spec_keyword_n(new_buffer):
    buf = new_buffer(4)
    assert buf.retain(n=3) is buf and buf.slice().retain(n=1).ref_cnt() == 5
    assert ReferenceCountUtil.retain(buf, n=2) is buf and buf.ref_cnt() == 7
    assert buf.release(n=2) is False and buf.slice().release(n=1) is False
    assert ReferenceCountUtil.release(buf, n=2) is False
    assert ReferenceCountUtil.safe_release(buf, n=2) is True and buf.ref_cnt() == 0
    assert Unpooled.EMPTY_BUFFER.retain(n=2).release(n=2) is False


def test_safe_release_of_a_bad_amount_logs_cleanly(caplog):
    buf = Unpooled.buffer(4)
    with caplog.at_level(logging.WARNING, logger="pytest_bufleak"):
        assert ReferenceCountUtil.safe_release(buf, "two") is False
    assert "Failed to release a message" in caplog.records[0].getMessage()
    assert buf.release() is True


def test_safe_release_logs_instead_of_raising(caplog):
    with track_leaks() as tracker:  # the over-release is reported to the buffer's tracker (this one)
        buf = Unpooled.buffer(4)
        buf.release()
        with caplog.at_level(logging.WARNING, logger="pytest_bufleak"):
            assert ReferenceCountUtil.safe_release(buf) is False
    assert len(caplog.records) == 1 and len(tracker.over_released) == 1
    record = caplog.records[0]
    assert record.name == "pytest_bufleak" and record.levelno == logging.WARNING
    assert "refCnt: 0, decrement: 1" in caplog.text
    assert "pop from empty list" not in caplog.text  # the cause shown is the count, not an implementation detail


def test_release_raises_through_util():
    buf = Unpooled.buffer(4)
    buf.release()
    with pytest.raises(IllegalReferenceCountException):
        ReferenceCountUtil.release(buf)


def test_empty_buffer_is_never_freed():
    empty = Unpooled.EMPTY_BUFFER
    assert empty.release() is False and empty.ref_cnt() == 1
    assert empty.retain() is empty
    assert bytes(empty) == b"" and empty.capacity == 0
    with pytest.raises(IndexError):
        empty.write_byte(1)


@pytest.mark.parametrize("duplicate", ["copy", "deepcopy", "pickle"])
def test_copy_module_and_pickle_refuse_instead_of_sharing_the_count(new_buffer, duplicate):
    import copy
    import pickle

    make = {"copy": copy.copy, "deepcopy": copy.deepcopy, "pickle": pickle.dumps}[duplicate]
    buf = new_buffer(8)
    buf.write_int(7)
    for target in (buf, buf.slice(0, 2)):
        with pytest.raises(TypeError, match=r"use buf.copy\(\)"):
            make(target)
    assert buf.ref_cnt() == 1 and buf.read_int() == 7
