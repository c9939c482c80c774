"""Value states with reference counts (Clang's ``RefVal``), the paths that carry them, and joins.

A tracked value is, on one path, in exactly one :class:`State`:

* ``OWNED`` with ``count`` references this function must give up (``kept`` once a call the
  analysis does not know received it: that call may have kept a reference, so the leak rules
  stay silent about it);
* ``BORROWED`` with ``count`` extra references taken by ``retain()`` on top of a reference
  someone else releases (``channel_read0``'s message, a decoder's input, a view of either);
* ended: ``RELEASED``, ``FIRED``, ``WRITTEN`` (hard ends: any later use is a bug),
  ``HANDED`` (returned, stored, appended: the value lives on elsewhere, a later release is one
  too many) or ``LENT`` (yielded by a generator, which may take it back and release it).

An :class:`Env` is one path (or, after a widening join, several merged ones): which local
names hold which values, the state of each value, the branch conditions assumed so far and
the flags known to hold a constant (``release = True``), so that ``if release:`` later takes
only the branch that this path can take.  A bounded list of them is what the walk carries.
"""

from typing import Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Set, Tuple

import libcst as cst

OWNED = "owned"
BORROWED = "borrowed"
RELEASED = "released"
FIRED = "fired"
WRITTEN = "written"
HANDED = "handed over"
LENT = "yielded"
#: Ends after which any use is a bug (BUF002).
HARD_ENDS = frozenset({RELEASED, FIRED, WRITTEN})
ENDS = HARD_ENDS | {HANDED, LENT}
#: Counts are followed up to here; a value retained more often is no longer reasoned about.
MAX_COUNT = 4
#: Paths followed side by side before they are joined into one imprecise state.
MAX_PATHS = 12


class State(NamedTuple):
    """A value's state on one path: its kind, the references owned, and where it got there."""

    kind: str
    count: int = 1
    kept: bool = False
    node: Optional[cst.CSTNode] = None

    @property
    def owned(self) -> bool:
        """Owned by this function with at least one reference (a leak if lost)."""
        return self.kind == OWNED

    @property
    def ended(self) -> bool:
        return self.kind in ENDS

    @property
    def hard_ended(self) -> bool:
        return self.kind in HARD_ENDS

    def key(self):
        return (self.kind, self.count, self.kept, id(self.node))


class Env:
    """The abstract state on one path (``merged``: on several, joined without precision)."""

    __slots__ = ("names", "states", "risky", "consts", "facts", "branch", "merged", "notes",
                 "live", "caught")

    def __init__(self, names=None, states=None, risky=frozenset(), consts=None, facts=None,
                 branch=None, merged=False, live=None):
        #: local name -> value id (None: bound to something not followed)
        self.names: Dict[str, Optional[int]] = names if names is not None else {}
        #: value id -> the states it may be in (one on a precise path)
        self.states: Dict[int, FrozenSet[State]] = states if states is not None else {}
        #: values kept owned across code that can raise with nothing to release them
        self.risky: FrozenSet[int] = risky
        #: local name -> the literal constant it holds (``True``, ``None``, ``3``)
        self.consts: Dict[str, object] = consts if consts is not None else {}
        #: condition key -> the truth value this path assumed for it
        self.facts: Dict[tuple, bool] = facts if facts is not None else {}
        #: the last condition this path assumed: (test node, truth value), for messages
        self.branch: Optional[Tuple[cst.CSTNode, bool]] = branch
        self.merged = merged
        #: value id -> (break node, condition) where it left its loop still owned
        self.notes: Dict[int, tuple] = {}
        #: the values owned on this path (kept beside ``states`` so code that can raise does not
        #: scan every value a long function ever ended)
        #: this path went through an ``except`` block: a call raised on it
        self.caught = False
        self.live: Set[int] = live if live is not None else {
            vid for vid, st in self.states.items() if any(s.owned for s in st)}

    def copy(self) -> "Env":
        env = Env(dict(self.names), dict(self.states), self.risky, dict(self.consts),
                  dict(self.facts), self.branch, self.merged, set(self.live))
        env.notes = dict(self.notes)
        env.caught = self.caught
        return env

    def update(self, vid: int, states: FrozenSet[State]) -> None:
        """Set the states of ``vid`` (keeping :attr:`live` and :attr:`risky` in step)."""
        self.states[vid] = states
        if any(s.owned for s in states):
            self.live.add(vid)
        else:
            self.live.discard(vid)
            if vid in self.risky:
                self.risky = self.risky - {vid}

    def drop(self, vid: int) -> None:
        """Forget ``vid`` entirely, and the names bound to it (a value this path does not hold)."""
        self.states.pop(vid, None)
        self.live.discard(vid)
        self.names = {k: (None if v == vid else v) for k, v in self.names.items()}

    def key(self):
        """A comparable summary: equal keys mean the same abstract path."""
        return (frozenset(self.names.items()),
                frozenset((vid, frozenset(s.key() for s in st)) for vid, st in self.states.items()),
                self.risky, frozenset((k, repr(v)) for k, v in self.consts.items()),
                frozenset(self.facts.items()), self.merged)

    def set_state(self, vid: int, state: State) -> None:
        self.update(vid, frozenset({state}))

    def forget_facts_about(self, name: str) -> None:
        """``name`` was rebound: what was assumed about expressions over it no longer holds."""
        self.consts.pop(name, None)
        if self.facts:
            self.facts = {k: v for k, v in self.facts.items() if name not in k[1]}


def join(a: Optional[Env], b: Optional[Env], lost: Optional[Set[int]] = None) -> Optional[Env]:
    """Two sets of paths as one (None: no path); the result is precise only if they agree.

    A name bound to different values on the two sides names neither afterwards; those values go
    into ``lost``: code after the join may hand them on through that name unseen.
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
    merged = a.merged or b.merged
    for vid, st in b.states.items():
        mine = states.get(vid)
        if mine is None:
            states[vid] = st
        elif mine != st:
            states[vid] = mine | st
            merged = True
    consts = {k: v for k, v in a.consts.items() if k in b.consts and b.consts[k] == v}
    facts = {k: v for k, v in a.facts.items() if b.facts.get(k) == v}
    env = Env(names, states, a.risky | b.risky, consts, facts,
              a.branch if a.branch == b.branch else None, merged)
    env.notes = {**b.notes, **a.notes}
    env.caught = a.caught or b.caught
    return env


def join_all(envs: Iterable[Optional[Env]], lost: Optional[Set[int]] = None) -> Optional[Env]:
    out = None
    for env in envs:
        out = join(out, env, lost)
    return out


def normalize(paths: Iterable[Optional[Env]], lost: Optional[Set[int]] = None) -> List[Env]:
    """Drop duplicate paths; past :data:`MAX_PATHS`, join what differs least, then everything."""
    paths = [env for env in paths if env is not None]
    if len(paths) < 2:
        return paths
    seen = {}
    for env in paths:
        if env is not None:
            seen.setdefault(env.key(), env)
    out = list(seen.values())
    if len(out) <= MAX_PATHS:
        return out
    by_values: Dict[tuple, Env] = {}
    for env in out:  # first forget the conditions that tell otherwise equal paths apart
        k = (frozenset(env.names.items()), env.key()[1], env.risky)
        by_values[k] = join(by_values.get(k), env, lost)
    out = list(by_values.values())
    if len(out) <= MAX_PATHS:
        return out
    return [join_all(out, lost)]
