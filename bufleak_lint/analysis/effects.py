"""What happens to a followed value: used, kept, handed over, released, retained.

A mixin of :class:`~bufleak_lint.analysis.walk.Walk`: each effect changes the value's states on the
current path (``self.env``) and notes what the rules need (late uses, releases, over-releases).
"""

from typing import Optional

import libcst as cst

from bufleak_lint.analysis.facts import (
    LateUse,
    Orphan,
    OverRelease,
    Release,
    UnconsumedResponse,
)
from bufleak_lint.analysis.state import (
    BORROWED,
    HANDED,
    LENT,
    MAX_COUNT,
    OWNED,
    RELEASED,
    State,
)
from bufleak_lint.analysis.values import New, Tracked


class Effects:
    """The value half of the walk."""

    # ----------------------------------------------------------------- effects on values
    def _new(self, call: cst.Call):
        """A fresh reference, unless the code around it is expected to raise (``pytest.raises``)."""
        return None if self.expect_raise else New(call)

    def _raising(self) -> None:
        """Code that can raise runs here: owned, unprotected values become risky."""
        env = self.env
        if env is None or env.live <= env.risky:
            return
        risky = env.live - env.risky
        for names in self.protectors:
            for name in names:
                risky.discard(env.names.get(name))
        if risky:
            env.risky = env.risky | risky

    def _ended(self, vid: int, use: str) -> Optional[State]:
        """The state of ``vid`` when it ended on this path, else None.

        Any use after a release, write or fire is late; a release is late after a hand-over too
        (returned, stored, appended: the reference it would give back is no longer ours), but
        not after a ``yield`` (a generator lends the buffer and takes it back when resumed).
        """
        states = self.env.states.get(vid, ())
        if states and all(s.hard_ended or (use == RELEASED and s.kind == HANDED) for s in states):
            return next(iter(states))
        return None

    def _use(self, ref, use: str, node: cst.CSTNode) -> None:
        """A use of the value: BUF002 when it had ended on every path that reaches ``node``."""
        if isinstance(ref, New):
            self.consumed.add(id(ref.call))
            return
        if not isinstance(ref, Tracked) or self.env is None or self.quiet or self.expect_raise:
            return
        obs = self.uses.setdefault(id(node), [None, False])
        ended = self._ended(ref.vid, use) if ref.vid not in self.uncertain else None
        if ended is None:
            obs[1] = obs[1] or not self.exceptional
        elif obs[0] is None:
            obs[0] = LateUse(node, ref.name, use, ended.kind, ended.node)

    def _borrow(self, ref, node: cst.CSTNode) -> None:
        if isinstance(ref, New):
            self.consumed.add(id(ref.call))
        else:
            self._use(ref, "used", node)

    def _update(self, vid: int, change) -> None:
        env = self.env
        states = env.states.get(vid)
        if states is None:
            return
        env.update(vid, frozenset(change(s) for s in states))

    def _keep(self, ref, node: cst.CSTNode) -> None:
        """The value goes where the analysis cannot follow it: it may be kept there."""
        if isinstance(ref, New):
            self.consumed.add(id(ref.call))
        elif isinstance(ref, Tracked) and self.env is not None:
            self.consumed.add(ref.vid)
            self._update(ref.vid, lambda s: s._replace(kept=True) if s.owned else s)

    def _pass(self, ref, node: cst.CSTNode) -> None:
        """Passed to a call the analysis does not know: it may borrow or keep the value."""
        self._use(ref, "passed on", node)
        self._keep(ref, node)

    def _hand_over(self, ref, how: str, node: cst.CSTNode) -> None:
        """``return x``, ``self.x = x``, ``out.append(x)``: one reference lives on elsewhere."""
        if isinstance(ref, New):
            self.consumed.add(id(ref.call))
            return
        if not isinstance(ref, Tracked) or self.env is None:
            return
        if how == "appended":
            self._over_borrowed(ref, "appended to a list that is passed on", node)
        self._give_up(ref, LENT if how == "yielded" else HANDED, node, node, hard=False)

    def _give_up(self, ref, kind: str, node: cst.CSTNode, call: cst.CSTNode,
                 hard: bool = True, amount: int = 1) -> None:
        """One reference leaves this function (released, fired, written or handed over)."""
        if isinstance(ref, New):
            self.consumed.add(id(ref.call))
            return
        if not isinstance(ref, Tracked) or self.env is None:
            return
        if hard:
            self._use(ref, kind, node)
            if kind != RELEASED:
                self._over_borrowed(ref, kind, call)
        self.consumed.add(ref.vid)

        def change(s: State) -> State:
            if s.kind == OWNED:
                left = s.count - amount
                return s._replace(count=left) if left > 0 else State(kind, 0, node=call)
            if s.kind == BORROWED and s.count > 0:
                return s._replace(count=max(s.count - amount, 0))
            return s
        self._update(ref.vid, change)

    def _over_borrowed(self, ref: Tracked, action: str, node: cst.CSTNode) -> None:
        """BUF008: giving up a reference of a borrowed value that nothing retained first."""
        if self.quiet or self.expect_raise or self.env.merged:
            return
        states = self.env.states.get(ref.vid, ())
        if any(s.kind == BORROWED and s.count == 0 for s in states) and id(node) not in self.over:
            self.over[id(node)] = OverRelease(node, ref.name, action, "borrowed",
                                              self.roles.get(ref.vid, ""))

    def _retain(self, ref, node: cst.CSTNode, amount: int = 1) -> None:
        if isinstance(ref, New):
            self.consumed.add(id(ref.call))
            return
        if not isinstance(ref, Tracked) or self.env is None:
            return
        self._use(ref, "retained", node)
        self.retained.add(ref.vid)
        uncertain = False

        def change(s: State) -> State:
            nonlocal uncertain
            if s.kind in (OWNED, BORROWED):
                if s.count + amount > MAX_COUNT:
                    uncertain = True
                    return s
                return s._replace(count=s.count + amount)
            if s.kind == HANDED:
                return State(OWNED, 1, kept=True, node=node)
            return s
        self._update(ref.vid, change)
        if uncertain:
            self.uncertain.add(ref.vid)

    def _release(self, call: cst.Call, ref, target, safe: bool, amount: int = 1) -> None:
        if self.env is None:
            return
        if not isinstance(ref, Tracked):
            if isinstance(ref, New):
                self.consumed.add(id(ref.call))
            return
        self._use(ref, RELEASED, target)
        states = self.env.states.get(ref.vid, ())
        if not self.quiet and not self.expect_raise:
            fact = self.releases.get(id(call))
            if fact is None:
                fact = self.releases[id(call)] = self._release_fact(call, ref.name, ref.vid, safe)
                fact.target = target
            if (ref.vid in self.env.risky and ref.vid not in self.uncertain
                    and not self._in_cleanup() and any(s.owned for s in states)):
                fact.unprotected = True
            if any(s.ended and s.kind != LENT for s in states):  # a yield only lends it
                fact.maybe_ended = True
            self._over_borrowed(ref, RELEASED, call)
            ended = next((s for s in states if s.hard_ended), None)
            if ended is not None and not self.env.merged and ref.vid not in self.uncertain:
                fact.ended_on.append(ended.node)
            elif not self.exceptional:
                fact.alive = True
            if (amount > 1 and not self.env.merged and ref.vid not in self.uncertain
                    and any(s.owned and s.count < amount for s in states)
                    and id(call) not in self.over):
                self.over[id(call)] = OverRelease(call, ref.name, f"released {amount} times",
                                                  "below zero")
        self._give_up(ref, RELEASED, target, call, hard=False, amount=amount)

    def _in_cleanup(self) -> bool:
        return self.finally_depth > 0 or self.handler_depth > 0

    def _release_fact(self, call: cst.Call, name: str, vid: int, safe: bool) -> Release:
        statement = self.statement_stack[-1] if self.statement_stack else None
        block = self.block_stack[-1][0] if self.block_stack else None
        origin_block, origin_index = self.origins.get(vid, (None, 0))
        return Release(call=call, name=name, safe=safe, in_finally=self.finally_depth > 0,
                       in_except=self.handler_depth > 0,
                       statement=(statement if isinstance(statement, cst.SimpleStatementLine)
                                  else None),
                       block=block, origin_block=origin_block, origin_index=origin_index)

    def _orphan_now(self, ref: New) -> None:
        call = ref.call
        if (self.tracking and not self.expect_raise and not self.quiet and not self.summarize
                and id(call) not in self.consumed):
            if ref.library is not None:
                self.facts.unconsumed.append(UnconsumedResponse(call, None, ref.library, None))
            else:
                self.facts.orphans.append(Orphan(call, None))
        self.consumed.add(id(call))
