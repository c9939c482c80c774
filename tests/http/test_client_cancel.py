"""The cancellation sweep (HTTP.md §5.6): every API call is cancelled after k event-loop steps, for every k
until it completes first; also through ``wait_for`` deadlines and a failing sibling in ``gather`` (spring
#25216's scenario). After each: no buffer live (``pytest --bufleak`` and the client's own allocator), the
pool at rest, and the next request succeeds.

The server runs on the same event loop and writes each response in pieces, one loop step apart, so
that the steps land in every phase: waiting for a connection, connecting, awaiting the head, reading
the body, inside a handler, streaming.
"""
from __future__ import annotations

import asyncio
import sys
import warnings

import pytest

from http_client_servers import ScriptedServer, at_rest, new_client, read_request, run
from pytest_bufleak import Unpooled
from pytest_bufleak.http import HttpClientResponseException

PIECES = [b"a" * 700, b"b" * 900, b"c" * 1100]


async def piecewise(reader, writer):
    """Keep-alive: answer each request in pieces (chunked), a loop step apart; /404 gets a 404."""
    while True:
        try:
            head = await read_request(reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        status = b"404 Not Found" if b" /404 " in head else b"200 OK"
        writer.write(b"HTTP/1.1 " + status + b"\r\nTransfer-Encoding: chunked\r\n\r\n")
        for piece in PIECES:
            await asyncio.sleep(0)
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        await asyncio.sleep(0)
        writer.write(b"0\r\n\r\n")


async def flux(client):
    total = 0
    async with client.get("/").retrieve().body_to_flux() as chunks:
        async for chunk in chunks:
            total += chunk.readable_bytes()
    return total


async def byte_buf(client):
    buf = await client.get("/").retrieve().body_to_byte_buf()
    buf.release()


async def read_in_handler(resp):
    return await resp.body_to_bytes()


async def deprecated_exchange(client):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        resp = await client.get("/").exchange()
    async with resp:
        return await resp.body_to_str()


async def on_status(client):
    async def handler(resp):
        await resp.body_to_bytes()
        return KeyError("404")

    try:
        await client.get("/404").retrieve().on_status(lambda s: s == 404, handler).body_to_bytes()
    except KeyError:
        pass


async def default_error(client):
    try:
        await client.get("/404").retrieve().body_to_bytes()
    except HttpClientResponseException:
        pass


async def post_byte_buf(client):
    body = Unpooled.copied_buffer(b"payload")
    try:
        await client.post("/").body_value(body).retrieve().body_to_bytes()
    finally:
        assert body.ref_cnt() == 0  # the client released it on every path


CALLS = {
    "body_to_bytes": lambda c: c.get("/").retrieve().body_to_bytes(),
    "body_to_str": lambda c: c.get("/").retrieve().body_to_str(),
    "to_entity": lambda c: c.get("/").retrieve().to_entity(),
    "to_bodiless_entity": lambda c: c.get("/").retrieve().to_bodiless_entity(),
    "body_to_byte_buf": byte_buf,
    "body_to_flux": flux,
    "exchange_to": lambda c: c.get("/").exchange_to(read_in_handler),
    "exchange": deprecated_exchange,
    "on_status": on_status,
    "default_error": default_error,
    "post_byte_buf": post_byte_buf,
}


async def settle_and_check(client):
    """The pool at rest, every buffer back, and the next request works."""
    await at_rest(client)
    assert await client.get("/").retrieve().body_to_bytes() == b"".join(PIECES)
    await at_rest(client)


async def steps(k):
    for _ in range(k):
        await asyncio.sleep(0)


async def cancel_after(call, k):
    """Run ``call`` as a task, cancel it after ``k`` loop steps; True when it finished before that."""
    task = asyncio.ensure_future(call)
    await steps(k)
    finished = task.done()
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    return finished


async def sweep(client, make_call, scenario):
    """``scenario(call, k)`` for k = 0, 1, ... until the call completes three times in a row first."""
    finished_in_a_row = 0
    k = 0
    while finished_in_a_row < 3:
        assert k < 200, "the call never completed"
        finished = await scenario(make_call(client), k)
        finished_in_a_row = finished_in_a_row + 1 if finished else 0
        await settle_and_check(client)
        k += 1
    return k


@pytest.mark.parametrize("name", sorted(CALLS))
def test_cancel_after_every_step(name):
    async def main():
        async with ScriptedServer(piecewise) as server:
            async with new_client(server.url) as client:
                assert await sweep(client, CALLS[name], cancel_after) > 5
            async with new_client(server.url, max_connections=1) as client:
                # Also while waiting for the pool: another request holds the only connection.
                async def behind_another(call, k):
                    other = asyncio.ensure_future(client.get("/").retrieve().body_to_bytes())
                    finished = await cancel_after(call, k)
                    assert await other == b"".join(PIECES)
                    return finished

                await sweep(client, CALLS[name], behind_another)

    run(main())


class Boom(Exception):
    pass


async def failing_sibling(call, k):
    """``gather(call, sibling)`` where the sibling fails after k steps; the caller then cancels the rest."""
    async def sibling():
        await steps(k)
        raise Boom

    tasks = [asyncio.ensure_future(call), asyncio.ensure_future(sibling())]
    try:
        await asyncio.gather(*tasks)
    except Boom:
        pass
    finished = tasks[0].done()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return finished


async def task_group_sibling(call, k):
    """The same under ``asyncio.TaskGroup`` (3.11+), which cancels the siblings itself."""
    async def sibling():
        await steps(k)
        raise Boom

    async def wrapped():
        await call
        return True

    finished = [False]

    async def record():
        finished[0] = await wrapped()

    try:
        async with asyncio.TaskGroup() as group:  # type: ignore[attr-defined]
            group.create_task(record())
            group.create_task(sibling())
    except BaseExceptionGroup:  # noqa: F821 - 3.11+
        pass
    return finished[0]


@pytest.mark.parametrize("name", sorted(CALLS))
def test_failing_sibling_and_wait_for(name):
    async def main():
        async with ScriptedServer(piecewise) as server, new_client(server.url) as client:
            await sweep(client, CALLS[name], failing_sibling)
            if sys.version_info >= (3, 11):
                await sweep(client, CALLS[name], task_group_sibling)
            for timeout in (0, 0.0001, 0.0003, 0.0006, 0.001, 0.002, 0.004):
                try:
                    await asyncio.wait_for(CALLS[name](client), timeout)
                except asyncio.TimeoutError:
                    pass
                await settle_and_check(client)

    run(main())
