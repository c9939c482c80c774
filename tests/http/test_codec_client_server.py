"""HttpClientCodec and HttpServerCodec (Netty's HttpClientCodecTest and HttpServerCodecTest scenarios),
and HttpServerKeepAliveHandler."""
import pytest

from pytest_bufleak.channel import EmbeddedChannel, PrematureChannelClosureException
from pytest_bufleak.http import (
    DefaultFullHttpRequest,
    DefaultFullHttpResponse,
    DefaultHttpContent,
    DefaultHttpResponse,
    FullHttpResponse,
    HttpClientCodec,
    HttpMethod,
    HttpObjectAggregator,
    HttpRequest,
    HttpResponseStatus,
    HttpServerCodec,
    HttpServerKeepAliveHandler,
    HttpUtil,
    HttpVersion,
    LastHttpContent,
)

from http_codec_helpers import body, data, inbound, outbound_bytes, release_all

EMPTY = LastHttpContent.EMPTY_LAST_CONTENT


def request(method=HttpMethod.GET, uri="/"):
    return DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri)


def test_client_codec_writes_requests_and_decodes_responses():
    channel = EmbeddedChannel(HttpClientCodec())
    channel.write_outbound(request(uri="/a"))
    assert outbound_bytes(channel) == b"GET /a HTTP/1.1\r\n\r\n"
    channel.write_inbound(data("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
    messages = inbound(channel)
    assert messages[0].status() == HttpResponseStatus.OK and body(messages) == b"ok"
    release_all(messages)
    assert not channel.finish()


def test_head_response_has_no_body_despite_its_content_length():
    channel = EmbeddedChannel(HttpClientCodec())
    channel.write_outbound(request(HttpMethod.HEAD), request(HttpMethod.GET))
    outbound_bytes(channel)
    channel.write_inbound(data("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                               "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"))
    messages = inbound(channel)
    assert messages[1] is EMPTY and body(messages) == b"hello" and isinstance(messages[-1], LastHttpContent)
    release_all(messages)
    assert not channel.finish()


def test_informational_response_is_not_paired_with_the_request():
    channel = EmbeddedChannel(HttpClientCodec())
    channel.write_outbound(request(HttpMethod.HEAD))
    outbound_bytes(channel)
    channel.write_inbound(data("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"))
    messages = inbound(channel)
    assert [m.status().code() for m in messages[::2]] == [100, 200] and messages[1::2] == [EMPTY, EMPTY]
    assert not channel.finish()


def test_connect_200_turns_the_channel_into_a_tunnel():
    channel = EmbeddedChannel(HttpClientCodec())
    channel.write_outbound(request(HttpMethod.CONNECT, "example.com:443"))
    outbound_bytes(channel)
    channel.write_inbound(data("HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01"))
    response, empty, raw = inbound(channel)
    assert empty is EMPTY and bytes(raw) == b"\x16\x03\x01"
    raw.release()
    channel.write_outbound(data("tls bytes"))
    assert outbound_bytes(channel) == b"tls bytes"
    assert not channel.finish()


def test_fails_on_missing_response():
    channel = EmbeddedChannel(HttpClientCodec(fail_on_missing_response=True))
    channel.write_outbound(request())
    outbound_bytes(channel)
    with pytest.raises(PrematureChannelClosureException, match="channel gone inactive with 1 missing response"):
        channel.finish()


def test_fails_on_incomplete_chunked_response():
    channel = EmbeddedChannel(HttpClientCodec(fail_on_missing_response=True))
    channel.write_outbound(request())
    outbound_bytes(channel)
    channel.write_inbound(data("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), data("1\r\na\r\n"),
                          data("1\r\nb\r\n"))
    release_all(inbound(channel))
    with pytest.raises(PrematureChannelClosureException):
        channel.finish()


def test_no_failure_when_every_response_arrived():
    channel = EmbeddedChannel(HttpClientCodec(fail_on_missing_response=True))
    channel.write_outbound(request())
    outbound_bytes(channel)
    channel.write_inbound(data("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"))
    release_all(inbound(channel))
    assert not channel.finish()


def test_multiple_responses_to_one_request_all_decode():
    channel = EmbeddedChannel(HttpClientCodec(), HttpObjectAggregator(1024))
    channel.write_outbound(request())
    outbound_bytes(channel)
    channel.write_inbound(data("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"
                               "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb"))
    first, second = inbound(channel)
    assert first.decoder_result().is_success() and second.decoder_result().is_success()
    assert bytes(first.content()) + bytes(second.content()) == b"ab"
    release_all([first, second])
    assert not channel.finish()


def test_server_codec_unfinished_chunked_request_is_not_last():
    channel = EmbeddedChannel(HttpServerCodec())
    channel.write_inbound(data("PUT /file HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"))
    assert isinstance(channel.read_inbound(), HttpRequest)
    for piece in ("5\r\nhel", "lo\r\n"):
        channel.write_inbound(data(piece))
        messages = inbound(channel)
        assert not any(isinstance(m, LastHttpContent) for m in messages)
        release_all(messages)
    channel.write_inbound(data("0\r\n\r\n"))
    assert channel.read_inbound() is EMPTY
    assert not channel.finish()


def test_server_codec_100_continue():
    channel = EmbeddedChannel(HttpServerCodec(), HttpObjectAggregator(1024))
    channel.write_inbound(data("PUT /upload HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n"))
    assert outbound_bytes(channel) == b"HTTP/1.1 100 Continue\r\n\r\n"
    channel.write_inbound(data("a"))
    full = channel.read_inbound()
    assert bytes(full.content()) == b"a" and "expect" not in full.headers()
    full.release()
    response = DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CREATED)
    HttpUtil.set_content_length(response, 0)
    channel.write_outbound(response)
    assert outbound_bytes(channel) == b"HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n"
    assert not channel.finish()


def test_server_codec_chunked_head_response_writes_no_chunks():
    channel = EmbeddedChannel(HttpServerCodec())
    channel.write_inbound(data("HEAD / HTTP/1.1\r\n\r\n"))
    release_all(inbound(channel))
    head = DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK)
    HttpUtil.set_transfer_encoding_chunked(head, True)
    channel.write_outbound(head, DefaultHttpContent(data("ignored")), EMPTY)
    assert outbound_bytes(channel) == b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
    assert not channel.finish()


def test_server_codec_chunked_head_full_response():
    channel = EmbeddedChannel(HttpServerCodec())
    channel.write_inbound(data("HEAD / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n"))
    release_all(inbound(channel))
    for _ in range(2):
        response = DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, data("body"))
        HttpUtil.set_transfer_encoding_chunked(response, True)
        channel.write_outbound(response)
    assert outbound_bytes(channel) == (b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
                                       b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
                                       b"4\r\nbody\r\n0\r\n\r\n")
    assert not channel.finish()


def test_client_and_server_codecs_talk_to_each_other():
    client = EmbeddedChannel(HttpClientCodec(), HttpObjectAggregator(1 << 20))
    server = EmbeddedChannel(HttpServerCodec(), HttpObjectAggregator(1 << 20))
    post = DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/echo", data(b"q" * 20000))
    HttpUtil.set_content_length(post, 20000)
    client.write_outbound(post)
    server.write_inbound(data(outbound_bytes(client)))
    received = server.read_inbound()
    reply = DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, received.content().retain())
    received.release()
    HttpUtil.set_transfer_encoding_chunked(reply, True)
    server.write_outbound(reply)
    client.write_inbound(data(outbound_bytes(server)))
    response = client.read_inbound()
    assert isinstance(response, FullHttpResponse) and bytes(response.content()) == b"q" * 20000
    assert response.headers().get("content-length") == "20000"
    response.release()
    assert not client.finish() and not server.finish()


# ------------------------------------------------------------------------------------ keep-alive handler

def serve(*requests_text, status=HttpResponseStatus.OK, length=True):
    channel = EmbeddedChannel(HttpServerCodec(), HttpServerKeepAliveHandler())
    channel.write_inbound(data("".join(requests_text)))
    messages = inbound(channel)
    for msg in messages:
        if isinstance(msg, HttpRequest):
            response = DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status)
            if length:
                HttpUtil.set_content_length(response, 0)
            channel.write_outbound(response)
    release_all(messages)
    return channel


def test_keep_alive_connection_stays_open():
    channel = serve("GET / HTTP/1.1\r\n\r\n")
    assert channel.is_open() and b"connection: close" not in outbound_bytes(channel).lower()
    assert not channel.finish()


@pytest.mark.parametrize("text", ["GET / HTTP/1.1\r\nConnection: close\r\n\r\n", "GET / HTTP/1.0\r\n\r\n"])
def test_connection_closes_after_the_last_response(text):
    channel = serve(text)
    assert not channel.is_open() and b"connection: close" in outbound_bytes(channel)


def test_response_without_length_closes():
    channel = serve("GET / HTTP/1.1\r\n\r\n", length=False)
    assert not channel.is_open()
    outbound_bytes(channel)


def test_pipelined_requests_close_after_the_one_that_asked():
    channel = serve("GET /1 HTTP/1.1\r\n\r\n", "GET /2 HTTP/1.1\r\nConnection: close\r\n\r\n")
    written = outbound_bytes(channel)
    assert written.count(b"HTTP/1.1 200 OK") == 2 and written.count(b"connection: close") == 1
    assert not channel.is_open()
