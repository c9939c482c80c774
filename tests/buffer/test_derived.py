"""Derived buffers: slices and duplicates share memory and the parent's count (AbstractByteBufTest)."""
import pytest

from pytest_bufleak import IllegalReferenceCountException
from pytest_bufleak.buffer.derived import UnpooledDuplicatedByteBuf, UnpooledSlicedByteBuf


def test_slice_shares_memory_and_count(new_buffer):
    buf = new_buffer(16)
    buf.write_bytes(b"0123456789")
    buf.skip_bytes(2)
    s = buf.slice()
    assert bytes(s) == b"23456789"
    assert (s.reader_index, s.writer_index, s.capacity, s.max_capacity) == (0, 8, 8, 8)
    s.set_byte(0, ord("X"))
    assert buf.get_byte(2) == ord("X")
    buf.set_byte(3, ord("Y"))
    assert s.get_byte(1) == ord("Y")
    assert s.ref_cnt() == 1 and s.unwrap() is buf
    s.retain()
    assert buf.ref_cnt() == 2
    buf.release()
    assert s.ref_cnt() == 1


def test_slice_with_range_and_repr(new_buffer):
    buf = new_buffer(16)
    buf.write_bytes(b"abcdef")
    s = buf.slice(1, 3)
    assert bytes(s) == b"bcd"
    # Netty's slice() is an UnpooledSlicedByteBuf whatever the parent, pooled ones included.
    parent = "Pooled" if new_buffer.pooled else "Unpooled"
    assert repr(s).startswith(f"UnpooledSlicedByteBuf(ridx: 0, widx: 3, cap: 3/3, unwrapped: {parent}")
    with pytest.raises(IndexError):
        buf.slice(10, 7)
    with pytest.raises(ValueError):
        buf.slice(1)


def test_slice_cannot_grow(new_buffer):
    buf = new_buffer(16)
    buf.write_bytes(b"abcd")
    s = buf.slice(0, 4)
    with pytest.raises(IndexError, match=r"exceeds maxCapacity\(4\)"):
        s.write_byte(1)
    with pytest.raises(ValueError):
        s.capacity = 2
    s.clear()
    s.write_bytes(b"WXYZ")
    assert bytes(buf) == b"WXYZ"


def test_duplicate_has_own_indexes(new_buffer):
    buf = new_buffer(16)
    buf.write_bytes(b"abcdef")
    buf.skip_bytes(1)
    dup = buf.duplicate()
    assert (dup.reader_index, dup.writer_index, dup.capacity) == (1, 6, 16)
    dup.read_bytes_into(bytearray(3))
    assert buf.reader_index == 1
    assert repr(dup).startswith("UnpooledDuplicatedByteBuf(ridx: 4, widx: 6, cap: 16")


def test_duplicate_growth_grows_the_parent_and_rebinds_views(new_buffer):
    buf = new_buffer(4)
    buf.write_bytes(b"abcd")
    s = buf.slice(1, 2)
    dup = buf.duplicate()
    dup.write_bytes(b"efgh")
    assert buf.capacity == dup.capacity == 64
    assert buf.get_bytes(0, 8) == b"abcdefgh"
    s.set_byte(0, ord("B"))
    assert buf.get_byte(1) == ord("B")
    buf.set_byte(2, ord("C"))
    assert s.get_bytes(0, 2) == b"BC"


def test_read_slice_advances(new_buffer):
    buf = new_buffer(8)
    buf.write_bytes(b"headbody")
    head = buf.read_slice(4)
    assert bytes(head) == b"head" and buf.reader_index == 4 and buf.ref_cnt() == 1
    with pytest.raises(IndexError):
        buf.read_slice(5)


def test_retained_variants_retain(new_buffer):
    buf = new_buffer(8)
    buf.write_bytes(b"abcdefgh")
    views = [buf.retained_duplicate(), buf.retained_slice(), buf.retained_slice(2, 2), buf.read_retained_slice(3)]
    assert buf.ref_cnt() == 5 and buf.reader_index == 3
    assert bytes(views[3]) == b"abc"
    for v in views:
        assert v.release() is False
    assert buf.release() is True


def test_view_of_view_shares_the_root(new_buffer):
    buf = new_buffer(16)
    buf.write_bytes(b"0123456789")
    inner = buf.slice(2, 6).slice(1, 3)
    assert bytes(inner) == b"345"
    dup = buf.slice(2, 6).duplicate()
    assert dup.capacity == 6 and bytes(dup) == b"234567"
    with pytest.raises(ValueError):
        dup.capacity = 10


def test_released_root_poisons_every_view(new_buffer):
    buf = new_buffer(16)
    buf.write_bytes(b"secret")
    s, d = buf.slice(0, 3), buf.duplicate()
    assert buf.release() is True
    for view in (s, d):
        assert view.ref_cnt() == 0
        with pytest.raises(IllegalReferenceCountException, match="refCnt: 0"):
            view.get_byte(0)
        with pytest.raises(IllegalReferenceCountException):
            bytes(view)
        with pytest.raises(IllegalReferenceCountException, match="refCnt: 0, decrement: 1"):
            view.release()
    assert repr(s) == "UnpooledSlicedByteBuf(freed)"


def test_release_through_a_view_frees_the_root(new_buffer):
    buf = new_buffer(8)
    s = buf.retained_slice(0, 4)
    buf.release()
    assert s.release() is True
    assert buf.ref_cnt() == 0
    with pytest.raises(IllegalReferenceCountException):
        buf.write_byte(1)


def test_copy_is_independent(new_buffer):
    buf = new_buffer(16)
    buf.write_bytes(b"abcdef")
    whole, part = buf.copy(), buf.copy(1, 2)
    try:
        assert (bytes(whole), bytes(part)) == (b"abcdef", b"bc")
        assert whole.ref_cnt() == 1 and whole.is_direct() == buf.is_direct()
        whole.set_byte(0, ord("Z"))
        assert buf.get_byte(0) == ord("a")
        buf.release()
        assert bytes(whole) == b"Zbcdef"
    finally:
        whole.release()
        part.release()


def test_unwrap_skips_intermediate_views_like_netty(new_buffer):
    buf = new_buffer(16)
    buf.write_bytes(b"0123456789")
    inner = buf.slice(2, 6)
    assert inner.slice(1, 2).unwrap() is buf
    assert bytes(inner.slice(1, 2)) == b"34"
    assert buf.duplicate().slice(0, 3).unwrap() is buf
    assert buf.duplicate().duplicate().unwrap() is buf
    # A duplicate of a slice views the slice (its fixed window); a slice of that unwraps to the slice.
    dup_of_slice = inner.duplicate()
    assert dup_of_slice.unwrap() is inner
    assert dup_of_slice.slice(0, 2).unwrap() is inner
    assert bytes(dup_of_slice.slice(1, 2)) == b"34"


def test_view_made_while_another_thread_frees_the_root_is_poisoned(new_buffer, monkeypatch):
    buf = new_buffer(8)
    buf.write_bytes(b"secret!!")
    late = []
    deallocate = type(buf)._deallocate

    def racing_deallocate(self):
        # Another thread's slice() passed its accessibility check before the count reached 0 and
        # registers now, after the freeing thread poisoned the views it knew of.
        # (slice() itself would now refuse: the handle is poisoned before its memory goes back, so
        # build the views as slice() does once its check has passed.)
        late.append(UnpooledSlicedByteBuf(self, 0, 4))
        late.append(UnpooledDuplicatedByteBuf(self))
        deallocate(self)

    monkeypatch.setattr(type(buf), "_deallocate", racing_deallocate)
    assert buf.release() is True
    for view in late:
        with pytest.raises(IllegalReferenceCountException, match="refCnt: 0"):
            view.get_bytes(0, 4)


def test_views_made_by_many_threads_all_follow_growth_and_release(new_buffer):
    import threading

    buf = new_buffer(8)
    buf.write_bytes(b"abcdefgh")
    views = []
    start = threading.Barrier(4)

    def make_views():
        start.wait()
        mine = []
        for i in range(150):  # crosses the pruning sizes (64, 128, 256) of the view list
            view = buf.slice(0, 4)
            if i % 2:
                mine.append(view)  # the others die at once, so pruning has work to do
        views.extend(mine)

    threads = [threading.Thread(target=make_views) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    buf.capacity = 5000  # new memory: every live view must follow it
    buf.set_bytes(0, b"WXYZ")
    assert {bytes(v) for v in views} == {b"WXYZ"} and len(views) == 300
    buf.release()
    for view in views:
        with pytest.raises(IllegalReferenceCountException):
            view.get_byte(0)


def test_handle_is_poisoned_before_its_memory_goes_back(new_buffer, monkeypatch):
    buf = new_buffer(8)
    buf.write_bytes(b"secret!!")
    seen = []
    deallocate = type(buf)._deallocate

    def observing_deallocate(self):
        # What a racing reader on another thread would meet while the memory is being given back.
        with pytest.raises(IllegalReferenceCountException):
            self.get_bytes(0, 4)
        seen.append(True)
        deallocate(self)

    monkeypatch.setattr(type(buf), "_deallocate", observing_deallocate)
    assert buf.release() is True and seen == [True]
