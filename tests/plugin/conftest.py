import pytest

#: Plugins these runs do not need (hypothesis' costs ~1 s a run) and asyncio's loop scope, set.
QUIET = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-o", "asyncio_default_fixture_loop_scope=function")


@pytest.fixture
def run(pytester):
    """Write ``test_it.py`` with ``source`` and run pytest in-process on it with ``args``."""

    def run(source, *args, **files):
        pytester.makepyfile(test_it=source, **files)
        return pytester.runpytest(*QUIET, *args)

    return run


@pytest.fixture
def run_subprocess(pytester):
    """Write ``test_it.py`` with ``source`` and run pytest on it in a fresh process, as users do."""

    def run(source, *args):
        pytester.makepyfile(test_it=source)
        return pytester.runpytest_subprocess(*QUIET, *args)

    return run
