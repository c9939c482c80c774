"""bufleak's reference-counted buffers and messages: which calls acquire, end or borrow them.

The analysis asks this module what a call means for a buffer; the names themselves live in
:mod:`bufleak_lint.vocabulary` (shared with the text prefilter and the configuration).
"""

from typing import Callable, Optional, Set

import libcst as cst

from bufleak_lint import vocabulary as V
from bufleak_lint.cst_tools import last_identifier

#: ``x.<name>(v)`` on a container that is not a buffer: ``v`` is stored (``out.append(frame)``).
STORING_METHODS = frozenset({"append", "appendleft", "add"})


def is_allocation(func: cst.Attribute, method: str, owner: Optional[str],
                  allocator_names: Set[str]) -> bool:
    """Whether ``owner.method(...)`` returns a new buffer the caller owns."""
    if owner == V.UNPOOLED_CLASS or (owner or "").endswith("." + V.UNPOOLED_CLASS):
        return True
    if method in V.DISTINCT_ALLOCATOR_METHODS or method in V.RETAINED_METHODS:
        return True
    if method in V.ALLOCATOR_METHODS:
        receiver = func.value
        if isinstance(receiver, cst.Call):
            name = last_identifier(receiver.func) or ""
            return name == "alloc" or name.endswith("Allocator")
        last = last_identifier(receiver) or ""
        return (bool(V.ALLOCATOR_RECEIVER.search(last)) or last == "DEFAULT"
                or last in allocator_names or owner in allocator_names)
    return False


def reads_length(node: cst.Call, method: str, is_destination: Callable[[str], bool]) -> bool:
    """Whether ``buf.read_bytes(...)`` is the overload that returns a new buffer.

    Only ``read_bytes(length)`` does; Netty's ``readBytes(dst)``, ``readBytes(dst, n)`` and
    ``readBytes(out_stream, n)`` fill their first argument and return the receiver.
    """
    if len(node.args) != 1 or node.args[0].keyword is not None or node.args[0].star:
        return False
    arg = node.args[0].value
    if isinstance(arg, cst.Call) and last_identifier(arg.func) in V.BUFFER_CONSTRUCTORS:
        return False  # read_bytes(bytearray(4)): a destination
    if isinstance(arg, cst.Name) and is_destination(arg.value):
        return False
    if method in V.SNAKE_READ_BYTES:
        return True  # the runtime's read_bytes takes a length only
    return looks_like_length(arg)


def looks_like_length(node: cst.BaseExpression) -> bool:
    """An int expression by its shape or name (``4``, ``n - 4``, ``len(x)``, ``frame_length``)."""
    if isinstance(node, (cst.Integer, cst.BinaryOperation, cst.UnaryOperation)):
        return True
    if isinstance(node, cst.Call):
        return last_identifier(node.func) not in V.BUFFER_CONSTRUCTORS
    name = last_identifier(node)
    return name is not None and V.LENGTH_NAME.search(name) is not None


def looks_like_context(receiver: cst.BaseExpression) -> bool:
    """``ctx``, ``self.channel``, ``context``: a receiver whose ``write`` takes ownership."""
    name = last_identifier(receiver)
    return name is not None and V.CONTEXT_NAME.search(name) is not None


def returns_copy(node: cst.Call, method: str, is_destination: Callable[[str], bool]) -> bool:
    """Whether ``buf.method(...)`` on a followed buffer returns a new, independently owned one."""
    return method in V.COPY_METHODS and (method not in V.READ_BYTES_METHODS
                                         or reads_length(node, method, is_destination))
