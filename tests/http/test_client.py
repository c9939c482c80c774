"""HttpClient against a real server: the standard library's ThreadingHTTPServer speaking HTTP/1.1.

Every test ends with the pool at rest and every buffer of the client's own allocator returned.
"""
from __future__ import annotations

import asyncio
import gc
import json
import warnings

import pytest

from http_client_servers import at_rest, new_client, real_server, run
from pytest_bufleak import ByteBuf, LeakLevel, ResourceLeakDetector, Unpooled, track_leaks
from pytest_bufleak.http import (
    ClientResponse,
    HttpClient,
    HttpClientResponseException,
    PoolAcquireTimeoutException,
    ResponseEntity,
    ResponseTimeoutException,
    TooLongHttpContentException,
)


@pytest.fixture(scope="module")
def server():
    with real_server() as srv:
        yield srv


def test_retrieve_reads_bodies_and_reuses_one_connection(server):
    async def main():
        async with new_client(server.url) as client:
            before = server.accepted
            assert await client.get("/small").retrieve().body_to_bytes() == b"x" * 64
            assert await client.get("/small").retrieve().body_to_str() == "x" * 64
            assert await client.get("/json").retrieve().body_to_mono(json.loads) == {"id": 1, "name": "bufleak"}
            assert await client.get("/json").retrieve().body_to_mono(str) == '{"id": 1, "name": "bufleak"}'
            entity = await client.get("/small").retrieve().to_entity(str)
            assert isinstance(entity, ResponseEntity) and entity.status == 200 and entity.body == "x" * 64
            assert entity.headers.get("content-type") == "text/plain; charset=utf-8"
            assert await client.get().uri(f"{server.url}/small").retrieve().body_to_bytes() == b"x" * 64
            assert server.accepted - before == 1
            assert client.metric().connections_created == 1
            await at_rest(client, idle=1)

    run(main())


def test_chunked_large_head_and_bodiless_statuses(server):
    async def main():
        async with new_client(server.url, max_content_length=2 << 20) as client:
            expected = "".join(f"chunk{i};" for i in range(40))
            assert await client.get("/chunked?n=40").retrieve().body_to_str() == expected
            big = await client.get(f"/big?n={(1 << 20) + 5}").retrieve().body_to_bytes()
            assert len(big) == (1 << 20) + 5 and big[:256] == bytes(range(256)) and big.endswith(b"zzzzz")
            head = await client.head("/small").retrieve().to_bodiless_entity()
            assert head.status == 200 and head.body is None and head.headers.get("content-length") == "64"
            assert await client.head("/small").retrieve().body_to_bytes() == b""
            assert (await client.get("/status/204").retrieve().to_entity()).status == 204
            assert await client.get("/status/304").retrieve().body_to_bytes() == b""
            assert client.metric().connections_created == 1
            await at_rest(client, idle=1)

    run(main())


def test_error_statuses_raise_with_their_body_and_keep_the_connection(server):
    async def main():
        async with new_client(server.url, max_error_body=100) as client:
            with pytest.raises(HttpClientResponseException) as info:
                await client.get("/status/404").retrieve().body_to_bytes()
            exc = info.value
            assert (exc.status, exc.reason, exc.body, exc.truncated) == (404, "Not Found", b"error 404", False)
            assert exc.headers.get("content-type") == "text/plain" and "GET" in str(exc)
            with pytest.raises(HttpClientResponseException) as info:
                await client.get("/status/500?n=1000").retrieve().to_bodiless_entity()
            assert info.value.status == 500 and len(info.value.body) == 100 and info.value.truncated
            assert await client.get("/small").retrieve().body_to_bytes() == b"x" * 64
            await at_rest(client)

    run(main())


def test_on_status_handlers(server):
    class NotFound(Exception):
        pass

    async def consume(resp):
        assert await resp.body_to_bytes() == b"error 404"
        return NotFound(resp.status)

    async def main():
        async with new_client(server.url) as client:
            with pytest.raises(NotFound):
                await client.get("/status/404").retrieve().on_status(
                    lambda s: s == 404, lambda r: NotFound()).body_to_bytes()
            with pytest.raises(NotFound):
                await client.get("/status/404").retrieve().on_status(lambda s: s >= 400, consume).body_to_str()
            spec = client.get("/status/404").retrieve().on_status(lambda s: s == 404, lambda r: None)
            body = await spec.body_to_bytes()
            assert body == b"error 404"
            ok = await client.get("/small").retrieve().on_status(lambda s: s == 404, lambda r: NotFound()).to_entity()
            assert ok.status == 200
            with pytest.raises(ZeroDivisionError):
                await client.get("/status/500").retrieve().on_status(lambda s: True, lambda r: 1 / 0).body_to_bytes()
            with pytest.raises(TypeError, match="exception or None"):
                await client.get("/status/404").retrieve().on_status(lambda s: True, lambda r: 42).body_to_bytes()
            await at_rest(client)
            assert client.metric().connections_created <= 2

    run(main())


def test_body_to_byte_buf_belongs_to_the_caller(server):
    async def main():
        async with new_client(server.url, max_content_length=1 << 20) as client:
            buf = await client.get("/small").retrieve().body_to_byte_buf()
            assert isinstance(buf, ByteBuf) and buf.ref_cnt() == 1 and bytes(buf) == b"x" * 64
            assert buf.release()
            buf = await client.get("/big?n=200000").retrieve().body_to_mono(ByteBuf)
            assert buf.readable_bytes() == 200000 and buf.get_bytes(0, 4) == b"\x00\x01\x02\x03"
            assert client.alloc.metric().num_active_allocations > 0
            buf.release()
            await at_rest(client, idle=1)

    run(main())


def test_too_long_content_closes_the_connection(server):
    async def main():
        async with new_client(server.url, max_content_length=1000) as client:
            with pytest.raises(TooLongHttpContentException, match="Response entity too large"):
                await client.get("/big?n=5000").retrieve().body_to_bytes()
            with pytest.raises(TooLongHttpContentException):
                await client.get("/chunked?n=400").retrieve().body_to_bytes()
            await at_rest(client, idle=0)
            assert await client.get("/small").retrieve().body_to_bytes() == b"x" * 64

    run(main())


def test_body_to_flux_streams_and_releases_each_chunk(server):
    async def main():
        async with new_client(server.url) as client:
            total = 0
            async with client.get(f"/big?n={3 << 20}").retrieve().body_to_flux() as chunks:
                async for chunk in chunks:
                    total += chunk.readable_bytes()
            assert total == 3 << 20
            await at_rest(client, idle=1)
            kept = []
            async with client.get(f"/big?n={1 << 20}").retrieve().body_to_flux() as chunks:
                async for chunk in chunks:
                    kept.append(chunk.retain())
                    break
            assert len(bytes(kept[0])) > 0  # still readable after the loop: retained
            kept[0].release()
            await at_rest(client, idle=0)  # left early: the connection was closed

    run(main())


def test_exchange_to_releases_what_the_function_left(server):
    async def main():
        async with new_client(server.url) as client:
            assert await client.get("/small").exchange_to(lambda resp: resp.status) == 200

            async def read(resp):
                return resp.status, await resp.body_to_str()

            assert await client.get("/status/404").exchange_to(read) == (404, "error 404")
            with pytest.raises(KeyError):
                await client.get("/small").exchange_to(lambda resp: {}["x"])
            await at_rest(client)
            assert client.metric().connections_created <= 2

    run(main())


def test_deprecated_exchange_warns_at_the_callers_line(server):
    async def main():
        async with new_client(server.url) as client:
            with pytest.warns(DeprecationWarning, match="exchange\\(\\) is deprecated") as record:
                resp = await client.get("/small").exchange()
            assert record[0].filename == __file__
            async with resp:
                assert isinstance(resp, ClientResponse) and resp.status == 200
            with pytest.warns(DeprecationWarning):
                resp = await client.get("/small").exchange()
            assert await resp.body_to_bytes() == b"x" * 64
            with pytest.raises(RuntimeError, match="consumed or released already"):
                await resp.body_to_bytes()
            await resp.release_body()  # idempotent
            await at_rest(client, idle=1)

    run(main())


def test_unconsumed_response_warns_releases_and_closes_when_collected(server):
    async def main():
        async with new_client(server.url) as client:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                resp = await client.get(f"/big?n={4 << 20}").exchange()  # more than is read ahead
            await asyncio.sleep(0.05)
            assert client.alloc.metric().num_active_allocations > 0
            with pytest.warns(ResourceWarning, match="Unclosed response to GET .*/big"):
                del resp
                gc.collect()
            await at_rest(client, idle=0)
            assert await client.get("/small").retrieve().body_to_bytes() == b"x" * 64

    run(main())


def test_request_bodies_and_headers(server):
    async def main():
        async with new_client(server.url) as client:
            assert await client.post("/e").body_value(b"bytes").retrieve().body_to_bytes() == b"POST bytes"
            assert await client.put("/e").body_value("str \u00e9").retrieve().body_to_str() == "PUT str \u00e9"
            body = Unpooled.copied_buffer(b"bytebuf")
            assert await client.patch("/e").body_value(body).retrieve().body_to_bytes() == b"PATCH bytebuf"
            assert body.ref_cnt() == 0
            assert await client.delete("/e").retrieve().body_to_bytes() == b"DELETE "
            assert await client.request("post", "/e").retrieve().body_to_bytes() == b"POST "
            spec = client.get("/headers").header("accept", "application/json").header("x-two", "a", "b")
            seen = await spec.retrieve().body_to_str()
            assert "accept: application/json" in seen and "x-two: a" in seen and "x-two: b" in seen
            assert f"host: 127.0.0.1:{server.server_address[1]}" in seen
            replaced = Unpooled.copied_buffer(b"first")
            spec = client.post("/e").body_value(replaced).body_value(b"second")
            assert replaced.ref_cnt() == 0
            assert await spec.retrieve().body_to_bytes() == b"POST second"
            await at_rest(client, idle=1)

    run(main())


def test_connection_close_and_limits(server):
    async def main():
        async with new_client(server.url, max_connections=2) as client:
            assert await client.get("/close").retrieve().body_to_bytes() == b"bye"
            await at_rest(client, idle=0)
            calls = [client.get("/slow?s=0.1").retrieve().body_to_bytes() for _ in range(5)]
            tasks = [asyncio.ensure_future(call) for call in calls]
            await asyncio.sleep(0.05)
            metric = client.metric()
            assert metric.active_connections == 2 and metric.pending_acquires == 3
            assert await asyncio.gather(*tasks) == [b"slow"] * 5
            assert client.metric().connections_created == 3  # /close's, then two for five requests
            await at_rest(client, idle=2)

    run(main())


def test_pool_acquire_and_response_timeouts(server):
    async def main():
        async with new_client(server.url, max_connections=1, pending_acquire_timeout=0.05) as client:
            slow = asyncio.ensure_future(client.get("/slow?s=0.3").retrieve().body_to_bytes())
            await asyncio.sleep(0.01)
            with pytest.raises(PoolAcquireTimeoutException, match="pending for more than"):
                await client.get("/small").retrieve().body_to_bytes()
            assert await slow == b"slow"
            await at_rest(client, idle=1)
        async with new_client(server.url, response_timeout=0.05) as client:
            with pytest.raises(ResponseTimeoutException, match="Response timeout of 50ms for GET"):
                await client.get("/slow?s=0.3").retrieve().body_to_bytes()
            await at_rest(client, idle=0)
            assert await client.get("/small").retrieve().body_to_bytes() == b"x" * 64

    run(main())


def test_arguments_and_closed_client(server):
    with pytest.raises(ValueError, match="http or https"):
        HttpClient.create("ftp://example.org")
    with pytest.raises(ValueError, match="max_connections"):
        HttpClient.create(max_connections=0)
    with pytest.raises(TypeError):
        HttpClient.create().get("/x").body_value(object())

    async def main():
        client = new_client()
        with pytest.raises(ValueError, match="base_url"):
            await client.get("/relative").retrieve().body_to_bytes()
        body = Unpooled.copied_buffer(b"never sent")
        with pytest.raises(ValueError):
            await client.post("/relative").body_value(body).retrieve().body_to_bytes()
        assert body.ref_cnt() == 0
        await client.close()
        with pytest.raises(RuntimeError, match="closed"):
            await client.get(f"{server.url}/small").retrieve().body_to_bytes()

    run(main())


def test_leak_reports_name_the_request(server):
    async def main(client, tracker_scope):
        with tracker_scope() as tracker:
            kept = await client.get("/small").retrieve().body_to_byte_buf()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                resp = await client.get("/big?n=5000").exchange()
            await asyncio.sleep(0.05)
        with pytest.raises(AssertionError) as info:
            tracker.assert_clean()
        report = str(info.value)
        assert "body_to_byte_buf() handed the body to the caller" in report
        assert "HttpClient: GET " + server.url + "/big?n=5000: queued in the response body" in report
        kept.release()
        await resp.release_body()
        tracker.assert_clean()
        await at_rest(client, idle=1)
        await client.close()

    level = ResourceLeakDetector.get_level()
    ResourceLeakDetector.set_level(LeakLevel.PARANOID)
    try:
        run(main(new_client(server.url), track_leaks))
    finally:
        ResourceLeakDetector.set_level(level)
