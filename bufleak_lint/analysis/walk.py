"""The walk: one path-sensitive pass over a module that every rule reads.

Within each function it follows the values that are reference counted (allocations,
``Unpooled``, copies and retained slices, handler messages, what the module's own factories
return) through a bounded list of paths (:class:`~bufleak_lint.analysis.state.Env`), each with
the state and count of every value.  Branches split paths and remember their condition; loops
run to a fixed point; ``try``/``except``/``finally``, ``with`` and ``match`` are followed.
Findings that hold "on every path" are aggregated over all paths reaching a node before they
are reported; findings that hold "on some path" come only from paths that were never merged.

Module and class bodies are walked too, without tracking, so that syntactic rules see every
call.
"""

from typing import Dict, FrozenSet, List, Optional, Set, Tuple

import libcst as cst

from bufleak_lint import vocabulary as V
from bufleak_lint.analysis import conditions, roles
from bufleak_lint.analysis.calls import Calls
from bufleak_lint.analysis.effects import Effects
from bufleak_lint.analysis.facts import (
    Exit,
    ModuleFacts,
    Orphan,
    OverRelease,
    PartialLeak,
    Release,
    UnconsumedResponse,
    UnhandledMessage,
)
from bufleak_lint.analysis.state import (
    BORROWED,
    HANDED,
    MAX_PATHS,
    OWNED,
    RELEASED,
    Env,
    State,
    join,
    join_all,
    normalize,
)
from bufleak_lint.analysis.summaries import Summaries, summary_key
from bufleak_lint.analysis.values import New, Tracked
from bufleak_lint.cst_tools import (
    children,
    dotted_name,
    is_allocator_expression,
    last_identifier,
    loaded_names,
    operands,
    scoped_names,
)
from bufleak_lint.resources import http as H

#: Fixed-point passes of a loop by its nesting depth (1: outermost).
_LOOP_PASSES = (6, 4, 3, 2)


#: Statements evaluated per path in one function before the analysis gives up on it (a
#: function past this is left without findings: deeply nested loops multiply the passes).
WORK_BUDGET = 20_000


class _TooComplex(Exception):
    """The function is beyond :data:`WORK_BUDGET`."""


class _LoopFrame:
    """Paths leaving a loop body through ``break`` and ``continue``; names each pass rebinds."""

    def __init__(self, rebound: Set[str]):
        self.breaks: List[Env] = []
        self.continues: List[Env] = []
        self.rebound = rebound
        #: the name a ``for`` loop iterates the body of (a response a full pass would consume)
        self.iterated: Optional[str] = None
        #: values allocated in the body: a path that breaks out with one still owned is noted
        self.allocated: Set[int] = set()


class _FinallyFrame:
    """Jumps (return/break/continue) waiting for a ``finally`` block to run first."""

    def __init__(self):
        self.pending: List[Tuple[str, Env, cst.CSTNode]] = []


class _WithFrame(_FinallyFrame):
    """A ``with`` body: jumps and raises leaving it release the values it manages first."""

    def __init__(self, managed: List[Tuple[int, cst.CSTNode]]):
        super().__init__()
        self.managed = managed


class _FunctionFrame:
    """Paths at the function's exits: (path, exit node, kind of exit)."""

    def __init__(self):
        self.exits: List[Tuple[Env, cst.CSTNode, str]] = []


class _ExitRecord:
    """Where a value was lost still owned, and whether releasing it there is right on every path."""

    def __init__(self, exit_: Exit, fixable: bool, statement, block):
        self.exit = exit_
        self.fixable = fixable
        self.statement, self.block = statement, block


class Walk(Calls, Effects):
    """Walks one module and fills a :class:`ModuleFacts` (or, in summary mode, summaries)."""

    def __init__(self, vocabulary: V.Vocabulary, method_names: FrozenSet[str] = frozenset(),
                 summaries: Optional[Summaries] = None, summarize: bool = False):
        self.vocab = vocabulary
        self.method_names = method_names
        self.summaries = summaries if summaries is not None else Summaries()
        self.summarize = summarize
        self.found = Summaries()
        self.facts = ModuleFacts()
        self._seen_calls: Set[int] = set()
        #: (name, auto-release, node id, declared for plain messages) of the enclosing classes
        self.class_stack: List[Tuple[str, bool, int, bool]] = []
        #: (function scope, class scope) node ids, for the HTTP clients' name scopes
        self.where: Tuple[int, Optional[int]] = (0, None)
        self.depth = 0
        self.http: Optional[H.HttpScope] = None
        self.awaited: Optional[cst.CSTNode] = None
        self.current_class: Optional[str] = None
        #: names (``POOL``, ``self._pool``) bound to an allocator anywhere in the module
        self.module_allocators: Set[str] = set()

    # ----------------------------------------------------------------- entry points
    def run(self, module: cst.Module, http: Optional[H.HttpScope] = None) -> ModuleFacts:
        self.http = http
        self.facts.http = http
        self.where = (id(module), None)
        for statement in module.body:
            self._module_names(statement)
        self._enter_scope(tracking=False)
        self._block(module.body, module)
        return self.facts

    def _module_names(self, statement: cst.CSTNode) -> None:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.ImportFrom) and not isinstance(small.names,
                                                                        cst.ImportStar):
                    for alias in small.names:
                        target = alias.asname.name if alias.asname else alias.name
                        if isinstance(target, cst.Name):
                            self.facts.module_names.add(target.value)
                elif isinstance(small, cst.Assign):
                    for target in small.targets:
                        if isinstance(target.target, cst.Name):
                            self.facts.module_names.add(target.target.value)
        elif isinstance(statement, (cst.ClassDef, cst.FunctionDef)):
            self.facts.module_names.add(statement.name.value)
        for node in _walk_nodes(statement) if not isinstance(statement, cst.FunctionDef) else ():
            # ``POOL = PooledByteBufAllocator()``, ``self._pool = ...``: allocators by binding
            if isinstance(node, cst.Assign) and is_allocator_expression(node.value):
                for target in node.targets:
                    name = dotted_name(target.target)
                    if name is not None:
                        self.module_allocators.add(name)

    def _enter_scope(self, tracking: bool, untracked: Set[str] = frozenset()) -> None:
        self.paths: List[Env] = [Env()]
        self.env: Optional[Env] = None
        self.tracking = tracking
        self.untracked = untracked
        self.quiet = 0
        self.jumps: List[object] = [_FunctionFrame()]
        self.exception_states: List[List[Env]] = []
        self.protectors: List[Set[str]] = []
        self.handler_depth = 0
        self.finally_depth = 0
        self.try_depth = 0
        self.exceptional = 0
        self.work = 0
        #: values this function retained (for BUF004's wording)
        self.retained: Set[int] = set()
        #: names bound to what a response's ``read*()`` returned -> the response
        self.read_results: Dict[str, int] = {}
        #: names bound to ``bytearray(...)``-like destinations, and the function's parameters
        self.destinations: Set[str] = set()
        self.param_names: Set[str] = set()
        self.origins: Dict[int, Tuple[Optional[cst.CSTNode], int]] = {}
        self.consumed: Set[int] = set()
        self.allocations: Dict[int, Tuple[cst.CSTNode, Optional[str]]] = {}
        #: value id -> the HTTP library of a response (absent: a buffer)
        self.responses: Dict[int, H.Library] = {}
        self.block_stack: List[Tuple[cst.CSTNode, int]] = []
        self.statement_stack: List[cst.CSTNode] = []
        self.in_class_body = False
        self.uncertain: Set[int] = set()
        #: Values a join left without a name (see :func:`join`): no leak is reported for them.
        self.lost: Set[int] = set()
        self.expect_raise = 0
        self.allocator_names: Set[str] = set()
        self.uses: Dict[int, list] = {}
        self.releases: Dict[int, Release] = {}
        self.over: Dict[int, OverRelease] = {}
        self.exit_leaks: Dict[int, List[_ExitRecord]] = {}
        self.returns: List[bool] = []
        #: parameter value -> its role, for messages
        self.roles: Dict[int, str] = {}

    # ----------------------------------------------------------------- functions
    def _function(self, node: cst.FunctionDef) -> None:
        """Analyse one function in a fresh scope; the enclosing scope's state is restored after."""
        saved = self.__dict__.copy()
        in_class = self.in_class_body
        for decorator in node.decorators:
            self._expr_all(decorator.decorator)
        class_name = self.class_stack[-1][0] if in_class and self.class_stack else None
        key = summary_key(class_name, node.name.value, self.depth, in_class)
        self._enter_scope(tracking=True, untracked=scoped_names(node))
        klass = self.class_stack[-1][2] if in_class and self.class_stack else self.where[1]
        self.where = (id(node), klass)
        self.depth += 1
        self.current_class = class_name if in_class else None
        env = self.paths[0]
        for bound in _parameters(node):
            env.names[bound.name.value] = None
            self.param_names.add(bound.name.value)
        params: List[Tuple[int, cst.Param]] = []
        message = None
        if self.summarize:
            positional = roles.positional_parameters(node)
            bound = in_class and positional and positional[0].name.value in ("self", "cls")
            skip = 1 if bound else 0
            for index, param in enumerate(positional[skip:]):
                if param.name.value not in self.untracked:
                    self._bind_param(env, param, State(OWNED, 1))
                    params.append((index, param))
        else:
            auto, plain = (self.class_stack[-1][1], self.class_stack[-1][3]) \
                if in_class and self.class_stack else (True, False)
            param, kind, role = roles.message_role(node, auto, plain)
            if param is not None and param.name.value not in self.untracked:
                count = 1 if kind == OWNED else 0
                self._bind_param(env, param, State(kind, count))
                self.origins[id(param)] = (node.body, -1)
                message = (param, kind, role)
                self.roles = {id(param): role}
        try:
            self._suite(node.body)
        except _TooComplex:
            self.__dict__.update(saved)
            self.facts.too_complex.append(node)
            return
        frame = self.jumps[0]
        body = node.body.body
        end_node = body[-1] if body else node
        for env in self.paths:
            frame.exits.append((env, end_node, "end"))
            self._record_exit(env, Exit(end_node, "end", env.branch), None)
        if self.summarize:
            self._summarize(key, frame.exits, params)
        else:
            self._report(node, frame.exits, message)
        self.__dict__.update(saved)

    def _bind_param(self, env: Env, param: cst.Param, state: State) -> None:
        vid = id(param)
        env.names[param.name.value] = vid
        env.set_state(vid, state)
        self.origins[vid] = (None, -1)

    def _summarize(self, key, exits, params) -> None:
        if key is None:
            return
        if self.returns and all(self.returns) and not any(kind == "end" for _, _, kind in exits):
            self.found.allocators.add(key)
        ends = [env for env, _, kind in exits if kind in ("return", "end")]
        released = frozenset(
            index for index, param in params
            if ends and all(env.states.get(id(param)) and
                            all(s.kind == RELEASED for s in env.states[id(param)]) for env in ends))
        if released:
            self.found.releasers[key] = released

    def _report(self, node: cst.FunctionDef, exits, message) -> None:
        late = set()
        for obs in self.uses.values():
            if obs[0] is not None and not obs[1]:
                self.facts.late_uses.append(obs[0])
                late.add(id(obs[0].node))
        for release in self.releases.values():
            release.late = id(release.target) in late
        self.facts.releases.extend(self.releases.values())
        for release in self.releases.values():
            # Released again on some paths but not on all (all: BUF002; in cleanup: BUF005).
            if (release.ended_on and release.alive and not release.in_finally
                    and not release.in_except and id(release.call) not in self.over):
                self.facts.over_releases.append(OverRelease(
                    release.call, release.name, RELEASED, "count", ended_at=release.ended_on[0]))
        self.facts.over_releases.extend(self.over.values())
        if message is not None and message[1] == OWNED and node.name.value in V.HANDLER_READ:
            vid = id(message[0])
            if vid not in self.uncertain and vid not in self.lost:
                for env, exit_node, kind in exits:
                    if kind in ("return", "end", "raise") and not env.merged and any(
                            s.owned and not s.kept for s in env.states.get(vid, ())):
                        self.facts.unhandled.append(UnhandledMessage(
                            node, message[0].name.value, Exit(exit_node, kind, env.branch),
                            retained_extra=vid in self.retained))
                        break
        for vid, (allocation, name) in self.allocations.items():
            if vid in self.lost or vid in self.uncertain or self.expect_raise:
                continue
            if vid in self.responses:
                if vid not in self.consumed:
                    self.facts.unconsumed.append(
                        UnconsumedResponse(allocation, name, self.responses[vid], None))
                elif vid in self.exit_leaks:
                    self.facts.unconsumed.append(UnconsumedResponse(
                        allocation, name, self.responses[vid], self.exit_leaks[vid][0].exit))
                continue
            if vid not in self.consumed:
                self.facts.orphans.append(Orphan(allocation, name))
            elif vid in self.exit_leaks:
                first = self.exit_leaks[vid][0]
                fixable = all(r.fixable for r in self.exit_leaks[vid]
                              if r.exit.node is first.exit.node)
                self.facts.partial_leaks.append(PartialLeak(
                    allocation, name, first.exit,
                    first.statement if fixable else None, first.block if fixable else None))

    def _class(self, node: cst.ClassDef) -> None:
        for decorator in node.decorators:
            self._expr_all(decorator.decorator)
        for arg in node.bases + node.keywords:
            self._expr_all(arg.value)
        saved = self.__dict__.copy()
        self._enter_scope(tracking=False)
        self.in_class_body = True
        entry = (node.name.value, roles.auto_release(node), id(node), roles.plain_messages(node))
        self.class_stack = self.class_stack + [entry]
        self._suite(node.body)
        self.__dict__.update(saved)

    # ----------------------------------------------------------------- paths
    def _each(self, action) -> None:
        """Run ``action`` on every path (as ``self.env``); keep the paths that go on."""
        self.work += len(self.paths)
        if self.work > WORK_BUDGET and self.tracking:  # module and class bodies follow no value
            raise _TooComplex()
        out = []
        for env in self.paths:
            self.env = env
            action()
            if self.env is not None:
                out.append(self.env)
        self.env = None
        # A statement does not make paths meet: they are compared only where branches join, or
        # when there are too many of them.
        self.paths = normalize(out, self.lost) if len(out) > MAX_PATHS else out

    def _snapshot(self) -> List[Env]:
        return [env.copy() for env in self.paths]

    # ----------------------------------------------------------------- statements
    def _block(self, statements, block: cst.CSTNode) -> None:
        for index, statement in enumerate(statements):
            if not self.paths:
                return
            if not _cannot_raise(statement):
                self._record_exception_state()
            self.block_stack.append((block, index))
            self._statement(statement)
            self.block_stack.pop()

    def _record_exception_state(self) -> None:
        if self.paths and self.exception_states:
            snapshot = self._snapshot()
            for states in self.exception_states:
                states.extend(snapshot)

    def _record_last_statement_raising(self, body: cst.BaseSuite) -> None:
        """The try body's last statement may raise after its hand-overs (``ctx.write(buf)``):
        the handlers see its effects too, except its allocations, which did not happen."""
        last = _last_statement(body)
        if not self.paths or not self.exception_states or _cannot_raise(last):
            return
        made = {id(n) for n in _walk_nodes(last) if isinstance(n, cst.Call)}
        snapshot = []
        for env in self.paths:
            env = env.copy()
            for vid in [v for v in env.states if v in made]:
                env.drop(vid)
            snapshot.append(env)
        for states in self.exception_states:
            states.extend(snapshot)

    def _statement(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.SimpleStatementLine):
            self.statement_stack.append(node)
            self._each(lambda: self._smalls(node.body))
            self.statement_stack.pop()
        elif isinstance(node, cst.If):
            self._if(node)
        elif isinstance(node, (cst.For, cst.While)):
            self._loop(node)
        elif isinstance(node, (cst.Try, cst.TryStar)):
            self._try(node)
        elif isinstance(node, cst.With):
            self._with(node)
        elif isinstance(node, cst.FunctionDef):
            self._function(node)
            self._each(lambda: self._unbind(node.name.value))
        elif isinstance(node, cst.ClassDef):
            self._class(node)
            self._each(lambda: self._unbind(node.name.value))
        elif isinstance(node, cst.Match):
            self._match(node)
        else:  # pragma: no cover - every statement kind of libcst is listed above
            self._each(lambda: [self._expr(child) for child in children(node)])

    def _smalls(self, smalls) -> None:
        for small in smalls:
            if self.env is None:
                return
            self._small(small)

    def _suite(self, suite: cst.BaseSuite) -> None:
        if isinstance(suite, cst.IndentedBlock):
            self._block(suite.body, suite)
        else:
            self.statement_stack.append(suite)
            self._each(lambda: self._smalls(suite.body))
            self.statement_stack.pop()

    def _small(self, node: cst.BaseSmallStatement) -> None:
        if isinstance(node, cst.Expr):
            ref = self._value(node.value)
            if isinstance(ref, New):
                self._orphan_now(ref)
        elif isinstance(node, cst.Assign):
            ref = self._value(node.value)
            allocator = is_allocator_expression(node.value)
            for target in node.targets:
                if allocator and isinstance(target.target, cst.Name):
                    self.allocator_names.add(target.target.value)
                self._assign(target.target, ref, node.value)
        elif isinstance(node, cst.AnnAssign):
            self._expr(node.annotation.annotation)
            if node.value is not None:
                self._assign(node.target, self._value(node.value), node.value)
        elif isinstance(node, cst.AugAssign):
            self._keep(self._value(node.value), node.value)
            if isinstance(node.target, cst.Name):
                self._unbind(node.target.value)
            else:
                self._assign(node.target, None, None)
        elif isinstance(node, cst.Return):
            if node.value is not None:
                ref = self._value(node.value)
                if self.summarize:
                    self.returns.append(self._is_fresh(ref))
                self._hand_over(ref, "returned", node.value)
            self._jump("return", node)
        elif isinstance(node, cst.Raise):
            if node.exc is not None:
                self._expr(node.exc)
            if node.cause is not None:
                self._expr(node.cause.item)
            self._raise(node)
        elif isinstance(node, cst.Assert):
            self._test_effects(node.test)
            if node.msg is not None:
                self._expr(node.msg)
            self._raising()
            self._asserted_end_of_body(node.test)  # only where the assert held
        elif isinstance(node, cst.Del):
            self._delete(node.target)
        elif isinstance(node, cst.Break):
            self._jump("break", node)
        elif isinstance(node, cst.Continue):
            self._jump("continue", node)
        elif isinstance(node, (cst.Import, cst.ImportFrom)):
            if not isinstance(node.names, cst.ImportStar):
                for alias in node.names:
                    bound = alias.asname.name if alias.asname else alias.name
                    if isinstance(bound, cst.Name):
                        self._unbind(bound.value)
                    elif isinstance(bound, cst.Attribute):
                        self._unbind(dotted_name(bound).split(".")[0])

    def _is_fresh(self, ref) -> bool:
        if isinstance(ref, New):
            return ref.library is None
        if (isinstance(ref, Tracked) and ref.vid in self.allocations
                and ref.vid not in self.responses):
            states = self.env.states.get(ref.vid, ())
            return bool(states) and all(s.owned and not s.kept and s.count == 1 for s in states)
        return False

    def _delete(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self._unbind(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._delete(element.value)
        else:
            self._assign(target, None, None)

    def _split(self, test: cst.BaseExpression) -> Tuple[List[Env], List[Env]]:
        """Evaluate ``test`` on every path; the paths on which it is true, and false."""
        if not self.tracking:  # no value to keep apart: one path goes both ways
            self._each(lambda: self._test_effects(test))
            return self.paths, [env.copy() for env in self.paths]
        trues, falses = [], []
        for env in self.paths:
            self.env = env
            self._test_effects(test)
            env = self.env
            if env is None:
                continue
            truth = conditions.decide(env, test)
            if truth is None:
                other = env.copy()
                conditions.assume(env, test, True)
                conditions.assume(other, test, False)
                _refine(env, test, True)
                _refine(other, test, False)
                trues.append(env)
                falses.append(other)
            else:
                (trues if truth else falses).append(env)
        self.env = None
        return trues, falses

    def _if(self, node: cst.If) -> None:
        trues, falses = self._split(node.test)
        self.paths = trues
        self._suite(node.body)
        after_body = self.paths
        self.paths = falses
        if node.orelse is not None:
            if isinstance(node.orelse, cst.If):
                self._if(node.orelse)
            else:
                self._suite(node.orelse.body)
        self.paths = normalize(after_body + self.paths, self.lost)

    def _match(self, node: cst.Match) -> None:
        self._each(lambda: self._expr(node.subject))
        before = self.paths
        outs: List[Env] = []
        for case in node.cases:
            self.paths = [env.copy() for env in before]
            names = loaded_names(case.pattern)
            self._each(lambda: [self._unbind(name) for name in names])
            if case.guard is not None:
                self.paths, _ = self._split(case.guard)
            self._suite(case.body)
            outs.extend(self.paths)
        if not (node.cases and _irrefutable(node.cases[-1])):
            outs.extend(before)  # no case matched
        self.paths = normalize(outs, self.lost)

    def _loop_head(self, node) -> List[Env]:
        """Enter one more pass; the paths that leave the loop here (a false ``while`` test)."""
        if isinstance(node, cst.While):
            self.paths, leaving = self._split(node.test)
            return leaving
        leaving = self._snapshot()
        self._each(lambda: self._assign(node.target, None, None))
        return leaving

    def _loop(self, node) -> None:
        if isinstance(node, cst.For):
            self._each(lambda: self._borrow(self._value(node.iter), node.iter))
        entry = self.paths
        frame = _LoopFrame(_rebound_names(node.body))
        if isinstance(node, cst.For):
            frame.iterated = H.iteration_root(node.iter)
        self.jumps.append(frame)
        state = entry
        self.quiet += 1
        converged = False
        # Each pass of an outer loop runs the inner loops' passes again: nested loops get fewer
        # passes before they are widened, or deep nests would take exponential time.
        depth = sum(isinstance(frame, _LoopFrame) for frame in self.jumps)
        # Module and class bodies follow no value: one pass sees every call and definition.
        passes = _LOOP_PASSES[min(depth, len(_LOOP_PASSES)) - 1] if self.tracking else 0
        for _ in range(passes):
            frame.breaks, frame.continues = [], []
            self.paths = [env.copy() for env in state]
            self._loop_head(node)
            self._suite(node.body)
            new = normalize(entry + self.paths + frame.continues, self.lost)
            if _keys(new) == _keys(state):
                converged = True
                break
            state = new
        self.quiet -= 1
        if not converged:
            state = [_widen(join_all(state, self.lost))]
        frame.breaks, frame.continues = [], []
        self.paths = [env.copy() for env in state]
        exhausted = self._loop_head(node)
        self._suite(node.body)
        if not self.quiet:
            for env in self.paths:
                self._loop_exit(frame, env, _last_statement(node.body), "end of the loop body")
        self.jumps.pop()
        self.paths = exhausted
        if isinstance(node, cst.For):
            self._each(lambda: self._iterated(node.iter))
        if node.orelse is not None:
            self._suite(node.orelse.body)
        self.paths = normalize(self.paths + frame.breaks, self.lost)

    def _read_to_the_end(self, env: Env) -> None:
        """``chunk = resp.read1(n)`` ... ``if not chunk: break``: a loop that reads until nothing
        is left has read the whole body when it breaks that way."""
        if env.branch is None:
            return
        test, truth = env.branch
        name = _empty_test(test, truth)
        vid = self.read_results.get(name) if name is not None else None
        if vid is not None and vid in self.responses:
            saved, self.env = self.env, env
            self._consume_response(Tracked(vid, name, test), test)
            self.env = saved

    def _asserted_end_of_body(self, test: cst.BaseExpression) -> None:
        """``assert resp.read(5) == b""``: past it, a read found nothing left, so the whole body was read."""
        read = _empty_read(test)
        root = H.iteration_root(read.func) if read is not None else None
        vid = self.env.names.get(root) if root is not None and self.env is not None else None
        if vid is not None and vid in self.responses:
            self._consume_response(Tracked(vid, root, test), test)

    def _iterated(self, iterable: cst.BaseExpression) -> None:
        """A loop that ran to its end read all of a response's body (``for c in resp.iter_bytes()``)."""
        root = H.iteration_root(iterable)
        vid = self.env.names.get(root) if root is not None else None
        if vid is not None and vid in self.responses:
            self._consume_response(Tracked(vid, root, iterable), iterable)

    def _loop_exit(self, frame: _LoopFrame, env: Env, node: cst.CSTNode, kind: str) -> None:
        """A pass ends: values the next pass rebinds before any use are lost if still owned."""
        for name in frame.rebound:
            vid = env.names.get(name)
            if vid is None or vid not in self.allocations:
                continue
            if any(other == vid for n, other in env.names.items() if n != name):
                continue
            self._record_exit(env, Exit(node, kind, env.branch), None, only=vid)

    def _jump(self, kind: str, node: cst.CSTNode) -> None:
        env = self.env
        self.env = None
        if env is None:
            return
        for frame in reversed(self.jumps):
            if isinstance(frame, _FinallyFrame):
                frame.pending.append((kind, env, node))
                return
            if isinstance(frame, _LoopFrame) and kind in ("break", "continue"):
                if kind == "break":
                    self._read_to_the_end(env)
                    if not self.quiet:
                        iterated = env.names.get(frame.iterated) if frame.iterated else None
                        noted = set(frame.allocated)
                        if iterated is not None and iterated in self.responses:
                            noted.add(iterated)  # left early: the body is not fully read
                        for vid in noted:
                            if vid in env.states and vid not in env.notes:
                                env.notes[vid] = (node, env.branch)
                    frame.breaks.append(env)
                else:
                    frame.continues.append(env)
                    if not self.quiet:
                        self._loop_exit(frame, env, node, "continue")
                return
            if isinstance(frame, _FunctionFrame):
                if not self.quiet:
                    frame.exits.append((env, node, kind))
                    self._record_exit(env, Exit(node, kind, env.branch), node)
                return

    def _raise(self, node: cst.Raise) -> None:
        """An explicit ``raise``: an exit of the function when no ``try`` around it can catch it.

        In an ``except`` block it goes on with the exception a call raised, which is not an exit.
        """
        env = self.env
        if (env is not None and self.try_depth == 0 and not self.handler_depth and not self.quiet
                and not self.expect_raise):
            for frame in reversed(self.jumps):  # leaving ``with`` blocks releases what they manage
                if isinstance(frame, _WithFrame):
                    self._exit_release(frame.managed)
            self.jumps[0].exits.append((env, node, "raise"))
            self._record_exit(env, Exit(node, "raise", env.branch), node)
        self.env = None

    def _record_exit(self, env: Env, exit_: Exit, small: Optional[cst.CSTNode],
                     only: Optional[int] = None) -> None:
        """Note the allocated values this path still owns where it leaves (BUF007)."""
        if env.merged or not self.tracking or self.summarize:
            return
        statement = self.statement_stack[-1] if self.statement_stack else None
        block = self.block_stack[-1][0] if self.block_stack else None
        for vid, states in env.states.items():
            if (only is not None and vid != only) or vid not in self.allocations:
                continue
            if env.caught and vid in self.responses:
                continue  # the call that raised may have been its read: libraries close it then
            if not any(s.owned and not s.kept for s in states):
                continue
            name = self.allocations[vid][1]
            if vid in env.notes:  # it left its loop through a break, still owned
                node, branch = env.notes[vid]
                self.exit_leaks.setdefault(vid, []).append(
                    _ExitRecord(Exit(node, "break", branch), False, None, None))
                continue
            fixable = (small is not None and name is not None and env.names.get(name) == vid
                       and all(s.owned and not s.kept and s.count == 1 for s in states)
                       and isinstance(statement, cst.SimpleStatementLine)
                       and len(statement.body) == 1 and statement.body[0] is small
                       and isinstance(block, cst.IndentedBlock)
                       and name not in loaded_names(small))
            self.exit_leaks.setdefault(vid, []).append(
                _ExitRecord(exit_, fixable, statement, block))

    def _try(self, node) -> None:
        protector: Set[str] = set()
        for handler in node.handlers:
            protector |= loaded_names(handler.body)
        if node.finalbody is not None:
            protector |= loaded_names(node.finalbody.body)
        finally_frame = _FinallyFrame() if node.finalbody is not None else None
        if finally_frame is not None:
            self.jumps.append(finally_frame)
        caught: List[Env] = []
        self.exception_states.append(caught)
        self.protectors.append(protector)
        self.try_depth += 1
        self._suite(node.body)
        self.try_depth -= 1
        self.protectors.pop()
        self._record_last_statement_raising(node.body)
        self.exception_states.pop()
        body_exit = self.paths
        handler_entry = normalize(caught, self.lost)
        escaping: List[Env] = list(caught)
        outs: List[Env] = []
        if body_exit and node.orelse is not None:
            self.paths = body_exit
            self._suite(node.orelse.body)
            body_exit = self.paths
        outs.extend(body_exit)
        guarded = finally_frame is not None
        for handler in node.handlers:
            if not handler_entry:
                break
            self.paths = [env.copy() for env in handler_entry]
            for env in self.paths:
                env.caught = True
            if handler.type is not None:
                self._each(lambda: self._expr(handler.type))
            if handler.name is not None and isinstance(handler.name.name, cst.Name):
                name = handler.name.name.value
                self._each(lambda: self._unbind(name))
            handler_states: List[Env] = []
            self.exception_states.append(handler_states)
            self.handler_depth += 1
            self.try_depth += guarded
            self._suite(handler.body)
            self.try_depth -= guarded
            self.handler_depth -= 1
            self.exception_states.pop()
            escaping.extend(handler_states)
            outs.extend(self.paths)
        self.paths = normalize(outs, self.lost)
        if finally_frame is None:
            return
        self.jumps.pop()
        self.finally_depth += 1
        self._suite(node.finalbody.body)
        after = self.paths
        exceptional = normalize(escaping, self.lost)
        if exceptional:
            # Paths on which a call raised: they can confirm that a use in the finally block is
            # late, but not excuse it (the block runs after the normal paths too).
            self.paths = [env.copy() for env in exceptional]
            self.exceptional += 1
            self._suite(node.finalbody.body)
            self.exceptional -= 1
        for kind, env, jump_node in finally_frame.pending:
            self.paths = [env]
            self._suite(node.finalbody.body)
            for out in self.paths:
                self.env = out
                self._jump(kind, jump_node)
        self.env = None
        self.finally_depth -= 1
        self.paths = after

    def _with(self, node: cst.With) -> None:
        protector: Set[str] = set()
        expects = any(isinstance(item.item, cst.Call)
                      and last_identifier(item.item.func) in V.EXPECT_RAISE for item in node.items)
        for item in node.items:
            protector |= loaded_names(item.item)

        managed: List[Tuple[int, cst.CSTNode]] = []

        def enter():
            for item in node.items:
                if self.env is None:
                    return
                ref = self._value(item.item)
                target = item.asname.name if item.asname is not None else None
                if isinstance(ref, New) and isinstance(target, cst.Name):
                    self._assign(target, ref, None)  # ``with alloc.buffer() as buf:``
                    self.consumed.add(id(ref.call))
                    if self.env.names.get(target.value) == id(ref.call):
                        managed.append((id(ref.call), item.item))
                    continue
                if isinstance(ref, New):
                    self.consumed.add(id(ref.call))
                elif isinstance(ref, Tracked):
                    self._use(ref, "used", item.item)
                    self.consumed.add(ref.vid)
                    managed.append((ref.vid, item.item))
                if target is not None:
                    self._assign(target, ref if isinstance(ref, Tracked) else None, None)
        self._each(enter)
        frame = _WithFrame(managed)
        self.jumps.append(frame)
        self.protectors.append(protector)
        self.expect_raise += expects
        self._suite(node.body)
        self.expect_raise -= expects
        self.protectors.pop()
        self.jumps.pop()
        # ``ByteBuf.__exit__`` releases once if the count is above zero (it never raises).
        self._each(lambda: self._exit_release(managed))
        for kind, env, jump_node in frame.pending:
            self.env = env
            self._exit_release(managed)
            self._jump(kind, jump_node)
        self.env = None

    def _exit_release(self, managed: List[Tuple[int, cst.CSTNode]]) -> None:
        for vid, item in managed:
            if vid in self.responses:  # ``async with resp:`` releases the response on exit
                self._update(vid, lambda s: State(HANDED, 0, node=item) if s.owned else s)
                continue
            self._update(vid, lambda s: (s._replace(count=s.count - 1) if s.count > 1
                                         else State(RELEASED, 0, node=item)) if s.owned
                         else (s._replace(count=s.count - 1) if s.kind == BORROWED and s.count
                               else s))

    # ----------------------------------------------------------------- binding
    def _unbind(self, name: str) -> None:
        if self.env is not None:
            self.env.names[name] = None
            self.env.forget_facts_about(name)

    def _assign(self, target: cst.BaseExpression, ref, value: Optional[cst.CSTNode]) -> None:
        if self.env is None:
            return
        if isinstance(target, cst.Name):
            name = target.value
            if not self.tracking or name in self.untracked:
                self._keep(ref, target)
                self._unbind(name)
            elif isinstance(ref, New):
                vid = id(ref.call)
                self.allocations[vid] = (ref.call, name)
                if ref.library is not None:
                    self.responses[vid] = ref.library
                self._unbind(name)
                self.env.names[name] = vid
                self.env.set_state(vid, State(OWNED, 1, node=ref.call))
                self.env.risky = self.env.risky - {vid}
                self.origins[vid] = self.block_stack[-1] if self.block_stack else (None, 0)
                for frame in self.jumps:
                    if isinstance(frame, _LoopFrame):
                        frame.allocated.add(vid)
            elif isinstance(ref, Tracked):
                self._unbind(name)
                self.env.names[name] = ref.vid
            else:
                if (isinstance(value, cst.Call)
                        and last_identifier(value.func) in V.BUFFER_CONSTRUCTORS):
                    self.destinations.add(name)
                self._note_read_result(name, value)
                old = self.env.names.get(name)
                if old is not None and value is not None and name in loaded_names(value):
                    # ``msg = msg.content()``: the new value may be (part of) the old one.
                    self._keep(Tracked(old, name, target), target)
                self._unbind(name)
                is_literal, constant = (conditions.literal(value) if value is not None
                                        else (False, None))
                if is_literal:
                    self.env.consts[name] = constant
            return
        if isinstance(target, (cst.Tuple, cst.List)):
            self._keep(ref, target)
            for element in target.elements:
                self._assign(element.value, None, None)
        elif isinstance(target, cst.StarredElement):
            self._keep(ref, target)
            self._assign(target.value, None, None)
        elif isinstance(target, cst.Attribute):
            self._hand_over(ref, "stored", target)
            self._use(self._value(target.value), "used", target.value)
            root = dotted_name(target)
            if root is not None:
                self.env.forget_facts_about(root.split(".")[0])
        elif isinstance(target, cst.Subscript):
            self._hand_over(ref, "stored", target)
            self._use(self._value(target.value), "used", target.value)
            for element in target.slice:
                self._expr(element.slice)
            self._raising()

    # ----------------------------------------------------------------- expressions
    def _expr(self, node: cst.CSTNode) -> None:
        """Evaluate ``node`` for its effects; a value it yields goes where the walk cannot see."""
        self._keep(self._value(node), node)

    def _expr_all(self, node: cst.CSTNode) -> None:
        self._each(lambda: self._expr(node))

    def _test_effects(self, node: cst.BaseExpression) -> None:
        """Evaluate a condition: operands are read, not stored."""
        if isinstance(node, cst.BooleanOperation):
            for operand in operands(node, cst.BooleanOperation):
                self._test_effects(operand)
        elif isinstance(node, cst.UnaryOperation):
            self._test_effects(node.expression)
        else:
            ref = self._value(node)
            if isinstance(ref, New):
                self._keep(ref, node)

    def _value(self, node: cst.CSTNode):
        """Evaluate ``node`` on the current path: what it evaluates to (Tracked, New or None)."""
        if self.env is None:
            return None
        if isinstance(node, cst.Name):
            vid = self.env.names.get(node.value)
            return Tracked(vid, node.value, node) if vid is not None else None
        if isinstance(node, cst.Call):
            return self._call(node)
        if isinstance(node, cst.Attribute):
            base = self._value(node.value)
            if isinstance(base, Tracked) and base.vid in self.responses:
                library = self.responses[base.vid]
                if node.attr.value in library.consuming_attributes:
                    self._consume_response(base, node)
                elif node.attr.value in library.consumers:
                    self._keep(base, node)  # ``BackgroundTask(resp.aclose)``: handed on to close it
                return None
            self._use(base, "used", node.value)
            if node.attr.value in V.RELEASE_METHODS:  # a bound ``buf.release`` handed on
                self._keep(base, node.value)
            self._maybe_body_read(node)
            return None
        if isinstance(node, cst.Subscript):
            self._use(self._value(node.value), "used", node.value)
            for element in node.slice:
                self._expr(element.slice)
            self._raising()
            return None
        if isinstance(node, cst.NamedExpr):
            ref = self._value(node.value)
            self._assign(node.target, ref, node.value)
            return ref
        if isinstance(node, cst.Comparison):
            self._test_effects(node.left)
            for target in node.comparisons:
                self._test_effects(target.comparator)
            return None
        if isinstance(node, (cst.BooleanOperation, cst.UnaryOperation)):
            self._test_effects(node)
            return None
        if isinstance(node, cst.IfExp):
            self._test_effects(node.test)
            before = self.env
            self.env = before.copy()
            self._expr(node.body)
            after_body = self.env
            self.env = before
            self._expr(node.orelse)
            self.env = join(after_body, self.env, self.lost)
            return None
        if isinstance(node, cst.Await):
            self.awaited = node.expression
            ref = self._value(node.expression)
            self._raising()
            if isinstance(ref, New) and ref.library is not None:
                return ref
            self._keep(ref, node.expression)
            return None
        if isinstance(node, cst.Yield):
            if isinstance(node.value, cst.From):
                self._expr(node.value.item)
            elif node.value is not None:
                self._hand_over(self._value(node.value), "yielded", node.value)
            return None
        if isinstance(node, cst.FormattedStringExpression):
            ref = self._value(node.expression)
            if node.format_spec is None and node.conversion in (None, "r", "s", "a"):
                return None  # str()/repr(): fine when freed
            self._use(ref, "used", node.expression)
            return None
        if isinstance(node, cst.BinaryOperation):
            for operand in operands(node, cst.BinaryOperation):
                self._expr(operand)
            return None
        if isinstance(node, (cst.Lambda, cst.SimpleString, cst.ConcatenatedString, cst.Integer,
                             cst.Float, cst.Imaginary, cst.Ellipsis)):
            return None
        for child in children(node):
            self._expr(child)
        return None

    def _maybe_body_read(self, node: cst.Attribute) -> None:
        """``...exchange().body_to_mono(f)``, ``(await ...exchange()).body_to_bytes()`` (BUF003)."""
        inner = node.value
        call = inner.expression if isinstance(inner, cst.Await) else inner
        if isinstance(call, cst.Call) and last_identifier(call.func) == "exchange":
            self.facts.body_reads[id(call)] = (inner, node.attr.value)



_INERT_VALUES = (cst.Name, cst.Integer, cst.Float, cst.SimpleString, cst.Imaginary)


def _cannot_raise(statement: cst.CSTNode) -> bool:
    """``x = None``, ``sent = True``, ``pass``: a statement no exception can come from."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    for small in statement.body:
        if isinstance(small, (cst.Pass, cst.Break, cst.Continue, cst.Global, cst.Nonlocal)):
            continue
        if (isinstance(small, cst.Assign) and isinstance(small.value, _INERT_VALUES)
                and all(isinstance(t.target, cst.Name) for t in small.targets)):
            continue
        return False
    return True


def _walk_nodes(node: cst.CSTNode):
    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(children(item))


def _refine(env: Env, test: cst.BaseExpression, truth: bool) -> None:
    """``isinstance(msg, str)`` true: on this path ``msg`` is no buffer, so nothing to follow."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        test, truth = test.expression, not truth
    if not (truth and isinstance(test, cst.Call) and last_identifier(test.func) == "isinstance"
            and len(test.args) == 2 and isinstance(test.args[0].value, cst.Name)
            and roles.is_plain_type(test.args[1].value)):
        return
    vid = env.names.get(test.args[0].value.value)
    if vid is not None:
        env.drop(vid)


def _empty_test(test: cst.BaseExpression, truth: bool) -> Optional[str]:
    """The name a branch found empty: ``not chunk`` true, ``chunk`` false, ``chunk == b""`` true."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        test, truth = test.expression, not truth
    if isinstance(test, cst.Name):
        return test.value if truth is False else None
    if _compares_to_empty(test) and isinstance(test.left, cst.Name):
        return test.left.value if truth else None
    return None


def _compares_to_empty(test: cst.BaseExpression) -> bool:
    """``x == b""`` (or ``== ""``)."""
    return (isinstance(test, cst.Comparison) and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, cst.Equal)
            and isinstance(test.comparisons[0].comparator, cst.SimpleString)
            and test.comparisons[0].comparator.evaluated_value in (b"", ""))


def _empty_read(test: cst.BaseExpression) -> Optional[cst.Call]:
    """The ``read...()`` call a test requires to give nothing: ``x.read(n) == b""``, ``not await x.read(n)``."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        tested = test.expression
    elif _compares_to_empty(test):
        tested = test.left
    else:
        return None
    if isinstance(tested, cst.Await):
        tested = tested.expression
    if isinstance(tested, cst.Call) and H.reads_some_body(tested):
        return tested
    return None


def _keys(paths: List[Env]):
    return frozenset(env.key() for env in paths)


def _widen(env: Env) -> Env:
    """A loop that does not settle: keep its values but stop reasoning about their counts."""
    states = {vid: frozenset(s._replace(kept=True) if s.owned else s for s in st)
              for vid, st in env.states.items()}
    return Env(dict(env.names), states, env.risky, {}, {}, None, True)


def _rebound_names(body: cst.BaseSuite) -> Set[str]:
    """Names that every pass of a loop binds at the top of its body before any use of them."""
    out: Set[str] = set()
    read: Set[str] = set()
    if not isinstance(body, cst.IndentedBlock):
        return out
    for statement in body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            break
        for small in statement.body:
            if isinstance(small, cst.Assign):
                read |= loaded_names(small.value)
                out.update(t.target.value for t in small.targets
                           if isinstance(t.target, cst.Name) and t.target.value not in read)
            else:
                read |= loaded_names(small)
    return out


def _last_statement(body: cst.BaseSuite) -> cst.CSTNode:
    if isinstance(body, cst.IndentedBlock) and body.body:
        return body.body[-1]
    return body


def _irrefutable(case: cst.MatchCase) -> bool:
    """``case _:`` or ``case name:`` without a guard: the match cannot fall through it."""
    pattern = case.pattern
    return case.guard is None and isinstance(pattern, cst.MatchAs) and pattern.pattern is None


def _parameters(node: cst.FunctionDef) -> List[cst.Param]:
    """Every parameter of ``node``: bound on entry, to values the analysis does not follow."""
    params = node.params
    out = roles.positional_parameters(node) + list(params.kwonly_params)
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            out.append(star)
    return out
