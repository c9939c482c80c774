"""Leak detection: Netty's sampling ``ResourceLeakDetector`` and presence-based ``track_leaks()``.

Usable without pytest. ``sites`` captures allocation sites cheaply, ``records`` holds what is known
about each tracked buffer and formats Netty's report, ``detector`` decides what is tracked and logs
buffers garbage-collected unreleased, ``tracker`` gives a scope the buffers it failed to release.
"""
from .detector import LeakLevel, ResourceLeakDetector
from .records import AccessRecord, Leak, format_leaks
from .tracker import LeakTracker, track_leaks

__all__ = [
    "AccessRecord",
    "Leak",
    "LeakLevel",
    "LeakTracker",
    "ResourceLeakDetector",
    "format_leaks",
    "track_leaks",
]
