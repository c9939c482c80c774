"""BUF003: ``exchange()`` on an HTTP client."""

import re
from typing import Iterator

import libcst as cst

from bufleak_lint.fix import ReplaceNode
from bufleak_lint.analysis.facts import ModuleFacts
from bufleak_lint.rules.base import Rule, Violation

_CHAIN = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "method",
                    "request", "uri", "url", "header", "headers", "body", "body_value",
                    "bodyValue", "accept", "content_type", "contentType"})
_CLIENT = re.compile(r"(?i)client|http|web")


class Exchange(Rule):
    code = "BUF003"
    name = "http-exchange"
    summary = "`exchange()` on an HTTP client; use `retrieve()`."
    why = ("`exchange()` hands the caller the whole response, and with it the duty to consume or "
           "release its body on every path, errors included. Spring deprecated it for that "
           "reason: a response whose body is never read holds its pooled buffers and its "
           "connection. `retrieve()` reads and releases the body for you.")
    bad = """
async def fetch(client, url):
    response = await client.get().uri(url).exchange()
    return await response.body_to_mono(str)
"""
    good = """
async def fetch(client, url):
    return await client.get().uri(url).retrieve().body_to_mono(str)
"""
    fix = ("`--fix` renames `exchange` to `retrieve` where the result is used only for its body "
           "(`...exchange().body_to_mono(...)`, `(await ...exchange()).body()`); other uses need "
           "a manual change.")
    VALID = [
        """
async def f(client, url):
    return await client.get().uri(url).retrieve().body_to_mono(str)
""",
        """
def f(rates, a, b):
    return rates.exchange(a, b)
""",
        """
def f(conn):
    conn.exchange()
""",
    ]
    INVALID = [
        """
async def f(client, url):
    response = await client.get().uri(url).exchange()
    return response
""",
        """
def f(web_client):
    return web_client.post().uri("/x").exchange().body_to_mono(str)
""",
        """
x = http_client.exchange()
""",
    ]
    method_names = frozenset({"exchange"})

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        for call in facts.method_calls.get("exchange", ()):
            if not _on_http_client(call.func.value):
                continue
            fix = None
            if id(call) in facts.body_reads:
                attr = call.func.attr
                fix = ReplaceNode(attr, attr.with_changes(value="retrieve"))
            yield Violation(self.code, call.func.attr,
                            "exchange() leaves the response body to the caller, who may never "
                            "consume or release it; use retrieve()", fix=fix)


def _on_http_client(node: cst.BaseExpression) -> bool:
    while True:
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in _CHAIN:
                return True
            node = func
        elif isinstance(node, cst.Attribute):
            if _CLIENT.search(node.attr.value):
                return True
            node = node.value
        elif isinstance(node, cst.Name):
            return _CLIENT.search(node.value) is not None
        else:
            return False
