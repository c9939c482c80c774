"""BUF002: a buffer used after its ownership ended."""

from typing import Iterator

from bufleak_lint.analysis.facts import ModuleFacts
from bufleak_lint.analysis.state import RELEASED
from bufleak_lint.rules.base import Rule, Violation


class UseAfterOwnershipEnded(Rule):
    code = "BUF002"
    name = "use-after-release"
    summary = ("A buffer fired, written, read or released again after it was released; fired after "
               "it was written; or released after it was fired or written.")
    why = ("Releasing, writing (`ctx.write`) and firing (`ctx.fire_channel_read`) all end this "
           "code's ownership: after a release the memory may already belong to another buffer, and "
           "after a write or a fire the next handler owns it and may release it at any moment. "
           "Touching it again raises `IllegalReferenceCountException` at best and corrupts another "
           "owner's bytes at worst. Only paths on which ownership ended for certain are reported.")
    bad = """
def channel_read(self, ctx, msg):
    ctx.write(msg)
    ctx.fire_channel_read(msg)      # the write already took it
"""
    good = """
def channel_read(self, ctx, msg):
    ctx.write(msg.retain())         # one reference for the write
    ctx.fire_channel_read(msg)      # and the one we owned goes on
"""
    fix = ("No automatic fix: decide who owns the buffer. Take an extra reference with `retain()` "
           "before handing it on, or copy what you need before the release.")
    VALID = [
        """
def f(alloc):
    buf = alloc.buffer()
    n = buf.readable_bytes()
    buf.release()
    return n
""",
        """
def f(alloc, flag):
    buf = alloc.buffer()
    if flag:
        buf.release()
    buf.write_int(1)
""",
        """
def f(alloc):
    buf = alloc.buffer()
    buf.release()
    buf = alloc.buffer()
    buf.write_int(1)
    buf.release()
""",
        """
def f(lock):
    lock.release()
    lock.release()
""",
        """
def f(alloc, ctx):
    buf = alloc.buffer()
    process(buf)
    buf.write_int(1)
""",
    ]
    INVALID = [
        """
def f(alloc):
    buf = alloc.buffer()
    buf.release()
    buf.write_int(1)
""",
        """
class H:
    def channel_read(self, ctx, msg):
        ReferenceCountUtil.release(msg)
        ctx.fire_channel_read(msg)
""",
        """
class H:
    def channel_read(self, ctx, msg):
        ctx.write(msg)
        ctx.fire_channel_read(msg)
""",
        """
class H:
    def channel_read(self, ctx, msg):
        ctx.fire_channel_read(msg)
        msg.release()
""",
        """
def f():
    buf = Unpooled.buffer()
    alias = buf
    alias.release()
    buf.release()
""",
    ]

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        for late in facts.late_uses:
            use = late.use
            if use == RELEASED and late.ended == RELEASED:
                use = "released again"
            yield Violation(self.code, late.node,
                            f"'{late.name}' {use} after it was {late.ended} at line {{line}}",
                            related=late.ended_at)
