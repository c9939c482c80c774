"""aiohttp code that trusts raise_for_status() to release, then skips the body on a success path."""

import aiohttp


async def load_config(session: aiohttp.ClientSession, url):
    resp = await session.get(url)
    resp.raise_for_status()
    if resp.content_type != "application/json":
        return {}  # expect: BUF009
    return await resp.json()


async def check_feed(session: aiohttp.ClientSession, url, known_etag):
    resp = await session.request("GET", url)
    resp.raise_for_status()
    if resp.headers.get("ETag") == known_etag:
        return None  # expect: BUF009
    body = await resp.text()
    return body
