"""How leaks and over-releases read: identical ones printed once with their count, long reports capped.

Two leaks are identical when they have the same allocation site, the same access records, the same
``retained at`` lines and origin: one block stands for all of them (``x5``). A report shows at most
:data:`MAX_SHOWN` distinct blocks and says how many more there were, and where the full list is.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Hashable, List, Optional, Sequence, Tuple

from .records import Leak

#: Distinct leaks (or over-releases) shown in full in one report; the rest are only counted.
MAX_SHOWN = 10


def group(items: Sequence[Any], key: Callable[[Any], Hashable]) -> List[Tuple[Any, int]]:
    """``(first item, count)`` per distinct ``key``, in order of first appearance."""
    groups: Dict[Hashable, List[Any]] = {}
    for item in items:
        entry = groups.get(key(item))
        if entry is None:
            groups[key(item)] = [item, 1]
        else:
            entry[1] += 1
    return [(item, count) for item, count in groups.values()]


def leak_key(leak: Leak, relative_to: Optional[str] = None) -> Hashable:
    """What makes two leaks the same leak: site, access records, retaining lines, origin, collected or not."""
    return (leak.collected, leak.site_relative_to(relative_to), leak.records_text(relative_to),
            tuple(leak.retained), leak.origin)


def format_leaks(leaks: List[Leak], relative_to: Optional[str] = None, owner: str = "",
                 limit: int = MAX_SHOWN, full_list: str = "") -> str:
    """A readable account of several leaks: ``<owner> leaked N buffers:``, then a summary line and
    Netty's report for each distinct leak (with its count), at most ``limit`` of them; ``full_list``
    says where the rest can be read (appended to the line that counts them)."""
    groups = group(leaks, lambda leak: leak_key(leak, relative_to))
    return _account(
        f"leaked {_count(len(leaks))}", owner, groups, limit, full_list,
        lambda leak: f"{leak.summary(relative_to)}\n{leak.report(relative_to)}",
    )


def format_over_releases(over_released: List[Any], relative_to: Optional[str] = None, owner: str = "",
                         limit: int = MAX_SHOWN, full_list: str = "") -> str:
    """Like :func:`format_leaks`, for over-releases: ``<owner> over-released N buffers:`` and each report."""
    groups = group(over_released, lambda over: over.report(relative_to))
    return _account(
        f"over-released {_count(len(over_released))}", owner, groups, limit, full_list,
        lambda over: f"{over.summary(relative_to)}\n{over.report(relative_to)}",
    )


def _count(n: int) -> str:
    return f"{n} buffer" if n == 1 else f"{n} buffers"


def _account(what: str, owner: str, groups: List[Tuple[Any, int]], limit: int, full_list: str,
             block: Callable[[Any], str]) -> str:
    lines = [f"{owner + ' ' if owner else ''}{what}:"]
    for number, (item, count) in enumerate(groups[:limit], 1):
        times = f" (x{count}, identical)" if count > 1 else ""
        lines.append(f"[{number}]{times} {block(item)}")
    hidden = groups[limit:]
    if hidden:
        buffers = sum(count for _, count in hidden)
        lines.append(f"... and {_count(buffers)} more ({len(hidden)} distinct) not shown{full_list}")
    return "\n".join(lines)
