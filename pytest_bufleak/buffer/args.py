"""Argument checks shared by the buffers and allocators: whole numbers, bytes-like data, values to store.

Every public method converts its arguments here before it reads or changes anything, so a bad
argument raises ``TypeError`` naming it and leaves the buffer as it was. Integers are ``int`` or
anything ``operator.index`` accepts (a NumPy integer, say); ``bool`` is refused, as are floats
(``1.0``, NaN), strings and ``None``: an index, a length or a count is never fractional or a flag.
"""
from __future__ import annotations

import codecs
import operator
from typing import Any, Callable


def int_arg(value: Any, name: str) -> int:
    """``value`` as an exact ``int``; TypeError naming ``name`` unless it is an integer (and not a bool)."""
    if type(value) is int:
        return value
    if not isinstance(value, bool):
        try:
            return int(operator.index(value))  # int(): Python 3.9 returns int subclasses as they are
        except TypeError:
            pass
    raise TypeError(f"{name} must be an int, not {type(value).__name__}: {value!r}")


def optional_int_arg(value: Any, name: str) -> Any:
    """``int_arg`` that lets ``None`` through (an argument left out)."""
    return None if value is None else int_arg(value, name)


def bytes_arg(value: Any, name: str) -> memoryview:
    """A flat byte view of bytes-like ``value``; TypeError naming ``name`` for anything else (text included)."""
    if isinstance(value, str):
        raise TypeError(f"{name} must be bytes-like or a ByteBuf, not str: encode text first (write_char_sequence does)")
    try:
        return memoryview(value).cast("B")
    except TypeError:
        raise TypeError(f"{name} must be bytes-like or a ByteBuf, not {type(value).__name__}") from None


def real_arg(value: Any, name: str, pack: Callable[[float], bytes]) -> float:
    """A real ``value`` as a float that ``pack`` can store (a ``struct.Struct.pack``): checked, not stored.

    Ints, floats and anything with ``__float__`` (``Decimal``, ``Fraction``) are accepted, infinities
    and NaN included; ``bool``, text and the rest raise TypeError; a finite value too large for the
    type raises ValueError.
    """
    if isinstance(value, (bool, str, bytes, bytearray)) or not hasattr(type(value), "__float__"):
        raise TypeError(f"{name} must be a real number, not {type(value).__name__}: {value!r}")
    try:
        number = float(value)
        pack(number)
    except (TypeError, ValueError, ArithmeticError):  # OverflowError: too large; ValueError: a signalling NaN
        raise ValueError(f"{name}: {value!r} (expected: a real number within the type's range)") from None
    return number


def encoding_arg(encoding: Any) -> str:
    """A text encoding's name, checked before any byte moves: TypeError if not a str, LookupError if unknown."""
    if not isinstance(encoding, str):
        raise TypeError(f"encoding must be a str, not {type(encoding).__name__}: {encoding!r}")
    codecs.lookup(encoding)
    return encoding


def text_arg(text: Any, name: str = "text") -> str:
    """``text`` if it is a str; TypeError naming ``name`` otherwise (bytes go to ``write_bytes``)."""
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str, not {type(text).__name__}: write bytes-like data with write_bytes")
    return text
