"""HTTP client: ``retrieve()``, ``on_status`` and streaming with bufleak's ``HttpClient``.

Every body is released by the client on every path (success, error status, handler, cancellation), so
nothing here can leak a pooled buffer or a connection: there is no ``release()`` in this file.

Run:  python examples/http_server.py &   then   python examples/http_client.py [base_url]
      (default base URL http://127.0.0.1:8080)
"""
from __future__ import annotations

import asyncio
import hashlib
import sys
from typing import Optional, Tuple

from pytest_bufleak.http import HttpClient


class NotFound(Exception):
    """What ``fetch_or_none`` maps a 404 to (instead of the default ``HttpClientResponseException``)."""


async def fetch_text(client: HttpClient, path: str) -> str:
    """The body of ``GET path`` as text; a 4xx/5xx raises ``HttpClientResponseException`` (with the body)."""
    return await client.get(path).retrieve().body_to_str()


async def fetch_or_none(client: HttpClient, path: str) -> Optional[str]:
    """Like ``fetch_text``, but None for a 404: an ``on_status`` handler maps it to our own exception."""
    try:
        return await (client.get(path).retrieve()
                      .on_status(lambda status: status == 404, lambda response: NotFound(path))
                      .body_to_str())
    except NotFound:
        return None


async def echo_streamed(client: HttpClient, payload: bytes) -> Tuple[int, str]:
    """POST ``payload`` to ``/echo`` and stream the answer: its size and SHA-256, one chunk at a time.

    Each chunk is a pooled ``ByteBuf`` that the client releases when the loop moves on; no size limit.
    """
    digest = hashlib.sha256()
    size = 0
    async with client.post("/echo").body_value(payload).retrieve().body_to_flux() as chunks:
        async for chunk in chunks:
            digest.update(bytes(chunk))
            size += chunk.readable_bytes()
    return size, digest.hexdigest()


async def main(base_url: str) -> None:
    async with HttpClient.create(base_url, response_timeout=5.0) as client:
        print("GET /hello ->", (await fetch_text(client, "/hello")).strip())
        print("GET /missing ->", await fetch_or_none(client, "/missing"))
        payload = bytes(range(256)) * 4096
        size, digest = await echo_streamed(client, payload)
        print(f"POST /echo of {len(payload)} bytes -> streamed back {size} bytes, sha256 {digest[:16]}...")
        print("pool:", client.metric())


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"))
