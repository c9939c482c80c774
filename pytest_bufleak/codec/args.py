"""Argument checks shared by the codecs: a TypeError or ValueError that names the argument."""
from __future__ import annotations

from typing import Any

from ..buffer.args import int_arg


def positive_int(value: Any, name: str) -> int:
    """``value`` as an int > 0 (Netty's ``checkPositive``), else TypeError/ValueError naming ``name``."""
    value = int_arg(value, name)
    if value <= 0:
        raise ValueError(f"{name}: {value} (expected: > 0)")
    return value


def non_negative_int(value: Any, name: str) -> int:
    """``value`` as an int >= 0 (Netty's ``checkPositiveOrZero``), else TypeError/ValueError naming ``name``."""
    value = int_arg(value, name)
    if value < 0:
        raise ValueError(f"{name}: {value} (expected: >= 0)")
    return value
