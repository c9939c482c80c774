"""BUF003: the deprecated ``exchange()`` of bufleak's HttpClient or of a WebClient-shaped chain."""

from typing import Iterator, Optional

import libcst as cst

from bufleak_lint.analysis.facts import ModuleFacts
from bufleak_lint.fix import ReplaceNode
from bufleak_lint.resources.http import BUFLEAK, REQUEST_METHODS
from bufleak_lint.rules.base import Rule, Violation

#: What a WebClient request chain is made of before ``exchange()``.
_WEBCLIENT_VERBS = REQUEST_METHODS | {"method"}
_URI = frozenset({"uri", "url"})
#: Body methods that ``retrieve()``'s ResponseSpec has too (SPEC §4): the fix keeps them.
_SPEC_BODY = frozenset({"body_to_bytes", "body_to_str", "body_to_mono", "body_to_byte_buf",
                        "to_entity", "to_bodiless_entity"})


class Exchange(Rule):
    code = "BUF003"
    name = "http-exchange"
    summary = ("`exchange()` on bufleak's `HttpClient` request spec or on a WebClient-shaped chain "
               "(`client.get().uri(...)...exchange()`): use `retrieve()` or `exchange_to(fn)`.")
    why = ("`exchange()` hands the caller the whole response, and with it the duty to consume or "
           "release its body on every path, errors included. Spring deprecated it (5.3) for that "
           "reason: a response whose body is never read holds its pooled buffers and its "
           "connection. `retrieve()` reads and releases the body for you; `exchange_to(fn)` "
           "releases it after `fn`. It is reported whatever happens to the response afterwards; "
           "an unrelated `.exchange(...)` (an OAuth token exchange, a currency API) never is.")
    bad = """
from pytest_bufleak.http import HttpClient

async def fetch(client: HttpClient, url):
    resp = await client.get(url).exchange()
    return await resp.body_to_bytes()
"""
    good = """
from pytest_bufleak.http import HttpClient

async def fetch(client: HttpClient, url):
    return await client.get(url).retrieve().body_to_bytes()
"""
    fix = ("`--fix` rewrites `exchange()` to `retrieve()` where the response is used only for its "
           "body: `...exchange().body_to_mono(f)` and `(await ...exchange()).body_to_bytes()` "
           "become `...retrieve().body_to_mono(f)` and `...retrieve().body_to_bytes()`. Note that "
           "`retrieve()` raises `HttpClientResponseException` for 4xx/5xx statuses.")
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
async def f(oauth_client, code):
    return await oauth_client.exchange(code)
""",
        """
def f(crypto_client):
    return crypto_client.exchange("BTC", "EUR", 1)
""",
        """
def f(webauthn, key):
    return webauthn.exchange(key)
""",
    ]
    INVALID = [
        """
async def f(web_client, url):
    response = await web_client.get().uri(url).exchange()
    return response
""",
        """
def f(web_client):
    return web_client.post().uri("/x").exchange().body_to_mono(str)
""",
        """
from pytest_bufleak.http import HttpClient

async def f(url):
    client = HttpClient.create()
    spec = client.get(url).header("accept", "text/plain")
    resp = await spec.exchange()
    return resp
""",
    ]
    method_names = frozenset({"exchange"})

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        for call in facts.method_calls.get("exchange", ()):
            receiver = call.func.value
            if not (_webclient_chain(receiver) or _bufleak_spec(facts, call, receiver)):
                continue
            yield Violation(self.code, call.func.attr,
                            "exchange() is deprecated: it leaves the response body to the caller, "
                            "who may never consume or release it; use retrieve() or "
                            "exchange_to(fn)", fix=_fix(facts, call))


def _webclient_chain(node: cst.BaseExpression) -> bool:
    """``x.get()...uri(...)...``: a request verb and a URI in the chain before ``exchange()``."""
    verbs = uris = False
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        name = node.func.attr.value
        verbs |= name in _WEBCLIENT_VERBS
        uris |= name in _URI
        node = node.func.value
    return verbs and uris


def _bufleak_spec(facts: ModuleFacts, call: cst.Call, node: cst.BaseExpression) -> bool:
    http = facts.http
    return (http is not None
            and http.spec_made_by(node, facts.call_scopes.get(id(call), (0, None))) is BUFLEAK)


def _fix(facts: ModuleFacts, call: cst.Call) -> Optional[ReplaceNode]:
    read = facts.body_reads.get(id(call))
    if read is None or read[1] not in _SPEC_BODY:
        return None
    target, _ = read
    retrieve = call.with_changes(func=call.func.with_changes(attr=cst.Name("retrieve")))
    return ReplaceNode(target, retrieve, keep_parens=False)
