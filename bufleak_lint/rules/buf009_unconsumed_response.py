"""BUF009: an HTTP response whose body is neither consumed nor released on some path."""

from typing import Iterator

from bufleak_lint.analysis.facts import ModuleFacts
from bufleak_lint.rules.base import Rule, Violation
from bufleak_lint.rules.buf007_partial_leak import describe_exit


class UnconsumedResponse(Rule):
    code = "BUF009"
    name = "unconsumed-response"
    summary = ("An HTTP response (aiohttp, httpx, requests, urllib3, bufleak's `exchange()`) whose "
               "body, on some path, is neither read, released nor closed, and that no `with` "
               "manages.")
    why = ("This is the lesson of Spring's deprecated `exchange()`: a response hands the caller "
           "its body, and a body that is not consumed or released on every path keeps its "
           "connection out of the pool (and, in Netty, its pooled buffers alive) until something "
           "closes it much later. An early `return` after checking the status is the classic "
           "case. aiohttp's `await session.get(...)` outside `async with`, httpx's "
           "`send(..., stream=True)`, requests' `stream=True`, urllib3's "
           "`preload_content=False` and bufleak's `exchange()` all hand you that duty; a response "
           "returned or stored is the caller's, and a `with` block releases it for you.")
    bad = """
import aiohttp

async def fetch(session: aiohttp.ClientSession, url):
    resp = await session.get(url)
    if resp.status != 200:
        return None                    # body unread: the connection is not reused
    return await resp.json()
"""
    good = """
import aiohttp

async def fetch(session: aiohttp.ClientSession, url):
    async with session.get(url) as resp:
        if resp.status != 200:
            return None
        return await resp.json()
"""
    fix = ("No automatic fix: manage the response with `with`/`async with`, or read, release or "
           "close it on every path (in `finally`).")
    VALID = [
        """
import httpx

def fetch(client: httpx.Client, request):
    resp = client.send(request, stream=True)
    try:
        return resp.read()
    finally:
        resp.close()
""",
        """
import requests

def download(url, sink):
    with requests.get(url, stream=True) as resp:
        for chunk in resp.iter_content(65536):
            sink.write(chunk)
""",
        """
import aiohttp

async def open_stream(session: aiohttp.ClientSession, url):
    resp = await session.get(url)
    resp.raise_for_status()
    return resp
""",
        """
import urllib3

def head(pool: urllib3.PoolManager, url):
    resp = pool.request("GET", url, preload_content=False)
    try:
        return resp.status
    finally:
        resp.release_conn()
""",
        """
async def exchange_tokens(oauth_client, code):
    return await oauth_client.exchange(code)
""",
    ]
    INVALID = [
        """
import requests

def status(url):
    resp = requests.get(url, stream=True)
    return resp.status_code
""",
        """
import httpx

async def first_line(client: httpx.AsyncClient, request):
    resp = await client.send(request, stream=True)
    async for line in resp.aiter_lines():
        return line
    await resp.aclose()
""",
        """
import urllib3

http = urllib3.PoolManager()

def peek(url):
    resp = http.request("GET", url, preload_content=False)
    data = resp.read(16)
    return data
""",
        """
from pytest_bufleak.http import HttpClient

async def status(url):
    client = HttpClient.create()
    resp = await client.get(url).exchange()
    return resp.status
""",
    ]

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        for item in facts.unconsumed:
            name = f" '{item.name}'" if item.name else ""
            library = item.library
            if item.exit is None:
                yield Violation(
                    self.code, item.request,
                    f"{library.name} response{name}: its body is never read, released or closed "
                    f"on any path; {library.advice}")
            elif item.exit.kind == "end":
                yield Violation(
                    self.code, item.request,
                    f"{library.name} response{name} is left with its body unread "
                    f"{describe_exit(item.exit)} (line {{line}}), while other paths read or "
                    f"release it; {library.advice}",
                    related=item.exit.node)
            else:
                yield Violation(
                    self.code, item.exit.node,
                    f"{library.name} response{name} (requested at line {{line}}) is left with "
                    f"its body unread {describe_exit(item.exit)}, while other paths read or "
                    f"release it; {library.advice}",
                    related=item.request)
