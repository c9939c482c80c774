"""httpx downloads that stop iterating a streamed body early and leave the connection checked out."""

import httpx


def download_capped(client: httpx.Client, url, limit):
    resp = client.send(client.build_request("GET", url), stream=True)
    received = bytearray()
    for chunk in resp.iter_bytes():
        received += chunk
        if len(received) > limit:
            break  # expect: BUF009
    return bytes(received[:limit])


async def first_matching_line(client: httpx.AsyncClient, url, needle):
    resp = await client.send(client.build_request("GET", url), stream=True)
    async for line in resp.aiter_lines():
        if needle in line:
            return line  # expect: BUF009
    return None
