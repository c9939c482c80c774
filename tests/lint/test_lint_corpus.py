"""The corpus of real-looking handler code: bad files say what they expect, good files are clean."""

import os
import re

import pytest

from bufleak_lint.engine import Settings, lint_file

CORPUS = os.path.join(os.path.dirname(__file__), "corpus")
EXPECT = re.compile(r"#\s*expect:\s*(BUF\d{3}(?:\s*,\s*BUF\d{3})*)")


def _files(kind):
    folder = os.path.join(CORPUS, kind)
    return sorted(os.path.join(folder, name) for name in os.listdir(folder) if name.endswith(".py"))


def _expected(path):
    expected = set()
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            match = EXPECT.search(line)
            if match:
                expected.update((number, code.strip()) for code in match.group(1).split(","))
    return expected


@pytest.mark.parametrize("path", _files("bad"), ids=os.path.basename)
def test_bad_corpus_gives_exactly_the_expected_findings(path):
    found = {(f.line, f.code) for f in lint_file(path, Settings()).findings}
    assert found == _expected(path)
    assert found


@pytest.mark.parametrize("path", _files("good"), ids=os.path.basename)
def test_good_corpus_is_clean(path):
    assert lint_file(path, Settings()).findings == []


def test_corpus_covers_every_rule_but_the_syntax_one():
    codes = {code for path in _files("bad") for _, code in _expected(path)}
    assert codes == {"BUF001", "BUF002", "BUF003", "BUF004", "BUF005", "BUF006",
                     "BUF007", "BUF008", "BUF009"}
