"""HttpHeaders, the start-line words, HttpUtil and the message types."""
import pytest

from pytest_bufleak import Unpooled
from pytest_bufleak.http import (
    DefaultFullHttpResponse,
    DefaultHttpContent,
    DefaultHttpRequest,
    DefaultHttpResponse,
    DefaultLastHttpContent,
    HttpHeaders,
    HttpMethod,
    HttpResponseStatus,
    HttpUtil,
    HttpVersion,
    LastHttpContent,
)


def test_headers_are_case_insensitive_ordered_and_multi_valued():
    headers = HttpHeaders()
    headers.add("Set-Cookie", "a=1").add("set-cookie", "b=2").add("Content-Length", 12)
    assert headers.get("SET-COOKIE") == "a=1"
    assert headers.get_all("Set-Cookie") == ["a=1", "b=2"]
    assert headers["content-length"] == "12" and headers.get_int("Content-Length") == 12
    assert "CONTENT-LENGTH" in headers and len(headers) == 3
    assert headers.names() == ["Set-Cookie", "Content-Length"]
    headers.set("SET-COOKIE", ["c=3"])
    assert list(headers) == [("Content-Length", "12"), ("SET-COOKIE", "c=3")]
    del headers["content-length"]
    assert headers.get("Content-Length") is None and headers.get("x", "d") == "d"
    with pytest.raises(KeyError):
        headers["Content-Length"]


def test_contains_value_splits_comma_lists():
    headers = HttpHeaders().add("Connection", "keep-alive, Upgrade")
    assert headers.contains_value("connection", "upgrade", ignore_case=True)
    assert not headers.contains_value("connection", "upgrade")
    assert not headers.contains("connection", "upgrade", ignore_case=True)


@pytest.mark.parametrize("name, value", [("Bad Name", "v"), ("", "v"), ("X", "a\r\nInjected: 1"), ("X", "nul\0")])
def test_validation_refuses_injection(name, value):
    with pytest.raises(ValueError):
        HttpHeaders().add(name, value)
    HttpHeaders(validate=False).add(name, value)


def test_header_values_must_be_text_or_int():
    with pytest.raises(TypeError, match="must be a str or an int, not bytes"):
        HttpHeaders().add("X", b"v")


def test_start_line_words():
    assert HttpMethod.value_of("GET") is HttpMethod.GET and str(HttpMethod.value_of("PROPFIND")) == "PROPFIND"
    assert HttpVersion.value_of("HTTP/1.1") is HttpVersion.HTTP_1_1
    assert HttpVersion.value_of("HTTP/2.0").major_version() == 2
    with pytest.raises(ValueError, match="invalid version format"):
        HttpVersion.value_of("HTTP/1")
    assert HttpResponseStatus.value_of(404) is HttpResponseStatus.NOT_FOUND
    assert int(HttpResponseStatus.OK) == 200 and HttpResponseStatus.value_of(299).reason_phrase() == "Success"
    assert HttpResponseStatus.value_of(200, "Fine") == HttpResponseStatus.OK
    with pytest.raises(ValueError):
        HttpMethod("GE T")


@pytest.mark.parametrize("version, connection, keep_alive", [
    (HttpVersion.HTTP_1_1, None, True), (HttpVersion.HTTP_1_1, "close", False),
    (HttpVersion.HTTP_1_0, None, False), (HttpVersion.HTTP_1_0, "Keep-Alive", True),
    (HttpVersion.HTTP_1_1, "keep-alive, close", False),
])
def test_is_keep_alive(version, connection, keep_alive):
    response = DefaultHttpResponse(version, HttpResponseStatus.OK)
    if connection:
        response.headers().set("Connection", connection)
    assert HttpUtil.is_keep_alive(response) is keep_alive
    HttpUtil.set_keep_alive(response, not keep_alive)
    assert HttpUtil.is_keep_alive(response) is (not keep_alive)


def test_content_length_and_chunked():
    request = DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/")
    assert HttpUtil.get_content_length(request, -1) == -1
    with pytest.raises(ValueError, match="header not found"):
        HttpUtil.get_content_length(request)
    HttpUtil.set_content_length(request, 5)
    assert HttpUtil.get_content_length(request) == 5
    HttpUtil.set_transfer_encoding_chunked(request, True)
    assert HttpUtil.is_transfer_encoding_chunked(request) and not HttpUtil.is_content_length_set(request)
    request.headers().add("Transfer-Encoding", "gzip")
    HttpUtil.set_transfer_encoding_chunked(request, False)
    assert request.headers().get_all("transfer-encoding") == ["gzip"]
    HttpUtil.set_100_continue_expected(request, True)
    assert HttpUtil.is_100_continue_expected(request)


@pytest.mark.parametrize("fields, http10, allow, expected", [
    (["42"], False, False, 42), (["42", "42"], False, True, 42), (["42, 42"], False, True, 42),
    (["42", "43"], False, True, ValueError), (["42", "42"], False, False, ValueError),
    (["42", "43"], True, False, 42), (["+42"], False, False, ValueError), (["-1"], False, False, ValueError),
    (["4 2"], False, False, ValueError), ([""], False, False, ValueError), ([], False, False, -1),
])
def test_normalize_and_get_content_length(fields, http10, allow, expected):
    if expected is ValueError:
        with pytest.raises(ValueError):
            HttpUtil.normalize_and_get_content_length(fields, http10, allow)
    else:
        assert HttpUtil.normalize_and_get_content_length(fields, http10, allow) == expected


def test_contents_are_reference_counted_holders():
    content = DefaultHttpContent(Unpooled.copied_buffer(b"abc"))
    assert content.ref_cnt() == 1 and bytes(content.content()) == b"abc"
    with content.retained_duplicate() as duplicate:
        assert isinstance(duplicate, DefaultHttpContent) and content.ref_cnt() == 2
    assert content.ref_cnt() == 1 and content.release()
    last = DefaultLastHttpContent(Unpooled.copied_buffer(b"z"))
    last.trailing_headers().add("X-Checksum", "1")
    copy = last.copy()
    assert isinstance(copy, LastHttpContent) and copy.trailing_headers().get("x-checksum") == "1"
    assert copy.release() and last.release()


def test_empty_last_content_is_a_shared_constant():
    empty = LastHttpContent.EMPTY_LAST_CONTENT
    assert empty.ref_cnt() == 1 and empty.retain() is empty and empty.release() is False
    assert not empty.content().is_readable() and empty.trailing_headers().is_empty()
    with pytest.raises(TypeError):
        empty.trailing_headers().add("X", "1")


def test_full_response_owns_its_content():
    response = DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.copied_buffer(b"hi"))
    response.headers().set("Content-Type", "text/plain")
    copy = response.copy()
    assert copy.status() == HttpResponseStatus.OK and copy.headers().get("content-type") == "text/plain"
    assert copy != response and copy.release() and response.release()
    assert "HTTP/1.1 200 OK" in repr(DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK))
