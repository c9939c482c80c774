"""HTTP responses whose body must be consumed or released: aiohttp, httpx, requests, urllib3, bufleak.

Each library's own semantics (from its source and docs):

* aiohttp: ``await session.get(...)`` (any request method) outside ``async with`` gives a response
  whose connection stays out of the pool until the body is read (``read()``, ``json()``,
  ``text()``, ``content.read()``), the response released or closed. ``raise_for_status()`` releases
  only on its raising path; ``session.get(...)`` without ``await`` is a context manager, not a
  response.
* httpx: only ``client.send(request, stream=True)`` leaves a response open outside ``with``; it is
  closed by ``read()``/``aread()``, ``close()``/``aclose()`` or a full iteration
  (``iter_bytes()``, ``aiter_lines()``...). ``client.stream(...)`` sends nothing until entered.
* requests: ``stream=True`` responses hold the connection until ``.content``/``.text``/``.json()``
  read the body, ``close()`` is called or the response is used as a context manager.
* urllib3: ``preload_content=False`` responses hold the connection until ``read()`` (no amount),
  ``.data``, ``release_conn()``, ``drain_conn()``, ``close()`` or a full ``stream()``.
* bufleak's own ``HttpClient``: ``await spec.exchange()`` (deprecated) leaves the body to the caller:
  ``body_to_bytes()``, ``body_to_str()``, ``body_to_mono()``, ``release_body()`` or ``async with``.

``read(n)`` with an amount and a loop left early do not consume.  Clients are recognised by imports
and annotations and by the names bound from them (:class:`HttpScope`).
"""

from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, Optional, Set, Tuple

import libcst as cst

from bufleak_lint.cst_tools import children, dotted_name

REQUEST_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})


@dataclass(frozen=True)
class Library:
    """What one HTTP client library means for the response it returns."""

    name: str
    module: str
    #: Names in the module that make a client (``aiohttp.ClientSession``).
    client_classes: FrozenSet[str]
    #: Methods of a client (or of the module itself) that return an open response when streamed.
    opening_methods: FrozenSet[str]
    #: The keyword argument that leaves the body unread (None: every call does, once awaited).
    stream_keyword: Optional[Tuple[str, str]]
    #: Whether the response exists only once the call is awaited (aiohttp, bufleak).
    awaited: bool
    #: Calls on the response that read the whole body, release or close it.
    consumers: FrozenSet[str]
    #: Consumers that read only part of the body when given an amount (``read(n)``).
    amount_readers: FrozenSet[str]
    #: Attributes that read the body when accessed (requests' ``.content``, urllib3's ``.data``).
    consuming_attributes: FrozenSet[str]
    #: The fix the report suggests.
    advice: str
    #: Whether the module's own functions make requests (``requests.get``, ``urllib3.request``).
    module_requests: bool = False


AIOHTTP = Library(
    "aiohttp", "aiohttp", frozenset({"ClientSession"}), REQUEST_METHODS, None, True,
    frozenset({"read", "json", "text", "release", "close"}), frozenset(), frozenset(),
    "use `async with session.get(...) as resp:`, or read or release the response on every path")
HTTPX = Library(
    "httpx", "httpx", frozenset({"Client", "AsyncClient"}), frozenset({"send"}),
    ("stream", "True"), False,
    frozenset({"read", "aread", "close", "aclose"}), frozenset(), frozenset(),
    "use `with client.stream(...) as resp:` (or `async with`), or close it in `finally`")
REQUESTS = Library(
    "requests", "requests", frozenset({"Session", "session"}), REQUEST_METHODS,
    ("stream", "True"), False,
    frozenset({"close", "json"}), frozenset(), frozenset({"content", "text"}),
    "use `with requests.get(..., stream=True) as resp:`, or close it in `finally`",
    module_requests=True)
URLLIB3 = Library(
    "urllib3", "urllib3",
    frozenset({"PoolManager", "ProxyManager", "HTTPConnectionPool", "HTTPSConnectionPool",
               "connection_from_url"}),
    frozenset({"request", "urlopen", "request_encode_url", "request_encode_body"}),
    ("preload_content", "False"), False,
    frozenset({"read", "release_conn", "drain_conn", "close"}), frozenset({"read"}),
    frozenset({"data"}),
    "call `release_conn()` (or `drain_conn()`) in `finally`, or use it as a context manager",
    module_requests=True)
BUFLEAK = Library(
    "bufleak", "pytest_bufleak.http", frozenset({"HttpClient"}), frozenset({"exchange"}), None,
    True, frozenset({"body_to_bytes", "body_to_str", "body_to_mono", "body_to_byte_buf",
                     "release_body", "to_entity", "to_bodiless_entity", "create_exception"}),
    frozenset(), frozenset(),
    "use `retrieve()` or `exchange_to(fn)`, or `async with resp:`")
LIBRARIES = (AIOHTTP, HTTPX, REQUESTS, URLLIB3, BUFLEAK)
_BY_MODULE = {lib.module: lib for lib in LIBRARIES}


class HttpScope:
    """Which names hold HTTP clients (or their modules) in one module, and what their calls return.

    Built once per module from imports, constructor calls, ``with ... as`` bindings, ``self``
    attributes and annotations.  A name bound in a function counts in that function (a local of
    the same name elsewhere is something else); ``self.x`` counts in its class; a module-level
    name everywhere it is not rebound.
    """

    def __init__(self, module: cst.Module):
        #: local name -> library, for ``import aiohttp`` / ``import requests as rq``
        self.modules: Dict[str, Library] = {}
        #: local name -> library, for ``from aiohttp import ClientSession``
        self.classes: Dict[str, Library] = {}
        #: scope (id of the module, class or function node) -> dotted name -> library
        self.clients: Dict[int, Dict[str, Library]] = {}
        #: scope -> dotted names bound to a bufleak request spec (``spec = client.get(url)``)
        self.specs: Dict[int, Dict[str, Library]] = {}
        #: function scope -> every name the function binds (a local shadows a module name)
        self.locals: Dict[int, Set[str]] = {}
        self.module_scope = id(module)
        self._imports(module)
        if self.modules or self.classes:
            for _ in range(2):  # a spec bound from a client bound later in the file
                self._scan(module.body, self.module_scope, None)

    def __bool__(self) -> bool:
        return bool(self.modules or self.classes)

    def _imports(self, module: cst.Module) -> None:
        for node in _nodes(module):
            if isinstance(node, cst.Import):
                for alias in node.names:
                    name = dotted_name(alias.name)
                    lib = _BY_MODULE.get(name)
                    if lib is not None:
                        local = alias.asname.name.value if alias.asname else name.split(".")[0]
                        if alias.asname or "." not in name:
                            self.modules[local] = lib
            elif isinstance(node, cst.ImportFrom) and node.module is not None \
                    and not isinstance(node.names, cst.ImportStar):
                lib = _BY_MODULE.get(dotted_name(node.module))
                if lib is None:
                    continue
                for alias in node.names:
                    imported = alias.name.value if isinstance(alias.name, cst.Name) else None
                    if imported in lib.client_classes:
                        local = alias.asname.name.value if alias.asname else imported
                        self.classes[local] = lib

    # ----------------------------------------------------------------- the bindings, by scope
    def _scan(self, body, function: int, klass: Optional[int]) -> None:
        """Record the bindings of ``body``, which runs in scope ``function`` (inside ``klass``)."""
        stack = list(body)
        while stack:
            node = stack.pop()
            if isinstance(node, cst.FunctionDef):
                scope = id(node)
                self.locals.setdefault(scope, set())
                params = node.params
                for param in (list(params.posonly_params) + list(params.params)
                              + list(params.kwonly_params)):
                    self.locals[scope].add(param.name.value)
                    if param.annotation is not None:
                        self._annotate(param.name, param.annotation.annotation, scope, klass)
                self._scan(node.body.children, scope, klass)
                continue
            if isinstance(node, cst.ClassDef):
                for statement in _class_statements(node):  # ``session: aiohttp.ClientSession``
                    smalls = statement.body if isinstance(statement, cst.SimpleStatementLine) else ()
                    for small in smalls:
                        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                            self._annotate(cst.Attribute(cst.Name("self"), small.target),
                                           small.annotation.annotation, id(node), id(node))
                self._scan(node.body.children, function, id(node))
                continue
            if isinstance(node, cst.Assign):
                for target in node.targets:
                    self._bind(target.target, node.value, function, klass)
            elif isinstance(node, cst.AnnAssign):
                self._annotate(node.target, node.annotation.annotation, function, klass)
                if node.value is not None:
                    self._bind(node.target, node.value, function, klass)
            elif isinstance(node, cst.WithItem) and node.asname is not None:
                self._bind(node.asname.name, node.item, function, klass)
            stack.extend(children(node))

    def _target_scope(self, name: str, function: int, klass: Optional[int]) -> int:
        if name.startswith("self.") and klass is not None:
            return klass
        if function != self.module_scope and "." not in name:
            self.locals.setdefault(function, set()).add(name)
        return function

    def _bind(self, target, value, function: int, klass: Optional[int]) -> None:
        name = dotted_name(target)
        if name is None:
            return
        scope = self._target_scope(name, function, klass)
        where = (function, klass)
        lib = self.client_made_by(value, where)
        if lib is not None:
            self.clients.setdefault(scope, {})[name] = lib
            return
        lib = self.spec_made_by(value, where)
        if lib is not None:
            self.specs.setdefault(scope, {})[name] = lib

    def _annotate(self, target, annotation, function: int, klass: Optional[int]) -> None:
        name = dotted_name(target)
        if name is None:
            return
        scope = self._target_scope(name, function, klass)
        for node in _nodes(annotation):
            lib = self._class_named(node)
            if lib is not None:
                self.clients.setdefault(scope, {})[name] = lib
                return

    def _lookup(self, table: Dict[int, Dict[str, Library]], name: str, where) -> Optional[Library]:
        function, klass = where
        if name.startswith("self."):
            return table.get(klass, {}).get(name) if klass is not None else None
        lib = table.get(function, {}).get(name)
        if lib is not None or name.split(".")[0] in self.locals.get(function, ()):
            return lib
        return table.get(self.module_scope, {}).get(name)

    # ----------------------------------------------------------------- what expressions are
    def _class_named(self, node: cst.CSTNode) -> Optional[Library]:
        """The library of a client class expression (``aiohttp.ClientSession``, ``ClientSession``)."""
        if isinstance(node, cst.SimpleString):
            text = node.value.strip("'\"")
            head, _, last = text.rpartition(".")
            lib = self.modules.get(head) if head else self.classes.get(text)
            return lib if lib is not None and (not head or last in lib.client_classes) else None
        name = dotted_name(node)
        if name is None:
            return None
        if name in self.classes:
            return self.classes[name]
        head, _, last = name.rpartition(".")
        lib = self.modules.get(head)
        return lib if lib is not None and last in lib.client_classes else None

    def client_made_by(self, value: cst.BaseExpression, where) -> Optional[Library]:
        """The library whose client ``value`` makes (``aiohttp.ClientSession()``, ``HttpClient.create()``)."""
        if isinstance(value, cst.Await):
            value = value.expression
        if not isinstance(value, cst.Call):
            return self._held(value, where)
        func = value.func
        lib = self._class_named(func)
        if lib is not None:
            return lib
        if isinstance(func, cst.Attribute):  # HttpClient.create(...), client.mutate(...)
            owner = self._class_named(func.value) or self._held(func.value, where)
            if owner is not None and func.attr.value in ("create", "mutate"):
                return owner
        return None

    def spec_made_by(self, value: cst.BaseExpression, where) -> Optional[Library]:
        """bufleak: ``client.get(url)...header(...)``, a request spec whose ``exchange()`` opens."""
        node = value
        while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            receiver = node.func.value
            lib = self._held(receiver, where) or self.client_made_by(receiver, where)
            if lib is BUFLEAK and node.func.attr.value in REQUEST_METHODS:
                return lib
            node = receiver
        name = dotted_name(value)
        return self._lookup(self.specs, name, where) if name is not None else None

    def _held(self, node: cst.BaseExpression, where) -> Optional[Library]:
        name = dotted_name(node)
        return self._lookup(self.clients, name, where) if name is not None else None

    def opened_by(self, call: cst.Call, awaited: bool, where) -> Optional[Library]:
        """The library whose open response ``call`` returns, or None.

        ``where`` is (function scope, class scope) of the call.
        """
        func = call.func
        if not isinstance(func, cst.Attribute):
            return None
        method = func.attr.value
        receiver = func.value
        lib = self._held(receiver, where) or self.client_made_by(receiver, where)
        if lib is None:
            name = dotted_name(receiver)
            module_lib = self.modules.get(name) if name is not None else None
            if module_lib is not None and module_lib.module_requests:
                lib = module_lib
        if lib is BUFLEAK or (lib is None and self.spec_made_by(receiver, where) is BUFLEAK):
            return BUFLEAK if method == "exchange" and awaited else None
        if lib is None or method not in lib.opening_methods or _bodiless(method, call):
            return None
        if lib.awaited and not awaited:
            return None
        if lib.stream_keyword is not None:
            keyword, wanted = lib.stream_keyword
            if not any(arg.keyword is not None and arg.keyword.value == keyword
                       and isinstance(arg.value, cst.Name) and arg.value.value == wanted
                       for arg in call.args):
                return None
        return lib


def _bodiless(method: str, call: cst.Call) -> bool:
    """A HEAD request: its response has no body to consume."""
    if method == "head":
        return True
    first = call.args[0].value if call.args and call.args[0].keyword is None else None
    return (method in ("request", "urlopen") and isinstance(first, cst.SimpleString)
            and first.value.strip("'\"").upper() == "HEAD")


def _class_statements(node: cst.ClassDef):
    return node.body.body if isinstance(node.body, cst.IndentedBlock) else ()


#: Builtins and methods that run an iterator to its end (``list(resp.iter_lines())``).
EXHAUSTING_CALLS = frozenset({"list", "tuple", "set", "sorted", "bytes", "bytearray", "sum",
                              "join", "deque"})
#: The body streams a response exposes: ``read()`` on them with no amount reads it all.
_BODY_STREAMS = {"aiohttp": "content", "requests": "raw"}


def consumes(lib: Library, method: str, call: cst.Call) -> bool:
    """Whether ``resp.method(...)`` reads the whole body, releases or closes the response."""
    if method not in lib.consumers:
        return False
    if method in lib.amount_readers and _has_amount(call):
        return False  # read(n): part of the body
    return True


def consumes_through_stream(lib: Library, attribute: str, method: str, call: cst.Call) -> bool:
    """``await resp.content.read()`` (aiohttp), ``resp.raw.read()`` (requests): the whole body."""
    return (_BODY_STREAMS.get(lib.name) == attribute and method == "read"
            and not _has_amount(call))


def returns_iterator(method: str) -> bool:
    """``iter_bytes()``, ``aiter_lines()``, ``iter_chunked()``, ``stream()``: the body, piece by piece."""
    return method.startswith(("iter", "aiter")) or method == "stream"


#: The methods that read a piece of a body (``read(n)``, ``read1``, ``readline``, ``readinto``; aiohttp's ``readany``).
_READS = frozenset({"read", "read1", "readline", "readany", "readchunk", "readinto", "readinto1"})


def reads_some_body(call: cst.Call) -> bool:
    """``x.read(n)``, ``x.readline()``...: a read that can give body bytes (not ``read(0)``, not ``readable()``)."""
    if not isinstance(call.func, cst.Attribute) or call.func.attr.value not in _READS:
        return False
    amount = _amount(call)
    return not (isinstance(amount, cst.Integer) and amount.evaluated_value == 0)


def _amount(call: cst.Call) -> Optional[cst.BaseExpression]:
    for arg in call.args:
        if arg.keyword is None or arg.keyword.value in ("amt", "n", "size"):
            return arg.value
    return None


def _has_amount(call: cst.Call) -> bool:
    """``read(n)``/``read(amt=n)``; ``read()``, ``read(None)`` and ``read(-1)`` read everything."""
    value = _amount(call)
    if value is None:
        return False
    if (isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus)
            and isinstance(value.expression, cst.Integer)):
        return False  # a negative amount: to the end (urllib3, http.client, aiohttp's streams)
    return not (isinstance(value, cst.Name) and value.value == "None")


def iteration_root(node: cst.BaseExpression) -> Optional[str]:
    """The name a ``for`` loop iterates the body of: ``resp``, ``resp.iter_bytes()``, ``resp.content``."""
    while True:
        if isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Attribute):
            node = node.value
        elif isinstance(node, cst.Name):
            return node.value
        else:
            return None


def _nodes(root: cst.CSTNode) -> Iterable[cst.CSTNode]:
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(children(node))


__all__ = ["HttpScope", "Library", "LIBRARIES", "consumes", "consumes_through_stream",
           "iteration_root"]
