"""ByteBufUtil: hex dumps of a buffer's readable bytes, in Netty's format."""
from __future__ import annotations

from .bytebuf import ByteBuf

_PRINTABLE = "".join(chr(i) if 0x20 <= i < 0x7F else "." for i in range(256))
_HEADER = (
    "         +-------------------------------------------------+\n"
    "         |  0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f |\n"
    "+--------+-------------------------------------------------+----------------+"
)
_FOOTER = "\n+--------+-------------------------------------------------+----------------+"


class ByteBufUtil:
    """Static helpers over buffers (Netty's ``ByteBufUtil``)."""

    @staticmethod
    def hex_dump(buf: ByteBuf) -> str:
        """Lowercase hex of the readable bytes, no separators: ``78563412``."""
        return bytes(buf).hex()

    @staticmethod
    def pretty_hex_dump(buf: ByteBuf) -> str:
        """Netty's boxed table of the readable bytes: offsets, 16 hex bytes a row, and an ASCII column.

        An empty buffer gives an empty string, as in Netty.
        """
        data = bytes(buf)
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
