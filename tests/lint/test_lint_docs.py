"""Every rule is documented: docs/lint.md carries its text, the README its anchor."""

import os

import pytest

from bufleak_lint.rules import RULES
from lint_helpers import ROOT, codes_of


def _read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as handle:
        return handle.read()


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_rule_is_documented(rule):
    assert rule.explain() in _read("docs", "lint.md")
    section = _read("README.md")
    assert f"#### {rule.code}\n" in section
    assert f"(#{rule.code.lower()})" in section


def _doc_examples():
    """(code, "Bad"/"Good", source) for every example block of a rule section in docs/lint.md."""
    text = _read("docs", "lint.md")
    rules_part = text[text.index("# The rules\n"):]
    examples = []
    for section in rules_part.split("\n## ")[1:]:
        code = section.split(":", 1)[0].strip()
        for kind in ("Bad", "Good"):
            block = section.split(f"**{kind}:**\n\n```python\n", 1)[1].split("```", 1)[0]
            examples.append(pytest.param(code, kind, block, id=f"{code}-{kind}"))
    return examples


@pytest.mark.parametrize("code, kind, source", _doc_examples())
def test_docs_examples_are_flagged_as_written(code, kind, source):
    found = {c for _, c in codes_of(source)}
    if kind == "Bad":
        assert code in found
    else:
        assert found == set()


def test_docs_and_readme_are_generated_from_the_rules():
    import subprocess
    import sys
    result = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "lint_docs.py"), "--check"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
