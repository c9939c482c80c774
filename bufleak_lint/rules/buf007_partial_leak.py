"""BUF007: a value leaked on some paths only."""

from typing import Iterator, Optional

import libcst as cst

from bufleak_lint.analysis.facts import Exit, ModuleFacts, PartialLeak
from bufleak_lint.fix import InsertBefore, safe_release_call
from bufleak_lint.rules.base import Rule, Violation

_CODE = cst.Module(body=[])


class PartialLeakRule(Rule):
    code = "BUF007"
    name = "leak-on-some-paths"
    summary = ("An owned buffer that reaches a `return`, `raise`, `continue` or the end of the "
               "function still owned on some path, while other paths release or hand it over.")
    why = ("Error paths and early exits are where buffers leak: the happy path writes the frame "
           "or releases it, but the `return` for an empty input, the `raise` for a corrupt "
           "length or the `continue` that skips a bad item leaves it owned, and nothing gives its "
           "memory back. The report names the exit, the condition that leads there and the line "
           "of the allocation, as Clang's path notes do.")
    bad = """
def read_frame(in_, out):
    frame = in_.read_retained_slice(in_.readable_bytes())
    if frame.get_byte(0) != MAGIC:
        raise CorruptedFrameError("bad magic")       # frame leaks here
    out.append(frame)
"""
    good = """
def read_frame(in_, out):
    if in_.get_byte(in_.reader_index) != MAGIC:     # check before taking a reference
        raise CorruptedFrameError("bad magic")
    out.append(in_.read_retained_slice(in_.readable_bytes()))
"""
    fix = ("`--fix` inserts `ReferenceCountUtil.safe_release(x)` right before the `return` or "
           "`raise` when, on every path that reaches it, the value is owned once and still bound "
           "to that name, and the exit does not use it.")
    VALID = [
        """
def f(alloc, data):
    buf = alloc.buffer()
    if not data:
        buf.release()
        return None
    buf.write_bytes(data)
    return buf
""",
        """
def f(alloc, items, out):
    for item in items:
        buf = alloc.buffer()
        if item is None:
            buf.release()
            continue
        buf.write_int(item)
        out.append(buf)
""",
        """
def f(alloc, ctx):
    release = True
    buf = alloc.buffer()
    try:
        if ctx.ready:
            release = False
            ctx.write(buf)
    finally:
        if release:
            buf.release()
""",
        """
def f(alloc, data, ctx):
    buf = alloc.buffer()
    if not data:
        self.keep(buf)
        return
    ctx.write(buf)
""",
    ]
    INVALID = [
        """
def f(alloc, data):
    buf = alloc.buffer()
    if not data:
        return None
    buf.write_bytes(data)
    return buf
""",
        """
def f(alloc, items, out):
    for item in items:
        buf = alloc.buffer()
        if item is None:
            continue
        out.append(buf)
""",
        """
class D(ByteToMessageDecoder):
    def decode(self, ctx, in_, out):
        frame = in_.read_bytes(4)
        if frame.get_int(0) < 0:
            raise ValueError("negative")
        out.append(frame)
""",
    ]

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        for leak in facts.partial_leaks:
            name = f"'{leak.name}'" if leak.name else "the buffer"
            if leak.exit.kind == "end":
                # Falling off the end has no line of its own: report at the allocation.
                yield Violation(
                    self.code, leak.allocation,
                    f"{name} allocated here leaks {describe_exit(leak.exit)} (line {{line}}), "
                    "while other paths release or hand it over; release it before leaving "
                    "(ReferenceCountUtil.safe_release)", related=leak.exit.node)
                continue
            yield Violation(
                self.code, leak.exit.node,
                f"{name} (allocated at line {{line}}) leaks {describe_exit(leak.exit)}, while other "
                "paths release or hand it over; release it before leaving "
                "(ReferenceCountUtil.safe_release)",
                related=leak.allocation, fix=_fix(leak))


def describe_exit(exit_: Exit) -> str:
    """Where and under which condition a path leaves: "when `x` is true, at this return"."""
    where = {"return": "at this return", "raise": "at this raise", "continue": "at this continue",
             "end": "at the end of the function", "break": "when its loop is left at this break",
             "end of the loop body": "at the end of the loop body"}.get(exit_.kind, "here")
    if exit_.branch is None:
        return where
    test, truth = exit_.branch
    text = _CODE.code_for_node(test).strip()
    if len(text) > 60:
        text = text[:57] + "..."
    return f"when `{text}` is {'true' if truth else 'false'}, {where}"


def _fix(leak: PartialLeak) -> Optional[InsertBefore]:
    if leak.fixable_statement is None or leak.name is None:
        return None
    release = cst.SimpleStatementLine(body=[cst.Expr(safe_release_call(cst.Name(leak.name)))])
    return InsertBefore(leak.fixable_block, leak.fixable_statement, release)
