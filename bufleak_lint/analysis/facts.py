"""What the analysis proves about a module, in the shape the rules read."""

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst


@dataclass
class Release:
    """A release call of a followed value (or a ``ReferenceCountUtil`` release of anything)."""

    call: cst.Call
    name: str
    safe: bool
    in_finally: bool
    in_except: bool
    statement: Optional[cst.SimpleStatementLine]
    block: Optional[cst.CSTNode]
    origin_block: Optional[cst.CSTNode]
    origin_index: int
    #: BUF001: on some path the value was owned across code that can raise, unprotected.
    unprotected: bool = False
    #: BUF005: on some path the value had already been released or handed over.
    maybe_ended: bool = False
    #: Where the value ended before this release, on the (precise) paths where it had.
    ended_on: List[cst.CSTNode] = field(default_factory=list)
    #: Whether some path reaches this release with the value not yet ended.
    alive: bool = False
    #: The released expression, and whether BUF002 already reports it (no second code there).
    target: Optional[cst.CSTNode] = None
    late: bool = False


@dataclass
class LateUse:
    """BUF002: a use of a value that on every path reaching it had ended (count 0 or passed on)."""

    node: cst.CSTNode
    name: str
    use: str
    ended: str
    ended_at: Optional[cst.CSTNode]


@dataclass
class OverRelease:
    """BUF008: giving up a reference the function does not own."""

    node: cst.CSTNode
    name: str
    action: str
    #: "borrowed" (nothing retained on top of a borrowed reference) or "count" (already 0 on a path)
    reason: str
    role: str = ""
    ended_at: Optional[cst.CSTNode] = None


@dataclass
class Exit:
    """Where a path leaves with a value still owned: the exit node and the condition taken."""

    node: cst.CSTNode
    kind: str
    branch: Optional[Tuple[cst.CSTNode, bool]] = None


@dataclass
class UnhandledMessage:
    """BUF004: a ``channel_read`` exit reached with the message still owned."""

    function: cst.FunctionDef
    message: str
    exit: Exit
    #: The message was passed on or released, but retained more often than that.
    retained_extra: bool = False


@dataclass
class Orphan:
    """BUF006: an owned value that no path releases, returns, stores or hands over."""

    node: cst.CSTNode
    name: Optional[str]


@dataclass
class PartialLeak:
    """BUF007: an owned value lost at ``exit`` while other paths release or hand it over."""

    allocation: cst.CSTNode
    name: Optional[str]
    exit: Exit
    #: The exit statement, when releasing the value right before it is right on every path.
    fixable_statement: Optional[cst.SimpleStatementLine] = None
    fixable_block: Optional[cst.CSTNode] = None


@dataclass
class UnconsumedResponse:
    """BUF009: an HTTP response lost with its body neither consumed nor released.

    ``exit`` is None when no path consumes it (reported at the request), else the first exit
    where it is lost while other paths consume it.
    """

    request: cst.CSTNode
    name: Optional[str]
    library: object
    exit: Optional[Exit]


@dataclass
class ModuleFacts:
    """Everything the rules need, collected in one walk."""

    releases: List[Release] = field(default_factory=list)
    late_uses: List[LateUse] = field(default_factory=list)
    over_releases: List[OverRelease] = field(default_factory=list)
    unhandled: List[UnhandledMessage] = field(default_factory=list)
    orphans: List[Orphan] = field(default_factory=list)
    partial_leaks: List[PartialLeak] = field(default_factory=list)
    unconsumed: List[UnconsumedResponse] = field(default_factory=list)
    #: Functions the analysis gave up on (beyond its work budget): no finding about them.
    too_complex: List[cst.FunctionDef] = field(default_factory=list)
    #: Method calls by method name, for the syntactic rules (``exchange``).
    method_calls: Dict[str, List[cst.Call]] = field(default_factory=dict)
    #: id of such a call -> the (function, class) scope it is in (for the HTTP client names)
    call_scopes: Dict[int, tuple] = field(default_factory=dict)
    #: ``x.exchange(...).body_to_bytes()``-like chains: id of the exchange call -> (the node the
    #: body method is called on: the call or its ``await``, the body method's name).
    body_reads: Dict[int, Tuple[cst.CSTNode, str]] = field(default_factory=dict)
    #: The HTTP clients the module binds (None: it imports none of the libraries).
    http: Optional[object] = None
    #: Names bound at module level (imports included), for fixes that need ``ReferenceCountUtil``.
    module_names: Set[str] = field(default_factory=set)
