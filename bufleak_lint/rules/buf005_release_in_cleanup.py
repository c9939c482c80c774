"""BUF005: ``release()`` in ``finally``/``except`` where ``safe_release`` belongs."""

from typing import Iterator, Optional

import libcst as cst

from bufleak_lint.fix import ReplaceNode, safe_release_call
from bufleak_lint.analysis.facts import ModuleFacts
from bufleak_lint.rules.base import Rule, Violation


class ReleaseInCleanup(Rule):
    code = "BUF005"
    name = "release-in-cleanup"
    summary = ("`release()` in `finally` or `except` where the `try` body may already have released "
               "or handed over the value on some path.")
    why = ("A cleanup block runs on every way out of the `try`. When a path through the `try` body "
           "already released the buffer, or passed it on (`ctx.write`, `fire_channel_read`, "
           "`return`), `release()` in the cleanup raises `IllegalReferenceCountException` there "
           "and that error replaces, and hides, the one that matters. "
           "`ReferenceCountUtil.safe_release` never raises: it logs instead. A cleanup release "
           "where nothing in the `try` body can end ownership is fine (Netty's own "
           "`SimpleChannelInboundHandler` releases that way).")
    bad = """
class Forward(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        try:
            if msg.readable_bytes() == 0:
                ctx.fire_channel_read(msg)      # passed on: the next handler owns it
                return
            self.process(msg)
        finally:
            msg.release()                       # raises on the path above
"""
    good = """
class Forward(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        try:
            if msg.readable_bytes() == 0:
                ctx.fire_channel_read(msg.retain())
                return
            self.process(msg)
        finally:
            ReferenceCountUtil.safe_release(msg)
"""
    fix = ("`--fix` rewrites `x.release()` and `ReferenceCountUtil.release(x)` in those blocks to "
           "`ReferenceCountUtil.safe_release(x)` (adding the import when the module lacks it).")
    VALID = [
        """
def f(alloc):
    buf = alloc.buffer()
    try:
        buf.write_int(1)
    finally:
        buf.release()
""",
        """
def f(lock):
    lock.acquire()
    try:
        work()
    finally:
        lock.release()
""",
        """
def f(sem, view):
    try:
        work()
    except OSError:
        sem.release()
        view.release()
""",
        """
class H(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        try:
            self.channel_read0(ctx, msg)
        finally:
            ReferenceCountUtil.release(msg)
""",
        """
def f(alloc, ctx):
    buf = alloc.buffer()
    try:
        if ready():
            ctx.write(buf)
            return
    finally:
        ReferenceCountUtil.safe_release(buf)
""",
    ]
    INVALID = [
        """
def f(alloc):
    buf = alloc.buffer()
    try:
        buf.write_int(1)
        if done():
            buf.release()
    finally:
        buf.release()
""",
        """
class H(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        try:
            if self.ready:
                ctx.fire_channel_read(msg)
                return
            self.count += 1
        finally:
            ReferenceCountUtil.release(msg)
""",
        """
class H(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        try:
            out = self.decode(msg)
            msg.release()
            ctx.fire_channel_read(out)
        except ValueError:
            msg.release()
            raise
""",
    ]

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        for release in facts.releases:
            if release.safe or not release.maybe_ended or release.late:
                continue
            if not (release.in_finally or release.in_except):
                continue
            block = "a finally block" if release.in_finally else "an except block"
            yield Violation(
                self.code, release.call,
                f"release() of '{release.name}' in {block} raises when the try body already "
                "released or passed it on (and hides the first error); use "
                "ReferenceCountUtil.safe_release()",
                fix=_fix(release.call))


def _fix(call: cst.Call) -> Optional[ReplaceNode]:
    func = call.func
    if not isinstance(func, cst.Attribute):
        return None
    is_util = isinstance(func.value, (cst.Name, cst.Attribute)) and (
        (func.value.value if isinstance(func.value, cst.Name) else func.value.attr.value)
        == "ReferenceCountUtil")
    if is_util:
        if not call.args or call.args[0].keyword is not None or call.args[0].star:
            return None
        return ReplaceNode(call, safe_release_call(call.args[0].value, call.args[1:]),
                           needs_util=True)
    if any(a.star for a in call.args):
        return None
    return ReplaceNode(call, safe_release_call(func.value, call.args), needs_util=True)
