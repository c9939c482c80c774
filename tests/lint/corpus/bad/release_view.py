"""Releasing a slice that was never retained, taken from a buffer this code does not own."""

import logging

from pytest_bufleak.channel import ByteToMessageDecoder, SimpleChannelInboundHandler

log = logging.getLogger(__name__)
TAG_LENGTH = 4


class TaggedFrameDecoder(ByteToMessageDecoder):
    """Frames start with a four-letter ASCII tag followed by a 2-byte length."""

    def decode(self, ctx, in_, out):
        if in_.readable_bytes() < TAG_LENGTH + 2:
            return
        tag = in_.slice(in_.reader_index, TAG_LENGTH)
        name = tag.to_string("ascii")
        tag.release()  # expect: BUF008
        length = in_.get_unsigned_short(in_.reader_index + TAG_LENGTH)
        if in_.readable_bytes() < TAG_LENGTH + 2 + length:
            return
        in_.skip_bytes(TAG_LENGTH + 2)
        log.debug("%s frame, %d bytes", name, length)
        out.append(in_.read_retained_slice(length))


class HeaderLogger(SimpleChannelInboundHandler):
    """Logs the 8-byte header of every message; the base class releases the message."""

    def channel_read0(self, ctx, msg):
        header = msg.slice(msg.reader_index, 8)
        log.debug("header %s", bytes(header).hex())
        header.release()  # expect: BUF008
