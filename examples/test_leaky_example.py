"""Tests that leak on purpose, to show what ``pytest --bufleak`` reports.

Run:  pytest --bufleak examples/test_leaky_example.py
Two tests fail at teardown, each report naming the line that allocated the buffer; the others pass.
"""
import pytest

from pytest_bufleak import Unpooled


def frame_message(payload: bytes):
    """Code under test: returns a new buffer the caller must release."""
    buf = Unpooled.buffer(len(payload) + 4)
    buf.write_int(len(payload))
    buf.write_bytes(payload)
    return buf


def test_released():
    buf = frame_message(b"hello")
    try:
        assert buf.read_int() == 5
    finally:
        buf.release()


def test_forgets_to_release():
    buf = frame_message(b"hello")
    buf.touch("framed, about to check the length")
    assert buf.read_int() == 5


def test_leaks_a_slice_holder():
    whole = Unpooled.copied_buffer(b"header:body")
    body = whole.retained_slice(7, 4)
    whole.release()
    assert bytes(body) == b"body"


@pytest.fixture
def message():
    buf = Unpooled.copied_buffer(b"ping")
    yield buf
    buf.release()  # fixtures may release what they made: this is not a leak


def test_fixture_releases(message):
    assert bytes(message) == b"ping"


@pytest.mark.bufleak(allow=1)
def test_known_leak_tolerated():
    Unpooled.buffer(8)
