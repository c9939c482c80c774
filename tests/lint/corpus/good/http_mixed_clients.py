"""A service using aiohttp and requests side by side, each response consumed or managed."""

import aiohttp
import requests


class Notifier:
    def __init__(self):
        self.session = aiohttp.ClientSession()
        self.sync = requests.Session()

    async def notify(self, url, payload):
        async with self.session.post(url, json=payload) as resp:
            if resp.status >= 400:
                raise RuntimeError(await resp.text())
            return resp.status

    def notify_sync(self, url, payload):
        resp = self.sync.post(url, json=payload)
        if not resp.ok:
            return False
        return True

    async def poll(self, url):
        while True:
            resp = await self.session.get(url)
            text = await resp.text()
            if text != "pending":
                return text

    async def close(self):
        await self.session.close()
        self.sync.close()
