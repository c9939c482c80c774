"""ByteBufHolder/DefaultByteBufHolder (after Netty's DefaultByteBufHolderTest): the holder's count is its content's."""
from __future__ import annotations

import pytest

from pytest_bufleak import (
    ByteBufHolder,
    DefaultByteBufHolder,
    IllegalReferenceCountException,
    ReferenceCountUtil,
    Unpooled,
)


def content(data=b"abc"):
    return Unpooled.copied_buffer(data)


def test_count_is_the_contents():
    holder = DefaultByteBufHolder(content())
    assert holder.retain() is holder and holder.content().ref_cnt() == 2 == holder.ref_cnt()
    assert not ReferenceCountUtil.release(holder)
    assert holder.release() and holder.ref_cnt() == 0
    with pytest.raises(IllegalReferenceCountException):
        holder.content()
    with pytest.raises(IllegalReferenceCountException, match="refCnt: 0, decrement: 1"):
        holder.release()


def test_copy_is_independent_and_duplicates_share():
    holder = DefaultByteBufHolder(content())
    copy = holder.copy()
    dup = holder.retained_duplicate()
    assert holder.duplicate().content().ref_cnt() == 2  # shares the count, not retained
    assert copy == holder and copy.ref_cnt() == 1 and holder.ref_cnt() == 2
    copy.release()
    dup.release()
    assert holder.release()


def test_replace_gives_a_new_holder_of_the_new_content():
    holder = DefaultByteBufHolder(content(b"old"))
    other = holder.replace(content(b"new"))
    assert bytes(other.content()) == b"new" and isinstance(other, ByteBufHolder)
    assert repr(holder).startswith("DefaultByteBufHolder(")
    holder.release()
    other.release()


def test_content_must_be_a_buffer():
    with pytest.raises(TypeError, match="content"):
        DefaultByteBufHolder(b"abc")
