"""httpx send(stream=True) responses closed in finally, read, or iterated to the end."""

import httpx


async def tail_events(client: httpx.AsyncClient, url, handle):
    request = client.build_request("GET", url)
    resp = await client.send(request, stream=True)
    try:
        if resp.status_code != 200:
            return False
        async for line in resp.aiter_lines():
            handle(line)
        return True
    finally:
        await resp.aclose()


def download_capped(client: httpx.Client, url, limit):
    resp = client.send(client.build_request("GET", url), stream=True)
    received = bytearray()
    try:
        for chunk in resp.iter_bytes():
            received += chunk
            if len(received) > limit:
                break
    finally:
        resp.close()
    return bytes(received[:limit])


def whole_body(client: httpx.Client, url):
    resp = client.send(client.build_request("GET", url), stream=True)
    body = resp.read()
    return body


async def count_lines(client: httpx.AsyncClient, url):
    resp = await client.send(client.build_request("GET", url), stream=True)
    count = 0
    async for _ in resp.aiter_lines():
        count += 1
    return count


def no_stream(client: httpx.Client, url):
    resp = client.send(client.build_request("GET", url))
    if resp.status_code != 200:
        return None
    return resp.headers
