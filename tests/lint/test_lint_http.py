"""BUF009 and BUF003 through the findings: each library's semantics, scopes and fixes."""

import textwrap

from bufleak_lint.cli import main
from lint_helpers import codes_of


def test_a_client_name_counts_only_where_it_is_bound():
    assert codes_of("""
        import aiohttp
        from sqlalchemy.ext.asyncio import AsyncSession

        async def make():
            session = aiohttp.ClientSession()
            return session

        async def load(session: AsyncSession, uid):
            user = await session.get(User, uid)
            return user.name
    """) == []


def test_self_attributes_count_in_their_class():
    assert codes_of("""
        import aiohttp
        import requests

        class Async:
            def __init__(self):
                self.session = aiohttp.ClientSession()

        class Sync:
            def __init__(self):
                self.session = requests.Session()

            def status(self, url):
                resp = self.session.get(url, stream=True)
                return resp.status_code
    """) == [(14, "BUF009")]


def test_head_requests_have_no_body():
    assert codes_of("""
        import aiohttp
        import urllib3

        async def exists(session: aiohttp.ClientSession, url):
            resp = await session.head(url)
            return resp.status == 200

        def size(pool: urllib3.PoolManager, url):
            resp = pool.request("HEAD", url, preload_content=False)
            return resp.headers["content-length"]
    """) == []


def test_exhausting_calls_and_whole_reads_consume():
    assert codes_of("""
        import requests
        import urllib3

        def lines(url):
            resp = requests.get(url, stream=True)
            return list(resp.iter_lines())

        def raw(url):
            resp = requests.get(url, stream=True)
            return resp.raw.read()

        def everything(pool: urllib3.PoolManager, url):
            resp = pool.request("GET", url, preload_content=False)
            return resp.read(None)
    """) == []


def test_a_bound_close_handed_on_is_a_hand_over():
    assert codes_of("""
        import httpx

        async def proxy(client: httpx.AsyncClient, request):
            resp = await client.send(request, stream=True)
            return StreamingResponse(resp.aiter_raw(), background=BackgroundTask(resp.aclose))
    """) == []


def test_a_failed_read_in_an_except_path_is_not_reported():
    assert codes_of("""
        import aiohttp

        async def fetch(session: aiohttp.ClientSession, url):
            try:
                resp = await session.get(url)
                data = await resp.read()
            except aiohttp.ClientError:
                return None
            return data
    """) == []


def test_unrelated_exchange_calls_are_never_buf003():
    assert codes_of("""
        async def f(oauth_client, crypto_client, webauthn, http_client, code):
            await oauth_client.exchange(code)
            crypto_client.exchange("BTC", "EUR", 1)
            webauthn.exchange(code)
            return http_client.exchange()
    """) == []


def test_buf003_fix_produces_the_retrieve_api(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(textwrap.dedent("""\
        from pytest_bufleak.http import HttpClient


        async def fetch(client: HttpClient, url):
            return await (await client.get(url).exchange()).body_to_bytes()


        async def fetch_text(web_client, url):
            return await web_client.get().uri(url).exchange().body_to_mono(str)
    """))
    assert main([str(path), "--fix"]) == 0
    assert path.read_text() == textwrap.dedent("""\
        from pytest_bufleak.http import HttpClient


        async def fetch(client: HttpClient, url):
            return await client.get(url).retrieve().body_to_bytes()


        async def fetch_text(web_client, url):
            return await web_client.get().uri(url).retrieve().body_to_mono(str)
    """)


def test_a_loop_that_reads_until_nothing_is_left_consumes():
    assert codes_of("""
        import aiohttp
        import urllib3

        async def lines(session: aiohttp.ClientSession, url):
            resp = await session.get(url)
            while True:
                line = await resp.content.readline()
                line = line.strip()
                if not line:
                    break
                yield line

        def chunks(pool: urllib3.PoolManager, url, size):
            resp = pool.request("GET", url, preload_content=False)
            total = 0
            while True:
                chunk = resp.read1(size)
                if chunk == b"":
                    break
                total += len(chunk)
            return total
    """) == []
