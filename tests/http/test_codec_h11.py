"""Differential tests: the same byte streams, cut at random points, into bufleak's decoders and into h11
(a mature sans-I/O parser, a dev dependency only); both must see the same messages."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_bufleak.channel import EmbeddedChannel
from pytest_bufleak.http import HttpContent, HttpMessage, HttpRequestDecoder, HttpResponseDecoder, LastHttpContent

from http_codec_helpers import data, inbound, release_all

h11 = pytest.importorskip("h11")

TOKEN = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12).map(lambda s: "x-" + s)
VALUE = st.text("abcdefghijklmnopqrstuvwxyzABC0123456789 ;=/,.", min_size=1, max_size=30).map(str.strip).filter(bool)
HEADERS = st.lists(st.tuples(TOKEN, VALUE), max_size=6)
BODY = st.binary(max_size=3000)
FRAMING = st.sampled_from(["length", "chunked", "close"])


def encode(start_line, headers, body, framing, chunk_sizes):
    lines = [start_line] + [f"{name}: {value}" for name, value in headers]
    if framing == "length":
        lines.append(f"Content-Length: {len(body)}")
    elif framing == "chunked":
        lines.append("Transfer-Encoding: chunked")
    wire = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    if framing != "chunked":
        return wire + body
    position = 0
    for size in chunk_sizes:
        piece = body[position:position + size]
        position += len(piece)
        if piece:
            wire += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    if position < len(body):
        wire += f"{len(body) - position:X};ext=1\r\n".encode() + body[position:] + b"\r\n"
    return wire + b"0\r\n\r\n"


def cut(wire, points):
    edges = sorted({0, len(wire), *(p % (len(wire) + 1) for p in points)})
    return [wire[a:b] for a, b in zip(edges, edges[1:])]


def ours(decoder, pieces, close):
    channel = EmbeddedChannel(decoder)
    for piece in pieces:
        channel.write_inbound(data(piece))
    if close:
        channel.finish()
    messages = inbound(channel)
    channel.finish_and_release_all()
    head = messages[0]
    assert isinstance(head, HttpMessage) and head.decoder_result().is_success()
    assert all(isinstance(m, HttpContent) and m.decoder_result().is_success() for m in messages[1:])
    event = {"headers": [(n.lower(), v) for n, v in head.headers()], "body": b"".join(
        bytes(m.content()) for m in messages[1:]), "ended": isinstance(messages[-1], LastHttpContent)}
    release_all(messages)
    return head, event


def theirs(connection, pieces, close):
    for piece in pieces:
        connection.receive_data(piece)
    if close:
        connection.receive_data(b"")
    head, body, ended = None, b"", False
    while True:
        event = connection.next_event()
        if event is h11.NEED_DATA or event is h11.PAUSED or isinstance(event, h11.ConnectionClosed):
            break
        if isinstance(event, (h11.Request, h11.Response)):
            head = event
        elif isinstance(event, h11.Data):
            body += bytes(event.data)
        elif isinstance(event, h11.EndOfMessage):
            ended = True
    headers = [(n.decode(), v.decode("latin-1")) for n, v in head.headers]
    return head, {"headers": headers, "body": body, "ended": ended}


@settings(max_examples=80, deadline=None)
@given(status=st.sampled_from([200, 201, 404, 500]), headers=HEADERS, body=BODY, framing=FRAMING,
       chunk_sizes=st.lists(st.integers(1, 700), max_size=5), points=st.lists(st.integers(0, 10 ** 6), max_size=8))
def test_responses_match_h11(status, headers, body, framing, chunk_sizes, points):
    wire = encode(f"HTTP/1.1 {status} Reason Phrase", headers, body, framing, chunk_sizes)
    pieces = cut(wire, points)
    close = framing == "close"
    client = h11.Connection(h11.CLIENT)
    client.send(h11.Request(method="GET", target="/", headers=[("Host", "example")]))
    client.send(h11.EndOfMessage())
    their_head, expected = theirs(client, pieces, close)
    head, actual = ours(HttpResponseDecoder(), pieces, close)
    assert head.status().code() == their_head.status_code == status
    assert head.status().reason_phrase() == their_head.reason.decode()
    # h11 folds Transfer-Encoding/Content-Length the same way: compare every header as received
    assert actual == expected


@settings(max_examples=60, deadline=None)
@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]), target=st.sampled_from(["/", "/a/b?c=d&e", "*"]),
       headers=HEADERS, body=BODY, framing=st.sampled_from(["length", "chunked"]),
       chunk_sizes=st.lists(st.integers(1, 700), max_size=5), points=st.lists(st.integers(0, 10 ** 6), max_size=8))
def test_requests_match_h11(method, target, headers, body, framing, chunk_sizes, points):
    wire = encode(f"{method} {target} HTTP/1.1", [("Host", "example")] + headers, body, framing, chunk_sizes)
    pieces = cut(wire, points)
    server = h11.Connection(h11.SERVER)
    their_head, expected = theirs(server, pieces, False)
    head, actual = ours(HttpRequestDecoder(), pieces, False)
    assert (str(head.method()), head.uri()) == (their_head.method.decode(), their_head.target.decode())
    assert actual == expected


@pytest.mark.parametrize("wire", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXX0\r\n\r\n",
    b"HTTP/1.1 OK\r\n\r\n",
    # Not here: "HTTP/1.1 2000 OK", which h11 refuses and Netty (so bufleak) accepts as status 2000.
])
def test_both_refuse_malformed_responses(wire):
    client = h11.Connection(h11.CLIENT)
    client.send(h11.Request(method="GET", target="/", headers=[("Host", "example")]))
    client.send(h11.EndOfMessage())
    client.receive_data(wire)
    with pytest.raises(h11.RemoteProtocolError):
        while client.next_event() is not h11.NEED_DATA:
            pass
    channel = EmbeddedChannel(HttpResponseDecoder())
    channel.write_inbound(data(wire))
    messages = inbound(channel)
    assert any(m.decoder_result().is_failure() for m in messages)
    release_all(messages)
    assert not channel.finish()
