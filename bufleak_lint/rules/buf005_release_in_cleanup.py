"""BUF005: ``release()`` in ``finally``/``except`` where ``safe_release`` belongs."""

from typing import Iterator, Optional

import libcst as cst

from bufleak_lint.fix import ReplaceNode, safe_release_call
from bufleak_lint.ownership import ModuleFacts
from bufleak_lint.rules.base import Rule, Violation


class ReleaseInCleanup(Rule):
    code = "BUF005"
    name = "release-in-cleanup"
    summary = "`release()` inside `finally` or `except`, where `safe_release` belongs."
    why = ("A cleanup block runs while another error may be propagating. If the buffer was "
           "already released (or handed on and released by its new owner), `release()` raises "
           "`IllegalReferenceCountException` there and that error replaces, and hides, the one "
           "that matters. `ReferenceCountUtil.safe_release` never raises: it logs instead.")
    bad = """
def handle(msg):
    try:
        process(msg)
    finally:
        msg.release()
"""
    good = """
def handle(msg):
    try:
        process(msg)
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
        ReferenceCountUtil.safe_release(buf)
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
    ]
    INVALID = [
        """
def f(alloc):
    buf = alloc.buffer()
    try:
        buf.write_int(1)
    finally:
        buf.release()
""",
        """
def f(msg):
    try:
        work(msg)
    finally:
        ReferenceCountUtil.release(msg)
""",
        """
class H:
    def channel_read(self, ctx, msg):
        try:
            ctx.fire_channel_read(self.decode(msg))
        except ValueError:
            msg.release()
            raise
""",
    ]

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        for release in facts.releases:
            if release.safe or not (release.in_finally or release.in_except):
                continue
            block = "a finally block" if release.in_finally else "an except block"
            yield Violation(
                self.code, release.call,
                f"release() of '{release.name}' in {block} raises on a double release and "
                "hides the first error; use ReferenceCountUtil.safe_release()",
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
