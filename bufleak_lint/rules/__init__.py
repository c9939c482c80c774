"""The rules, one module each; :data:`RULES` lists them in code order."""

from typing import Dict, List

from bufleak_lint.rules.base import Rule, Violation
from bufleak_lint.rules.buf001_unprotected_release import UnprotectedRelease
from bufleak_lint.rules.buf002_use_after_end import UseAfterOwnershipEnded
from bufleak_lint.rules.buf003_exchange import Exchange
from bufleak_lint.rules.buf004_unhandled_message import UnhandledMessage
from bufleak_lint.rules.buf005_release_in_cleanup import ReleaseInCleanup
from bufleak_lint.rules.buf006_orphan_allocation import OrphanAllocation
from bufleak_lint.rules.buf007_partial_leak import PartialLeakRule
from bufleak_lint.rules.buf008_over_release import OverRelease
from bufleak_lint.rules.buf009_unconsumed_response import UnconsumedResponse
from bufleak_lint.rules.buf999_syntax_error import SyntaxErrorRule

RULES: List[Rule] = [UnprotectedRelease(), UseAfterOwnershipEnded(), Exchange(),
                     UnhandledMessage(), ReleaseInCleanup(), OrphanAllocation(), PartialLeakRule(),
                     OverRelease(), UnconsumedResponse(), SyntaxErrorRule()]
BY_CODE: Dict[str, Rule] = {rule.code: rule for rule in RULES}
SYNTAX_ERROR = SyntaxErrorRule.code

__all__ = ["RULES", "BY_CODE", "SYNTAX_ERROR", "Rule", "Violation"]
