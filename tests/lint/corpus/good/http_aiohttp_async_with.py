"""aiohttp fetchers that let `async with` release the response, early returns included."""

import aiohttp


async def fetch_profile(session: aiohttp.ClientSession, user_id):
    async with session.get(f"https://api.example.com/users/{user_id}") as resp:
        if resp.status == 404:
            return None
        return await resp.json()


async def crawl(urls):
    pages = []
    async with aiohttp.ClientSession() as session:
        for url in urls:
            async with session.get(url) as resp:
                if resp.status == 304:
                    continue
                pages.append(await resp.text())
    return pages


async def deliver(session: aiohttp.ClientSession, url, payload):
    resp = await session.post(url, json=payload)
    async with resp:
        return 200 <= resp.status < 300
