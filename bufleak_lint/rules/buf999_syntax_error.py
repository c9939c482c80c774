"""BUF999: a file the linter cannot read or parse."""

from typing import Iterator

from bufleak_lint.analysis.facts import ModuleFacts
from bufleak_lint.rules.base import Rule, Violation


class SyntaxErrorRule(Rule):
    code = "BUF999"
    name = "syntax-error"
    summary = ("A file that does not parse (or cannot be decoded); the message is the parser's, "
               "and the run goes on with the other files.")
    why = ("A file that does not parse cannot be checked, so a clean run would be a false "
           "promise. Python 2 files, templates with a `.py` suffix, files in an encoding other than "
           "the one they declare, and binary files all end up here.")
    bad = """
print "hello"
"""
    good = """
print("hello")
"""
    fix = ("Fix the syntax error, or exclude the file (`--exclude`, or `exclude` in "
           "`[tool.bufleak.lint]`) when it is not meant to be Python 3.")
    VALID = ["""
print("hello")
"""]
    INVALID = [
        """
print "hello"
""",
        """
def f(:
    pass
""",
    ]

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        """Reported by the engine, which sees the parse error before any facts exist."""
        return iter(())
