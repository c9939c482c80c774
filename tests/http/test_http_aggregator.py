"""HttpObjectAggregator, after the scenarios of Netty's HttpObjectAggregatorTest."""
import pytest

from pytest_bufleak.channel import EmbeddedChannel, MessageAggregationException, PrematureChannelClosureException
from pytest_bufleak.http import (
    DefaultHttpContent,
    DefaultHttpRequest,
    DefaultHttpResponse,
    DefaultLastHttpContent,
    FullHttpRequest,
    FullHttpResponse,
    HttpMethod,
    HttpObjectAggregator,
    HttpRequestDecoder,
    HttpResponseDecoder,
    HttpResponseStatus,
    HttpUtil,
    HttpVersion,
    TooLongHttpContentException,
    TooLongHttpHeaderException,
)

from http_codec_helpers import data, inbound, release_all


def put(uri="http://localhost", version=HttpVersion.HTTP_1_1):
    return DefaultHttpRequest(version, HttpMethod.PUT, uri)


def test_aggregate_joins_pieces_into_a_composite_the_receiver_releases():
    channel = EmbeddedChannel(HttpObjectAggregator(1024 * 1024))
    head = put()
    head.headers().set("X-Test", "true")
    trailer = DefaultLastHttpContent()
    trailer.trailing_headers().set("X-Trailer", "true")
    assert not channel.write_inbound(head, DefaultHttpContent(data("test")), DefaultHttpContent(data("test2")))
    assert channel.write_inbound(trailer)
    full = channel.read_inbound()
    assert isinstance(full, FullHttpRequest) and full.ref_cnt() == 1
    assert full.content().num_components() == 2 and bytes(full.content()) == b"testtest2"
    assert full.headers().get("x-test") == "true" and full.headers().get("content-length") == "9"
    assert full.trailing_headers().get("x-trailer") == "true"
    assert full.release() and channel.read_inbound() is None
    assert not channel.finish()


def test_aggregate_chunked_removes_transfer_encoding():
    channel = EmbeddedChannel(HttpObjectAggregator(1024))
    head = put()
    HttpUtil.set_transfer_encoding_chunked(head, True)
    channel.write_inbound(head, DefaultHttpContent(data("a")), DefaultLastHttpContent(data("b")))
    full = channel.read_inbound()
    assert not HttpUtil.is_transfer_encoding_chunked(full) and full.headers().get("content-length") == "2"
    full.release()
    assert not channel.finish()


def test_oversized_response_raises_and_closes():
    channel = EmbeddedChannel(HttpObjectAggregator(4))
    channel.write_inbound(DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK),
                          DefaultHttpContent(data("test")))
    with pytest.raises(TooLongHttpContentException, match="Response entity too large"):
        channel.write_inbound(DefaultHttpContent(data("test2")))
    assert not channel.is_open() and not channel.finish()


def test_oversized_response_by_content_length():
    channel = EmbeddedChannel(HttpObjectAggregator(4))
    response = DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK)
    HttpUtil.set_content_length(response, 5)
    with pytest.raises(TooLongHttpContentException):
        channel.write_inbound(response)
    assert not channel.is_open()


def test_oversized_request_gets_413_and_close():
    channel = EmbeddedChannel(HttpObjectAggregator(4))
    first, second = DefaultHttpContent(data("test")), DefaultHttpContent(data("test2"))
    channel.write_inbound(put(), first, second)
    response = channel.read_outbound()
    assert response.status() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE
    assert response.headers().get("connection") == "close" and not channel.is_open()
    assert first.ref_cnt() == 0 and second.ref_cnt() == 0 and channel.read_inbound() is None
    response.release()


def test_oversized_request_with_content_length_keeps_a_keep_alive_connection():
    channel = EmbeddedChannel(HttpObjectAggregator(4))
    request = put()
    HttpUtil.set_content_length(request, 5)
    channel.write_inbound(request)
    response = channel.read_outbound()
    assert response.status() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE
    assert response.headers().get("content-length") == "0" and channel.is_open()
    response.release()
    body = DefaultLastHttpContent(data("12345"))
    channel.write_inbound(body)  # the refused body is dropped
    assert body.ref_cnt() == 0 and channel.read_inbound() is None
    assert not channel.finish()


def test_oversized_request_without_keep_alive_closes():
    channel = EmbeddedChannel(HttpObjectAggregator(4))
    request = put(version=HttpVersion.HTTP_1_0)
    HttpUtil.set_content_length(request, 5)
    channel.write_inbound(request)
    response = channel.read_outbound()
    assert response.status().code() == 413 and response.headers().get("connection") == "close"
    assert not channel.is_open()


def raw_server(max_content_length=4):
    return EmbeddedChannel(HttpRequestDecoder(), HttpObjectAggregator(max_content_length))


def test_100_continue_within_the_limit():
    channel = raw_server()
    channel.write_inbound(data("PUT / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"))
    response = channel.read_outbound()
    assert response.status() == HttpResponseStatus.CONTINUE and "content-length" not in response.headers()
    response.release()
    channel.write_inbound(data("abcd"))
    full = channel.read_inbound()
    assert bytes(full.content()) == b"abcd" and "expect" not in full.headers()
    full.release()
    assert not channel.finish()


def test_request_after_oversized_100_continue_decodes():
    channel = raw_server()
    channel.write_inbound(data("PUT / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n"))
    response = channel.read_outbound()
    assert response.status().code() == 413 and channel.is_open()
    response.release()
    # the client did not send the body: the decoder was reset and the next request decodes
    channel.write_inbound(data("PUT / HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi"))
    full = channel.read_inbound()
    assert full.decoder_result().is_success() and bytes(full.content()) == b"hi"
    full.release()
    assert not channel.finish()


def test_unsupported_expectation_gets_417():
    channel = raw_server()
    channel.write_inbound(data("PUT / HTTP/1.1\r\nExpect: chocolate=yummy\r\nContent-Length: 0\r\n\r\n"))
    response = channel.read_outbound()
    assert response.status() == HttpResponseStatus.EXPECTATION_FAILED
    response.release()
    assert channel.read_inbound() is None
    channel.finish_and_release_all()


def test_bad_response_surfaces_as_a_failed_full_response():
    channel = EmbeddedChannel(HttpResponseDecoder(), HttpObjectAggregator(1024 * 1024))
    channel.write_inbound(data("HTTP/1.0 BOGUS\r\n"))
    full = channel.read_inbound()
    assert isinstance(full, FullHttpResponse) and full.decoder_result().is_failure()
    full.release()
    assert not channel.finish()


def test_failed_head_is_finished_at_once_with_its_failure():
    channel = EmbeddedChannel(HttpResponseDecoder(max_header_size=16), HttpObjectAggregator(1024))
    channel.write_inbound(data("HTTP/1.1 200 OK\r\nX-Long: 12345678901234567890\r\n\r\n"))
    full = channel.read_inbound()
    assert isinstance(full, FullHttpResponse)
    assert isinstance(full.decoder_result().cause(), TooLongHttpHeaderException)
    full.release()
    assert not channel.finish()


def test_failed_chunk_finishes_the_aggregate_with_the_failure():
    channel = EmbeddedChannel(HttpResponseDecoder(), HttpObjectAggregator(1024))
    channel.write_inbound(data("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\nZZ\r\n"))
    full = channel.read_inbound()
    assert full.decoder_result().is_failure() and bytes(full.content()) == b"a"
    full.release()
    assert not channel.finish()


def test_premature_closure_with_chunked_encoding():
    channel = EmbeddedChannel(HttpResponseDecoder(), HttpObjectAggregator(1024))
    channel.write_inbound(data("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"))
    with pytest.raises(PrematureChannelClosureException, match="Channel closed while still aggregating message"):
        channel.finish()


def test_partial_message_is_released_when_the_handler_is_removed():
    aggregator = HttpObjectAggregator(1024)
    channel = EmbeddedChannel(aggregator)
    piece = DefaultHttpContent(data("part"))
    channel.write_inbound(put(), piece)
    assert piece.ref_cnt() == 1  # held by the composite
    channel.pipeline().remove(aggregator)
    assert piece.ref_cnt() == 0
    assert not channel.finish()


def test_second_head_while_aggregating_is_an_error_and_releases_the_first():
    channel = EmbeddedChannel(HttpObjectAggregator(1024))
    piece = DefaultHttpContent(data("part"))
    channel.write_inbound(put(), piece)
    with pytest.raises(MessageAggregationException):
        channel.write_inbound(put())
    assert piece.ref_cnt() == 0
    assert not channel.finish()


def test_full_messages_pass_through():
    channel = EmbeddedChannel(HttpRequestDecoder(), HttpObjectAggregator(1024))
    channel.write_inbound(data("GET / HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"))
    messages = inbound(channel)
    assert [m.uri() for m in messages] == ["/", "/2"] and all(m.content().readable_bytes() == 0 for m in messages)
    release_all(messages)
    assert not channel.finish()
