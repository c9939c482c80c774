"""Every rule's own VALID and INVALID examples, run as tests (the Fixit way)."""

import pytest

from bufleak_lint.rules import RULES
from lint_helpers import codes_of

CASES = [pytest.param(rule.code, kind, source, id=f"{rule.code}-{kind}-{i}")
         for rule in RULES for kind in ("VALID", "INVALID")
         for i, source in enumerate(getattr(rule, kind))]


@pytest.mark.parametrize("code, kind, source", CASES)
def test_rule_examples(code, kind, source):
    found = {c for _, c in codes_of(source)}
    if kind == "VALID":
        assert code not in found
    else:
        assert code in found


def test_every_rule_has_examples_and_docs():
    for rule in RULES:
        assert rule.VALID and rule.INVALID, rule.code
        for text in (rule.summary, rule.why, rule.bad, rule.good, rule.fix):
            assert text.strip(), rule.code


def test_rule_codes_are_unique_and_ordered():
    codes = [rule.code for rule in RULES]
    assert codes == sorted(set(codes))
    assert codes[:6] == ["BUF001", "BUF002", "BUF003", "BUF004", "BUF005", "BUF006"]
    assert codes[-1] == "BUF999"
