"""An aiohttp crawler that skips or aborts on bad statuses while responses are still unread."""

import aiohttp


class UpstreamError(Exception):
    pass


async def crawl(urls):
    pages = []
    async with aiohttp.ClientSession() as session:
        for url in urls:
            resp = await session.get(url)
            if resp.status == 304:
                continue  # expect: BUF009
            pages.append(await resp.text())
    return pages


async def fetch_strict(session: aiohttp.ClientSession, url):
    resp = await session.get(url)
    if resp.status >= 500:
        raise UpstreamError(f"{url}: {resp.status}")  # expect: BUF009
    data = await resp.read()
    return data
