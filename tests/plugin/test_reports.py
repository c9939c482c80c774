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
