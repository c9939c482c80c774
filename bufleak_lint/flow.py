"""The abstract state of the ownership analysis, how states join, and control-flow frames."""

from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Optional, Set, Tuple

import libcst as cst


class Env:
    """The abstract state on one set of paths.

    ``names`` maps a local name to the value it holds on every path where it is bound
    (None: a value the analysis does not follow; a name missing from it is not bound yet);
    ``states`` maps a value to the set of (ending, node) pairs it may be in;
    ``risky`` holds values that some path kept owned across code that can raise.
    """

    __slots__ = ("names", "states", "risky")

    def __init__(self, names=None, states=None, risky=None):
        self.names: Dict[str, int] = names if names is not None else {}
        self.states: Dict[int, FrozenSet[Tuple[str, Optional[cst.CSTNode]]]] = (
            states if states is not None else {})
        self.risky: FrozenSet[int] = risky if risky is not None else frozenset()

    def copy(self) -> "Env":
        """An independent copy (values are immutable and shared)."""
        return Env(dict(self.names), dict(self.states), self.risky)

    def key(self):
        """A comparable summary, to detect a loop's fixed point."""
        return (self.names, {k: frozenset((kind, id(n)) for kind, n in v)
                             for k, v in self.states.items()}, self.risky)


def join(a: Optional[Env], b: Optional[Env], lost: Optional[Set[int]] = None) -> Optional[Env]:
    """The state after two sets of paths meet (None stands for no path).

    A name bound on one side only keeps its value (on the other paths, using it raises).
    A name bound to different values on the two sides no longer names either; those values
    go into ``lost``: code after the join may hand them on through that name unseen.
    """
    if a is None:
        return b
    if b is None:
        return a
    names = dict(b.names)
    for name, vid in a.names.items():
        other = names.setdefault(name, vid)
        if other != vid:
            names[name] = None
            if lost is not None:
                lost.update(v for v in (vid, other) if v is not None)
    states = dict(a.states)
    for vid, st in b.states.items():
        states[vid] = states[vid] | st if vid in states else st
    return Env(names, states, a.risky | b.risky)


def join_all(envs, lost: Optional[Set[int]] = None) -> Optional[Env]:
    """:func:`join` of any number of states."""
    out = None
    for env in envs:
        out = join(out, env, lost)
    return out


@dataclass
class Origin:
    """Where a value was bound: the statement block and index (-1: before the body)."""

    block: Optional[cst.CSTNode]
    index: int


class LoopFrame:
    """States leaving a loop body through ``break`` and ``continue``."""

    def __init__(self):
        self.breaks: List[Env] = []
        self.continues: List[Env] = []


class FinallyFrame:
    """Jumps (return/break/continue) waiting for a ``finally`` block to run first."""

    def __init__(self):
        self.pending: Dict[str, List[Tuple[Env, cst.CSTNode]]] = {}


class FunctionFrame:
    """States at the function's exits, with the node of each exit."""

    def __init__(self):
        self.exits: List[Tuple[Env, cst.CSTNode]] = []
