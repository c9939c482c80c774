"""The decoders parse a complete plain head in one pass and any other head line by line; both ways must
give the same messages. A head in one read takes the one-pass way when it is plain, the same bytes one
at a time always go line by line: the two runs must agree on everything decoded, failures included.
(Not at a limit's very edge: there a CR arriving alone counts toward it, in Netty too.)"""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_bufleak.http import DefaultHttpContent, HttpRequestDecoder, HttpResponseDecoder

from http_codec_helpers import decode_all, release_all

RESPONSE_LINES = [b"HTTP/1.1 200 OK", b"HTTP/1.0 404 Not Found", b"HTTP/1.1 204 No Content", b"HTTP/1.1 200",
                  b"HTTP/1.1 200 ", b"HTTP/1.1  200 OK", b"HTTP/1.1\t200\tOK", b"HTTP/1.1 abc OK", b"XTTP/1.1 200 OK",
                  b"HTTP/1.1 200 Caf\xe9", b"HTTP/1.1 200 OK\x01", b"\r\nHTTP/1.1 200 OK"]
REQUEST_LINES = [b"GET / HTTP/1.1", b"POST /a?b=c HTTP/1.1", b"GET /", b"GET / HTTP/1.1 ", b"GET  /  HTTP/1.1",
                 b"G\x00T / HTTP/1.1", b"OPTIONS * HTTP/1.0"]
NAMES = [b"Content-Length", b"content-length", b"Transfer-Encoding", b"Host", b"X-A", b"Connection", b"X Y",
         b"X-A ", b"", b"X@Y", b" X-Fold", b"\tX"]
SEPARATORS = [b": ", b":", b":\t", b":  ", b" : "]
VALUES = [b"5", b"0", b"chunked", b"gzip, chunked", b"close", b" v ", b"\tv\t", b"a b", b"", b"\x0bv", b"v\x00",
          b"caf\xe9", b"\x85x\xa0", b"5, 5", b"+5", b"v\rw", b"v\x7f", b"x:y: z"]
LINE_ENDS = [b"\r\n"] * 8 + [b"\n", b"\r\r\n"]

FIELD = st.tuples(st.sampled_from(NAMES), st.sampled_from(SEPARATORS), st.sampled_from(VALUES),
                  st.sampled_from(LINE_ENDS)).map(b"".join)
BODY = st.sampled_from([b"", b"hello", b"5\r\nhello\r\n0\r\n\r\n", b"5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"])


def described(messages):
    """What a run decoded, comparable across runs however the body was cut (every message released)."""
    out, body = [], b""
    for msg in messages:
        if type(msg) is DefaultHttpContent and msg.decoder_result().is_success():
            body += bytes(msg.content())
            continue
        row = [type(msg).__name__, repr(msg.decoder_result().cause())]
        if hasattr(msg, "headers"):
            row += [repr(msg), msg.headers().entries()]
        if hasattr(msg, "trailing_headers"):
            row.append(msg.trailing_headers().entries())
        if hasattr(msg, "content"):
            row.append(body + bytes(msg.content()))
            body = b""
        out.append(row)
    release_all(messages)
    return out + [body]


def whole_and_byte_by_byte(make, wire, **options):
    whole = described(decode_all(make(**options), [wire], close=True))
    split = described(decode_all(make(**options), [wire[i:i + 1] for i in range(len(wire))], close=True))
    return whole, split


@settings(max_examples=300, deadline=None)
@given(request=st.booleans(), request_line=st.sampled_from(REQUEST_LINES),
       response_line=st.sampled_from(RESPONSE_LINES), fields=st.lists(FIELD, max_size=6),
       end=st.sampled_from(LINE_ENDS), body=BODY, strict=st.booleans(), validate=st.booleans())
def test_one_pass_and_line_by_line_agree(request, request_line, response_line, fields, end, body, strict, validate):
    wire = (request_line if request else response_line) + b"\r\n" + b"".join(fields) + end + body
    make = HttpRequestDecoder if request else HttpResponseDecoder
    whole, split = whole_and_byte_by_byte(make, wire, strict_line_parsing=strict, validate_headers=validate)
    assert whole == split


@pytest.mark.parametrize("wire", [
    b"HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 5\r\n\r\nhello",
    b"HTTP/1.1 200 OK\r\nA: 1 \t\r\nB:\t2\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX: a\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX: a\r\n folded\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
])
def test_one_pass_and_line_by_line_agree_on_examples(wire):
    whole, split = whole_and_byte_by_byte(HttpResponseDecoder, wire)
    assert whole == split


@pytest.mark.parametrize("max_header_size, fails", [(20, True), (35, True), (37, False)])
def test_the_head_counts_toward_the_trailers_limit_either_way(max_header_size, fails):
    # 26 bytes of header lines, then 10 of trailers: the limit holds for the two together, as Netty's.
    wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 12345\r\n\r\n"
    whole, split = whole_and_byte_by_byte(HttpResponseDecoder, wire, max_header_size=max_header_size)
    assert whole == split
    assert ("TooLongHttpHeaderException" in repr(whole)) == fails
