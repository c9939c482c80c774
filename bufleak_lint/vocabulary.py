"""The names of the runtime's API that the linter reasons about.

The linter reads code, it never imports the runtime: every fact it knows about
reference counting is a method or function name listed here, in Netty's
snake_case and in the camelCase of code ported straight from Java.  A project
can add its own allocator, release and fire names through the configuration.
"""

import re
from dataclasses import dataclass, field
from typing import FrozenSet, Iterable, Pattern, Tuple

#: ``alloc.<name>(...)`` allocates a new buffer when the receiver is an allocator.
ALLOCATOR_METHODS = frozenset({"buffer", "heap_buffer", "direct_buffer", "io_buffer",
                               "heapBuffer", "directBuffer", "ioBuffer",
                               "composite_buffer", "composite_heap_buffer",
                               "composite_direct_buffer", "compositeBuffer",
                               "compositeHeapBuffer", "compositeDirectBuffer"})
#: Allocator methods whose name alone says they allocate, whatever the receiver.
DISTINCT_ALLOCATOR_METHODS = ALLOCATOR_METHODS - {"buffer"}
#: ``x.<name>(...)`` on any receiver returns a new reference the caller owns.
RETAINED_METHODS = frozenset({"retained_slice", "retained_duplicate", "read_retained_slice",
                              "retainedSlice", "retainedDuplicate", "readRetainedSlice"})
#: ``buf.<name>(...)`` on a known buffer returns a new, independent buffer.
COPY_METHODS = frozenset({"copy", "read_bytes", "readBytes"}) | RETAINED_METHODS
#: ... but ``read_bytes`` only when its one argument is a length (see ``SNAKE_READ_BYTES``).
READ_BYTES_METHODS = frozenset({"read_bytes", "readBytes"})
#: The runtime's own spelling takes a length only; Netty's ``readBytes`` also has
#: ``readBytes(dst)`` overloads that return the receiver.
SNAKE_READ_BYTES = frozenset({"read_bytes"})
#: Names that say an expression is a count of bytes.
LENGTH_NAME = re.compile(r"(?i)len|size|count|num|amount|remaining|^n$|^_?n_|_n$|^k$")
#: Calls that make a destination for ``readBytes(dst)``, not a length.
BUFFER_CONSTRUCTORS = frozenset({"bytearray", "bytes", "memoryview", "array", "BytesIO",
                                 "allocate", "allocateDirect", "wrap"})
#: ``buf.<name>(...)`` returns a view sharing the buffer's reference count.
VIEW_METHODS = frozenset({"slice", "duplicate", "read_slice", "readSlice", "touch",
                          # a ByteBufHolder's content shares the holder's count
                          "content"})
RETAIN_METHODS = frozenset({"retain"})
#: Getters that cannot raise on a buffer this code owns (BUF001 does not count them as risky).
NON_RAISING_METHODS = frozenset({
    "readable_bytes", "writable_bytes", "is_readable", "is_writable", "capacity", "max_capacity",
    "reader_index", "writer_index", "ref_cnt", "has_array", "is_direct", "alloc",
    "readableBytes", "writableBytes", "isReadable", "isWritable", "maxCapacity", "readerIndex",
    "writerIndex", "refCnt", "hasArray", "isDirect"})
#: Introspection that is harmless even on a released buffer.
INERT_METHODS = frozenset({"ref_cnt", "refCnt"})
#: Context managers (or calls) whose body is expected to raise: no leak and no use after
#: release is reported there, since tests check exactly that a freed buffer raises.
EXPECT_RAISE = frozenset({"raises", "assertRaises", "assertRaisesRegex", "assertRaisesRegexp"})
RELEASE_METHODS = frozenset({"release"})
#: ``ReferenceCountUtil.<name>(x)`` releases ``x``; the safe forms never raise.
UTIL_RELEASE = frozenset({"release"})
UTIL_SAFE_RELEASE = frozenset({"safe_release", "safeRelease"})
UTIL_RETAIN = frozenset({"retain"})
UTIL_PASS_THROUGH = frozenset({"touch"})
FIRE_METHODS = frozenset({"fire_channel_read", "fireChannelRead"})
#: Writes that take ownership whatever their receiver.
FLUSHING_WRITES = frozenset({"write_and_flush", "writeAndFlush"})
#: ``write`` takes ownership only on a context or a channel.
CONTEXT_WRITES = frozenset({"write"})
CONTEXT_NAME = re.compile(r"(?i)(^|_)(ctx|context|channel|ch|chan)$|ctx$|channel$")
#: Methods that take a buffer argument into the receiver buffer's ownership.
TAKING_METHODS = frozenset({"add_component", "add_components", "addComponent", "addComponents"})
#: Builtins that read their argument and keep no reference to it.
BORROWING_FUNCTIONS = frozenset({"len", "bytes", "bytearray", "hash", "bool", "memoryview"})
#: Builtins that only describe their argument (``str``/``repr``), which a freed buffer still
#: supports (``UnpooledHeapByteBuf(freed)``, as Netty's ``toString``): never a use after release.
DESCRIBING_FUNCTIONS = frozenset({"str", "repr", "ascii", "format", "print"})
#: ``logger.<name>(...)`` formats its arguments with str()/repr() and keeps no ownership.
LOGGING_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception",
                             "critical", "fatal", "log", "trace"})
LOGGER_NAME = re.compile(r"(?i)(^|[._])(log|logger|logging|_log|_logger)$")
#: Builtins that neither read the buffer nor can fail on a released one.
INERT_FUNCTIONS = frozenset({"isinstance", "id", "type", "callable"})
UTIL_CLASS = "ReferenceCountUtil"
UNPOOLED_CLASS = "Unpooled"
HANDLER_READ = frozenset({"channel_read", "channelRead"})
HANDLER_WRITE = frozenset({"write"})
ALLOCATOR_RECEIVER = re.compile(r"(?i)alloc")

#: What a file must contain for a rule to have anything to say.  One pattern per trigger, each
#: starting with literal text: Python's ``re`` scans for a literal prefix at C speed, but tries an
#: alternation (or a leading ``\b``) at every position, which cost seconds over the stdlib.
_TRIGGERS = (
    r"Unpooled\b",
    r"ReferenceCountUtil\b",
    r"\.\s*(?:heap_buffer|direct_buffer|io_buffer|heapBuffer|directBuffer|ioBuffer"
    r"|composite_buffer|composite_heap_buffer|composite_direct_buffer|compositeBuffer"
    r"|retained_slice|retained_duplicate|read_retained_slice|retainedSlice"
    r"|retainedDuplicate|readRetainedSlice|exchange)\s*\(",
    r"def\s+(?:channel_read0?|channelRead0?)\s*\(",
    r"def\s+(?:write|decode|encode)\s*\(\s*self\s*,\s*\w*(?:ctx|context)\b",
    r"(?i:alloc)\w*(?:\(\s*\))?\s*\.\s*buffer\s*\(",
    r"DEFAULT\s*\.\s*buffer\s*\(",
    r"\.\s*alloc\s*\(\s*\)",
    r"Allocator\b",
    # HTTP clients whose responses BUF009 follows (and bufleak's own, for BUF003)
    r"(?:import|from)[ \t]+(?:aiohttp|httpx|requests|urllib3|pytest_bufleak\.http)\b",
)


def _last_names(names: Iterable[str]) -> FrozenSet[str]:
    return frozenset(name.rsplit(".", 1)[-1] for name in names)


@dataclass(frozen=True)
class Vocabulary:
    """The runtime's names plus a project's own extra allocator, release and fire names.

    Extra names may be dotted (``pool.take``); a call matches when its dotted
    callee ends with the configured name.
    """

    extra_allocators: FrozenSet[str] = frozenset()
    extra_releases: FrozenSet[str] = frozenset()
    extra_fires: FrozenSet[str] = frozenset()
    triggers: Tuple[Pattern, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        extras = sorted(_last_names(self.extra_allocators | self.extra_releases | self.extra_fires))
        patterns = _TRIGGERS + tuple(re.escape(name) + r"\b" for name in extras)
        object.__setattr__(self, "triggers", tuple(re.compile(p) for p in patterns))

    def may_hold_findings(self, source: str) -> bool:
        """Whether ``source`` names anything a rule could flag (a cheap text prefilter)."""
        return any(trigger.search(source) is not None for trigger in self.triggers)

    def matches(self, configured: FrozenSet[str], dotted: str) -> bool:
        """Whether the dotted callee ``dotted`` is one of the ``configured`` names."""
        for name in configured:
            if dotted == name or dotted.endswith("." + name):
                return True
        return False
