"""Whatever the text, linting returns findings (or BUF999) and never raises."""

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bufleak_lint.engine import Settings, lint_text

CORPUS = os.path.join(os.path.dirname(__file__), "corpus")
SOURCES = []
for kind in ("bad", "good"):
    for name in sorted(os.listdir(os.path.join(CORPUS, kind))):
        with open(os.path.join(CORPUS, kind, name), encoding="utf-8") as handle:
            SOURCES.append(handle.read().splitlines(keepends=True))


@st.composite
def mutated_sources(draw):
    """A corpus file with some lines dropped, duplicated or re-indented."""
    lines = list(draw(st.sampled_from(SOURCES)))
    for _ in range(draw(st.integers(0, 6))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "dup", "indent", "dedent"]))
        if action == "drop":
            del lines[index]
        elif action == "dup":
            lines.insert(index, lines[index])
        elif action == "indent":
            lines[index] = "    " + lines[index]
        else:
            lines[index] = lines[index].lstrip()
        if not lines:
            break
    return "".join(lines)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_sources())
def test_mutated_corpus_never_crashes(source):
    result = lint_text(source, "mutated.py", Settings(fix=True))
    for finding in result.findings:
        assert finding.line >= 1 and finding.column >= 1
        assert finding.code.startswith("BUF")
    if result.fixed is not None:
        compile(result.fixed, "fixed.py", "exec")


TOKENS = list("()[]{}:=.,'\"\n\t #abcx0123_") + [
    "def ", "class ", "try", "finally", "release", "buffer", "alloc", "Unpooled", "with ",
    "return", "ctx", "msg", "channel_read", "    "]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=80).map("".join))
def test_random_text_never_crashes(source):
    result = lint_text(source, "random.py", Settings())
    assert all(f.code.startswith("BUF") for f in result.findings)
