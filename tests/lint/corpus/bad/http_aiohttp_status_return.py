"""aiohttp fetchers that bail out on an unexpected status before reading the body."""

import aiohttp


async def fetch_profile(session: aiohttp.ClientSession, user_id):
    resp = await session.get(f"https://api.example.com/users/{user_id}")
    if resp.status == 404:
        return None  # expect: BUF009
    return await resp.json()


async def fetch_avatar(session: aiohttp.ClientSession, url):
    resp = await session.get(url, timeout=aiohttp.ClientTimeout(total=5))
    if resp.content_type not in ("image/png", "image/jpeg"):
        return b""  # expect: BUF009
    return await resp.read()
