"""The shared ownership analysis, through the findings it makes possible."""

import sys
import textwrap

import pytest

from bufleak_lint.config import parse_table
from bufleak_lint.engine import Settings, lint_text
from lint_helpers import codes_of


def test_alias_carries_ownership():
    assert codes_of("""
        def f(alloc):
            buf = alloc.buffer()
            other = buf
            other.release()
            buf.read_byte()
    """) == [(6, "BUF002")]


def test_reassignment_starts_a_new_value():
    assert codes_of("""
        def f(alloc):
            buf = alloc.buffer()
            buf.release()
            buf = alloc.buffer()
            buf.release()
    """) == []


def test_release_on_only_one_branch_is_not_a_use_after_release():
    assert codes_of("""
        def f(alloc, flag):
            buf = alloc.buffer()
            if flag:
                buf.release()
            else:
                pass
            buf.release()
    """) == [(8, "BUF008")]  # released twice when flag is set


def test_release_on_every_branch_then_use():
    assert codes_of("""
        def f(alloc, flag):
            buf = alloc.buffer()
            if flag:
                buf.release()
            else:
                ReferenceCountUtil.safe_release(buf)
            return buf.capacity
    """) == [(8, "BUF002")]


def test_release_inside_a_loop_is_only_maybe_repeated():
    assert codes_of("""
        def f(alloc, items):
            buf = alloc.buffer()
            for item in items:
                buf.write_int(item)
                buf.release()
    """) == [(3, "BUF007"), (6, "BUF001"), (6, "BUF008")]  # leaks with no items, over-released with two


def test_use_after_release_inside_a_loop():
    assert codes_of("""
        def f(alloc, items):
            buf = alloc.buffer()
            buf.release()
            while items:
                buf.write_int(items.pop())
    """) == [(6, "BUF002")]


def test_loop_that_reallocates_each_time_is_clean():
    assert codes_of("""
        def f(ctx, items):
            for item in items:
                buf = ctx.alloc().buffer()
                buf.write_int(item)
                ctx.write(buf)
    """) == []


def test_return_through_finally_releases():
    assert codes_of("""
        class H:
            def channel_read(self, ctx, msg):
                try:
                    if msg.readable_bytes() == 0:
                        return
                    ctx.fire_channel_read(msg.retained_duplicate())
                finally:
                    ReferenceCountUtil.safe_release(msg)
    """) == []


def test_write_then_release_in_finally_is_a_double_release():
    assert codes_of("""
        def f(ctx, alloc):
            buf = alloc.buffer()
            try:
                ctx.write(buf)
            finally:
                ReferenceCountUtil.safe_release(buf)
    """) == [(7, "BUF002")]


def test_release_in_except_then_reraise_protects():
    assert codes_of("""
        def f(alloc):
            buf = alloc.buffer()
            try:
                buf.write_int(1)
            except BaseException:
                ReferenceCountUtil.safe_release(buf)
                raise
            return buf
    """) == []


def test_passing_to_a_call_ends_this_functions_duty():
    assert codes_of("""
        def f(alloc):
            buf = alloc.buffer()
            keep(buf)
    """) == []


def test_stored_on_self_or_in_a_container_is_not_a_leak():
    assert codes_of("""
        class C:
            def f(self, alloc):
                buf = alloc.buffer()
                self.buf = buf
                other = alloc.buffer()
                self.queue[0] = other
                third = alloc.buffer()
                return {"b": third}
    """) == []


def test_nested_function_capture_is_not_followed():
    assert codes_of("""
        def f(alloc):
            buf = alloc.buffer()
            def later():
                buf.release()
            return later
    """) == []


def test_camel_case_spellings():
    assert codes_of("""
        class H:
            def channelRead(self, ctx, msg):
                ReferenceCountUtil.safeRelease(msg)
                ctx.fireChannelRead(msg)
    """) == [(5, "BUF002")]


def test_locks_semaphores_memoryviews_are_never_findings():
    assert codes_of("""
        import threading
        def f(data):
            lock = threading.Lock()
            sem = threading.Semaphore()
            mv = memoryview(data)
            lock.acquire()
            work()
            lock.release()
            lock.release()
            try:
                sem.acquire()
            finally:
                sem.release()
                mv.release()
    """) == []


def test_module_level_code_is_not_tracked():
    assert codes_of("""
        BUF = Unpooled.buffer()
        BUF.write_int(1)
        BUF.release()
    """) == []


def test_channel_read0_message_is_released_by_the_base_class():
    assert codes_of("""
        class H(SimpleChannelInboundHandler):
            def channel_read0(self, ctx, msg):
                self.total += msg.readable_bytes()
    """) == []


def test_write_handler_owns_its_message():
    assert codes_of("""
        class Out:
            def write(self, ctx, msg, promise=None):
                ctx.write(msg, promise)
                msg.release()
    """) == [(5, "BUF002")]


def test_file_write_is_not_an_ownership_transfer():
    assert codes_of("""
        def f(alloc, fh):
            buf = alloc.buffer()
            fh.write(bytes(buf))
            buf.release()
    """) == [(5, "BUF001")]


def test_with_block_hands_the_buffer_over():
    assert codes_of("""
        def f(alloc):
            with alloc.buffer() as buf:
                buf.write_int(1)
            other = alloc.buffer()
            with other:
                other.write_int(2)
    """) == []


def test_extra_names_from_configuration():
    config = parse_table({"extra-allocators": ["pool.take"], "extra-releases": ["give_back"],
                          "extra-fires": ["pass_on"]}, "/tmp")
    settings = Settings(vocabulary=config.vocabulary())
    assert codes_of("""
        def f(pool, ctx):
            a = pool.take()
            a.write_int(1)
            give_back(a)
            b = pool.take()
            ctx.pass_on(b)
            b.read_byte()
            c = pool.take()
    """, settings) == [(5, "BUF001"), (8, "BUF002"), (9, "BUF006")]


@pytest.mark.skipif(sys.version_info < (3, 10), reason="match needs Python 3.10")
def test_walrus_and_match_statements():
    assert codes_of("""
        def f(alloc, kind):
            if (buf := alloc.buffer()) is not None:
                buf.release()
            match kind:
                case 1:
                    buf.read_byte()
                case _:
                    pass
    """) == [(7, "BUF002")]  # buf was released on every path


def test_retain_stops_the_reasoning_about_that_buffer():
    assert codes_of("""
        def f(alloc):
            buf = alloc.buffer()
            buf.retain()
            buf.release()
            buf.release()

        class Tee(SimpleChannelInboundHandler):
            def channel_read0(self, ctx, msg):
                msg.retain()
                ctx.fire_channel_read(msg)
    """) == []


def test_ref_cnt_is_not_a_use():
    assert codes_of("""
        def f(ctx):
            buf = ctx.alloc().buffer()
            ctx.write_and_flush(buf)
            assert buf.ref_cnt() == 0
            assert ReferenceCountUtil.ref_cnt(buf) == 0
    """) == []


def test_allocations_expected_to_raise_are_not_leaks():
    assert codes_of("""
        def test_bad_encoding():
            with pytest.raises(TypeError):
                Unpooled.copied_buffer(b"x", "utf-8")
            with pytest.raises(ValueError):
                buf = Unpooled.buffer(-1)
    """) == []


def test_bound_release_handed_to_a_callback_is_not_a_leak():
    assert codes_of("""
        import contextlib
        def f(alloc):
            with contextlib.ExitStack() as stack:
                buf = alloc.buffer()
                stack.callback(buf.release)
                buf.write_int(1)
    """) == []


def test_message_rebound_on_one_branch_is_not_dropped():
    # msg = msg.content() on one path: after the join the name stands for either value, so
    # what it is handed to may be the message: no BUF004 (and no BUF006 for the copy).
    assert codes_of("""
        class H(ChannelInboundHandlerAdapter):
            def channel_read(self, ctx, msg):
                if isinstance(msg, HttpContent):
                    msg = msg.content()
                ctx.fire_channel_read(msg)

        class R(ChannelInboundHandlerAdapter):
            def channel_read(self, ctx, msg):
                if self.copy:
                    out = msg.copy()
                    ReferenceCountUtil.safe_release(msg)
                    msg = out
                ctx.fire_channel_read(msg)
    """) == [(12, "BUF001")]  # copy() can raise before that release: by the rule, not a leak


def test_buffer_reallocated_in_a_loop_and_returned_is_not_an_orphan():
    assert codes_of("""
        def f(alloc, chunks):
            buf = alloc.buffer()
            for chunk in chunks:
                ReferenceCountUtil.safe_release(buf)
                buf = alloc.buffer()
                buf.write_bytes(chunk)
            return buf
    """) == [(5, "BUF001")]  # not an orphan; but a failed write_bytes leaks the new buffer


def test_name_bound_only_inside_a_loop_is_still_followed():
    assert codes_of("""
        def f(alloc, items):
            for item in items:
                buf = alloc.buffer()
                buf.write_bytes(item)
    """) == [(4, "BUF006")]


@pytest.mark.skipif(sys.version_info < (3, 10), reason="match needs Python 3.10")
def test_match_with_a_wildcard_case_cannot_fall_through():
    assert codes_of("""
        class H(ChannelInboundHandlerAdapter):
            def channel_read(self, ctx, msg):
                match self.state:
                    case 0:
                        ctx.fire_channel_read(msg)
                    case _:
                        ReferenceCountUtil.safe_release(msg)
    """) == []
    assert codes_of("""
        class H(ChannelInboundHandlerAdapter):
            def channel_read(self, ctx, msg):
                match self.state:
                    case 0:
                        ctx.fire_channel_read(msg)
    """) == [(3, "BUF004")]


def test_conditional_expression_branches_are_alternatives():
    assert codes_of("""
        def f(alloc, flag, keep):
            buf = alloc.buffer()
            buf.release() if flag else keep(buf)
    """) == []


def test_describing_a_freed_buffer_is_not_a_use():
    # repr()/str() of a freed buffer work (UnpooledHeapByteBuf(freed), like Netty's toString).
    assert codes_of("""
        import logging
        log = logging.getLogger(__name__)

        def f(alloc):
            buf = alloc.buffer()
            buf.release()
            log.debug("released %r", buf)
            self.logger.info("released %s", buf)
            print(buf)
            return repr(buf), str(buf), f"{buf}", f"{buf!r}"
    """) == []
    assert codes_of("""
        def f(alloc):
            buf = alloc.buffer()
            buf.release()
            return bytes(buf)
    """) == [(5, "BUF002")]


def test_logging_a_buffer_does_not_take_ownership():
    assert codes_of("""
        class H(ChannelInboundHandlerAdapter):
            def channel_read(self, ctx, msg):
                log.info("got %s", msg)
    """) == [(3, "BUF004")]


def test_freed_buffer_inside_pytest_raises_is_the_point_of_the_test():
    assert codes_of("""
        def test_release(alloc):
            buf = alloc.buffer()
            buf.release()
            with pytest.raises(IllegalReferenceCountException):
                buf.read_byte()
            with pytest.raises(IllegalReferenceCountException):
                buf.release()
            pytest.raises(IllegalReferenceCountException, buf.release)
            pytest.raises(IllegalReferenceCountException, ReferenceCountUtil.release, buf)
            self.assertRaises(IllegalReferenceCountException, buf.read_byte)
            assert buf.ref_cnt() == 0
    """) == []


def test_read_bytes_into_a_destination_returns_the_receiver():
    # Netty's readBytes(dst) / readBytes(dst, n) fill dst and return this: no new buffer.
    assert codes_of("""
        class H(ChannelInboundHandlerAdapter):
            def channelRead(self, ctx, msg):
                try:
                    msg.readBytes(self.out)
                    msg.readBytes(dst, 4)
                    msg.readBytes(self.stream, msg.readableBytes())
                finally:
                    ReferenceCountUtil.safeRelease(msg)
    """) == []
    assert codes_of("""
        class H(ChannelInboundHandlerAdapter):
            def channelRead(self, ctx, msg):
                try:
                    header = msg.readBytes(4)
                    body = msg.readBytes(frame_length)
                    rest = msg.read_bytes(to_read)
                finally:
                    ReferenceCountUtil.safeRelease(msg)
    """) == [(5, "BUF006"), (6, "BUF006"), (7, "BUF006")]


# ---------------------------------------------------------------- v2: counts, paths, summaries

def test_the_seeds_two_canonical_handler_bugs():
    assert codes_of("""
        class Parse(ChannelInboundHandlerAdapter):
            def channel_read(self, ctx, msg):
                record = self.parse(msg)
                ReferenceCountUtil.release(msg)

        class Count(ChannelInboundHandlerAdapter):
            def channel_read(self, ctx, msg):
                msg.retain(); msg.release(); msg.release()
                ctx.fire_channel_read(msg)
    """) == [(5, "BUF001"), (10, "BUF002")]


def test_counts_balance_across_retain_and_hand_overs():
    assert codes_of("""
        class Tee(ChannelInboundHandlerAdapter):
            def channel_read(self, ctx, msg):
                msg.retain()
                ctx.write(msg)
                ctx.fire_channel_read(msg)
    """) == []


def test_retain_without_a_second_hand_over_leaks_on_that_path():
    assert codes_of("""
        def f(alloc, ctx, flag):
            buf = alloc.buffer()
            buf.retain()
            ctx.write(buf)
            if flag:
                return
            ctx.write(buf)
    """) == [(7, "BUF007")]


def test_a_remembered_flag_takes_only_the_branch_its_path_can_take():
    assert codes_of("""
        class H(ChannelInboundHandlerAdapter):
            def channel_read(self, ctx, msg):
                release = True
                try:
                    if self.accept(msg):
                        self.handle(msg)
                    else:
                        release = False
                        ctx.fire_channel_read(msg)
                finally:
                    if release:
                        ReferenceCountUtil.release(msg)
    """) == []


def test_correlated_conditions_are_not_a_leak():
    assert codes_of("""
        def f(alloc, ctx, closed):
            buf = alloc.buffer()
            if closed:
                buf.release()
            log("sending")
            if not closed:
                ctx.write(buf)
    """) == []


def test_is_none_checks_on_an_optional_buffer():
    assert codes_of("""
        def f(alloc, ctx, want):
            buf = None
            if want:
                buf = alloc.buffer()
            if buf is not None:
                ctx.write(buf)
    """) == []


def test_partial_leak_message_names_the_condition_and_the_allocation():
    result = lint_text(textwrap.dedent("""\
        def frame(alloc, payload, out):
            buf = alloc.buffer()
            if len(payload) > MAX_FRAME:
                return None
            out.append(buf)
    """), "m.py", Settings())
    [finding] = result.findings
    assert (finding.line, finding.code) == (4, "BUF007")
    assert "`len(payload) > MAX_FRAME` is true" in finding.message
    assert "allocated at line 2" in finding.message


def test_a_continue_that_skips_the_hand_over_leaks_the_pass_buffer():
    assert codes_of("""
        def f(alloc, items, out):
            for item in items:
                buf = alloc.buffer()
                if not item:
                    continue
                buf.write_bytes(item)
                out.append(buf)
    """) == [(6, "BUF007")]


def test_a_break_that_leaves_the_buffer_owned_is_reported_at_the_break():
    assert codes_of("""
        def f(ctx, chunks):
            for chunk in chunks:
                buf = ctx.alloc().buffer()
                if not chunk:
                    break
                ctx.write(buf)
            ctx.flush()
    """) == [(6, "BUF007")]


def test_a_raise_on_a_decoders_error_path():
    assert codes_of("""
        class D(ByteToMessageDecoder):
            def decode(self, ctx, in_, out):
                frame = in_.read_bytes(4)
                if frame.get_int(0) < 0:
                    raise CorruptedFrameError("negative length")
                out.append(frame)
    """) == [(6, "BUF007")]


def test_a_local_factory_is_an_allocator_at_its_call_sites():
    assert codes_of("""
        def make_header(length):
            header = Unpooled.buffer(4)
            header.write_int(length)
            return header

        def send(ctx, payload):
            header = make_header(len(payload))
            header.write_int(0)

        class Codec:
            def frame(self):
                return Unpooled.buffer(8)

            def use(self):
                f = self.frame()
                f.write_int(1)
    """) == [(8, "BUF006"), (16, "BUF006")]


def test_a_factory_that_returns_something_else_on_a_path_is_not_one():
    assert codes_of("""
        def maybe_header(length):
            if length == 0:
                return None
            return Unpooled.buffer(4)

        def send(ctx, payload):
            header = maybe_header(len(payload))
            header.write_int(0)
    """) == []


def test_a_local_function_that_releases_its_parameter_is_a_release():
    assert codes_of("""
        def dispose(buf):
            try:
                buf.clear()
            finally:
                buf.release()

        def f(alloc):
            buf = alloc.buffer()
            dispose(buf)
            buf.write_int(1)
    """) == [(11, "BUF002")]


def test_simple_inbound_handler_message_is_borrowed_unless_auto_release_is_off():
    assert codes_of("""
        class Echo(SimpleChannelInboundHandler):
            def channel_read0(self, ctx, msg):
                ctx.write_and_flush(msg)

        class Own(SimpleChannelInboundHandler):
            def __init__(self):
                super().__init__(False)

            def channel_read0(self, ctx, msg):
                ctx.write_and_flush(msg)

        class Polite(SimpleChannelInboundHandler):
            def channel_read0(self, ctx, msg):
                ctx.write_and_flush(msg.retain())
    """) == [(4, "BUF008")]


def test_a_decoders_input_is_borrowed_and_read_bytes_is_owned():
    assert codes_of("""
        class D(ByteToMessageDecoder):
            def decode(self, ctx, in_, out):
                view = in_.read_slice(4)
                out.append(view)
                copy = in_.read_bytes(4)
                copy.get_int(0)
    """) == [(5, "BUF008"), (6, "BUF006")]


def test_a_with_block_releases_on_exit_even_when_it_returns():
    assert codes_of("""
        def f(alloc, data):
            with alloc.buffer() as buf:
                buf.write_bytes(data)
                if not data:
                    return None
                text = buf.to_string()
            buf.read_byte()
            return text
    """) == [(8, "BUF002")]


def test_a_release_in_finally_with_nothing_that_ends_ownership_before_it_is_fine():
    assert codes_of("""
        class H(ChannelInboundHandlerAdapter):
            def channel_read(self, ctx, msg):
                try:
                    self.channel_read0(ctx, msg)
                finally:
                    ReferenceCountUtil.release(msg)
    """) == []


# ---------------------------------------------------------------- review findings, kept fixed

def test_clearing_the_name_after_a_write_is_netty_s_encoder_idiom():
    assert codes_of("""
        class IntEncoder(ChannelOutboundHandlerAdapter):
            def write(self, ctx, msg, promise=None):
                buf = ctx.alloc().io_buffer(4)
                try:
                    buf.write_int(msg)
                    ctx.write(buf, promise)
                    buf = None
                finally:
                    if buf is not None:
                        buf.release()
    """) == []


def test_reraising_a_failed_write_is_not_a_leak():
    assert codes_of("""
        def greet(ctx, name):
            buf = Unpooled.copied_buffer(name.encode())
            try:
                ctx.write_and_flush(buf)
            except OSError:
                log.exception("failed")
                raise
    """) == []


def test_release_and_retain_counts():
    assert codes_of("""
        def balanced(data):
            buf = Unpooled.copied_buffer(data)
            buf.retain()
            try:
                return bytes(buf)
            finally:
                buf.release(2)

        def below_zero(data):
            buf = Unpooled.copied_buffer(data)
            try:
                return bytes(buf)
            finally:
                buf.release(2)
    """) == [(15, "BUF008")]


def test_read_bytes_into_a_destination_is_not_an_allocation():
    assert codes_of("""
        class TrailerDecoder(ByteToMessageDecoder):
            def decode(self, ctx, in_, out):
                head = bytearray(8)
                in_.read_bytes(head)
                in_.read_bytes(bytearray(4))
                out.append(bytes(head))
    """) == []


def test_a_release_after_storing_or_appending_is_late_but_not_after_a_yield():
    assert codes_of("""
        class D(ByteToMessageDecoder):
            def decode(self, ctx, in_, out):
                frame = in_.read_retained_slice(4)
                out.append(frame)
                frame.release()

        def frames(payloads):
            for p in payloads:
                buf = Unpooled.copied_buffer(p)
                yield buf
                buf.release()
    """) == [(6, "BUF002")]


def test_a_function_beyond_the_work_budget_is_left_without_findings():
    lines = ["def f(n, ctx):"]
    for depth in range(30):
        pad = "    " * (depth + 1)
        lines += [f"{pad}while n > {depth}:", f"{pad}    b{depth} = Unpooled.buffer(8)",
                  f"{pad}    if n == {depth}:", f"{pad}        continue"]
    lines.append("    " * 31 + "ctx.write(b0)")
    assert codes_of("\n".join(lines) + "\n") == []


def test_an_encoders_message_is_borrowed():
    assert codes_of("""
        class Enc(MessageToByteEncoder):
            def encode(self, ctx, msg, out):
                out.write_bytes(msg)
                msg.release()
    """) == [(5, "BUF008")]


def test_a_composite_owns_its_components():
    assert codes_of("""
        def join(alloc, a_bytes, b_bytes):
            composite = alloc.composite_buffer()
            head = Unpooled.copied_buffer(a_bytes)
            composite.add_component(True, head)
            head.release()
            return composite

        def lost(alloc):
            composite = Unpooled.composite_buffer()
            return composite.readable_bytes()
    """) == [(6, "BUF002"), (10, "BUF006")]


# ---------------------------------------------------------------- second review, kept fixed

def test_a_context_manager_that_lends_a_buffer():
    assert codes_of("""
        from contextlib import contextmanager

        @contextmanager
        def temp_buffer(n):
            buf = Unpooled.buffer(n)
            try:
                yield buf
            finally:
                buf.release()
    """) == []


def test_handlers_declared_for_plain_messages_have_no_buffer_to_over_release():
    assert codes_of("""
        class Echo(SimpleChannelInboundHandler):
            def __init__(self):
                super().__init__(str)

            def channel_read0(self, ctx, msg):
                ctx.write_and_flush(msg)

        class Numbers(SimpleChannelInboundHandler):
            inbound_message_type = (int, float)

            def channel_read0(self, ctx, msg):
                self.seen.append(msg)
    """) == []


def test_an_isinstance_branch_for_a_plain_type_drops_nothing():
    assert codes_of("""
        class LinePrinter(ChannelInboundHandlerAdapter):
            def channel_read(self, ctx, msg):
                if isinstance(msg, str):
                    print(msg)
                    return
                ctx.fire_channel_read(msg)
    """) == []


def test_factories_taking_the_allocator_and_allocators_bound_to_any_name():
    assert codes_of("""
        POOL = PooledByteBufAllocator()

        def make_frame(alloc, kind):
            frame = alloc.buffer(1)
            frame.write_byte(kind)
            return frame

        def send_ping(alloc, sock):
            f = make_frame(alloc, 1)
            sock.sendall(bytes(f))

        def encode_record(key):
            buf = POOL.buffer(8)
            buf.write_bytes(key)
            return bytes(buf)

        class Codec:
            def __init__(self):
                self._pool = PooledByteBufAllocator()

            def encode(self, key):
                buf = self._pool.buffer(8)
                return bytes(buf)
    """) == [(10, "BUF006"), (14, "BUF006"), (23, "BUF006")]


def test_a_dropped_message_is_not_called_over_retained():
    result = lint_text(textwrap.dedent("""\
        class H(ChannelInboundHandlerAdapter):
            def channel_read(self, ctx, msg):
                if msg.readable_bytes() == 0:
                    return
                ctx.fire_channel_read(msg)
    """), "m.py", Settings())
    [finding] = result.findings
    assert "neither releases, forwards" in finding.message


def test_one_code_per_double_release_in_finally():
    assert codes_of("""
        def f(ctx, alloc):
            buf = alloc.buffer()
            try:
                ctx.write(buf)
            finally:
                buf.release()
    """) == [(7, "BUF002")]


def test_a_holders_content_shares_its_count():
    assert codes_of("""
        class Body(ChannelInboundHandlerAdapter):
            def channel_read(self, ctx, msg):
                body = msg.content()
                data = bytes(body)
                body.release()
                msg.release()
    """) == [(6, "BUF001"), (7, "BUF002")]


def test_module_level_code_of_any_size_is_walked_without_a_budget_error():
    lines = []
    for depth in range(30):
        pad = "    " * depth
        lines += [f"{pad}while n > {depth}:", f"{pad}    if n == {depth}:",
                  f"{pad}        print(n)"]
    lines.append("    " * 30 + "x = Unpooled.buffer(8)")
    lines += [f"if flag{i}:\n    y = {i}" for i in range(400)]
    assert codes_of("\n".join(lines) + "\n") == []
