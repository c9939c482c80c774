"""aiohttp helpers that hand the open response to their caller or keep it on the object."""

import aiohttp


class Downloader:
    def __init__(self, session: aiohttp.ClientSession):
        self.session = session
        self.current = None

    async def open(self, url):
        return await self.session.get(url)

    async def start(self, url):
        resp = await self.session.get(url)
        self.current = resp
        return resp.status

    async def open_checked(self, url):
        resp = await self.session.get(url)
        if resp.status >= 400:
            resp.release()
            raise RuntimeError(resp.status)
        return resp


async def fetch_all(session: aiohttp.ClientSession, urls, sink):
    responses = []
    for url in urls:
        resp = await session.get(url)
        responses.append(resp)
    sink(responses)
    return len(responses)
