"""aiohttp code that calls raise_for_status() and then reads the body on every remaining path."""

import aiohttp


async def load_config(session: aiohttp.ClientSession, url):
    resp = await session.get(url)
    resp.raise_for_status()
    return await resp.json()


async def check_feed(session: aiohttp.ClientSession, url, known_etag):
    resp = await session.request("GET", url)
    resp.raise_for_status()
    body = await resp.text()
    if resp.headers.get("ETag") == known_etag:
        return None
    return body
