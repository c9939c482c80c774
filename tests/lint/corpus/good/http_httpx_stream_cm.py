"""httpx streaming through client.stream() as a context manager: leaving early is fine."""

import httpx


async def first_matching_line(client: httpx.AsyncClient, url, needle):
    async with client.stream("GET", url) as resp:
        async for line in resp.aiter_lines():
            if needle in line:
                return line
    return None


def download_capped(client: httpx.Client, url, limit):
    received = bytearray()
    with client.stream("GET", url) as resp:
        for chunk in resp.iter_bytes():
            received += chunk
            if len(received) > limit:
                break
    return bytes(received[:limit])


def module_stream(url):
    with httpx.stream("GET", url) as resp:
        if resp.status_code != 200:
            return None
        return resp.read()


def prepared(client: httpx.Client, url):
    cm = client.stream("GET", url)
    with cm as resp:
        return resp.headers.get("etag")
