"""Code on bufleak's HttpClient still using the deprecated exchange(), sometimes dropping the body."""

from pytest_bufleak.http import HttpClient


async def fetch_cached(client: HttpClient, url, cache):
    resp = await client.get(url).header("if-none-match", cache.etag).exchange()  # expect: BUF003
    if resp.status == 304:
        return cache.body  # expect: BUF009
    return await resp.body_to_bytes()


async def post_event(client: HttpClient, url, payload):
    spec = client.post(url).body_value(payload)
    resp = await spec.exchange()  # expect: BUF003
    async with resp:
        return resp.status


async def status_only(client: HttpClient, url):
    resp = await client.delete(url).exchange()  # expect: BUF003, BUF009
    return resp.status
