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


def message_role(node: cst.FunctionDef, auto_release: bool) -> Tuple[Optional[cst.Param], str, str]:
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
        if auto_release:
            return (params[2], BORROWED,
                    f"{name}'s message, which SimpleChannelInboundHandler releases")
        return params[2], OWNED, f"{name}'s message (auto-release off)"
    if name in DECODE and looks_ctx and len(names) >= 4:
        return params[2], BORROWED, "the decoder's input, which the decoder base class owns"
    if name in ENCODE and looks_ctx and len(names) >= 4:
        return params[2], BORROWED, "the encoder's message, which the encoder base class releases"
    return None, "", ""


def auto_release(node: cst.ClassDef) -> bool:
    """False when the class turns SimpleChannelInboundHandler's auto-release off."""
    for statement in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if (isinstance(small, cst.Assign) and _is_false(small.value)
                        and any(isinstance(t.target, cst.Name)
                                and t.target.value in ("auto_release", "autoRelease")
                                for t in small.targets)):
                    return False
        elif isinstance(statement, cst.FunctionDef) and statement.name.value == "__init__":
            if _init_turns_off(statement):
                return False
    return True


def _init_turns_off(init: cst.FunctionDef) -> bool:
    stack: List[cst.CSTNode] = [init.body]
    while stack:
        item = stack.pop()
        if isinstance(item, cst.Call) and last_identifier(item.func) == "__init__":
            for arg in item.args:
                keyword = arg.keyword.value if arg.keyword is not None else None
                if keyword in ("auto_release", "autoRelease") and _is_false(arg.value):
                    return True
                if keyword is None and _is_false(arg.value):
                    return True
        stack.extend(item.children)
    return False


def _is_false(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "False"
