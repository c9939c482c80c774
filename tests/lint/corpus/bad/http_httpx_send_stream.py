"""httpx streaming sends whose response is neither closed nor fully iterated on some path."""

import httpx


async def tail_events(client: httpx.AsyncClient, url, handle):
    request = client.build_request("GET", url)
    resp = await client.send(request, stream=True)
    if resp.status_code != 200:
        return False  # expect: BUF009
    async for line in resp.aiter_lines():
        handle(line)
    return True


def content_length(client: httpx.Client, url):
    request = client.build_request("GET", url)
    resp = client.send(request, stream=True)  # expect: BUF009
    return int(resp.headers.get("content-length", "0"))
