"""HTTP server: HttpServerCodec + HttpObjectAggregator + a handler, on the asyncio transport.

``GET /hello`` says hello, ``POST /echo`` sends the body back, anything else is a 404. Keep-alive as the
client asks (HttpServerKeepAliveHandler closes the connection after the last response).

Run:  python examples/http_server.py [port]      (default 8080; Ctrl-C stops it)
"""
from __future__ import annotations

import asyncio
import sys

from pytest_bufleak import Unpooled
from pytest_bufleak.channel import SimpleChannelInboundHandler, aio
from pytest_bufleak.http import (
    DefaultFullHttpResponse,
    FullHttpRequest,
    HttpMethod,
    HttpObjectAggregator,
    HttpResponseStatus,
    HttpServerCodec,
    HttpServerKeepAliveHandler,
    HttpUtil,
)


class HttpServerHandler(SimpleChannelInboundHandler):
    """Answers each whole request; the request is released after ``channel_read0`` (SimpleChannelInboundHandler)."""

    inbound_message_type = FullHttpRequest

    def channel_read0(self, ctx, request):
        if not request.decoder_result().is_success():
            status, body = HttpResponseStatus.BAD_REQUEST, Unpooled.copied_buffer(b"bad request\n")
        elif request.method() == HttpMethod.POST and request.uri() == "/echo":
            status, body = HttpResponseStatus.OK, request.content().retained_duplicate()  # shares the request's body
        elif request.uri() == "/hello":
            status, body = HttpResponseStatus.OK, Unpooled.copied_buffer(b"hello, world\n")
        else:
            status, body = HttpResponseStatus.NOT_FOUND, Unpooled.copied_buffer(b"not found\n")
        response = DefaultFullHttpResponse(request.protocol_version(), status, body)
        response.headers().set("Content-Type", "text/plain")
        HttpUtil.set_content_length(response, body.readable_bytes())
        HttpUtil.set_keep_alive(response, HttpUtil.is_keep_alive(request) and request.decoder_result().is_success())
        ctx.write_and_flush(response)  # the encoder releases the response (and so the body)

    def exception_caught(self, ctx, cause):
        ctx.close()


def initialize(channel, max_content_length: int = 1024 * 1024) -> None:
    """Set up one connection's pipeline."""
    channel.pipeline().add_last(
        "codec", HttpServerCodec()).add_last(
        "aggregator", HttpObjectAggregator(max_content_length)).add_last(
        "keep-alive", HttpServerKeepAliveHandler()).add_last(
        "handler", HttpServerHandler())


async def start(host: str = "127.0.0.1", port: int = 8080) -> aio.AioServer:
    """Start listening (``port=0``: a free port, see ``server.port``)."""
    return await aio.serve(initialize, host, port)


async def main(port: int) -> None:
    async with await start(port=port) as server:
        print(f"HTTP server on http://127.0.0.1:{server.port}/hello")
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 8080))
    except KeyboardInterrupt:
        pass
