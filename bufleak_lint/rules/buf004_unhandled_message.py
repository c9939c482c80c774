"""BUF004: a ``channel_read`` that drops its message on some path."""

from typing import Iterator

from bufleak_lint.analysis.facts import ModuleFacts
from bufleak_lint.rules.base import Rule, Violation


class UnhandledMessage(Rule):
    code = "BUF004"
    name = "channel-read-drops-message"
    summary = ("A handler's `channel_read` that, on some path, neither releases, forwards, writes, "
               "stores nor returns its message.")
    why = ("`channel_read` receives ownership of the message. A path that ends without passing it "
           "on (`ctx.fire_channel_read`), writing it, storing it or releasing it leaks it: this is "
           "Netty's most common leak. `channel_read0` of a `SimpleChannelInboundHandler` is "
           "exempt, because that class releases the message after the call.")
    bad = """
class Counter(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        self.count += msg.readable_bytes()      # msg is never released
"""
    good = """
class Counter(SimpleChannelInboundHandler):
    def channel_read0(self, ctx, msg):
        self.count += msg.readable_bytes()      # released by the base class
"""
    fix = ("No automatic fix: release the message in `try/finally`, pass it on with "
           "`ctx.fire_channel_read(msg)`, or extend `SimpleChannelInboundHandler` and implement "
           "`channel_read0`.")
    VALID = [
        """
class H(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        try:
            self.handle(msg.to_string())
        finally:
            ReferenceCountUtil.safe_release(msg)
""",
        """
class H(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        if not isinstance(msg, ByteBuf):
            ctx.fire_channel_read(msg)
            return
        self.queue.append(msg)
""",
        """
class H(SimpleChannelInboundHandler):
    def channel_read0(self, ctx, msg):
        self.count += msg.readable_bytes()
""",
        """
class H(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        self.pending = msg
""",
        """
class Reader:
    def channel_read(self):
        return 1
""",
    ]
    INVALID = [
        """
class H(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        self.count += msg.readable_bytes()
""",
        """
class H(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        if msg.readable_bytes() == 0:
            return
        ctx.fire_channel_read(msg)
""",
        """
class H(ChannelInboundHandlerAdapter):
    def channelRead(self, ctx, msg):
        for _ in range(3):
            if self.ready:
                ctx.fireChannelRead(msg)
                break
""",
    ]

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        for item in facts.unhandled:
            name = item.function.name.value
            if item.retained_extra:
                message = (f"{name}() still holds a reference to '{item.message}' on the path "
                           "leaving at line {line}: it was retained more often than it was "
                           "released or passed on")
            else:
                message = (f"{name}() neither releases, forwards, writes, stores nor returns "
                           f"'{item.message}' on the path leaving at line {{line}}; release it in "
                           "try/finally or extend SimpleChannelInboundHandler")
            yield Violation(self.code, item.function.name, message, related=item.exit.node)
