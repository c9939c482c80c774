"""The one path-sensitive ownership analysis that every rule reads.

:mod:`.state` holds the value states and counts, :mod:`.walk` the walk over control flow,
:mod:`.summaries` and :mod:`.roles` what calls and parameters mean; what is tracked and which
calls acquire or end it lives in :mod:`bufleak_lint.resources`.
"""

from typing import FrozenSet

import libcst as cst

from bufleak_lint.analysis.facts import ModuleFacts
from bufleak_lint.analysis.summaries import Summaries
from bufleak_lint.analysis.walk import Walk
from bufleak_lint.resources.http import HttpScope
from bufleak_lint.vocabulary import Vocabulary

_SUMMARY_ROUNDS = 2


def analyze(module: cst.Module, vocabulary: Vocabulary,
            method_names: FrozenSet[str] = frozenset()) -> ModuleFacts:
    """Run the ownership analysis over ``module``.

    ``method_names`` lists method names whose calls syntactic rules want to see
    (collected in :attr:`ModuleFacts.method_calls`).
    """
    http = HttpScope(module)
    http = http if http else None
    summaries = Summaries()
    for _ in range(_SUMMARY_ROUNDS):
        walk = Walk(vocabulary, summaries=summaries, summarize=True)
        walk.run(module, http)
        if walk.found.allocators == summaries.allocators and \
                walk.found.releasers == summaries.releasers:
            break
        summaries = walk.found
    return Walk(vocabulary, method_names, summaries).run(module, http)


__all__ = ["analyze", "ModuleFacts"]
