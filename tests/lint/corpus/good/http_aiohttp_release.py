"""aiohttp responses awaited directly and read, released or closed on every path."""

import aiohttp


async def fetch_profile(session: aiohttp.ClientSession, user_id):
    resp = await session.get(f"https://api.example.com/users/{user_id}")
    if resp.status == 404:
        resp.release()
        return None
    return await resp.json()


async def fetch_avatar(session: aiohttp.ClientSession, url):
    resp = await session.get(url)
    try:
        if resp.content_type not in ("image/png", "image/jpeg"):
            return b""
        return await resp.read()
    finally:
        resp.release()


async def remote_etag(session: aiohttp.ClientSession, url):
    resp = await session.get(url)
    etag = resp.headers.get("ETag")
    resp.close()
    return etag


async def read_stream(session: aiohttp.ClientSession, url):
    resp = await session.get(url)
    data = await resp.content.read()
    return data
