import contextlib
import logging

import pytest

from pytest_bufleak import ResourceLeakDetector
from pytest_bufleak.leak import detector


@pytest.fixture(autouse=True)
def restore_detector():
    """Leave the process-wide detector as the test found it."""
    level = ResourceLeakDetector.get_level()
    target = ResourceLeakDetector.get_target_records()
    yield
    ResourceLeakDetector.set_level(level)
    ResourceLeakDetector.set_target_records(target)
    ResourceLeakDetector.set_sampling_interval(128)


@pytest.fixture
def untracked(monkeypatch):
    """Run outside every tracker (also the one ``pytest --bufleak`` gives this test), as a script would."""

    @contextlib.contextmanager
    def outside():
        token = detector.owner.set(None)
        saved, still_open = detector.active[:], detector.open_trackers
        del detector.active[:]
        detector.open_trackers = 0
        detector.update_hook()  # nothing tracks: allocations are sampled, as in a script
        try:
            yield
        finally:
            detector.active[:] = saved
            detector.open_trackers += still_open
            detector.owner.reset(token)
            detector.update_hook()

    return outside


@pytest.fixture
def leak_log(caplog):
    """The ERROR records on the ``pytest_bufleak`` logger."""
    caplog.set_level(logging.ERROR, logger="pytest_bufleak")

    def records():
        return [r.getMessage() for r in caplog.records if r.name == "pytest_bufleak" and r.levelno == logging.ERROR]

    return records
