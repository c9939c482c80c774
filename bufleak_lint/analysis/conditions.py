"""Branch conditions a path can remember, so that correlated branches are taken together.

Only side-effect-free conditions are remembered: names, attributes, constants, comparisons and
``not``/``and``/``or`` over them (``if release:``, ``if msg is None``, ``if length > MAX:``).
A condition is forgotten when a name it reads is rebound (see ``Env.forget_facts_about``).
"""

from typing import FrozenSet, Optional, Tuple

import libcst as cst

from bufleak_lint.analysis.state import Env

_LITERALS = {"True": True, "False": False, "None": None}
Key = Tuple[str, FrozenSet[str]]


def literal(node: cst.BaseExpression):
    """(True, value) for ``True``/``False``/``None``/an int or string literal, else (False, None)."""
    if isinstance(node, cst.Name) and node.value in _LITERALS:
        return True, _LITERALS[node.value]
    if isinstance(node, cst.Integer):
        return True, node.value
    if isinstance(node, cst.SimpleString):
        return True, node.value
    return False, None


def condition_key(node: cst.BaseExpression) -> Optional[Key]:
    """A structural key for a remembered condition, or None when it is not side-effect free."""
    names = set()
    text = _shape(node, names)
    return None if text is None else (text, frozenset(names))


def _shape(node: cst.CSTNode, names: set) -> Optional[str]:
    if isinstance(node, cst.Name):
        names.add(node.value)
        return node.value
    if isinstance(node, cst.Attribute):
        base = _shape(node.value, names)
        return None if base is None else f"{base}.{node.attr.value}"
    if isinstance(node, (cst.Integer, cst.SimpleString, cst.Float)):
        return node.value
    if isinstance(node, cst.Comparison):
        parts = [_shape(node.left, names)]
        for target in node.comparisons:
            parts.append(type(target.operator).__name__)
            parts.append(_shape(target.comparator, names))
        return None if None in parts else "(" + " ".join(parts) + ")"
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
        inner = _shape(node.expression, names)
        return None if inner is None else f"not {inner}"
    if isinstance(node, cst.BooleanOperation):
        left, right = _shape(node.left, names), _shape(node.right, names)
        op = type(node.operator).__name__
        return None if left is None or right is None else f"({left} {op} {right})"
    return None


def decide(env: Env, node: cst.BaseExpression) -> Optional[bool]:
    """The truth of ``node`` on this path when the path knows it, else None."""
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
        inner = decide(env, node.expression)
        return None if inner is None else not inner
    if isinstance(node, cst.BooleanOperation):
        left, right = decide(env, node.left), decide(env, node.right)
        if isinstance(node.operator, cst.And):
            if left is False or right is False:
                return False
            return True if left and right else _fact(env, node)
        if left or right:
            return True
        return False if left is False and right is False else _fact(env, node)
    if isinstance(node, cst.Name):
        if node.value in _LITERALS:
            return bool(_LITERALS[node.value])
        if node.value in env.consts:
            return bool(env.consts[node.value])
    left = node.left if isinstance(node, cst.Comparison) else None
    if isinstance(left, cst.NamedExpr):
        left = left.target
    if (isinstance(left, cst.Name) and len(node.comparisons) == 1
            and isinstance(node.comparisons[0].comparator, cst.Name)
            and node.comparisons[0].comparator.value == "None"):
        op = node.comparisons[0].operator
        if isinstance(op, (cst.Is, cst.IsNot)):
            is_none = _is_none(env, left.value)
            if is_none is not None:
                return is_none if isinstance(op, cst.Is) else not is_none
    return _fact(env, node)


def _is_none(env: Env, name: str) -> Optional[bool]:
    if env.names.get(name) is not None:
        return False  # a followed buffer is never None
    if name in env.consts:
        return env.consts[name] is None
    return None


def _fact(env: Env, node: cst.BaseExpression) -> Optional[bool]:
    key = condition_key(node)
    return None if key is None else env.facts.get(key)


def assume(env: Env, node: cst.BaseExpression, truth: bool) -> None:
    """Record on this path that ``node`` evaluated to ``truth``."""
    env.branch = (node, truth)
    _assume(env, node, truth)


def _assume(env: Env, node: cst.BaseExpression, truth: bool) -> None:
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
        _assume(env, node.expression, not truth)
        return
    if isinstance(node, cst.BooleanOperation) and (
            isinstance(node.operator, cst.And) == truth):
        _assume(env, node.left, truth)  # a and b true: both true; a or b false: both false
        _assume(env, node.right, truth)
    key = condition_key(node)
    if key is not None:
        env.facts[key] = truth
