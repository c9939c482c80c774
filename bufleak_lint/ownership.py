"""Ownership analysis: the one pass over a module that every rule reads.

Within each function it follows which names hold reference-counted values
(allocations, ``Unpooled``, copies and retained slices, handler messages) and,
along each control-flow path, where ownership ends: released, written, fired,
returned, stored, passed to a call or handed to ``with``.  Paths join
conservatively: a use counts as "after release" only when every path reaching
it released, and anything the analysis cannot follow (a call that receives the
buffer, a closure that captures the name) ends its reasoning about that value.
No finding beats a false one.

The walk is one recursive descent over libcst nodes with its own stacks (no
libcst metadata providers); module and class bodies are walked too, without
tracking, so that syntactic rules see every call.
"""

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Set, Tuple

import libcst as cst

from bufleak_lint import vocabulary as V
from bufleak_lint.cst_tools import (children, dotted_name, is_allocator_expression, last_identifier,
                                    loaded_names, operands, positional_args,
                                    scoped_names)
from bufleak_lint.flow import (Env, FinallyFrame, FunctionFrame, LoopFrame, Origin, join,
                               join_all)

OWNED = "owned"
RELEASED = "released"
FIRED = "fired"
WRITTEN = "written"
ESCAPED = "escaped"
#: Endings after which any further use is a bug (BUF002).
DEFINITE_ENDS = frozenset({RELEASED, FIRED, WRITTEN})
_MAX_LOOP_PASSES = 6


@dataclass
class Release:
    """A release of a tracked (or ``ReferenceCountUtil``-released) value."""

    call: cst.Call
    name: str
    safe: bool
    in_finally: bool
    in_except: bool
    unprotected: bool
    statement: Optional[cst.SimpleStatementLine]
    block: Optional[cst.CSTNode]
    origin_block: Optional[cst.CSTNode]
    origin_index: int


@dataclass
class LateUse:
    """A use of a value whose ownership ended on every path reaching it."""

    node: cst.CSTNode
    name: str
    use: str
    ended: str
    ended_at: cst.CSTNode


@dataclass
class UnhandledMessage:
    """A ``channel_read`` exit reached with the message still owned."""

    function: cst.FunctionDef
    message: str
    exit: cst.CSTNode


@dataclass
class Orphan:
    """An allocation that no path releases, returns, stores or passes on."""

    call: cst.Call


@dataclass
class ModuleFacts:
    """Everything the rules need, collected in one walk."""

    releases: List[Release] = field(default_factory=list)
    late_uses: List[LateUse] = field(default_factory=list)
    unhandled: List[UnhandledMessage] = field(default_factory=list)
    orphans: List[Orphan] = field(default_factory=list)
    #: Method calls by method name, for the syntactic rules (``exchange``).
    method_calls: Dict[str, List[cst.Call]] = field(default_factory=dict)
    #: ``x.exchange(...).body()``-like chains: the inner call whose result is read for its body.
    body_reads: Set[int] = field(default_factory=set)
    #: Names bound at module level (imports included), for fixes that need ``ReferenceCountUtil``.
    module_names: Set[str] = field(default_factory=set)


class OwnershipAnalysis:
    """Walks one module and fills a :class:`ModuleFacts`."""

    def __init__(self, vocabulary: V.Vocabulary, method_names: FrozenSet[str] = frozenset()):
        self.vocab = vocabulary
        self.method_names = method_names
        self.facts = ModuleFacts()
        self._seen: Set[Tuple[str, int]] = set()
        self._seen_calls: Set[int] = set()

    # ----------------------------------------------------------------- entry points
    def run(self, module: cst.Module) -> ModuleFacts:
        """Analyse ``module`` and return its facts."""
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

    def _enter_scope(self, tracking: bool, untracked: Set[str] = frozenset()) -> None:
        self.env: Optional[Env] = Env()
        self.tracking = tracking
        self.untracked = untracked
        self.quiet = 0
        self.jumps: List[object] = [FunctionFrame()]
        self.exception_states: List[List[Env]] = []
        self.protectors: List[Set[str]] = []
        self.handler_depth = 0
        self.finally_depth = 0
        self.origins: Dict[int, Origin] = {}
        self.consumed: Set[int] = set()
        self.allocations: Dict[int, cst.Call] = {}
        self.block_stack: List[Tuple[cst.CSTNode, int]] = []
        self.statement_stack: List[cst.CSTNode] = []
        self.in_class_body = False
        self.uncertain: Set[int] = set()
        #: Values a join left without a name (see :func:`join`): no leak is reported for them.
        self.lost: Set[int] = set()
        self.expect_raise = 0
        self.allocator_names: Set[str] = set()

    # ----------------------------------------------------------------- findings
    def _note(self, key: Tuple[str, int]) -> bool:
        if self.quiet or key in self._seen:
            return False
        self._seen.add(key)
        return True

    # ----------------------------------------------------------------- functions
    def _function(self, node: cst.FunctionDef) -> None:
        """Analyse one function in a fresh scope; the enclosing scope's state is restored after."""
        saved = self.__dict__.copy()
        in_class = self.in_class_body
        for decorator in node.decorators:
            self._expr(decorator.decorator)
        self._enter_scope(tracking=True, untracked=scoped_names(node))
        for bound in _parameters(node):
            self.env.names[bound.name.value] = None
        message, param = self._handler_message(node, in_class)
        if param is not None:
            vid = id(param)
            self.env.names[message] = vid
            self.env.states[vid] = frozenset({(OWNED, None)})
            self.origins[vid] = Origin(node.body, -1)
            self.consumed.add(vid)  # a parameter is never an orphan allocation
        self._suite(node.body)
        function_frame = self.jumps[0]
        if self.env is not None:
            body = node.body.body
            function_frame.exits.append((self.env, body[-1] if body else node))
        if param is not None and node.name.value in V.HANDLER_READ:
            self._check_message_handled(node, message, id(param), function_frame.exits)
        for vid, call in self.allocations.items():
            if vid not in self.consumed and vid not in self.lost and self._note(("BUF006", vid)):
                self.facts.orphans.append(Orphan(call))
        self.__dict__.update(saved)

    def _handler_message(self, node: cst.FunctionDef, in_class: bool):
        """(name, Param) of the message a handler method owns, or (None, None)."""
        params = _positional_parameters(node)
        names = [p.name.value for p in params]
        if not in_class or len(names) < 3 or names[0] != "self" or names[2] in self.untracked:
            return None, None
        looks_ctx = V.CONTEXT_NAME.search(names[1]) is not None
        name = node.name.value
        if name in V.HANDLER_READ or (name in V.HANDLER_WRITE and looks_ctx):
            return names[2], params[2]
        return None, None

    def _check_message_handled(self, node: cst.FunctionDef, message: str, vid: int,
                               exits: List[Tuple[Env, cst.CSTNode]]) -> None:
        if vid in self.uncertain or vid in self.lost:
            return
        for env, exit_node in exits:
            if any(kind == OWNED for kind, _ in env.states.get(vid, ())):
                if self._note(("BUF004", id(node))):
                    self.facts.unhandled.append(UnhandledMessage(node, message, exit_node))
                return

    def _class(self, node: cst.ClassDef) -> None:
        for decorator in node.decorators:
            self._expr(decorator.decorator)
        for arg in node.bases + node.keywords:
            self._expr(arg.value)
        saved = self.__dict__.copy()
        self._enter_scope(tracking=False)
        self.in_class_body = True
        self._suite(node.body)
        self.__dict__.update(saved)

    # ----------------------------------------------------------------- statements
    def _block(self, statements, block: cst.CSTNode) -> None:
        for index, statement in enumerate(statements):
            if self.env is None:
                return
            self._record_exception_state()
            self.block_stack.append((block, index))
            self._statement(statement)
            self.block_stack.pop()

    def _record_exception_state(self) -> None:
        if self.env is not None and self.exception_states:
            snapshot = self.env.copy()
            for states in self.exception_states:
                states.append(snapshot)

    def _statement(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.SimpleStatementLine):
            self.statement_stack.append(node)
            for small in node.body:
                if self.env is None:
                    break
                self._small(small)
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
            self._unbind(node.name.value)
        elif isinstance(node, cst.ClassDef):
            self._class(node)
            self._unbind(node.name.value)
        elif isinstance(node, cst.Match):
            self._match(node)
        else:  # pragma: no cover - every statement kind of libcst is listed above
            for child in children(node):
                self._expr(child)

    def _suite(self, suite: cst.BaseSuite) -> None:
        if isinstance(suite, cst.IndentedBlock):
            self._block(suite.body, suite)
        else:
            self.statement_stack.append(suite)
            for small in suite.body:
                if self.env is None:
                    break
                self._small(small)
            self.statement_stack.pop()

    def _small(self, node: cst.BaseSmallStatement) -> None:
        if isinstance(node, cst.Expr):
            ref = self._value(node.value)
            if isinstance(ref, _New):
                self._orphan_now(ref.call)
        elif isinstance(node, cst.Assign):
            ref = self._value(node.value)
            allocator = is_allocator_expression(node.value)
            for target in node.targets:
                if allocator and isinstance(target.target, cst.Name):
                    self.allocator_names.add(target.target.value)
                self._assign(target.target, ref)
        elif isinstance(node, cst.AnnAssign):
            self._expr(node.annotation.annotation)
            if node.value is not None:
                self._assign(node.target, self._value(node.value))
        elif isinstance(node, cst.AugAssign):
            self._consume(self._value(node.value), ESCAPED, node.value)
            if isinstance(node.target, cst.Name):
                self._unbind(node.target.value)
            else:
                self._assign(node.target, None)
        elif isinstance(node, cst.Return):
            if node.value is not None:
                self._consume(self._value(node.value), ESCAPED, node.value)
            self._jump("return", node)
        elif isinstance(node, cst.Raise):
            if node.exc is not None:
                self._expr(node.exc)
            if node.cause is not None:
                self._expr(node.cause.item)
            self.env = None
        elif isinstance(node, cst.Assert):
            self._test(node.test)
            if node.msg is not None:
                self._expr(node.msg)
            self._raising()
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

    def _delete(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self._unbind(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._delete(element.value)
        else:
            self._assign(target, None)

    def _if(self, node: cst.If) -> None:
        self._test(node.test)
        before = self.env
        self.env = before.copy() if before is not None else None
        self._suite(node.body)
        after_body = self.env
        self.env = before
        if node.orelse is not None:
            if isinstance(node.orelse, cst.If):
                self._if(node.orelse)
            else:
                self._suite(node.orelse.body)
        self.env = join(after_body, self.env, self.lost)

    def _match(self, node: cst.Match) -> None:
        self._expr(node.subject)
        before = self.env
        outs = []
        for case in node.cases:
            self.env = before.copy()
            for name in loaded_names(case.pattern):
                self._unbind(name)
            if case.guard is not None:
                self._test(case.guard)
            self._suite(case.body)
            outs.append(self.env)
        if not (node.cases and _irrefutable(node.cases[-1])):
            outs.append(before)  # no case matched
        self.env = join_all(outs, self.lost)

    def _loop_head(self, node) -> None:
        if isinstance(node, cst.While):
            self._test(node.test)
        else:
            self._assign(node.target, None)

    def _loop(self, node) -> None:
        if isinstance(node, cst.For):
            self._consume(self._value(node.iter), "borrow", node.iter)
        entry = self.env
        frame = LoopFrame()
        self.jumps.append(frame)
        state = entry
        self.quiet += 1
        converged = False
        for _ in range(_MAX_LOOP_PASSES):
            frame.breaks, frame.continues = [], []
            self.env = state.copy()
            self._loop_head(node)
            self._suite(node.body)
            new = join(entry, join_all([self.env] + frame.continues, self.lost), self.lost)
            if new.key() == state.key():
                converged = True
                break
            state = new
        self.quiet -= 1
        if not converged:
            state = self._widen(state)
        frame.breaks, frame.continues = [], []
        self.env = state.copy()
        self._loop_head(node)
        exhausted = self.env.copy()
        self._suite(node.body)
        self.jumps.pop()
        self.env = exhausted
        if node.orelse is not None:
            self._suite(node.orelse.body)
        self.env = join_all([self.env] + frame.breaks, self.lost)

    @staticmethod
    def _widen(env: Env) -> Env:
        states = {vid: st | {(ESCAPED, None)} for vid, st in env.states.items()}
        return Env(dict(env.names), states, env.risky)

    def _jump(self, kind: str, node: cst.CSTNode) -> None:
        env = self.env
        self.env = None
        if env is None:
            return
        for frame in reversed(self.jumps):
            if isinstance(frame, FinallyFrame):
                frame.pending.setdefault(kind, []).append((env, node))
                return
            if isinstance(frame, LoopFrame) and kind in ("break", "continue"):
                (frame.breaks if kind == "break" else frame.continues).append(env)
                return
            if isinstance(frame, FunctionFrame):
                if not self.quiet:
                    frame.exits.append((env, node))
                return

    def _try(self, node) -> None:
        protector: Set[str] = set()
        for handler in node.handlers:
            protector |= loaded_names(handler.body)
        if node.finalbody is not None:
            protector |= loaded_names(node.finalbody.body)
        finally_frame = FinallyFrame() if node.finalbody is not None else None
        if finally_frame is not None:
            self.jumps.append(finally_frame)
        caught: List[Env] = []
        self.exception_states.append(caught)
        self.protectors.append(protector)
        self._suite(node.body)
        self.protectors.pop()
        self._record_exception_state()
        self.exception_states.pop()
        body_exit = self.env
        handler_entry = join_all(caught, self.lost)
        escaping: List[Env] = list(caught)
        outs = []
        if body_exit is not None and node.orelse is not None:
            self.env = body_exit
            self._suite(node.orelse.body)
            body_exit = self.env
        outs.append(body_exit)
        for handler in node.handlers:
            if handler_entry is None:
                break
            self.env = handler_entry.copy()
            if handler.type is not None:
                self._expr(handler.type)
            if handler.name is not None and isinstance(handler.name.name, cst.Name):
                self._unbind(handler.name.name.value)
            handler_states: List[Env] = []
            self.exception_states.append(handler_states)
            self.handler_depth += 1
            self._suite(handler.body)
            self.handler_depth -= 1
            self.exception_states.pop()
            escaping.extend(handler_states)
            outs.append(self.env)
        self.env = join_all(outs, self.lost)
        if finally_frame is None:
            return
        self.jumps.pop()
        normal = self.env
        self.finally_depth += 1
        self.env = normal
        if normal is not None:
            self._suite(node.finalbody.body)
        after = self.env
        exceptional = join_all(escaping, self.lost)
        if exceptional is not None:
            self.env = exceptional.copy()
            self._suite(node.finalbody.body)
        for kind, pending in finally_frame.pending.items():
            self.env = join_all((env for env, _ in pending), self.lost)
            self._suite(node.finalbody.body)
            if self.env is not None:
                for _, jump_node in pending:
                    saved = self.env
                    self._jump(kind, jump_node)
                    self.env = saved
        self.finally_depth -= 1
        self.env = after

    def _with(self, node: cst.With) -> None:
        protector: Set[str] = set()
        expects = any(isinstance(item.item, cst.Call)
                      and last_identifier(item.item.func) in V.EXPECT_RAISE for item in node.items)
        for item in node.items:
            protector |= loaded_names(item.item)
            ref = self._value(item.item)
            self._consume(ref, ESCAPED, item.item)
            if item.asname is not None:
                self._assign(item.asname.name, ref if isinstance(ref, _Tracked) else None)
        self.protectors.append(protector)
        self.expect_raise += expects
        self._suite(node.body)
        self.expect_raise -= expects
        self.protectors.pop()

    # ----------------------------------------------------------------- binding
    def _unbind(self, name: str) -> None:
        if self.env is not None:
            self.env.names[name] = None

    def _assign(self, target: cst.BaseExpression, ref) -> None:
        if self.env is None:
            return
        if isinstance(target, cst.Name):
            name = target.value
            if not self.tracking or name in self.untracked:
                self._consume(ref, ESCAPED, target)
                self._unbind(name)
            elif isinstance(ref, _New):
                vid = id(ref.call)
                self.allocations[vid] = ref.call
                self.env.names[name] = vid
                self.env.states[vid] = frozenset({(OWNED, None)})
                self.env.risky = self.env.risky - {vid}
                block, index = self.block_stack[-1] if self.block_stack else (None, 0)
                self.origins[vid] = Origin(block, index)
            elif isinstance(ref, _Tracked):
                self.env.names[name] = ref.vid
            else:
                self._unbind(name)
            return
        self._consume(ref, ESCAPED, target)
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._assign(element.value, None)
        elif isinstance(target, cst.StarredElement):
            self._assign(target.value, None)
        elif isinstance(target, cst.Attribute):
            self._use(self._value(target.value), "used", target.value)
        elif isinstance(target, cst.Subscript):
            self._use(self._value(target.value), "used", target.value)
            for element in target.slice:
                self._expr(element.slice)
            self._raising()

    # ----------------------------------------------------------------- expressions
    def _expr(self, node: cst.CSTNode) -> None:
        """Evaluate ``node`` for its effects; a value it yields escapes."""
        self._consume(self._value(node), ESCAPED, node)

    def _test(self, node: cst.BaseExpression) -> None:
        """Evaluate a condition: operands are read, not stored."""
        if isinstance(node, cst.BooleanOperation):
            for operand in operands(node, cst.BooleanOperation):
                self._test(operand)
        elif isinstance(node, cst.UnaryOperation):
            self._test(node.expression)
        else:
            ref = self._value(node)
            if isinstance(ref, _New):
                self._consume(ref, ESCAPED, node)

    def _value(self, node: cst.CSTNode):
        """Evaluate ``node``; return what it evaluates to (_Tracked, _New or None)."""
        if self.env is None:
            return None
        if isinstance(node, cst.Name):
            vid = self.env.names.get(node.value)
            return _Tracked(vid, node.value, node) if vid is not None else None
        if isinstance(node, cst.Call):
            return self._call(node)
        if isinstance(node, cst.Attribute):
            base = self._value(node.value)
            self._use(base, "used", node.value)
            if node.attr.value in V.RELEASE_METHODS:  # a bound ``buf.release`` handed on
                self._consume(base, ESCAPED, node.value)
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
            self._assign(node.target, ref)
            return ref
        if isinstance(node, cst.Comparison):
            self._test(node.left)
            for target in node.comparisons:
                self._test(target.comparator)
            return None
        if isinstance(node, (cst.BooleanOperation, cst.UnaryOperation)):
            self._test(node)
            return None
        if isinstance(node, cst.IfExp):
            self._test(node.test)
            before = self.env
            self.env = before.copy()
            self._expr(node.body)
            after_body = self.env
            self.env = before
            self._expr(node.orelse)
            self.env = join(after_body, self.env, self.lost)
            return None
        if isinstance(node, cst.Await):
            self._expr(node.expression)
            self._raising()
            return None
        if isinstance(node, cst.FormattedStringExpression):
            ref = self._value(node.expression)
            if node.format_spec is None and node.conversion in (None, "r", "s", "a"):
                self._consume(ref, "describe", node.expression)  # str()/repr(): fine when freed
            else:
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
        inner = node.value
        if isinstance(inner, cst.Await):
            inner = inner.expression
        if isinstance(inner, cst.Call) and last_identifier(inner.func) == "exchange":
            self.facts.body_reads.add(id(inner))

    # ----------------------------------------------------------------- calls
    def _call(self, node: cst.Call):
        func = node.func
        method = func.attr.value if isinstance(func, cst.Attribute) else None
        if method is not None and method in self.method_names and id(node) not in self._seen_calls:
            self._seen_calls.add(id(node))
            self.facts.method_calls.setdefault(method, []).append(node)
        callee = dotted_name(func)
        if isinstance(func, cst.Attribute):
            self._maybe_body_read(func)
            receiver = self._value(func.value)
            if isinstance(receiver, _Tracked):
                return self._buffer_method(node, method, receiver)
            if isinstance(receiver, _New):
                self._consume(receiver, ESCAPED, func.value)
                self._args(node, ESCAPED)
                self._raising()
                return None
            owner = dotted_name(func.value)
            if owner is not None and owner.rsplit(".", 1)[-1] == V.UTIL_CLASS:
                return self._util_call(node, method)
            if self._is_allocation(node, func, method, owner):
                self._args(node, ESCAPED)
                self._raising()
                return self._new(node)
            if method in V.FIRE_METHODS or (
                    callee and self.vocab.matches(self.vocab.extra_fires, callee)):
                return self._ending_call(node, FIRED)
            if method in V.FLUSHING_WRITES or (
                    method in V.CONTEXT_WRITES and self._looks_like_context(func.value)):
                return self._ending_call(node, WRITTEN)
            if method in V.LOGGING_METHODS and V.LOGGER_NAME.search(owner or ""):
                self._args(node, "describe")
                self._raising()
                return None
        else:
            self._expr(func)
        if callee is not None:
            if callee in V.INERT_FUNCTIONS:
                self._args(node, "inert")
                return None
            if callee in V.DESCRIBING_FUNCTIONS:
                self._args(node, "describe")
                self._raising()
                return None
            if callee in V.EXPECT_RAISE or callee.rsplit(".", 1)[-1] in V.EXPECT_RAISE:
                self.expect_raise += 1  # ``pytest.raises(E, buf.release)``: the call must raise
                self._args(node, "passed")
                self.expect_raise -= 1
                self._raising()
                return None
            if callee in V.BORROWING_FUNCTIONS:
                self._args(node, "borrow")
                self._raising()
                return None
            if self.vocab.matches(self.vocab.extra_releases, callee):
                return self._ending_call(node, RELEASED, safe=True)
            if self.vocab.matches(self.vocab.extra_allocators, callee):
                self._args(node, ESCAPED)
                self._raising()
                return self._new(node)
            if "ByteBufUtil" in callee.split(".")[:-1]:
                self._args(node, "borrow")
                self._raising()
                return None
        self._args(node, "passed")
        self._raising()
        return None

    def _is_allocation(self, node: cst.Call, func: cst.Attribute, method: str,
                       owner: Optional[str]) -> bool:
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
                    or last in self.allocator_names)
        return False

    def _reads_length(self, node: cst.Call, method: str) -> bool:
        """Whether ``buf.read_bytes(...)`` is the overload that returns a new buffer.

        Only ``read_bytes(length)`` does; Netty's ``readBytes(dst)``, ``readBytes(dst, n)`` and
        ``readBytes(out_stream, n)`` fill their first argument and return the receiver.
        """
        if len(node.args) != 1 or node.args[0].keyword is not None or node.args[0].star:
            return False
        arg = node.args[0].value
        if isinstance(arg, cst.Name) and self.env is not None and self.env.names.get(arg.value):
            return False  # a buffer we follow: the destination
        if method in V.SNAKE_READ_BYTES:
            return True  # the runtime's read_bytes takes a length only
        return _looks_like_length(arg)

    @staticmethod
    def _looks_like_context(receiver: cst.BaseExpression) -> bool:
        name = last_identifier(receiver)
        return name is not None and V.CONTEXT_NAME.search(name) is not None

    def _args(self, node: cst.Call, how: str) -> None:
        for arg in node.args:
            ref = self._value(arg.value)
            if how == "inert":
                if isinstance(ref, _New):
                    self._consume(ref, ESCAPED, arg.value)
            else:
                self._consume(ref, how, arg.value)

    def _first_arg(self, node: cst.Call):
        positional = positional_args(node)
        first = positional[0].value if positional else None
        ref = self._value(first) if first is not None else None
        for arg in node.args:
            if first is None or arg.value is not first:
                self._expr(arg.value)
        return first, ref

    def _ending_call(self, node: cst.Call, kind: str, safe: bool = False):
        first, ref = self._first_arg(node)
        if kind == RELEASED:
            self._release(node, ref, first, safe=safe, util=True)
        else:
            self._consume(ref, kind, first if first is not None else node)
        self._raising()
        return None

    def _util_call(self, node: cst.Call, method: Optional[str]):
        if method in V.UTIL_RELEASE or method in V.UTIL_SAFE_RELEASE:
            first, ref = self._first_arg(node)
            self._release(node, ref, first, safe=method in V.UTIL_SAFE_RELEASE, util=True)
            if method in V.UTIL_RELEASE:
                self._raising()
            return None
        if method in V.UTIL_RETAIN:
            first, ref = self._first_arg(node)
            self._retained(ref, first if first is not None else node)
            self._raising()
            return None
        if method in V.INERT_METHODS:
            self._args(node, "inert")
            return None
        if method in V.UTIL_PASS_THROUGH:
            first, ref = self._first_arg(node)
            self._use(ref, "used", first)
            return ref
        self._args(node, "borrow")
        return None

    def _buffer_method(self, node: cst.Call, method: str, receiver: "_Tracked"):
        if method in V.RELEASE_METHODS or self.vocab.matches(self.vocab.extra_releases, method):
            self._args(node, "borrow")
            self._release(node, receiver, node.func.value, safe=False, util=False)
            self._raising()
            return None
        if method in V.RETAIN_METHODS:
            self._use(receiver, "used", node.func.value)
            self._args(node, "borrow")
            self._retained(receiver, node.func.value)
            return None
        if method in V.INERT_METHODS:
            self._args(node, "inert")
            return None
        self._use(receiver, "used", node.func.value)
        self._args(node, ESCAPED if method in V.TAKING_METHODS else "borrow")
        self._raising()
        if method in V.COPY_METHODS and (method not in V.READ_BYTES_METHODS
                                         or self._reads_length(node, method)):
            return self._new(node)
        if method in V.VIEW_METHODS:
            return receiver
        return None

    # ----------------------------------------------------------------- effects
    def _retained(self, ref, node: cst.CSTNode) -> None:
        """A retain: the count is no longer the one this analysis follows, so stop reasoning."""
        if isinstance(ref, _Tracked):
            self.uncertain.add(ref.vid)
        self._consume(ref, ESCAPED, node)

    def _new(self, call: cst.Call):
        """A fresh reference, unless the code around it is expected to raise (``pytest.raises``)."""
        return None if self.expect_raise else _New(call)

    def _raising(self) -> None:
        """Code that can raise runs here: owned, unprotected values become risky."""
        env = self.env
        if env is None or not env.states:
            return
        protected = set()
        for names in self.protectors:
            for name in names:
                vid = env.names.get(name)
                if vid is not None:
                    protected.add(vid)
        risky = {vid for vid, st in env.states.items()
                 if vid not in protected and any(kind == OWNED for kind, _ in st)}
        if not risky <= env.risky:
            env.risky = env.risky | risky

    def _ended(self, ref: "_Tracked"):
        states = self.env.states.get(ref.vid, frozenset())
        if states and all(kind in DEFINITE_ENDS for kind, _ in states):
            kind, node = next(iter(states))
            return kind, node
        return None

    def _use(self, ref, use: str, node: cst.CSTNode) -> None:
        if not isinstance(ref, _Tracked) or self.env is None:
            if isinstance(ref, _New):
                self.consumed.add(id(ref.call))
            return
        if self.expect_raise:  # ``with pytest.raises(...)``: a test that the freed buffer raises
            return
        ended = self._ended(ref) if ref.vid not in self.uncertain else None
        if ended is not None and self._note(("BUF002", id(node))):
            self.facts.late_uses.append(LateUse(node, ref.name, use, ended[0], ended[1]))

    def _consume(self, ref, how: str, node: cst.CSTNode) -> None:
        if ref is None or self.env is None:
            return
        if isinstance(ref, _New):
            self.consumed.add(id(ref.call))
            return
        if how == "borrow":
            self._use(ref, "used", node)
            return
        if how == "describe":  # read only through str()/repr(), which work on a freed buffer
            return
        if how in DEFINITE_ENDS:
            self._use(ref, how, node)
        elif how == "passed":
            self._use(ref, "passed on", node)
            how = ESCAPED
        self.consumed.add(ref.vid)
        self._set_state(ref.vid, how, node)

    def _set_state(self, vid: int, kind: str, node: cst.CSTNode) -> None:
        self.env.states[vid] = frozenset({(kind, node)})
        self.env.risky = self.env.risky - {vid}

    def _release(self, call: cst.Call, ref, target, safe: bool, util: bool) -> None:
        if self.env is None:
            return
        if not isinstance(ref, _Tracked):
            if isinstance(ref, _New):
                self.consumed.add(id(ref.call))
            if util and not safe and self._in_cleanup() and self._note(("REL", id(call))):
                self.facts.releases.append(self._release_fact(call, _name_of(target), None, safe))
            return
        self._use(ref, RELEASED, target)
        owned = any(kind == OWNED for kind, _ in self.env.states.get(ref.vid, ()))
        unprotected = (owned and ref.vid in self.env.risky and ref.vid not in self.uncertain
                       and not self._in_cleanup())
        if (unprotected or (not safe and self._in_cleanup())) and self._note(("REL", id(call))):
            fact = self._release_fact(call, ref.name, ref.vid, safe)
            fact.unprotected = unprotected
            self.facts.releases.append(fact)
        self.consumed.add(ref.vid)
        self._set_state(ref.vid, RELEASED, call)

    def _in_cleanup(self) -> bool:
        return self.finally_depth > 0 or self.handler_depth > 0

    def _release_fact(self, call: cst.Call, name: str, vid: Optional[int], safe: bool) -> Release:
        statement = self.statement_stack[-1] if self.statement_stack else None
        block = self.block_stack[-1][0] if self.block_stack else None
        origin = self.origins.get(vid) if vid is not None else None
        return Release(call=call, name=name, safe=safe, in_finally=self.finally_depth > 0,
                       in_except=self.handler_depth > 0, unprotected=False,
                       statement=(statement if isinstance(statement, cst.SimpleStatementLine)
                                  else None),
                       block=block, origin_block=origin.block if origin else None,
                       origin_index=origin.index if origin else 0)

    def _orphan_now(self, call: cst.Call) -> None:
        if self.tracking and not self.expect_raise and self._note(("BUF006", id(call))):
            self.facts.orphans.append(Orphan(call))
        self.consumed.add(id(call))


def _irrefutable(case: cst.MatchCase) -> bool:
    """``case _:`` or ``case name:`` without a guard: the match cannot fall through it."""
    pattern = case.pattern
    return case.guard is None and isinstance(pattern, cst.MatchAs) and pattern.pattern is None


def _looks_like_length(node: cst.BaseExpression) -> bool:
    """An int expression by its shape or name (``4``, ``n - 4``, ``len(x)``, ``frame_length``)."""
    if isinstance(node, (cst.Integer, cst.BinaryOperation, cst.UnaryOperation)):
        return True
    if isinstance(node, cst.Call):
        return last_identifier(node.func) not in V.BUFFER_CONSTRUCTORS
    name = last_identifier(node)
    return name is not None and V.LENGTH_NAME.search(name) is not None


def _positional_parameters(node: cst.FunctionDef) -> List[cst.Param]:
    return list(node.params.posonly_params) + list(node.params.params)


def _parameters(node: cst.FunctionDef) -> List[cst.Param]:
    """Every parameter of ``node``: bound on entry, to values the analysis does not follow."""
    params = node.params
    out = _positional_parameters(node) + list(params.kwonly_params)
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            out.append(star)
    return out


def _name_of(node: Optional[cst.CSTNode]) -> str:
    if node is None:
        return "the message"
    name = dotted_name(node)
    return name if name is not None else "the message"


class _Tracked:
    """An expression that evaluates to a tracked value."""

    __slots__ = ("vid", "name", "node")

    def __init__(self, vid: int, name: str, node: cst.CSTNode):
        self.vid, self.name, self.node = vid, name, node


class _New:
    """An expression that evaluates to a freshly owned reference (an allocation)."""

    __slots__ = ("call",)

    def __init__(self, call: cst.Call):
        self.call = call


def analyze(module: cst.Module, vocabulary: V.Vocabulary,
            method_names: FrozenSet[str] = frozenset()) -> ModuleFacts:
    """Run the ownership analysis over ``module``.

    ``method_names`` lists method names whose calls syntactic rules want to see
    (collected in :attr:`ModuleFacts.method_calls`).
    """
    return OwnershipAnalysis(vocabulary, method_names).run(module)
