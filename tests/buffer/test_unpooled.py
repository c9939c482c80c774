import pytest

from pytest_bufleak import Unpooled, UnpooledByteBufAllocator


def test_wrapped_buffer_shares_callers_memory():
    data = bytearray(b"abcd")
    buf = Unpooled.wrapped_buffer(data)
    assert repr(buf) == "UnpooledHeapByteBuf(ridx: 0, widx: 4, cap: 4/4)"
    buf.set_byte(0, ord("A"))
    data[1] = ord("B")
    assert bytes(buf) == b"ABcd" and data == b"ABcd"
    view = memoryview(bytearray(b"xyz"))
    wrapped_view = Unpooled.wrapped_buffer(view)
    wrapped_view.set_byte(2, ord("Z"))
    assert view.tobytes() == b"xyZ"
    for b in (buf, wrapped_view):
        b.release()
    assert data == b"ABcd"


def test_wrapped_bytes_are_read_only():
    buf = Unpooled.wrapped_buffer(b"abc")
    assert buf.read_byte() == ord("a")
    with pytest.raises(TypeError):
        buf.set_byte(0, 1)
    buf.release()


def test_wrapped_and_copied_empty_give_the_empty_buffer():
    assert Unpooled.wrapped_buffer(bytearray()) is Unpooled.EMPTY_BUFFER
    assert Unpooled.copied_buffer(b"") is Unpooled.EMPTY_BUFFER


def test_copied_buffer_copies():
    data = bytearray(b"abc")
    buf = Unpooled.copied_buffer(data)
    data[0] = 0
    assert bytes(buf) == b"abc" and buf.max_capacity == 3
    text = Unpooled.copied_buffer("héllo")
    latin = Unpooled.copied_buffer("héllo", "latin-1")
    assert bytes(text) == "héllo".encode() and bytes(latin) == "héllo".encode("latin-1")
    from_buf = Unpooled.copied_buffer(text)
    assert from_buf == text and text.reader_index == 0
    with pytest.raises(TypeError):
        Unpooled.copied_buffer(b"x", "utf-8")
    for b in (buf, text, latin, from_buf):
        b.release()


def test_unpooled_allocator_kinds_and_metric():
    alloc = UnpooledByteBufAllocator()
    metric = alloc.metric()
    heap, direct, io = alloc.buffer(10), alloc.direct_buffer(20), alloc.io_buffer(30)
    assert not heap.is_direct() and direct.is_direct() and io.is_direct()
    assert UnpooledByteBufAllocator(prefer_direct=True).buffer(1).release()
    assert (metric.used_heap_memory, metric.used_direct_memory) == (10, 50)
    assert metric.num_active_allocations == 3
    heap.write_zero(11)
    assert metric.used_heap_memory == 64
    for b in (heap, direct, io):
        b.release()
    assert (metric.used_heap_memory, metric.used_direct_memory, metric.num_active_allocations) == (0, 0, 0)
    assert metric.num_allocations == metric.num_deallocations == 3
    with pytest.raises(AttributeError):
        metric.used_heap_memory = 1


def test_unpooled_metric_adds_up_across_threads():
    import threading

    alloc = UnpooledByteBufAllocator()
    made = []

    def worker():
        for _ in range(200):
            made.append(alloc.heap_buffer(16))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    metric = alloc.metric()
    assert (metric.num_active_allocations, metric.used_heap_memory) == (800, 800 * 16)
    for buf in made:  # released here, on another thread than the one that allocated
        buf.release()
    assert (metric.num_active_allocations, metric.used_heap_memory) == (0, 0)


def test_copied_buffer_of_a_buffer_is_its_copy(new_buffer):
    src = new_buffer(8, 100)
    src.write_bytes(b"abcdef")
    src.skip_bytes(2)
    copied = Unpooled.copied_buffer(src)
    assert bytes(copied) == b"cdef" and src.reader_index == 2
    assert copied.is_direct() == src.is_direct() and copied.max_capacity == 100
    copied.write_bytes(b"more")  # Netty's copy can grow up to the source's max capacity
    copied.set_byte(0, ord("X"))
    assert bytes(src) == b"cdef"
    assert copied.release() and src.ref_cnt() == 1
    src.skip_bytes(4)
    assert Unpooled.copied_buffer(src) is Unpooled.EMPTY_BUFFER


def test_wrapped_buffer_of_a_buffer_is_a_slice_taking_its_reference(new_buffer):
    src = new_buffer(8)
    src.write_bytes(b"abcdef")
    src.skip_bytes(1)
    wrapped = Unpooled.wrapped_buffer(src)
    assert bytes(wrapped) == b"bcdef" and wrapped.unwrap() is src
    wrapped.set_byte(0, ord("X"))
    assert src.get_byte(1) == ord("X")
    assert wrapped.release() is True and src.ref_cnt() == 0
    empty = new_buffer(8)
    assert Unpooled.wrapped_buffer(empty) is Unpooled.EMPTY_BUFFER and empty.ref_cnt() == 0
