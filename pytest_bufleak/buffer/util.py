"""ByteBufUtil: hex dumps of a buffer's readable bytes, in Netty's format."""
from __future__ import annotations

from typing import Optional, Union

from .args import bytes_arg, int_arg
from .bytebuf import ByteBuf, BytesLike

_PRINTABLE = "".join(chr(i) if 0x20 <= i < 0x7F else "." for i in range(256))
_HEADER = (
    "         +-------------------------------------------------+\n"
    "         |  0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f |\n"
    "+--------+-------------------------------------------------+----------------+"
)
_FOOTER = "\n+--------+-------------------------------------------------+----------------+"


def _dump_bytes(data: Union[ByteBuf, BytesLike], index: Optional[int], length: Optional[int]) -> bytes:
    """The bytes a dump shows: a buffer's readable bytes or any range of it (no index moves), or bytes-like data."""
    if (index is None) != (length is None):
        raise TypeError("a dump of a range needs both index and length (or neither, for the readable bytes)")
    if isinstance(data, ByteBuf):
        return bytes(data) if index is None else data.get_bytes(index, length)
    view = bytes_arg(data, "buf")
    if index is None:
        return view.tobytes()
    index, length = int_arg(index, "index"), int_arg(length, "length")
    if not (0 <= index and 0 <= length and index + length <= view.nbytes):
        raise IndexError(f"index: {index}, length: {length} (expected: range(0, {view.nbytes}))")
    return view[index:index + length].tobytes()


class ByteBufUtil:
    """Static helpers over buffers (Netty's ``ByteBufUtil``)."""

    @staticmethod
    def hex_dump(buf: Union[ByteBuf, BytesLike], from_index: Optional[int] = None, length: Optional[int] = None) -> str:
        """Lowercase hex of the readable bytes, no separators: ``78563412``.

        ``hex_dump(buf, from_index, length)`` dumps that range instead (no index moves), as Netty's
        ``hexDump(buffer, fromIndex, length)``; bytes-like data can be dumped too.
        """
        return _dump_bytes(buf, from_index, length).hex()

    @staticmethod
    def pretty_hex_dump(buf: Union[ByteBuf, BytesLike], offset: Optional[int] = None, length: Optional[int] = None) -> str:
        """Netty's boxed table of the readable bytes: offsets, 16 hex bytes a row, and an ASCII column.

        ``pretty_hex_dump(buf, offset, length)`` shows that range instead (rows still numbered from 0,
        as in Netty). An empty range gives an empty string, as in Netty.
        """
        data = _dump_bytes(buf, offset, length)
        if not data:
            return ""
        rows = [_HEADER]
        for start in range(0, len(data), 16):
            chunk = data[start:start + 16]
            hex_part = "".join(f" {b:02x}" for b in chunk).ljust(48)
            text = chunk.decode("latin-1").translate(_PRINTABLE).ljust(16)
            rows.append(f"\n|{start:08x}|{hex_part} |{text}|")
        rows.append(_FOOTER)
        return "".join(rows)
