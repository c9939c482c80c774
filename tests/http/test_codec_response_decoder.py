"""HttpResponseDecoder, after the scenarios of Netty's HttpResponseDecoderTest and HttpInvalidMessageTest."""
import pytest

from pytest_bufleak.channel import EmbeddedChannel, PrematureChannelClosureException
from pytest_bufleak.http import (
    DefaultFullHttpResponse,
    HttpContent,
    HttpResponse,
    HttpResponseDecoder,
    HttpResponseStatus,
    InvalidChunkTerminationException,
    InvalidLineSeparatorException,
    LastHttpContent,
    TooLongHttpHeaderException,
    TooLongHttpLineException,
)

from http_codec_helpers import body, data, decode_all, inbound, release_all

EMPTY = LastHttpContent.EMPTY_LAST_CONTENT


def decode(*chunks, decoder=None, close=False):
    """Feed ``chunks`` one read each; return every message decoded (and, with ``close``, after the close)."""
    return decode_all(decoder or HttpResponseDecoder(), chunks, close)


def test_header_block_of_exactly_max_header_size_decodes():
    # two header lines whose bytes (without CRLFs) sum to 8192
    first = "A: " + "a" * (4096 - 3)
    second = "B: " + "b" * (4096 - 3)
    messages = decode(f"HTTP/1.1 200 OK\r\n{first}\r\n{second}\r\nContent-Length: 0\r\n\r\n",
                      decoder=HttpResponseDecoder(max_header_size=8192 + len("Content-Length: 0")))
    assert messages[0].decoder_result().is_success() and messages[1] is EMPTY
    assert len(messages[0].headers().get("a")) == 4093


def test_one_byte_over_max_header_size_fails_and_nothing_follows():
    first = "A: " + "a" * (4096 - 3)
    second = "B: " + "b" * (4096 - 2)
    messages = decode(f"HTTP/1.1 200 OK\r\n{first}\r\n{second}\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n", close=True)
    assert len(messages) == 1
    assert isinstance(messages[0].decoder_result().cause(), TooLongHttpHeaderException)
    assert "HTTP header is larger than 8192 bytes." in str(messages[0].decoder_result().cause())


def test_header_limit_applies_before_any_line_feed_arrives():
    messages = decode("HTTP/1.1 200 OK\r\nX: " + "x" * 9000)
    assert isinstance(messages[0].decoder_result().cause(), TooLongHttpHeaderException)


def test_initial_line_too_long():
    messages = decode("HTTP/1.1 200 " + "O" * 5000 + "\r\n\r\n")
    assert isinstance(messages[0], DefaultFullHttpResponse)
    assert isinstance(messages[0].decoder_result().cause(), TooLongHttpLineException)
    release_all(messages)


@pytest.mark.parametrize("step", [1, 2, 3, 7, 16, 64])
def test_fragmented_head_then_body_in_two_reads(step):
    head = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"
    pieces = [head[i:i + step] for i in range(0, len(head), step)]
    messages = decode(*pieces, "01234", "56789")
    assert [type(m).__name__ for m in messages] == ["DefaultHttpResponse", "DefaultHttpContent",
                                                    "DefaultLastHttpContent"]
    assert bytes(messages[1].content()) == b"01234" and bytes(messages[2].content()) == b"56789"
    release_all(messages)


def test_content_is_passed_on_as_it_arrives_in_pieces_of_max_chunk_size():
    messages = decode("HTTP/1.1 200 OK\r\nContent-Length: 20000\r\n\r\n" + "z" * 20000)
    sizes = [m.content().readable_bytes() for m in messages[1:]]
    assert sizes == [8192, 8192, 3616] and isinstance(messages[-1], LastHttpContent)
    assert not isinstance(messages[1], LastHttpContent)
    release_all(messages)


def test_chunks_larger_than_max_chunk_size_are_split():
    chunk = "x" * 64
    messages = decode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                      f"40\r\n{chunk}\r\n40\r\n{chunk}\r\n0\r\n\r\n", decoder=HttpResponseDecoder(max_chunk_size=32))
    assert [m.content().readable_bytes() for m in messages[1:-1]] == [32, 32, 32, 32]
    assert messages[-1] is EMPTY
    release_all(messages)


def test_chunked_response_with_trailers_fragmented():
    text = ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n"
            "Set-Cookie: t1=t1v1\r\nSet-Cookie: t2=t2v2\r\nHost: x\r\n\tfolded\r\nContent-Length: 9\r\n\r\n")
    for step in (1, 5, len(text)):
        messages = decode(*[text[i:i + step] for i in range(0, len(text), step)])
        last = messages[-1]
        assert isinstance(last, LastHttpContent) and body(messages) == b"abc"
        assert last.trailing_headers().get_all("set-cookie") == ["t1=t1v1", "t2=t2v2"]
        assert last.trailing_headers().get("host") == "xfolded"
        assert "content-length" not in last.trailing_headers()
        release_all(messages)


def test_closure_without_content_length_ends_the_body():
    messages = decode("HTTP/1.1 200 OK\r\n\r\n", "12345", close=True)
    assert body(messages) == b"12345" and messages[-1] is EMPTY
    release_all(messages)


def test_closure_without_content_length_before_any_body():
    messages = decode("HTTP/1.1 200 OK\r\n\r\n", close=True)
    assert isinstance(messages[0], HttpResponse) and messages[1:] == [EMPTY]


@pytest.mark.parametrize("tail", ["", "5\r\n12", "5\r\n12345\r\n"])
def test_premature_closure_of_chunked_body_emits_no_last_content(tail):
    messages = decode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + tail, close=True)
    assert not any(isinstance(m, LastHttpContent) for m in messages)
    release_all(messages)


def test_premature_closure_of_fixed_length_body_emits_no_last_content():
    messages = decode("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n123", close=True)
    assert [type(m).__name__ for m in messages] == ["DefaultHttpResponse", "DefaultHttpContent"]
    release_all(messages)


def test_connection_closed_before_headers_received():
    messages = decode("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n", close=True)
    assert len(messages) == 1 and isinstance(messages[0], HttpResponse)
    cause = messages[0].decoder_result().cause()
    assert isinstance(cause, PrematureChannelClosureException)
    assert str(cause) == "Connection closed before received headers"


@pytest.mark.parametrize("size_line, message", [
    ("NOT_A_CHUNK_LENGTH", "Invalid character in chunk size"), (";ext", "Empty chunk size"),
    ("   ", "Empty chunk size"), ("FFFFFFFFFF", "Chunk size overflow"),
])
def test_bad_chunk_size_fails_the_last_content_and_nothing_follows(size_line, message):
    messages = decode(f"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{size_line}\r\n", "0\r\n\r\n",
                      close=True)
    assert [type(m).__name__ for m in messages] == ["DefaultHttpResponse", "DefaultLastHttpContent"]
    cause = messages[1].decoder_result().cause()
    assert isinstance(cause, ValueError) and message in str(cause)


def test_chunk_size_with_extension_and_bare_lf_is_refused():
    ok = decode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;name=value\r\nabc\r\n0\r\n\r\n")
    assert body(ok) == b"abc" and ok[-1] is EMPTY
    release_all(ok)
    bad = decode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n")
    assert bad[-1].decoder_result().is_failure()


@pytest.mark.parametrize("after_data", ["XX", "\n0\r\n\r\n", "\r0\r\n\r\n"])
def test_chunk_data_must_end_with_crlf(after_data):
    messages = decode(f"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc{after_data}")
    assert isinstance(messages[-1].decoder_result().cause(), InvalidChunkTerminationException)
    release_all(messages)


def test_bad_initial_line_fails_and_later_traffic_is_discarded():
    messages = decode("HTTP/1.0 BAD_CODE Bad Server\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
                      close=True)
    assert len(messages) == 1 and isinstance(messages[0], DefaultFullHttpResponse)
    assert messages[0].decoder_result().is_failure() and messages[0].status().code() == 999
    release_all(messages)


@pytest.mark.parametrize("head", [
    "HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n",              # no colon
    "HTTP/1.1 200 OK\r\nX: a\x0bb\r\n\r\n",                  # a control character in a value
    "HTTP/1.1 200 OK\r\nX:\x0cvalue\r\n\r\n",                # a separator that is not SP or HTAB
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: five\r\n\r\n",
    "HTTP/1.12 200 OK\r\n\r\n",
    "HTTP/1.1 200 OK\nX: y\r\n\r\n",                        # a bare LF (strict line parsing)
])
def test_invalid_heads_fail_and_discard(head):
    messages = decode(head, "HTTP/1.1 204 No Content\r\n\r\n", close=True)
    assert len(messages) == 1 and messages[0].decoder_result().is_failure()
    release_all(messages)


def test_bare_lf_is_named():
    messages = decode("HTTP/1.1 200 OK\r\nX: y\n\r\n")
    assert isinstance(messages[0].decoder_result().cause(), InvalidLineSeparatorException)


def test_lenient_line_parsing_accepts_bare_lf():
    messages = decode("HTTP/1.1 200 OK\nContent-Length: 1\n\nx", decoder=HttpResponseDecoder(strict_line_parsing=False))
    assert messages[0].decoder_result().is_success() and body(messages) == b"x"
    release_all(messages)


def test_duplicate_identical_content_lengths_when_allowed():
    messages = decode("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
                      decoder=HttpResponseDecoder(allow_duplicate_content_lengths=True))
    assert messages[0].headers().get_all("content-length") == ["1"] and body(messages) == b"x"
    release_all(messages)


def test_chunked_wins_over_content_length_which_is_removed():
    messages = decode("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "1\r\nx\r\n0\r\n\r\n")
    assert "content-length" not in messages[0].headers() and body(messages) == b"x" and messages[-1] is EMPTY
    release_all(messages)


@pytest.mark.parametrize("status", [100, 102, 204, 304])
def test_bodiless_statuses_end_at_their_headers(status):
    messages = decode(f"HTTP/1.1 {status} X\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    assert messages[0].status().code() == status and messages[1] is EMPTY
    assert messages[2].status() == HttpResponseStatus.OK and body(messages[3:]) == b"ok"
    release_all(messages)


def test_header_folding_and_lenient_space_before_colon_in_responses():
    messages = decode("HTTP/1.1 200 OK\r\nX-Folded: a\r\n  b\r\n\tc\r\nServer : test\r\nContent-Length: 0\r\n\r\n")
    headers = messages[0].headers()
    assert headers.get("x-folded") == "a b c" and headers.get("server") == "test"


def test_pipelined_responses_in_one_read_and_leading_crlf_skipped():
    messages = decode("\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"
                      "HTTP/1.0 404 Not Found\r\nContent-Length: 1\r\n\r\nb")
    assert [m.status().code() for m in messages if isinstance(m, HttpResponse)] == [200, 404]
    assert body(messages) == b"ab" and str(messages[2].protocol_version()) == "HTTP/1.0"
    release_all(messages)


def test_empty_reason_phrase():
    messages = decode("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n")
    assert messages[0].status().code() == 200 and messages[0].status().reason_phrase() == ""


def test_content_is_a_zero_copy_slice_released_by_the_receiver():
    channel = EmbeddedChannel(HttpResponseDecoder())
    channel.write_inbound(data("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbo"))
    response, piece = inbound(channel)
    assert isinstance(piece, HttpContent) and piece.ref_cnt() == 1
    channel.write_inbound(data("dy"))
    last = channel.read_inbound()
    assert bytes(last.content()) == b"dy"
    piece.release()
    last.release()
    assert not channel.finish()


def test_switching_protocols_passes_the_rest_through():
    channel = EmbeddedChannel(HttpResponseDecoder())
    channel.write_inbound(data("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n\x00\x01raw"))
    response, empty, raw = inbound(channel)
    assert response.status().code() == 101 and empty is EMPTY and bytes(raw) == b"\x00\x01raw"
    raw.release()
    assert not channel.finish()
