"""Every rule is documented: docs/lint.md carries its text, the README its anchor."""

import os

import pytest

from bufleak_lint.rules import RULES
from lint_helpers import ROOT


def _read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as handle:
        return handle.read()


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_rule_is_documented(rule):
    assert rule.explain() in _read("docs", "lint.md")
    section = _read("README.md")
    assert f"#### {rule.code}\n" in section
    assert f"(#{rule.code.lower()})" in section
