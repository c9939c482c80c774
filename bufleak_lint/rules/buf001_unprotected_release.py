"""BUF001: a release that an exception can skip."""

from typing import Iterator, Optional

import libcst as cst

from bufleak_lint import vocabulary as V
from bufleak_lint.cst_tools import dotted_name
from bufleak_lint.fix import WrapInFinally
from bufleak_lint.analysis.facts import ModuleFacts, Release
from bufleak_lint.rules.base import Rule, Violation

#: Builtins that only read the buffer (``send(bytes(buf))``): they cannot take it over.
_READ_ONLY = V.BORROWING_FUNCTIONS | V.DESCRIBING_FUNCTIONS | V.INERT_FUNCTIONS
_JUMPS = (cst.Return, cst.Break, cst.Continue, cst.Raise, cst.Yield, cst.Global, cst.Nonlocal)


class UnprotectedRelease(Rule):
    code = "BUF001"
    name = "unprotected-release"
    summary = ("A `release()` that is not in a `finally`, not covered by a `with`, and comes after "
               "code that can raise while the buffer is owned.")
    why = ("If anything between the allocation and the release raises, the release never runs and "
           "the buffer leaks: its memory never returns to the pool and the leak detector reports it "
           "much later, far from the cause. Netty's rule is to release in `finally`.")
    bad = """
def encode(alloc, value):
    buf = alloc.buffer(8)
    buf.write_int(value)          # may raise
    send(bytes(buf))
    buf.release()                 # skipped if either call raises
"""
    good = """
def encode(alloc, value):
    buf = alloc.buffer(8)
    try:
        buf.write_int(value)
        send(bytes(buf))
    finally:
        ReferenceCountUtil.safe_release(buf)
"""
    fix = ("`--fix` wraps the statements between the allocation and the release in `try:` and "
           "moves the release into `finally:` as `ReferenceCountUtil.safe_release(...)` (with the "
           "release line's comments), when both are in the same block and nothing in between "
           "returns, jumps or transfers the buffer.")
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
def f(alloc):
    buf = alloc.buffer()
    buf.release()
""",
        """
def f(lock):
    lock.acquire()
    work()
    lock.release()
""",
        """
def f(data):
    view = memoryview(data)
    consume(view)
    view.release()
""",
        """
def f(alloc):
    buf = alloc.buffer()
    with buf:
        buf.write_int(1)
        buf.release()
""",
        """
def f(alloc, ctx):
    buf = alloc.buffer()
    buf.write_int(1)
    ctx.write_and_flush(buf)
""",
        """
def f(alloc):
    buf = alloc.buffer()
    try:
        fill(buf)
    except Exception:
        ReferenceCountUtil.safe_release(buf)
        raise
    return buf
""",
    ]
    INVALID = [
        """
def f(alloc):
    buf = alloc.buffer()
    buf.write_int(1)
    buf.release()
""",
        """
class H(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        text = msg.to_string()
        self.lines.append(text)
        ReferenceCountUtil.release(msg)
""",
        """
async def f(ctx):
    buf = ctx.alloc().buffer()
    await ctx.send(bytes(buf))
    buf.release()
""",
        """
def f():
    data = Unpooled.copied_buffer(b"abc")
    if data.readable_bytes() > 2:
        log(data.read_byte())
    data.release()
""",
    ]

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        for release in facts.releases:
            if release.unprotected:
                yield Violation(
                    self.code, release.call,
                    f"release of '{release.name}' is skipped if the code before it raises; "
                    "release in try/finally with ReferenceCountUtil.safe_release()",
                    fix=_fix(release))


def _fix(release: Release) -> Optional[WrapInFinally]:
    statement, block = release.statement, release.block
    if statement is None or block is None or block is not release.origin_block:
        return None
    if len(statement.body) != 1 or not isinstance(statement.body[0], cst.Expr):
        return None
    if statement.body[0].value is not release.call:
        return None
    body = list(block.body)
    stop = next((i for i, s in enumerate(body) if s is statement), None)
    start = release.origin_index + 1
    if start == 0 and body and _is_docstring(body[0]):
        start = 1
    if stop is None or stop <= start:
        return None
    if any(_jumps_or_ends(s, release.name) for s in body[start:stop]):
        return None
    return WrapInFinally(block, start, stop, release.name)


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)
            and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _jumps_or_ends(statement: cst.CSTNode, name: str) -> bool:
    """Whether moving ``statement`` into ``try`` could change what happens to ``name``."""
    finder = _Finder(name)
    statement.visit(finder)
    return finder.found


class _Finder(cst.CSTVisitor):
    def __init__(self, name: str):
        super().__init__()
        self.name = name
        self.found = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, _JUMPS) or isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            self.found = True
        elif isinstance(node, (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.Del, cst.NamedExpr,
                               cst.For, cst.With)) and self.name in _bound(node):
            self.found = True
        elif isinstance(node, cst.Call) and dotted_name(node.func) not in _READ_ONLY and any(
                isinstance(a.value, cst.Name) and a.value.value == self.name for a in node.args):
            self.found = True
        return not self.found


def _bound(node: cst.CSTNode) -> set:
    out = set()
    targets = []
    if isinstance(node, cst.Assign):
        targets = [t.target for t in node.targets]
    elif isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.NamedExpr, cst.For, cst.Del)):
        targets = [node.target]
    elif isinstance(node, cst.With):
        targets = [i.asname.name for i in node.items if i.asname is not None]
    for target in targets:
        for sub in _names(target):
            out.add(sub)
    return out


def _names(node: cst.CSTNode):
    if isinstance(node, cst.Name):
        yield node.value
    elif isinstance(node, (cst.Tuple, cst.List)):
        for element in node.elements:
            yield from _names(element.value)
    elif isinstance(node, cst.StarredElement):
        yield from _names(node.value)
