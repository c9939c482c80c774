"""Handlers, names, initializers and channel options are checked where they are given, with a TypeError saying what was expected."""
from __future__ import annotations

import asyncio

import pytest

from pytest_bufleak.channel import ChannelInboundHandlerAdapter, EmbeddedChannel, aio

EXPECTED_HANDLER = "expected a channel handler"


@pytest.mark.parametrize("bad", [42, "name", object(), ("name", ChannelInboundHandlerAdapter())])
def test_embedded_channel_refuses_what_is_not_a_handler(bad):
    with pytest.raises(TypeError, match="handler"):
        EmbeddedChannel(ChannelInboundHandlerAdapter(), bad, ChannelInboundHandlerAdapter())


def test_a_tuple_is_not_a_named_handler_and_the_error_says_how_to_name_one():
    ch = EmbeddedChannel()
    with pytest.raises(TypeError, match=r"not tuple.*add_last\('name', handler\)"):
        ch.pipeline().add_last(("decoder", ChannelInboundHandlerAdapter()))
    assert len(ch.pipeline()) == 0
    ch.pipeline().add_last("decoder", ChannelInboundHandlerAdapter())  # the supported form
    assert ch.pipeline().names()[1] == "decoder"
    assert not ch.finish()


def test_names_and_classes_are_checked_before_anything_changes():
    ch = EmbeddedChannel(ChannelInboundHandlerAdapter())
    pipeline = ch.pipeline()
    handler = ChannelInboundHandlerAdapter()
    with pytest.raises(TypeError, match="name must be a str or None, not int"):
        pipeline.add_after(pipeline.names()[1], 7, handler)
    with pytest.raises(TypeError, match=r"is a class, not a handler: add an instance"):
        pipeline.add_first(ChannelInboundHandlerAdapter)
    with pytest.raises(TypeError, match=EXPECTED_HANDLER):
        pipeline.replace(pipeline.names()[1], "other", 3.5)
    assert len(pipeline) == 1
    pipeline.add_last(handler)  # refused above without being marked as added
    assert len(pipeline) == 2
    assert not ch.finish()


@pytest.mark.parametrize("option, value", [("alloc", 3), ("water_mark", (1, 2))])
def test_channel_options_of_the_wrong_type_are_refused(option, value):
    with pytest.raises(TypeError, match=f"{option} must be a"):
        EmbeddedChannel(**{option: value})


@pytest.mark.parametrize("initializer", [None, 42, ChannelInboundHandlerAdapter])
def test_aio_refuses_a_bad_initializer_before_listening_or_connecting(initializer):
    async def main():
        with pytest.raises(TypeError, match="initializer must be a handler"):
            await aio.serve(initializer, "127.0.0.1", 0)
        with pytest.raises(TypeError, match="initializer must be a handler"):
            await aio.connect(initializer, "127.0.0.1", 1)

    asyncio.run(main())
