"""What an expression evaluates to, for the walk: a followed value, or a fresh one."""

from typing import Optional

import libcst as cst

from bufleak_lint.resources import http as H


class Tracked:
    """An expression that evaluates to a followed value."""

    __slots__ = ("vid", "name", "node")

    def __init__(self, vid: int, name: str, node: cst.CSTNode):
        self.vid, self.name, self.node = vid, name, node


class New:
    """An expression that evaluates to a freshly owned reference (an allocation, or a response)."""

    __slots__ = ("call", "library")

    def __init__(self, call: cst.Call, library: Optional[H.Library] = None):
        self.call = call
        self.library = library
