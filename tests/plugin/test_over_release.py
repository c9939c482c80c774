"""Over-releases the runtime catches (auto-release, the pipeline's tail, a codec's input) fail the owning test."""
import json

OVER_RELEASES = """
from pytest_bufleak import Unpooled
from pytest_bufleak.channel import EmbeddedChannel, MessageToByteEncoder, SimpleChannelInboundHandler


class Releasing(SimpleChannelInboundHandler):
    def channel_read0(self, ctx, msg):
        msg.release()  # auto-release releases it again


class Encoding(MessageToByteEncoder):
    def encode(self, ctx, msg, out):
        out.write_bytes(msg)
        msg.release()  # the encoder releases its input again


def test_auto_release():
    channel = EmbeddedChannel(Releasing())
    channel.write_inbound(Unpooled.copied_buffer(b"hi"))
    channel.finish()


def test_encoder_input():
    channel = EmbeddedChannel(Encoding())
    channel.write_outbound(Unpooled.copied_buffer(b"hi"))
    channel.finish_and_release_all()


def test_clean():
    channel = EmbeddedChannel(Releasing(auto_release=False))
    channel.write_inbound(Unpooled.copied_buffer(b"hi"))
    channel.finish()
"""


def test_over_release_fails_the_owning_test_with_both_sites(run):
    result = run(OVER_RELEASES, "--bufleak")
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_auto_release*",
        "bufleak: test test_it.py::test_auto_release over-released 1 buffer:",
        "[[]1[]] UnpooledHeapByteBuf(freed) released again at test_it.py:6 in Releasing.channel_read0 "
        "after it was freed at test_it.py:7 in channel_read0",
        "OVER-RELEASE: UnpooledHeapByteBuf(freed) was released after it was freed "
        "(IllegalReferenceCountException: refCnt: 0, decrement: 1).",
        "Released again at:",
        "*Hint: released by SimpleChannelInboundHandler.channel_read of Releasing",
        "*test_it.py:6 in Releasing.channel_read0",
        "*test_it.py:18 in test_auto_release",
        "Freed first at:",
        "*test_it.py:7 in channel_read0",
        "Created at:",
        "*test_it.py:18 in test_auto_release",
    ])
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_encoder_input*",
        "*released again at test_it.py:11 in Encoding.encode after it was freed at test_it.py:13 in encode",
    ])
    result.stdout.fnmatch_lines(["*= bufleak: 0 leaked buffers, 2 over-released =*"])
    assert result.ret == 1


def test_the_pipeline_tail_reports_its_over_release(run):
    result = run("""
from pytest_bufleak import Unpooled
from pytest_bufleak.channel import Channel, ChannelInboundHandlerAdapter


class Twice(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        msg.release()
        ctx.fire_channel_read(msg)  # the tail releases what reaches it


def test_tail():
    channel = Channel()
    channel.pipeline().add_last("twice", Twice())
    channel.pipeline().fire_channel_read(Unpooled.buffer(4))
""", "--bufleak")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([
        "bufleak: test test_it.py::test_tail over-released 1 buffer:",
        "*released again at test_it.py:8 in channel_read after it was freed at test_it.py:7 in channel_read",
        "*Hint: released by the pipeline's tail",
    ])


def test_over_release_is_reported_in_json_and_junitxml(run, pytester):
    report, junit = pytester.path / "leaks.json", pytester.path / "junit.xml"
    run(OVER_RELEASES, "--bufleak", f"--bufleak-report={report}", f"--junitxml={junit}")
    [first, second] = json.loads(report.read_text())["tests"]
    [entry] = first["leaks"]
    assert entry["over_release"] and entry["freed"]["frames"][0] == "test_it.py:7 in channel_read0"
    assert "over-release: UnpooledHeapByteBuf(freed) released again at" in junit.read_text()


def test_a_decoder_releasing_its_input_again_is_an_over_release(run):
    result = run("""
from pytest_bufleak import Unpooled
from pytest_bufleak.channel import EmbeddedChannel, MessageToMessageDecoder

class Decoding(MessageToMessageDecoder):
    def decode(self, ctx, msg, out):
        out.append(bytes(msg))
        msg.release()  # the decoder releases its input again

def test_decoder_input():
    channel = EmbeddedChannel(Decoding())
    channel.write_inbound(Unpooled.copied_buffer(b"hi"))
    channel.finish_and_release_all()
""", "--bufleak")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([
        "*released again at test_it.py:5 in Decoding.decode after it was freed at test_it.py:7 in decode",
    ])
