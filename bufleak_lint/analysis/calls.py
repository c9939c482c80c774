"""How the walk reads a call: allocations, releases, hand-overs, HTTP requests, local functions.

A mixin of :class:`~bufleak_lint.analysis.walk.Walk`: it shares the walk's current path
(``self.env``) and records through :mod:`.effects`.
"""

from typing import Optional

import libcst as cst

from bufleak_lint import vocabulary as V
from bufleak_lint.analysis.state import (
    FIRED,
    HANDED,
    RELEASED,
    WRITTEN,
    State,
)
from bufleak_lint.analysis.values import New, Tracked
from bufleak_lint.cst_tools import (
    dotted_name,
    last_identifier,
    loaded_names,
    positional_args,
)
from bufleak_lint.resources import buffers as B
from bufleak_lint.resources import http as H


class Calls:
    """The call half of the walk."""

    # ----------------------------------------------------------------- calls
    def _call(self, node: cst.Call):
        func = node.func
        method = func.attr.value if isinstance(func, cst.Attribute) else None
        if method is not None and method in self.method_names and id(node) not in self._seen_calls:
            self._seen_calls.add(id(node))
            self.facts.method_calls.setdefault(method, []).append(node)
            self.facts.call_scopes[id(node)] = self.where
        callee = dotted_name(func)
        if (self.responses and last_identifier(func) in H.EXHAUSTING_CALLS and len(node.args) == 1
                and self._exhausts_response(node.args[0].value)):
            return None
        if isinstance(func, cst.Attribute):
            self._maybe_body_read(func)
            awaited = self.awaited is node
            receiver = self._value(func.value)
            if isinstance(receiver, Tracked) and method in V.ALLOCATOR_METHODS:
                # ``alloc.buffer()`` on a parameter a summary followed as if it were a buffer
                self._args(node, "pass")
                self._raising()
                return self._new(node)
            if isinstance(receiver, Tracked):
                if receiver.vid in self.responses:
                    return self._response_method(node, method, receiver)
                return self._buffer_method(node, method, receiver)
            if isinstance(func.value, cst.Attribute):
                base = self._response_root(func.value)
                if base is not None:  # ``resp.content.read()``
                    self._args(node, "pass")
                    self._raising()
                    if H.consumes_through_stream(self.responses[base.vid], func.value.attr.value,
                                                 method, node):
                        self._consume_response(base, node)
                    return base if H.returns_iterator(method) else None
            library = self.http.opened_by(node, awaited, self.where) if self.http else None
            if library is not None and not self.expect_raise:
                self._args(node, "pass")
                self._raising()
                return New(node, library)
            if isinstance(receiver, New):
                self._keep(receiver, func.value)
                self._args(node, "pass")
                self._raising()
                return None
            owner = dotted_name(func.value)
            if owner is not None and owner.rsplit(".", 1)[-1] == V.UTIL_CLASS:
                return self._util_call(node, method)
            if B.is_allocation(func, method, owner,
                               self.allocator_names | self.module_allocators):
                self._args(node, "pass")
                self._raising()
                return self._new(node)
            if method in V.FIRE_METHODS or (
                    callee and self.vocab.matches(self.vocab.extra_fires, callee)):
                return self._ending_call(node, FIRED)
            if method in V.FLUSHING_WRITES or (
                    method in V.CONTEXT_WRITES and B.looks_like_context(func.value)):
                return self._ending_call(node, WRITTEN)
            if method in V.LOGGING_METHODS and V.LOGGER_NAME.search(owner or ""):
                self._args(node, "describe")
                self._raising()
                return None
            if method in B.STORING_METHODS and len(node.args) == 1 and not node.args[0].star:
                self._hand_over(self._value(node.args[0].value), "appended", node.args[0].value)
                self._raising()
                return None
            if owner == "self" and self.current_class is not None:
                summarised = self._summarised_call(node, (self.current_class, method))
                if summarised is not False:
                    return summarised
        else:
            self._expr(func)
            if isinstance(func, cst.Name):
                summarised = self._summarised_call(node, (None, func.value))
                if summarised is not False:
                    return summarised
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
                self._args(node, "pass")
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
                self._args(node, "pass")
                self._raising()
                return self._new(node)
            if "ByteBufUtil" in callee.split(".")[:-1]:
                self._args(node, "borrow")
                self._raising()
                return None
        self._args(node, "pass")
        self._raising()
        return None

    def _summarised_call(self, node: cst.Call, key):
        """A call of one of the module's own functions that allocates or releases; else False."""
        if self.env is None:
            return None
        if key in self.summaries.allocators and not self._shadowed(key):
            self._args(node, "pass")
            self._raising()
            return self._new(node)
        released = self.summaries.releasers.get(key)
        if released is None or self._shadowed(key):
            return False
        positional = positional_args(node)
        for index, arg in enumerate(node.args):
            ref = self._value(arg.value)
            if arg in positional and positional.index(arg) in released:
                self._release(node, ref, arg.value, safe=True)
            else:
                self._pass(ref, arg.value)
        self._raising()
        return None

    def _shadowed(self, key) -> bool:
        """A module function's name rebound locally no longer calls that function."""
        return key[0] is None and key[1] in self.env.names

    def _args(self, node: cst.Call, how: str) -> None:
        for arg in node.args:
            ref = self._value(arg.value)
            if how == "inert":
                if isinstance(ref, New):
                    self._keep(ref, arg.value)
            elif how == "borrow":
                self._borrow(ref, arg.value)
            elif how == "describe":
                if isinstance(ref, New):
                    self.consumed.add(id(ref.call))
            else:
                self._pass(ref, arg.value)

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
            self._release(node, ref, first, safe=safe)
        else:
            self._give_up(ref, kind, first if first is not None else node, node)
        self._raising()
        return None

    def _util_call(self, node: cst.Call, method: Optional[str]):
        if method in V.UTIL_RELEASE or method in V.UTIL_SAFE_RELEASE:
            first, ref = self._first_arg(node)
            self._release(node, ref, first, safe=method in V.UTIL_SAFE_RELEASE,
                          amount=self._amount(node, 1, ref))
            return None
        if method in V.UTIL_RETAIN:
            first, ref = self._first_arg(node)
            self._retain(ref, first if first is not None else node, self._amount(node, 1, ref))
            self._raising()
            return ref if isinstance(ref, Tracked) else None
        if method in V.INERT_METHODS:
            self._args(node, "inert")
            return None
        if method in V.UTIL_PASS_THROUGH:
            first, ref = self._first_arg(node)
            self._use(ref, "used", first)
            return ref
        self._args(node, "borrow")
        return None

    def _note_read_result(self, name: str, value: Optional[cst.CSTNode]) -> None:
        """``chunk = await resp.content.readline()`` (and ``chunk = chunk.strip()`` after it)."""
        if isinstance(value, cst.Await):
            value = value.expression
        if isinstance(value, cst.Call) and H.reads_some_body(value):
            root = H.iteration_root(value.func)
            vid = self.env.names.get(root) if root is not None else None
            if vid is not None and vid in self.responses:
                self.read_results[name] = vid
                return
        if value is None or name not in loaded_names(value):
            self.read_results.pop(name, None)

    def _is_destination(self, name: str) -> bool:
        """Whether ``read_bytes(name)`` fills ``name`` rather than reading ``name`` bytes."""
        if self.env is not None and self.env.names.get(name):
            return True  # a buffer we follow
        if name in self.destinations:
            return True  # bound to bytearray(...), memoryview(...) in this function
        return name in self.param_names and not V.LENGTH_NAME.search(name)

    def _amount(self, node: cst.Call, index: int, ref) -> int:
        """The count argument of ``release(n)``/``retain(n)`` (1 when absent).

        A count that is not a literal leaves the analysis unable to follow the value's count.
        """
        positional = positional_args(node)
        arg = positional[index].value if len(positional) > index else next(
            (a.value for a in node.args
             if a.keyword is not None and a.keyword.value in ("n", "increment", "decrement")), None)
        if arg is None:
            return 1
        if isinstance(arg, cst.Integer) and arg.evaluated_value > 0:
            return arg.evaluated_value
        if isinstance(ref, Tracked):
            self.uncertain.add(ref.vid)
        return 1

    def _response_method(self, node: cst.Call, method: str, receiver: Tracked):
        """A call on an HTTP response: it consumes the body, or only reads status and headers."""
        self._args(node, "pass")
        self._raising()
        if H.consumes(self.responses[receiver.vid], method, node):
            self._consume_response(receiver, node)
        # ``it = resp.iter_lines()``: the iterator stands for the response (a full run reads it)
        return receiver if H.returns_iterator(method) else None

    def _exhausts_response(self, iterable: cst.BaseExpression) -> bool:
        """``list(resp.iter_lines())``, ``b"".join(resp.iter_content())``: the whole body."""
        if isinstance(iterable, (cst.GeneratorExp, cst.ListComp)):
            iterable = iterable.for_in.iter
        root = H.iteration_root(iterable)
        vid = self.env.names.get(root) if root is not None and self.env is not None else None
        if vid is None or vid not in self.responses:
            return False
        self._use(self._value(iterable), "used", iterable)
        self._consume_response(Tracked(vid, root, iterable), iterable)
        self._raising()
        return True

    def _response_root(self, node: cst.Attribute) -> Optional[Tracked]:
        if isinstance(node.value, cst.Name) and self.env is not None:
            vid = self.env.names.get(node.value.value)
            if vid is not None and vid in self.responses:
                return Tracked(vid, node.value.value, node.value)
        return None

    def _consume_response(self, ref: Tracked, node: cst.CSTNode) -> None:
        self.consumed.add(ref.vid)
        self._update(ref.vid, lambda s: State(HANDED, 0, node=node) if s.owned else s)

    def _buffer_method(self, node: cst.Call, method: str, receiver: Tracked):
        if method in V.RELEASE_METHODS or self.vocab.matches(self.vocab.extra_releases, method):
            # A release raises only on a count that is already wrong: it does not make the code
            # after it risky for the other values.
            self._args(node, "borrow")
            self._release(node, receiver, node.func.value, safe=False,
                          amount=self._amount(node, 0, receiver))
            return None
        if method in V.RETAIN_METHODS:
            self._args(node, "borrow")
            self._retain(receiver, node.func.value, self._amount(node, 0, receiver))
            return receiver
        if method in V.INERT_METHODS:
            self._args(node, "inert")
            return None
        self._use(receiver, "used", node.func.value)
        if method in V.TAKING_METHODS:  # ``composite.add_component(buf)``: the composite owns it
            for arg in node.args:
                self._hand_over(self._value(arg.value), "stored", arg.value)
        else:
            self._args(node, "borrow")
        if not (method in V.NON_RAISING_METHODS and not node.args):
            self._raising()
        if B.returns_copy(node, method, self._is_destination):
            return self._new(node)
        if method in V.VIEW_METHODS:
            return receiver
        return None
