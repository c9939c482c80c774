"""ByteBufHolder: a message that carries a ByteBuf and is reference counted through it (Netty's).

Subclass ``DefaultByteBufHolder`` for a message with a body (a command, a frame, an HTTP chunk): its
count is its content's, so ``release()`` on the message frees the body, and the pipeline, codecs and
``ReferenceCountUtil`` treat it like a buffer. Override ``replace`` so that ``copy()``/``duplicate()``
keep your subclass and its fields.
"""
from __future__ import annotations

from typing import Any

from .bytebuf import ByteBuf
from .refcount import IllegalReferenceCountException, ReferenceCounted


class ByteBufHolder(ReferenceCounted):
    """A reference-counted message whose count is that of its ``content()``; abstract."""

    __slots__ = ()

    def content(self) -> ByteBuf:
        """The buffer this holder carries (raises ``IllegalReferenceCountException`` once it was released)."""
        raise NotImplementedError(f"{type(self).__name__}.content")

    def replace(self, content: ByteBuf) -> ByteBufHolder:
        """A new holder of the same kind carrying ``content`` (which it takes over)."""
        raise NotImplementedError(f"{type(self).__name__}.replace")

    def copy(self) -> ByteBufHolder:
        """A deep copy: ``replace(content().copy())``; release it separately."""
        return self.replace(self.content().copy())

    def duplicate(self) -> ByteBufHolder:
        """A shallow copy sharing the content and its count (not retained)."""
        return self.replace(self.content().duplicate())

    def retained_duplicate(self) -> ByteBufHolder:
        """``duplicate()`` that also retains: release the result when done with it."""
        return self.replace(self.content().retained_duplicate())

    def ref_cnt(self) -> int:
        return self._raw_content().ref_cnt()

    def retain(self, n: int = 1) -> ByteBufHolder:
        self._raw_content().retain(n)
        return self

    def release(self, n: int = 1) -> bool:
        return self._raw_content().release(n)

    def touch(self, hint: Any = None) -> ByteBufHolder:
        self._raw_content().touch(hint)
        return self

    def _raw_content(self) -> ByteBuf:
        """The content even when it was freed (counting must work then); defaults to ``content()``."""
        return self.content()


class DefaultByteBufHolder(ByteBufHolder):
    """``DefaultByteBufHolder(content)``: holds ``content`` (taking over the caller's reference)."""

    __slots__ = ("_data",)

    def __init__(self, content: ByteBuf) -> None:
        if not isinstance(content, ByteBuf):
            raise TypeError(f"content must be a ByteBuf, not {type(content).__name__}")
        self._data = content

    def content(self) -> ByteBuf:
        data = self._data
        if data.ref_cnt() <= 0:
            raise IllegalReferenceCountException(data.ref_cnt())
        return data

    def _raw_content(self) -> ByteBuf:
        return self._data

    def replace(self, content: ByteBuf) -> ByteBufHolder:
        return DefaultByteBufHolder(content)

    def content_to_string(self) -> str:
        """The content's ``repr``, as Netty's ``contentToString``."""
        return repr(self._data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DefaultByteBufHolder):
            return NotImplemented
        return type(self) is type(other) and self._data == other._data

    def __hash__(self) -> int:
        return hash(self._data)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.content_to_string()})"
