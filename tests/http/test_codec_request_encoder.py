"""HttpRequestDecoder (Netty's HttpRequestDecoderTest scenarios) and the two encoders."""
import pytest

from pytest_bufleak.channel import EmbeddedChannel, EncoderException
from pytest_bufleak.http import (
    DefaultFullHttpRequest,
    DefaultFullHttpResponse,
    DefaultHttpContent,
    DefaultHttpRequest,
    DefaultHttpResponse,
    DefaultLastHttpContent,
    HttpMethod,
    HttpRequest,
    HttpRequestDecoder,
    HttpRequestEncoder,
    HttpResponseEncoder,
    HttpResponseStatus,
    HttpUtil,
    HttpVersion,
    LastHttpContent,
    TooLongHttpLineException,
)

from http_codec_helpers import body, data, decode_all, outbound_bytes, release_all

EMPTY = LastHttpContent.EMPTY_LAST_CONTENT


def decode(*chunks, close=False, **options):
    return decode_all(HttpRequestDecoder(**options), chunks, close)


def test_request_without_length_has_no_body():
    request, last = decode("GET /path?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")
    assert request.method() is HttpMethod.GET and request.uri() == "/path?q=1" and last is EMPTY
    assert request.headers().get("HOST") == "example.com"


@pytest.mark.parametrize("step", [1, 4, 100])
def test_fragmented_request_with_content_length(step):
    text = "POST /upload HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world"
    messages = decode(*[text[i:i + step] for i in range(0, len(text), step)])
    assert isinstance(messages[0], HttpRequest) and body(messages) == b"hello world"
    assert isinstance(messages[-1], LastHttpContent)
    release_all(messages)


def test_chunked_request_with_trailers():
    messages = decode("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n"
                      "0\r\nX-Trailer: yes\r\n\r\n")
    assert body(messages) == b"Wikipedia" and messages[-1].trailing_headers().get("x-trailer") == "yes"
    release_all(messages)


def test_leading_empty_lines_are_skipped():
    messages = decode("\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n")
    assert messages[0].decoder_result().is_success() and messages[1] is EMPTY


@pytest.mark.parametrize("text", [
    "GET / HTTP/1.1\r\nHost : example.com\r\n\r\n",     # whitespace before the colon (request smuggling)
    "GET / HTTP/1.1 \r\n\r\n",                         # trailing space on a request line
    "GET / HTTP/1.10\r\n\r\n",                          # strict version
    "GET\x1c/ HTTP/1.1\r\n\r\n",                        # a control character in the method
    "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
])
def test_invalid_requests_fail(text):
    messages = decode(text, "GET / HTTP/1.1\r\n\r\n")
    assert len(messages) == 1 and messages[0].decoder_result().is_failure()
    release_all(messages)


def test_broken_request_line_gives_a_full_bad_request_to_release():
    (message,) = decode("\x01\x02 junk\r\n\r\n")
    assert isinstance(message, DefaultFullHttpRequest) and message.uri() == "/bad-request"
    assert message.decoder_result().is_failure() and message.release()


def test_too_long_uri():
    (message,) = decode("GET /" + "a" * 4096 + " HTTP/1.1\r\n\r\n")
    assert isinstance(message.decoder_result().cause(), TooLongHttpLineException)
    message.release()


def test_http10_request_takes_the_first_of_several_lengths():
    messages = decode("POST / HTTP/1.0\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")
    assert messages[0].decoder_result().is_success() and body(messages) == b"a"
    release_all(messages)


def test_request_closed_mid_body_emits_no_last_content():
    messages = decode("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab", close=True)
    assert [type(m).__name__ for m in messages] == ["DefaultHttpRequest", "DefaultHttpContent"]
    release_all(messages)


def test_chunked_not_supported_fails_the_request():
    (message,) = decode("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", chunked_supported=False)
    assert "Chunked messages not supported" in str(message.decoder_result().cause())


# ---------------------------------------------------------------------------------------------- encoders

def encode(encoder, *messages):
    channel = EmbeddedChannel(encoder)
    channel.write_outbound(*messages)
    written = outbound_bytes(channel)
    assert not channel.finish()
    return written


@pytest.mark.parametrize("uri, target", [
    ("", "/"), ("/a?b", "/a?b"), ("http://localhost", "http://localhost/"),
    ("http://localhost?x=1", "http://localhost/?x=1"), ("http://localhost/p", "http://localhost/p"),
])
def test_request_target(uri, target):
    request = DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri)
    assert encode(HttpRequestEncoder(), request).startswith(f"GET {target} HTTP/1.1\r\n".encode())


def test_full_request_with_body():
    request = DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/", data("abc"))
    HttpUtil.set_content_length(request, 3)
    assert encode(HttpRequestEncoder(), request) == b"POST / HTTP/1.1\r\ncontent-length: 3\r\n\r\nabc"


def test_encode_chunked_request_with_trailers():
    head = DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/f")
    HttpUtil.set_transfer_encoding_chunked(head, True)
    last = DefaultLastHttpContent(data("de"))
    last.trailing_headers().add("X-Sum", "9")
    written = encode(HttpRequestEncoder(), head, DefaultHttpContent(data("abc")), last)
    assert written == (b"PUT /f HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n"
                       b"0\r\nX-Sum: 9\r\n\r\n")


def test_chunked_response_ends_with_zero_chunk():
    head = DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK)
    HttpUtil.set_transfer_encoding_chunked(head, True)
    written = encode(HttpResponseEncoder(), head, DefaultHttpContent(data("x" * 3000)), EMPTY)
    assert written.endswith(b"\r\n\r\nbb8\r\n" + b"x" * 3000 + b"\r\n0\r\n\r\n")


def test_large_body_is_passed_on_without_a_copy():
    response = DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, data(b"y" * 5000))
    channel = EmbeddedChannel(HttpResponseEncoder())
    channel.write_outbound(response)
    head, content = channel.read_outbound(), channel.read_outbound()
    assert bytes(head) == b"HTTP/1.1 200 OK\r\n\r\n" and content.readable_bytes() == 5000
    head.release()
    content.release()
    assert not channel.finish()


@pytest.mark.parametrize("code, expected", [(204, b""), (205, b"content-length: 0\r\n"), (100, b"")])
def test_bodiless_statuses_lose_their_framing_headers(code, expected):
    response = DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.value_of(code), data("dropped"))
    response.headers().set("Transfer-Encoding", "chunked")
    written = encode(HttpResponseEncoder(), response)
    assert written.split(b"\r\n", 1)[1] == expected + b"\r\n"


def test_content_before_a_head_is_refused_and_released():
    channel = EmbeddedChannel(HttpResponseEncoder())
    content = DefaultHttpContent(data("x"))
    with pytest.raises(EncoderException, match="unexpected message type: DefaultHttpContent, state: ST_INIT"):
        channel.write_outbound(content)
    assert content.ref_cnt() == 0
    assert not channel.finish()


def test_head_before_the_last_content_is_refused():
    channel = EmbeddedChannel(HttpRequestEncoder())
    channel.write_outbound(DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/"))
    with pytest.raises(EncoderException, match="state: ST_CONTENT_NON_CHUNK"):
        channel.write_outbound(DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/"))
    channel.finish_and_release_all()


def test_round_trip_through_encoder_and_decoder():
    request = DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/echo", data("payload"))
    request.headers().add("X-Multi", "1").add("x-multi", "2")
    HttpUtil.set_content_length(request, 7)
    wire = encode(HttpRequestEncoder(), request)
    messages = decode(wire.decode("latin-1"))
    assert messages[0].headers().get_all("X-MULTI") == ["1", "2"] and body(messages) == b"payload"
    release_all(messages)
