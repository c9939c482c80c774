"""Small helpers over libcst nodes, shared by the analysis and the rules (no metadata providers)."""

from dataclasses import fields
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

_FIELD_CACHE: Dict[type, Tuple[str, ...]] = {}
_SKIP_FIELD = ("whitespace", "lpar", "rpar", "comma", "semicolon", "colon", "equal",
               "operator", "dot", "header", "footer", "leading_lines", "lines_after",
               "star", "indent", "newline", "walrus", "arrow")


def _child_fields(node: cst.CSTNode) -> Tuple[str, ...]:
    kind = type(node)
    names = _FIELD_CACHE.get(kind)
    if names is None:
        names = tuple(f.name for f in fields(kind)
                      if not any(part in f.name for part in _SKIP_FIELD))
        _FIELD_CACHE[kind] = names
    return names


def children(node: cst.CSTNode):
    """The child nodes of ``node`` that carry code (whitespace and punctuation left out)."""
    for name in _child_fields(node):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, (tuple, list)):
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


def dotted_name(node: cst.CSTNode) -> Optional[str]:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def last_identifier(node: cst.CSTNode) -> Optional[str]:
    """The last name of ``a.b.c``, ``a.b.c()`` or ``c``."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Call):
        return last_identifier(node.func)
    return None


def positional_args(call: cst.Call) -> List[cst.Arg]:
    """The plain positional arguments of ``call``."""
    return [a for a in call.args if a.keyword is None and not a.star]


def scoped_names(function: cst.FunctionDef) -> Set[str]:
    """Names the analysis must not follow: declared global/nonlocal, or used in a nested scope."""
    out: Set[str] = set()
    stack = [function.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.Global, cst.Nonlocal)):
            out.update(item.name.value for item in node.names)
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.ListComp,
                               cst.SetComp, cst.DictComp, cst.GeneratorExp)):
            out.update(loaded_names(node))
            continue
        stack.extend(children(node))
    return out


def loaded_names(node: cst.CSTNode) -> Set[str]:
    """Every name mentioned in ``node`` (attribute bases included)."""
    out: Set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, cst.Name):
            out.add(item.value)
        elif isinstance(item, cst.Attribute):
            stack.append(item.value)
        else:
            stack.extend(children(item))
    return out


def operands(node: cst.CSTNode, kind: type) -> List[cst.CSTNode]:
    """The operands of a left-nested chain ``a + b + c`` in order, without recursion."""
    rights = []
    while isinstance(node, kind):
        rights.append(node.right)
        node = node.left
    return [node] + rights[::-1]


def is_allocator_expression(node: cst.BaseExpression) -> bool:
    """``ctx.alloc()``, ``PooledByteBufAllocator(...)``, ``ByteBufAllocator.DEFAULT``."""
    if isinstance(node, cst.Call):
        name = last_identifier(node.func) or ""
        return name == "alloc" or name.endswith("Allocator")
    name = dotted_name(node) or ""
    return name.endswith("Allocator.DEFAULT")
