"""What a leak report says, at each level, and where it goes: teardown error, summary, JSON, junitxml."""
import json
import xml.etree.ElementTree as ElementTree

SOURCE = """from pytest_bufleak import Unpooled

def make():
    return Unpooled.direct_buffer(16)

def test_live_leak():
    global KEEP
    KEEP = make()
    KEEP.touch("kept in a global")

def test_two_leaks():
    a = Unpooled.buffer(3)
    b = Unpooled.buffer(4)
    a.retain()

def test_clean():
    with Unpooled.buffer(1):
        pass
"""


def test_report_names_repr_count_site_and_records(run):
    result = run(SOURCE, "--bufleak")
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines([
        "bufleak: test test_it.py::test_live_leak leaked 1 buffer:",
        "[[]1[]] UnpooledDirectByteBuf(ridx: 0, widx: 0, cap: 16), refCnt: 1, allocated at test_it.py:4 in make",
        "LEAK: ByteBuf.release() was not called: UnpooledDirectByteBuf(ridx: 0, widx: 0, cap: 16) is still live*",
        "Recent access records: ",
        "#1:",
        "*Hint: kept in a global",
        "*test_it.py:9 in test_live_leak",
        "Created at:",
        "*test_it.py:4 in make",
        "*test_it.py:8 in test_live_leak",
    ])
    result.stdout.fnmatch_lines([
        "bufleak: test test_it.py::test_two_leaks leaked 2 buffers:",
        "[[]1[]] UnpooledHeapByteBuf, garbage-collected unreleased, allocated at test_it.py:12 in test_two_leaks, "
        "retained at test_it.py:14 in test_two_leaks",
        "LEAK: ByteBuf.release() was not called before it's garbage-collected. See https://netty.io/wiki/*",
        "*",
        "#1:",
        "*test_it.py:14 in test_two_leaks",
        "Created at:",
        "*test_it.py:12 in test_two_leaks",
        "[[]2[]] UnpooledHeapByteBuf, garbage-collected unreleased, allocated at test_it.py:13 in test_two_leaks",
    ])


def test_simple_level_reports_sites_without_access_records(run):
    result = run(SOURCE, "--bufleak", "--bufleak-level=simple")
    result.assert_outcomes(passed=3, errors=2)
    out = result.stdout.str()
    assert "Hint:" not in out and "#1:" not in out
    assert "allocated at test_it.py:12 in test_two_leaks" in out


def test_terminal_summary_names_leaking_tests(run):
    result = run(SOURCE, "--bufleak")
    result.stdout.fnmatch_lines([
        "*= bufleak: 3 leaked buffers =*",
        "test_it.py::test_live_leak",
        "    UnpooledDirectByteBuf(ridx: 0, widx: 0, cap: 16) allocated at test_it.py:4",
        "test_it.py::test_two_leaks",
        "    UnpooledHeapByteBuf(garbage-collected) allocated at test_it.py:12",
        "    UnpooledHeapByteBuf(garbage-collected) allocated at test_it.py:13",
    ])


def test_no_summary_section_when_nothing_leaks(run):
    result = run("def test_nothing():\n    pass\n", "--bufleak")
    result.assert_outcomes(passed=1)
    assert "leaked" not in result.stdout.str()


def test_json_report(run, pytester):
    path = pytester.path / "leaks.json"
    run(SOURCE, "--bufleak", f"--bufleak-report={path}")
    document = json.loads(path.read_text())
    assert document["level"] == "paranoid"
    nodeids = [test["nodeid"] for test in document["tests"]]
    assert nodeids == ["test_it.py::test_live_leak", "test_it.py::test_two_leaks"]
    leak = document["tests"][0]["leaks"][0]
    assert leak["repr"] == "UnpooledDirectByteBuf(ridx: 0, widx: 0, cap: 16)"
    assert leak["ref_cnt"] == 1 and leak["collected"] is False
    assert leak["site"] == "test_it.py:4"
    assert leak["scope"] == "function" and leak["owner"] == "test_it.py::test_live_leak"
    assert leak["records"] == [{"hint": "kept in a global", "frames": ["test_it.py:9 in test_live_leak"]}]
    assert leak["created"] == ["test_it.py:4 in make", "test_it.py:8 in test_live_leak"]
    assert leak["origin"] is None  # set only for a buffer a task of an ended test allocated later
    collected = document["tests"][1]["leaks"][0]
    assert collected["collected"] is True and collected["ref_cnt"] is None


def test_json_report_of_a_clean_run_is_empty(run, pytester):
    path = pytester.path / "leaks.json"
    run("def test_nothing():\n    pass\n", "--bufleak", f"--bufleak-report={path}")
    assert json.loads(path.read_text()) == {"level": "paranoid", "tests": []}


def test_junitxml_properties(run, pytester):
    path = pytester.path / "junit.xml"
    run(SOURCE, "--bufleak", f"--junitxml={path}")
    cases = {case.get("name"): case for case in ElementTree.parse(path).iter("testcase")}
    properties = [(p.get("name"), p.get("value")) for p in cases["test_two_leaks"].iter("property")]
    assert [name for name, _ in properties] == ["bufleak", "bufleak"]
    assert properties[0][1].startswith("UnpooledHeapByteBuf, garbage-collected unreleased, allocated at test_it.py:12")
    assert list(cases["test_clean"].iter("property")) == []


def test_wider_scope_leaks_are_shown_when_the_teardown_fails_on_its_own(run):
    result = run("""
import pytest
from pytest_bufleak import Unpooled

@pytest.fixture(scope="module")
def kept():
    return Unpooled.buffer(5)  # module leak

@pytest.fixture
def broken_teardown():
    yield
    raise RuntimeError("teardown broke")

def test_it(kept, broken_teardown):
    Unpooled.buffer(6)  # the test's own: no second report after its teardown failed
""", "--bufleak")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_it*",
        "E       RuntimeError: teardown broke",
        "*- bufleak -*",
        "bufleak: module-scoped fixtures of test_it.py leaked 1 buffer:",
        "*cap: 5), refCnt: 1, allocated at test_it.py:6 in kept",
    ])
    out = result.stdout.str()
    assert "cap: 6)" not in out and "test test_it.py::test_it leaked" not in out


STABLE = """
from pytest_bufleak import Unpooled
from pytest_bufleak.channel import ChannelInboundHandlerAdapter, EmbeddedChannel

class Busy(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        for _ in range(30):  # records enough to start the back-off
            msg.retain()
            msg.release()
        ctx.fire_channel_read(msg)

class Guard(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        global KEPT
        KEPT = msg  # the leak: kept, never released

def test_guarded():
    EmbeddedChannel(Busy(), Guard()).write_inbound(Unpooled.buffer(4))
"""


def test_hand_over_records_are_in_every_run_of_the_same_leak(run):
    reports = []
    for _ in range(3):
        result = run(STABLE, "--bufleak")
        result.assert_outcomes(passed=1, errors=1)
        text = result.stdout.str()
        reports.append(text[text.index("bufleak: test"):text.index("= bufleak:")])
    assert "Hint: 'Guard#0' will handle the message from this point." in reports[0]
    assert "Hint: 'Busy#0' will handle the message from this point." in reports[0]
    assert reports[0] == reports[1] == reports[2]


MANY = """
from pytest_bufleak import Unpooled

def test_many():
    global KEPT
    KEPT = [Unpooled.buffer(n % 12 + 1) for n in range(24)] + [Unpooled.buffer(1).retain() for _ in range(5)]
"""


def test_identical_leaks_are_grouped_and_long_reports_capped(run, pytester):
    result = run(MANY, "--bufleak")
    result.stdout.fnmatch_lines([
        "bufleak: test test_it.py::test_many leaked 29 buffers:",
        "[[]1[]] (x24, identical) UnpooledHeapByteBuf(ridx: 0, widx: 0, cap: 1), refCnt: 1, allocated at test_it.py:5*",
        "[[]2[]] (x5, identical) *refCnt: 2, allocated at test_it.py:5 in *, retained at test_it.py:5 in *",
    ])
    # pytest repeats the whole message in the short summary when it runs on CI (CI=1): count the report
    report_section = result.stdout.str().split("short test summary info")[0]
    assert report_section.count("LEAK: ByteBuf.release() was not called") == 2
    appends = [f"    KEPT.append(Unpooled.buffer({n + 1}))" for n in range(15)]
    many_sites = "\n".join(["from pytest_bufleak import Unpooled", "KEPT = []", "def test_sites():", *appends])
    report = pytester.path / "all.json"
    result = run(many_sites, "--bufleak", f"--bufleak-report={report}")
    result.stdout.fnmatch_lines([
        "bufleak: test test_it.py::test_sites leaked 15 buffers:",
        f"... and 5 buffers more (5 distinct) not shown; the full list is in {report}",
    ])
    assert len(json.loads(report.read_text())["tests"][0]["leaks"]) == 15
    result = run(many_sites, "--bufleak")
    result.stdout.fnmatch_lines(["*not shown; run with --bufleak-report=PATH for the full list"])


def test_a_transport_read_is_attributed_to_its_channel_and_handler(run):
    result = run("""
import asyncio
from pytest_bufleak.channel import ChannelInboundHandlerAdapter, aio

class Keeper(ChannelInboundHandlerAdapter):
    def channel_read(self, ctx, msg):
        KEPT.append(msg)  # the leak

KEPT = []

async def exchange():
    got = asyncio.Event()
    async with await aio.serve(lambda ch: ch.pipeline().add_last("keeper", Keeper())) as server:
        client = await aio.connect(lambda ch: None, "127.0.0.1", server.port)
        client.write_and_flush(b"hello")
        while not KEPT:
            await asyncio.sleep(0)
        await client.close()

def test_reads():
    asyncio.run(exchange())
""", "--bufleak")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([
        "[[]1[]] *refCnt: 1, allocated at test_it.py:5 in Keeper.channel_read",
        "*Created at:",
        "*Hint: read by the transport of * for 'keeper' (Keeper)",
        "*test_it.py:5 in Keeper.channel_read",
    ])
    assert "selector_events.py" not in result.stdout.str()
