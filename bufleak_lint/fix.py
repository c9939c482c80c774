"""Autofixes as libcst transforms.

A rule attaches a :class:`Fix` to a violation; :func:`apply_fixes` applies all
fixes of a module in one transform, adds ``from pytest_bufleak import
ReferenceCountUtil`` when a fix needs it and the module does not bind that
name, and checks that the result still parses.  Fixes never overlap: a fix
whose nodes another fix already rewrites is skipped.
"""

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

UTIL = "ReferenceCountUtil"
UTIL_IMPORT = f"from pytest_bufleak import {UTIL}\n"


@dataclass
class ReplaceNode:
    """Replace one expression node with another."""

    old: cst.CSTNode
    new: cst.CSTNode
    needs_util: bool = False
    #: Keep the parentheses around ``old`` (``(await x).y`` -> ``x.y`` drops them).
    keep_parens: bool = True


@dataclass
class WrapInFinally:
    """Move ``block.body[start:stop]`` into ``try:`` and drop the release at ``stop``.

    The release becomes ``ReferenceCountUtil.safe_release(name)`` in the ``finally``.
    """

    block: Union[cst.IndentedBlock, cst.Module]
    start: int
    stop: int
    name: str
    needs_util: bool = True


@dataclass
class InsertBefore:
    """Insert ``new`` right before ``statement`` in ``block`` (a release before an exit)."""

    block: cst.IndentedBlock
    statement: cst.CSTNode
    new: cst.SimpleStatementLine
    needs_util: bool = True


Fix = Union[ReplaceNode, WrapInFinally, InsertBefore]


def safe_release_call(target: cst.BaseExpression, extra: Sequence[cst.Arg] = ()) -> cst.Call:
    """``ReferenceCountUtil.safe_release(target, *extra)``."""
    args = [cst.Arg(value=target)] + [cst.Arg(value=a.value, keyword=a.keyword) for a in extra]
    return cst.Call(func=cst.Attribute(value=cst.Name(UTIL), attr=cst.Name("safe_release")),
                    args=args)


class _Applier(cst.CSTTransformer):
    def __init__(self, fixes: Sequence[Fix]):
        super().__init__()
        self.replace: Dict[int, ReplaceNode] = {}
        self.wraps: Dict[int, List[WrapInFinally]] = {}
        self.inserts: Dict[int, List[InsertBefore]] = {}
        for fix in fixes:
            if isinstance(fix, ReplaceNode):
                self.replace[id(fix.old)] = fix
            elif isinstance(fix, InsertBefore):
                self.inserts.setdefault(id(fix.block), []).append(fix)
            else:
                self.wraps.setdefault(id(fix.block), []).append(fix)

    def on_leave(self, original, updated):
        fix = self.replace.get(id(original))
        if fix is not None:
            if fix.keep_parens and hasattr(fix.new, "lpar"):
                return fix.new.with_changes(lpar=updated.lpar, rpar=updated.rpar)
            return fix.new
        wraps = self.wraps.get(id(original))
        if wraps:
            updated = updated.with_changes(body=_wrap(list(updated.body), wraps))
        inserts = self.inserts.get(id(original))
        if inserts:
            updated = updated.with_changes(body=_insert(original, list(updated.body), inserts))
        return updated


def _wrap(body: List[cst.CSTNode], wraps: List[WrapInFinally]) -> List[cst.CSTNode]:
    for fix in sorted(wraps, key=lambda f: f.start, reverse=True):
        region = body[fix.start:fix.stop]
        # The release line keeps its comments: the ones above it and the one after it.
        release = body[fix.stop].with_changes(
            body=[cst.Expr(safe_release_call(cst.Name(fix.name)))])
        try_node = cst.Try(
            body=cst.IndentedBlock(body=[region[0].with_changes(leading_lines=())] + region[1:]),
            finalbody=cst.Finally(body=cst.IndentedBlock(body=[release])),
            leading_lines=region[0].leading_lines,
        )
        body[fix.start:fix.stop + 1] = [try_node]
    return body


def _insert(original, body: List[cst.CSTNode], inserts: List[InsertBefore]) -> List[cst.CSTNode]:
    positions = {id(statement): index for index, statement in enumerate(original.body)}
    for fix in sorted(inserts, key=lambda f: positions.get(id(f.statement), -1), reverse=True):
        index = positions.get(id(fix.statement))
        if index is None:
            continue
        # The exit keeps its comments and blank lines above it; the release goes between them.
        target = body[index]
        new = fix.new.with_changes(leading_lines=target.leading_lines)
        body[index:index + 1] = [new, target.with_changes(leading_lines=())]
    return body


def select_fixes(fixes: Sequence[Fix]) -> List[Fix]:
    """Drop fixes that touch what an earlier fix already rewrites (first wins)."""
    chosen: List[Fix] = []
    replaced: Set[int] = set()
    spans: Dict[int, List[Tuple[int, int]]] = {}
    for fix in fixes:
        if isinstance(fix, ReplaceNode):
            if id(fix.old) in replaced:
                continue
            replaced.add(id(fix.old))
        elif isinstance(fix, InsertBefore):
            key = (id(fix.statement), fix.new.body[0].value.args[0].value.value)
            if key in replaced:
                continue
            replaced.add(key)
        else:
            taken = spans.setdefault(id(fix.block), [])
            if any(not (fix.stop < a or fix.start > b) for a, b in taken):
                continue
            taken.append((fix.start, fix.stop))
        chosen.append(fix)
    return chosen


def _insert_import(module: cst.Module) -> cst.Module:
    body = list(module.body)
    index = 0
    for position, statement in enumerate(body):
        if isinstance(statement, cst.SimpleStatementLine) and all(
                isinstance(s, (cst.Import, cst.ImportFrom)) or
                (position == 0 and isinstance(s, cst.Expr)
                 and isinstance(s.value, cst.SimpleString))
                for s in statement.body):
            index = position + 1
        else:
            break
    body.insert(index, cst.parse_statement(UTIL_IMPORT))
    following = body[index + 1] if index + 1 < len(body) else None
    if following is not None and not _is_import(following) and not following.leading_lines:
        blank = 2 if isinstance(following, (cst.FunctionDef, cst.ClassDef)) else 1
        body[index + 1] = following.with_changes(leading_lines=[cst.EmptyLine()] * blank)
    return module.with_changes(body=body)


def _is_import(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body)


class FixError(Exception):
    """A fix produced code that does not compile (never written)."""


def apply_fixes(module: cst.Module, fixes: Sequence[Fix], bound_names: Set[str]) -> Optional[str]:
    """Return the fixed source of ``module``, or None when there is nothing to fix.

    Raises :class:`FixError` if the result would not compile.
    """
    chosen = select_fixes(fixes)
    if not chosen:
        return None
    fixed = module.visit(_Applier(chosen))
    if any(f.needs_util for f in chosen) and UTIL not in bound_names:
        fixed = _insert_import(fixed)
    code = fixed.code
    try:
        cst.parse_module(code)
        # A full compile, not only a parse: it also refuses what the symbol table rejects ('return'
        # outside a function...), so a fix never writes a file that Python would not run.
        compile(code, "<fixed>", "exec", dont_inherit=True)
    except (cst.ParserSyntaxError, SyntaxError, ValueError) as exc:
        raise FixError(str(exc)) from exc
    return code if code != module.code else None
