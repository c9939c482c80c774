"""Leak detection: Netty's sampling ``ResourceLeakDetector`` and presence-based ``track_leaks()``.

Usable without pytest. ``sites`` captures allocation sites cheaply, ``records`` holds what is known
about each tracked buffer, ``report`` formats leaks (grouped and capped), ``detector`` decides what is
tracked and logs buffers garbage-collected unreleased, ``tracker`` gives a scope the buffers it failed
to release, ``threads`` makes threads and executor jobs allocate for the scope that started them, and
``overrelease`` reports the releases of freed buffers that the runtime caught.
"""
from ..buffer import tracking
from . import overrelease
from .detector import LeakLevel, ResourceLeakDetector
from .overrelease import OverRelease
from .records import AccessRecord, HandOver, Leak
from .report import format_leaks, format_over_releases
from .tracker import LeakTracker, track_leaks

tracking.over_release_hook = overrelease.report

__all__ = [
    "AccessRecord",
    "HandOver",
    "Leak",
    "LeakLevel",
    "LeakTracker",
    "OverRelease",
    "ResourceLeakDetector",
    "format_leaks",
    "format_over_releases",
    "track_leaks",
]
