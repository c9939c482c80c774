"""aiohttp callers that look only at the status or headers and never read or release the response."""

from aiohttp import ClientSession


class WebhookSender:
    def __init__(self):
        self._session = ClientSession()

    async def deliver(self, url, payload):
        resp = await self._session.post(url, json=payload)  # expect: BUF009
        return 200 <= resp.status < 300


async def remote_etag(session: ClientSession, url):
    resp = await session.get(url)  # expect: BUF009
    etag = resp.headers.get("ETag")
    return etag
