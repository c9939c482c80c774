"""``HttpMethod``, ``HttpVersion`` and ``HttpResponseStatus``: the words of an HTTP/1.x start line (Netty's)."""
from __future__ import annotations

import re
from typing import ClassVar, Dict, Optional

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_VERSION = re.compile(r"([^\s/]+)/([0-9]+)\.([0-9]+)\Z")


class HttpMethod:
    """A request method: ``HttpMethod.GET`` ... or ``HttpMethod.value_of("PROPFIND")``; compared by name."""

    __slots__ = ("_name",)

    GET: ClassVar[HttpMethod]
    HEAD: ClassVar[HttpMethod]
    POST: ClassVar[HttpMethod]
    PUT: ClassVar[HttpMethod]
    PATCH: ClassVar[HttpMethod]
    DELETE: ClassVar[HttpMethod]
    OPTIONS: ClassVar[HttpMethod]
    TRACE: ClassVar[HttpMethod]
    CONNECT: ClassVar[HttpMethod]
    _KNOWN: ClassVar[Dict[str, HttpMethod]] = {}

    def __init__(self, name: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f"method name must be a str, not {type(name).__name__}")
        name = name.strip()
        if not _TOKEN.match(name):
            raise ValueError(f"invalid HTTP method name: {name!r} (expected: a token such as GET)")
        self._name = name

    @classmethod
    def value_of(cls, name: str) -> HttpMethod:
        """The constant named ``name`` (case-sensitive, as HTTP), or a new method."""
        return cls._KNOWN.get(name) or cls(name)

    def name(self) -> str:
        """The method's name, ``"GET"``."""
        return self._name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HttpMethod) and other._name == self._name

    def __hash__(self) -> int:
        return hash(self._name)

    def __str__(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"HttpMethod({self._name!r})"


for _name in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"):
    HttpMethod._KNOWN[_name] = HttpMethod(_name)
    setattr(HttpMethod, _name, HttpMethod._KNOWN[_name])


class HttpVersion:
    """A protocol version: ``HttpVersion.HTTP_1_1``, ``HTTP_1_0`` or ``HttpVersion.value_of("HTTP/1.1")``."""

    __slots__ = ("_protocol", "_major", "_minor", "_keep_alive_default")

    HTTP_1_0: ClassVar[HttpVersion]
    HTTP_1_1: ClassVar[HttpVersion]

    def __init__(self, protocol_name: str, major: int, minor: int, keep_alive_default: bool) -> None:
        if not _TOKEN.match(protocol_name or ""):
            raise ValueError(f"invalid protocol name: {protocol_name!r}")
        if major < 0 or minor < 0:
            raise ValueError(f"negative version: {major}.{minor}")
        self._protocol = protocol_name.upper()
        self._major = major
        self._minor = minor
        self._keep_alive_default = keep_alive_default

    @classmethod
    def value_of(cls, text: str, strict: bool = False) -> HttpVersion:
        """Parse ``"HTTP/1.1"`` (the two known versions are returned as their constants); ValueError if malformed.

        ``strict`` (what the decoders use) accepts only ``HTTP/<digit>.<digit>``, as RFC 9110 section 2.5.
        """
        if not isinstance(text, str):
            raise TypeError(f"version must be a str, not {type(text).__name__}")
        text = text.strip()
        if text == "HTTP/1.1":
            return cls.HTTP_1_1
        if text == "HTTP/1.0":
            return cls.HTTP_1_0
        if not text:
            raise ValueError("text is empty (possibly HTTP/0.9)")
        upper = text.upper()
        if strict:
            if len(upper) != 8 or not upper.startswith("HTTP/") or upper[6] != "." or not (
                    upper[5].isdigit() and upper[7].isdigit() and upper.isascii()):
                raise ValueError(f"invalid version format: {upper}")
            return cls("HTTP", int(upper[5]), int(upper[7]), True)
        match = _VERSION.match(upper)
        if match is None:
            raise ValueError(f"invalid version format: {upper}")
        return cls(match.group(1), int(match.group(2)), int(match.group(3)), True)

    def protocol_name(self) -> str:
        """``"HTTP"``."""
        return self._protocol

    def major_version(self) -> int:
        """1 for HTTP/1.1."""
        return self._major

    def minor_version(self) -> int:
        """1 for HTTP/1.1."""
        return self._minor

    def text(self) -> str:
        """``"HTTP/1.1"``."""
        return f"{self._protocol}/{self._major}.{self._minor}"

    def is_keep_alive_default(self) -> bool:
        """True when connections persist unless ``Connection: close`` (HTTP/1.1)."""
        return self._keep_alive_default

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HttpVersion) and (other._protocol, other._major, other._minor) == (
            self._protocol, self._major, self._minor)

    def __hash__(self) -> int:
        return hash((self._protocol, self._major, self._minor))

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"HttpVersion({self.text()!r})"


HttpVersion.HTTP_1_0 = HttpVersion("HTTP", 1, 0, False)
HttpVersion.HTTP_1_1 = HttpVersion("HTTP", 1, 1, True)

_REASONS = {
    100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints",
    200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information", 204: "No Content",
    205: "Reset Content", 206: "Partial Content", 207: "Multi-Status",
    300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified",
    305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect",
    400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 406: "Not Acceptable", 407: "Proxy Authentication Required",
    408: "Request Timeout", 409: "Conflict", 410: "Gone", 411: "Length Required", 412: "Precondition Failed",
    413: "Request Entity Too Large", 414: "Request-URI Too Long", 415: "Unsupported Media Type",
    416: "Requested Range Not Satisfiable", 417: "Expectation Failed", 421: "Misdirected Request",
    422: "Unprocessable Entity", 423: "Locked", 424: "Failed Dependency", 425: "Unordered Collection",
    426: "Upgrade Required", 428: "Precondition Required", 429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
    504: "Gateway Timeout", 505: "HTTP Version Not Supported", 506: "Variant Also Negotiates",
    507: "Insufficient Storage", 510: "Not Extended", 511: "Network Authentication Required",
}


class HttpResponseStatus:
    """A status: ``HttpResponseStatus.OK`` ..., or ``value_of(code, reason=None)``; equal when the codes are."""

    __slots__ = ("_code", "_reason")

    _KNOWN: ClassVar[Dict[int, HttpResponseStatus]] = {}
    CONTINUE: ClassVar[HttpResponseStatus]
    SWITCHING_PROTOCOLS: ClassVar[HttpResponseStatus]
    OK: ClassVar[HttpResponseStatus]
    CREATED: ClassVar[HttpResponseStatus]
    ACCEPTED: ClassVar[HttpResponseStatus]
    NO_CONTENT: ClassVar[HttpResponseStatus]
    MOVED_PERMANENTLY: ClassVar[HttpResponseStatus]
    FOUND: ClassVar[HttpResponseStatus]
    NOT_MODIFIED: ClassVar[HttpResponseStatus]
    BAD_REQUEST: ClassVar[HttpResponseStatus]
    UNAUTHORIZED: ClassVar[HttpResponseStatus]
    FORBIDDEN: ClassVar[HttpResponseStatus]
    NOT_FOUND: ClassVar[HttpResponseStatus]
    METHOD_NOT_ALLOWED: ClassVar[HttpResponseStatus]
    REQUEST_TIMEOUT: ClassVar[HttpResponseStatus]
    REQUEST_ENTITY_TOO_LARGE: ClassVar[HttpResponseStatus]
    REQUEST_URI_TOO_LONG: ClassVar[HttpResponseStatus]
    EXPECTATION_FAILED: ClassVar[HttpResponseStatus]
    REQUEST_HEADER_FIELDS_TOO_LARGE: ClassVar[HttpResponseStatus]
    INTERNAL_SERVER_ERROR: ClassVar[HttpResponseStatus]
    NOT_IMPLEMENTED: ClassVar[HttpResponseStatus]
    BAD_GATEWAY: ClassVar[HttpResponseStatus]
    SERVICE_UNAVAILABLE: ClassVar[HttpResponseStatus]
    GATEWAY_TIMEOUT: ClassVar[HttpResponseStatus]

    def __init__(self, code: int, reason_phrase: Optional[str] = None) -> None:
        if isinstance(code, bool) or not isinstance(code, int):
            raise TypeError(f"status code must be an int, not {type(code).__name__}")
        if code < 0:
            raise ValueError(f"code: {code} (expected: 0+)")
        if reason_phrase is None:
            reason_phrase = _REASONS.get(code) or _class_reason(code)
        if any(ch in reason_phrase for ch in "\r\n"):
            raise ValueError(f"reason phrase contains one of the following prohibited characters: \\r\\n: "
                             f"{reason_phrase!r}")
        self._code = code
        self._reason = reason_phrase

    @classmethod
    def value_of(cls, code: int, reason_phrase: Optional[str] = None) -> HttpResponseStatus:
        """The constant for ``code`` (when no other reason is given), or a new status."""
        known = cls._KNOWN.get(code)
        if known is not None and (reason_phrase is None or reason_phrase == known._reason):
            return known
        return cls(code, reason_phrase)

    def code(self) -> int:
        """The three-digit code, ``200``."""
        return self._code

    def reason_phrase(self) -> str:
        """``"OK"``."""
        return self._reason

    def code_class(self) -> int:
        """The class as its hundreds: 1 informational, 2 success, 3 redirection, 4 client error, 5 server error."""
        return self._code // 100

    def __int__(self) -> int:
        return self._code

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HttpResponseStatus) and other._code == self._code

    def __hash__(self) -> int:
        return hash(self._code)

    def __str__(self) -> str:
        return f"{self._code} {self._reason}".rstrip()

    def __repr__(self) -> str:
        return f"HttpResponseStatus({self._code}, {self._reason!r})"


def _class_reason(code: int) -> str:
    return {1: "Informational", 2: "Success", 3: "Redirection", 4: "Client Error",
            5: "Server Error"}.get(code // 100, "Unknown Status")


for _code, _reason in _REASONS.items():
    HttpResponseStatus._KNOWN[_code] = HttpResponseStatus(_code, _reason)
    _constant = re.sub(r"[^A-Z0-9]+", "_", _reason.upper()).strip("_")
    setattr(HttpResponseStatus, _constant, HttpResponseStatus._KNOWN[_code])
del _code, _reason, _name, _constant
