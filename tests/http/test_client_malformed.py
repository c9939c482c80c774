"""HttpClient against scripted asyncio servers: every failure mode of HTTP.md §5.7 gets its exception,
releases what it held, never pools a dirty connection, and leaves the client usable."""
from __future__ import annotations

import asyncio
import socket

import pytest

from http_client_servers import ScriptedServer, at_rest, new_client, read_request, replying, run
from pytest_bufleak.http import (
    ConnectTimeoutException,
    HttpProtocolException,
    PrematureCloseException,
    TooLongHttpHeaderException,
    TooLongHttpLineException,
)

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


async def failing_then_ok(response: bytes, error, match=None, cause=None):
    """The first connection answers ``response`` (then closes); the next ones answer OK, with keep-alive."""
    connections = []

    async def script(reader, writer):
        connections.append(writer)
        if len(connections) == 1:
            await replying(response)(reader, writer)
        else:
            await replying(OK, OK, close=False)(reader, writer)

    async with ScriptedServer(script) as server, new_client(server.url) as client:
        with pytest.raises(error, match=match) as info:
            await client.get("/").retrieve().body_to_bytes()
        if cause is not None:
            assert isinstance(info.value.__cause__, cause), repr(info.value.__cause__)
        await at_rest(client, idle=0)
        assert await client.get("/").retrieve().body_to_bytes() == b"ok"
        assert await client.get("/").retrieve().body_to_bytes() == b"ok"
        await at_rest(client, idle=1)
        assert server.accepted == 2
    return info.value


@pytest.mark.parametrize("response, cause", [
    (b"HTTP/1.0 BAD_CODE Bad\r\nContent-Length: 0\r\n\r\n", ValueError),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\n", ValueError),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok", ValueError),
    (b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 9000 + b"\r\nContent-Length: 2\r\n\r\nok", TooLongHttpHeaderException),
    (b"HTTP/1.1 200 " + b"O" * 5000 + b"\r\nContent-Length: 2\r\n\r\nok", TooLongHttpLineException),
], ids=["bad-status-line", "bad-chunk-size", "differing-content-lengths", "long-headers", "long-initial-line"])
def test_malformed_responses_raise_http_protocol_exception(response, cause):
    run(failing_then_ok(response, HttpProtocolException, "malformed response to GET", cause))


@pytest.mark.parametrize("response, phase", [
    (b"", "BEFORE"),
    (b"HTTP/1.1 200 OK\r\nContent-", "BEFORE"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial", "DURING"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", "DURING"),
], ids=["before-response", "in-headers", "in-fixed-body", "in-chunked-body"])
def test_premature_close(response, phase):
    exc = run(failing_then_ok(response, PrematureCloseException, f"Connection prematurely closed {phase} response"))
    assert isinstance(exc, ConnectionError)


def test_read_until_close_succeeds_and_is_never_pooled():
    async def main():
        async with ScriptedServer(replying(b"HTTP/1.1 200 OK\r\n\r\nuntil close")) as server:
            async with new_client(server.url) as client:
                assert await client.get("/").retrieve().body_to_bytes() == b"until close"
                await at_rest(client, idle=0)

    run(main())


def test_a_second_response_is_ignored_and_the_connection_closed():
    async def main():
        async with ScriptedServer(replying(OK + OK, OK, close=False)) as server:
            async with new_client(server.url) as client:
                assert await client.get("/").retrieve().body_to_bytes() == b"ok"
                await at_rest(client, idle=0)
                assert await client.get("/").retrieve().body_to_bytes() == b"ok"
                assert server.accepted == 2

    run(main())


def test_unsolicited_bytes_evict_an_idle_connection():
    async def script(reader, writer):
        await read_request(reader)
        writer.write(OK)
        await asyncio.sleep(0.02)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")  # nobody asked
        await reader.read()

    async def main():
        async with ScriptedServer(script) as server, new_client(server.url) as client:
            assert await client.get("/").retrieve().body_to_bytes() == b"ok"
            for _ in range(100):
                if client.metric().idle_connections == 0:
                    break
                await asyncio.sleep(0.005)
            await at_rest(client, idle=0)

    run(main())


def test_slow_drip_interim_response_and_head_with_length():
    async def drip(reader, writer):
        await read_request(reader)
        for byte in b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello":
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.0005)
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")  # HEAD: no body follows
        await read_request(reader)
        writer.write(OK)
        await reader.read()

    async def main():
        async with ScriptedServer(drip) as server, new_client(server.url) as client:
            assert await client.get("/").retrieve().body_to_bytes() == b"hello"
            entity = await client.head("/").retrieve().to_bodiless_entity()
            assert entity.status == 200 and entity.headers.get("content-length") == "1000"
            assert await client.get("/").retrieve().body_to_bytes() == b"ok"
            assert server.accepted == 1
            await at_rest(client, idle=1)

    run(main())


def test_a_reused_connection_closed_before_the_response_is_retried_once():
    async def script(reader, writer):
        await read_request(reader)
        writer.write(OK)
        await read_request(reader)  # the next request on this connection is never answered: closed

    async def main():
        async with ScriptedServer(script) as server, new_client(server.url) as client:
            assert await client.get("/").retrieve().body_to_bytes() == b"ok"
            assert await client.get("/").retrieve().body_to_bytes() == b"ok"  # retried on a new connection
            assert server.accepted == 2
            with pytest.raises(PrematureCloseException, match="BEFORE"):  # POST is not idempotent: no retry
                await client.post("/").retrieve().body_to_bytes()
            assert server.accepted == 2
            await at_rest(client, idle=0)

    run(main())


def test_switching_protocols_is_refused():
    async def main():
        response = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n"
        async with ScriptedServer(replying(response)) as server, new_client(server.url) as client:
            with pytest.raises(HttpProtocolException, match="101"):
                await client.get("/").retrieve().body_to_bytes()
            await at_rest(client, idle=0)

    run(main())


def test_connect_timeout_frees_the_slot():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):  # a full accept backlog: the next SYN is dropped, so connecting hangs
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)

    async def main():
        async with new_client(f"http://127.0.0.1:{port}", connect_timeout=0.1, max_connections=1) as client:
            with pytest.raises(ConnectTimeoutException, match=f"connection timed out after 100ms: 127.0.0.1:{port}"):
                await client.get("/").retrieve().body_to_bytes()
            await at_rest(client, idle=0)
            with pytest.raises(ConnectTimeoutException):  # the only slot was given back
                await client.get("/").retrieve().body_to_bytes()

    try:
        run(main())
    finally:
        for sock in (*fillers, listener):
            sock.close()
