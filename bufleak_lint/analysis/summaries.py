"""Call summaries by the module's own functions (Clang's summaries, for code in the same file).

A module-level function or a method that returns a fresh buffer on every path is an allocator
at its call sites (``make_frame()``, ``self.make_frame()``); one that releases a parameter on
every path releases the argument it is given.  Summaries come from a first walk in summary
mode; a second round lets a factory that calls a factory be one too.
"""

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Optional, Set, Tuple

#: (class name or None for a module-level function, function name)
Key = Tuple[Optional[str], str]


@dataclass
class Summaries:
    allocators: Set[Key] = field(default_factory=set)
    #: key -> indexes of the positional parameters (``self`` not counted) released on every path
    releasers: Dict[Key, FrozenSet[int]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.allocators or self.releasers)


def summary_key(class_name: Optional[str], name: str, depth: int, in_class: bool) -> Optional[Key]:
    """The key a function is summarised under: module-level functions and methods only."""
    if depth != 0:
        return None
    return (class_name, name) if in_class else (None, name)
