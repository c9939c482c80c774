"""Parameter roles: which handler parameters arrive owned, which borrowed.

Netty's conventions: ``channel_read``'s and an outbound ``write``'s message are owned by the
handler; ``channel_read0``'s message is borrowed while ``SimpleChannelInboundHandler`` releases it
after the call (auto-release, on unless the class turns it off); a decoder's input buffer
(``decode``, ``decode_last``) belongs to the decoder base class, and an encoder's message
(``encode``) to the encoder base class, which releases it after the call.
"""

from typing import List, Optional, Tuple

import libcst as cst

from bufleak_lint import vocabulary as V
from bufleak_lint.analysis.state import BORROWED, OWNED
from bufleak_lint.cst_tools import last_identifier

READ0 = frozenset({"channel_read0", "channelRead0", "message_received", "messageReceived"})
DECODE = frozenset({"decode", "decode_last", "decodeLast"})
#: ``MessageToByteEncoder``/``MessageToMessageEncoder.encode(ctx, msg, out)``: the base class
#: releases ``msg`` after the call, as a decoder's base releases what it decoded.
ENCODE = frozenset({"encode"})


def positional_parameters(node: cst.FunctionDef) -> List[cst.Param]:
    return list(node.params.posonly_params) + list(node.params.params)


def message_role(node: cst.FunctionDef, auto_release: bool,
                 plain: bool = False) -> Tuple[Optional[cst.Param], str, str]:
    """(parameter, OWNED/BORROWED, role) of a handler method's message, or (None, "", "")."""
    params = positional_parameters(node)
    names = [p.name.value for p in params]
    if len(names) < 3 or names[0] != "self":
        return None, "", ""
    looks_ctx = V.CONTEXT_NAME.search(names[1]) is not None
    name = node.name.value
    if name in V.HANDLER_READ:
        return params[2], OWNED, f"{name}'s message"
    if name in V.HANDLER_WRITE and looks_ctx:
        return params[2], OWNED, "write's message"
    if name in READ0 and looks_ctx:
        if plain:
            return None, "", ""  # declared for str/int messages: nothing reference counted
        if auto_release:
            return (params[2], BORROWED,
                    f"{name}'s message, which SimpleChannelInboundHandler releases")
        return params[2], OWNED, f"{name}'s message (auto-release off)"
    if name in DECODE and looks_ctx and len(names) >= 4:
        return params[2], BORROWED, "the decoder's input, which the decoder base class owns"
    if name in ENCODE and looks_ctx and len(names) >= 4:
        return params[2], BORROWED, "the encoder's message, which the encoder base class releases"
    return None, "", ""


#: Message types that are not reference counted: a handler declared for them gets no buffers.
PLAIN_TYPES = frozenset({"str", "int", "bytes", "bytearray", "float", "bool", "dict", "list",
                         "tuple", "memoryview", "complex"})


def auto_release(node: cst.ClassDef) -> bool:
    """False when the class turns SimpleChannelInboundHandler's auto-release off."""
    for small in _class_assignments(node, ("auto_release", "autoRelease")):
        if _is_false(small.value):
            return False
    return not any(_init_arguments(node, ("auto_release", "autoRelease"), _is_false))


def plain_messages(node: cst.ClassDef) -> bool:
    """Whether the class accepts only messages that are not reference counted (``str``, ``int``):
    ``inbound_message_type = str`` or ``super().__init__(str)``."""
    names = ("inbound_message_type", "inboundMessageType")
    if any(is_plain_type(small.value) for small in _class_assignments(node, names)):
        return True
    return any(_init_arguments(node, names, is_plain_type))


def is_plain_type(node: cst.BaseExpression) -> bool:
    """``str``, ``int``... or a tuple of them."""
    if isinstance(node, cst.Tuple):
        return bool(node.elements) and all(is_plain_type(e.value) for e in node.elements)
    return isinstance(node, cst.Name) and node.value in PLAIN_TYPES


def _class_assignments(node: cst.ClassDef, names) -> List[cst.Assign]:
    out = []
    for statement in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
        if isinstance(statement, cst.SimpleStatementLine):
            out.extend(small for small in statement.body if isinstance(small, cst.Assign)
                       and any(isinstance(t.target, cst.Name) and t.target.value in names
                               for t in small.targets))
    return out


def _init_arguments(node: cst.ClassDef, keywords, wanted) -> List[cst.Arg]:
    """Arguments of a base ``__init__`` call in the class's ``__init__`` that ``wanted`` accepts,
    given by one of ``keywords`` or positionally."""
    out = []
    for statement in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
        if not (isinstance(statement, cst.FunctionDef) and statement.name.value == "__init__"):
            continue
        stack: List[cst.CSTNode] = [statement.body]
        while stack:
            item = stack.pop()
            if isinstance(item, cst.Call) and last_identifier(item.func) == "__init__":
                for arg in item.args:
                    keyword = arg.keyword.value if arg.keyword is not None else None
                    if (keyword is None or keyword in keywords) and wanted(arg.value):
                        out.append(arg)
            stack.extend(item.children)
    return out


def _is_false(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "False"
