"""``HttpHeaders``: an ordered, case-insensitive, multi-valued header list (Netty's ``DefaultHttpHeaders``).

Names keep the case they were given and compare case-insensitively; a name may carry several values
(``add`` appends, ``set`` replaces). Values are ``str``; ints are turned into their decimal text.
Validation, on by default, refuses names that are not HTTP tokens and values holding control
characters (CR, LF, NUL ...), the raw material of header injection.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Iterator, List, Optional, Tuple, Union

Value = Union[str, int]

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


class HttpHeaderNames:
    """Header names as Netty spells them (lower case)."""

    ACCEPT = "accept"
    CONNECTION = "connection"
    CONTENT_LENGTH = "content-length"
    CONTENT_TYPE = "content-type"
    EXPECT = "expect"
    HOST = "host"
    KEEP_ALIVE = "keep-alive"
    TRAILER = "trailer"
    TRANSFER_ENCODING = "transfer-encoding"
    UPGRADE = "upgrade"
    USER_AGENT = "user-agent"


class HttpHeaderValues:
    """Header values as Netty spells them."""

    CHUNKED = "chunked"
    CLOSE = "close"
    CONTINUE = "100-continue"
    KEEP_ALIVE = "keep-alive"
    TEXT_PLAIN = "text/plain"
    APPLICATION_JSON = "application/json"


def _check_name(name: Any) -> str:
    if not isinstance(name, str):
        raise TypeError(f"header name must be a str, not {type(name).__name__}")
    if not _TOKEN.match(name):
        raise ValueError(f"a header name can only contain token characters (RFC 9110): {name!r}")
    return name


def _text(value: Any, name: str, validate: bool) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        raise TypeError(f"value of header {name!r} must be a str or an int, not {type(value).__name__}")
    if validate and _BAD_VALUE.search(text):
        raise ValueError(f"a header value can only contain visible characters, spaces and tabs: {name}: {text!r}")
    return text


def _values(value: Any) -> List[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


class HttpHeaders:
    """``HttpHeaders(validate=True)``: ``add``/``set``/``get``/``get_all``/``contains``/``remove``, in order.

    Also a small mapping: ``headers["Host"]`` (the first value; KeyError when absent), ``"host" in
    headers``, ``len(headers)`` (the number of name/value pairs), iteration over ``(name, value)`` pairs.
    """

    __slots__ = ("_entries", "_validate")

    def __init__(self, validate: bool = True) -> None:
        self._entries: List[Tuple[str, str]] = []
        self._validate = validate

    # ------------------------------------------------------------------ changing

    def add(self, name: str, value: Union[Value, Iterable[Value]]) -> HttpHeaders:
        """Append ``value`` (or each of a list of values) under ``name``."""
        name = _check_name(name) if self._validate else name
        for one in _values(value):
            self._entries.append((name, _text(one, name, self._validate)))
        return self

    def _extend_parsed(self, pairs: List[Tuple[str, str]]) -> None:
        """Append ``(name, value)`` pairs a decoder found valid (token names, values without controls)."""
        self._entries.extend(pairs)

    def set(self, name: str, value: Union[Value, Iterable[Value]]) -> HttpHeaders:
        """Replace every value of ``name`` with ``value`` (or a list of values)."""
        name = _check_name(name) if self._validate else name
        texts = [_text(one, name, self._validate) for one in _values(value)]
        self.remove(name)
        self._entries.extend((name, text) for text in texts)
        return self

    def add_headers(self, other: HttpHeaders) -> HttpHeaders:
        """Append every pair of ``other``."""
        for name, value in list(other):
            self.add(name, value)
        return self

    def set_headers(self, other: HttpHeaders) -> HttpHeaders:
        """Make these headers a copy of ``other``'s pairs."""
        pairs = list(other)
        self.clear()
        for name, value in pairs:
            self.add(name, value)
        return self

    def remove(self, name: str) -> HttpHeaders:
        """Remove every value of ``name``."""
        lower = name.lower()
        self._entries = [entry for entry in self._entries if entry[0].lower() != lower]
        return self

    def clear(self) -> HttpHeaders:
        """Remove every header."""
        self._entries.clear()
        return self

    # ------------------------------------------------------------------ reading

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """The first value of ``name``, else ``default``."""
        lower = name.lower()
        for key, value in self._entries:
            if key.lower() == lower:
                return value
        return default

    def get_all(self, name: str) -> List[str]:
        """Every value of ``name``, in order."""
        lower = name.lower()
        return [value for key, value in self._entries if key.lower() == lower]

    def get_int(self, name: str, default: Optional[int] = None) -> Optional[int]:
        """The first value of ``name`` as an int, else ``default`` (also when it is not a number)."""
        value = self.get(name)
        try:
            return int(value) if value is not None else default
        except ValueError:
            return default

    def contains(self, name: str, value: Optional[str] = None, ignore_case: bool = False) -> bool:
        """True when ``name`` is present (with ``value``: when one of its values equals it)."""
        if value is None:
            return self.get(name) is not None
        if ignore_case:
            value = value.lower()
            return any(one.lower() == value for one in self.get_all(name))
        return value in self.get_all(name)

    def contains_value(self, name: str, value: str, ignore_case: bool = False) -> bool:
        """True when one of the comma-separated elements of ``name``'s values equals ``value``
        (``Connection: keep-alive, Upgrade`` contains ``upgrade`` with ``ignore_case``)."""
        wanted = value.lower() if ignore_case else value
        for one in self.get_all(name):
            for element in one.split(","):
                element = element.strip()
                if (element.lower() if ignore_case else element) == wanted:
                    return True
        return False

    def names(self) -> List[str]:
        """Each name once, as first given, in order."""
        seen, names = set(), []
        for key, _ in self._entries:
            if key.lower() not in seen:
                seen.add(key.lower())
                names.append(key)
        return names

    def entries(self) -> List[Tuple[str, str]]:
        """Every ``(name, value)`` pair, in order."""
        return list(self._entries)

    def is_empty(self) -> bool:
        """True when there is no header."""
        return not self._entries

    def copy(self) -> HttpHeaders:
        """An independent copy."""
        copy = HttpHeaders(self._validate)
        copy._entries = list(self._entries)
        return copy

    # ------------------------------------------------------------------ Python protocols

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __setitem__(self, name: str, value: Union[Value, Iterable[Value]]) -> None:
        self.set(name, value)

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self.remove(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[Tuple[str, str]]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HttpHeaders):
            return NotImplemented
        return [(k.lower(), v) for k, v in self._entries] == [(k.lower(), v) for k, v in other._entries]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"HttpHeaders({self._entries!r})"


class _EmptyHttpHeaders(HttpHeaders):
    """Headers that stay empty (``EMPTY_LAST_CONTENT``'s trailers): changes raise ``TypeError``."""

    __slots__ = ()

    def add(self, name: str, value: Union[Value, Iterable[Value]]) -> HttpHeaders:
        raise TypeError("read only")

    set = add

    def remove(self, name: str) -> HttpHeaders:
        raise TypeError("read only")


EMPTY_HEADERS: HttpHeaders = _EmptyHttpHeaders()
