"""BUF008: giving up a reference the code does not own."""

from typing import Iterator

from bufleak_lint.analysis.facts import ModuleFacts
from bufleak_lint.rules.base import Rule, Violation


class OverRelease(Rule):
    code = "BUF008"
    name = "over-release"
    summary = ("Releasing, writing, firing or passing on a borrowed buffer without `retain()` "
               "(`channel_read0`'s auto-released message, a decoder's input, a view of either), "
               "or a release that can bring the count below zero.")
    why = ("A borrowed reference is released by its owner: `SimpleChannelInboundHandler` releases "
           "`channel_read0`'s message after the call, `ByteToMessageDecoder` owns its input. "
           "Releasing it too, or handing it to `ctx.write` or the next handler (who will release "
           "it), releases it twice: the owner's release then raises "
           "`IllegalReferenceCountException`, or, worse, frees memory that a pooled buffer has "
           "already handed to someone else. Take your own reference with `retain()` first.")
    bad = """
class Echo(SimpleChannelInboundHandler):
    def channel_read0(self, ctx, msg):
        ctx.write_and_flush(msg)          # auto-release will release it again
"""
    good = """
class Echo(SimpleChannelInboundHandler):
    def channel_read0(self, ctx, msg):
        ctx.write_and_flush(msg.retain())
"""
    fix = ("No automatic fix: `retain()` before handing a borrowed buffer on, take a "
           "`read_retained_slice` instead of a `read_slice`, or turn auto-release off "
           "(`super().__init__(auto_release=False)`) and own the message.")
    VALID = [
        """
class H(SimpleChannelInboundHandler):
    def channel_read0(self, ctx, msg):
        self.total += msg.readable_bytes()
""",
        """
class D(ByteToMessageDecoder):
    def decode(self, ctx, in_, out):
        if in_.readable_bytes() >= 4:
            out.append(in_.read_retained_slice(4))
""",
        """
class H(SimpleChannelInboundHandler):
    auto_release = False

    def channel_read0(self, ctx, msg):
        ctx.fire_channel_read(msg)
""",
        """
class H(SimpleChannelInboundHandler):
    def __init__(self):
        super().__init__(auto_release=False)

    def channel_read0(self, ctx, msg):
        msg.release()
""",
        """
def f(alloc, flag):
    buf = alloc.buffer()
    if flag:
        buf.release()
        return
    buf.release()
""",
    ]
    INVALID = [
        """
class H(SimpleChannelInboundHandler):
    def channel_read0(self, ctx, msg):
        msg.release()
""",
        """
class D(ByteToMessageDecoder):
    def decode(self, ctx, in_, out):
        out.append(in_.read_slice(4))
""",
        """
class D(ByteToMessageDecoder):
    def decode(self, ctx, in_, out):
        in_.release()
""",
        """
def f(alloc, flag):
    buf = alloc.buffer()
    if flag:
        buf.release()
    buf.release()
""",
        """
def f(data):
    buf = Unpooled.copied_buffer(data)
    try:
        return sum(bytes(buf))
    finally:
        buf.release(2)
""",
    ]

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        for over in facts.over_releases:
            if over.reason == "borrowed":
                role = f" ({over.role})" if over.role else ""
                yield Violation(
                    self.code, over.node,
                    f"'{over.name}' is borrowed{role}: it is {over.action} here without "
                    "retain(), so its owner's release will be one too many")
            elif over.reason == "below zero":
                yield Violation(
                    self.code, over.node,
                    f"'{over.name}' is {over.action} but this code holds fewer references than "
                    "that: its count goes below zero")
            else:
                yield Violation(
                    self.code, over.node,
                    f"'{over.name}' can be released below a count of zero: on some path it was "
                    "already released or passed on at line {line}",
                    related=over.ended_at)
