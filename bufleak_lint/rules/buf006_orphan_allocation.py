"""BUF006: a buffer allocated in a function that no path releases or hands on."""

from typing import Iterator

from bufleak_lint.analysis.facts import ModuleFacts
from bufleak_lint.rules.base import Rule, Violation


class OrphanAllocation(Rule):
    code = "BUF006"
    name = "orphan-allocation"
    summary = ("A buffer allocated in a function that no path releases, returns, stores or passes "
               "on.")
    why = ("Every allocation is a promise to release. A buffer that the function neither "
           "releases, returns, stores, writes, fires nor passes to a call is leaked on every path "
           "— typically a leftover of a refactoring or a result that was meant to be returned.")
    bad = """
def header(alloc, size):
    buf = alloc.buffer(4)
    buf.write_int(size)
    return size
"""
    good = """
def header(alloc, size):
    buf = alloc.buffer(4)
    buf.write_int(size)
    return buf
"""
    fix = "No automatic fix: return, hand on or release the buffer, or remove the allocation."
    VALID = [
        """
def f(alloc):
    buf = alloc.buffer()
    return buf
""",
        """
def f(ctx):
    buf = ctx.alloc().buffer()
    ctx.write_and_flush(buf)
""",
        """
def f(self):
    self.buf = Unpooled.buffer()
""",
        """
def f(alloc, out):
    out.append(alloc.buffer())
""",
        """
def f(msg):
    copy = msg.copy()
    return len(copy)
""",
    ]
    INVALID = [
        """
def f(alloc):
    buf = alloc.buffer()
    buf.write_int(1)
""",
        """
def f():
    Unpooled.copied_buffer(b"lost")
""",
        """
def f(ctx):
    allocator = ctx.alloc()
    frame = allocator.direct_buffer(16)
    frame.write_long(0)
    return None
""",
        """
class Decoder:
    def channel_read(self, ctx, msg):
        head = msg.read_retained_slice(4)
        ctx.fire_channel_read(msg)
""",
    ]

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        for orphan in facts.orphans:
            yield Violation(self.code, orphan.node,
                            "buffer allocated here is never released, returned, stored or "
                            "passed on")
