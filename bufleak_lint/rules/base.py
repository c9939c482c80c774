"""What every rule is: a code, its documentation, its examples and a check over module facts."""

from dataclasses import dataclass
from typing import ClassVar, FrozenSet, Iterator, Optional, Sequence

import libcst as cst

from bufleak_lint.fix import Fix
from bufleak_lint.analysis.facts import ModuleFacts


@dataclass
class Violation:
    """A rule's finding on a node; ``{line}`` in the message becomes ``related``'s line."""

    code: str
    node: cst.CSTNode
    message: str
    related: Optional[cst.CSTNode] = None
    fix: Optional[Fix] = None
    #: The line of ``related``, once positions are resolved.
    related_line: Optional[int] = None


class Rule:
    """Base of every rule.

    A rule module defines one subclass carrying its code, a one-line summary,
    its documentation (why / bad / good / fix, in reStructuredText-free
    Markdown) and ``VALID``/``INVALID`` example snippets that the test-suite
    runs: every INVALID snippet must give this rule's code, every VALID one
    must not.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    why: ClassVar[str]
    bad: ClassVar[str]
    good: ClassVar[str]
    fix: ClassVar[str]
    VALID: ClassVar[Sequence[str]]
    INVALID: ClassVar[Sequence[str]]
    #: Method names whose calls this rule wants collected by the shared walk.
    method_names: ClassVar[FrozenSet[str]] = frozenset()

    def check(self, facts: ModuleFacts) -> Iterator[Violation]:
        """Yield this rule's violations from the module's facts."""
        raise NotImplementedError

    @classmethod
    def explain(cls) -> str:
        """The rule's full documentation as Markdown (``--explain`` and docs/lint.md)."""
        return (f"## {cls.code}: {cls.name}\n\n{cls.summary}\n\n"
                f"**Why.** {cls.why}\n\n"
                f"**Bad:**\n\n```python\n{cls.bad.strip()}\n```\n\n"
                f"**Good:**\n\n```python\n{cls.good.strip()}\n```\n\n"
                f"**Fix.** {cls.fix}\n")
