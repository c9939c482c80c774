"""The pytest plugin: ``pytest --bufleak`` fails each test that leaks a buffer and names where it was made.

Hooks only: they map test phases onto :mod:`pytest_bufleak.leak` trackers, one per scope node (the
test item, its class, module, package, the session). A buffer belongs to the tracker active when it
was allocated: the test's during its setup, call and teardown, a wider fixture's while that fixture
is set up or torn down. A tracker is checked when its scope ends, after the teardown of the test that ends it, and
what it still holds is reported as an error at that teardown.
"""
from __future__ import annotations

import functools
import json
import os
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

import pytest

from . import markers
from .leak import Leak, LeakLevel, LeakTracker, ResourceLeakDetector, format_leaks, format_over_releases, track_leaks
from .leak.report import MAX_SHOWN, group, leak_key
from .markers import add_ini_keys

LEVELS = ("paranoid", "advanced", "simple")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")

_SESSION = pytest.StashKey["BufleakSession"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--bufleak``, ``--bufleak-level``, ``--bufleak-report`` and the ini keys ``bufleak``, ``bufleak_level``."""
    group = parser.getgroup("bufleak", "reference-counted buffer leaks (bufleak)")
    group.addoption(
        "--bufleak", action="store_true", default=False,
        help="fail every test that leaves a ByteBuf unreleased (ini: bufleak = true).",
    )
    group.addoption(
        "--bufleak-level", metavar="LEVEL", default=None,
        help="paranoid (default), advanced or simple: whether leak reports carry access records.",
    )
    group.addoption(
        "--bufleak-report", metavar="PATH", default=None, help="also write the leaks found to PATH as JSON."
    )
    add_ini_keys(parser)  # also done by the bufleak_markers entry point, which -p no:bufleak leaves in


def pytest_configure(config: pytest.Config) -> None:
    """Validate the options; when enabled, register the session that does the checking."""
    enabled = config.getoption("bufleak") or _ini_flag(config.getini("bufleak"))
    level = _parse_level(config)
    report_path = config.getoption("bufleak_report")
    if report_path is not None:
        report_path = os.path.abspath(report_path)
        if not os.path.isdir(os.path.dirname(report_path)):
            raise pytest.UsageError(f"--bufleak-report: directory {os.path.dirname(report_path)!r} does not exist")
    if not config.pluginmanager.has_plugin("bufleak_markers"):
        markers.pytest_configure(config)  # -p no:bufleak_markers: --strict-markers must still know them
    if enabled:
        session = BufleakSession(config, level, report_path)
        config.stash[_SESSION] = session
        config.pluginmanager.register(session, "bufleak-session")


def _ini_flag(value: Any) -> bool:
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise pytest.UsageError(f"ini option bufleak: expected true or false, got {value!r}")


def _parse_level(config: pytest.Config) -> LeakLevel:
    value = config.getoption("bufleak_level")
    source = "--bufleak-level"
    if value is None:
        value, source = config.getini("bufleak_level") or "paranoid", "ini option bufleak_level"
    if str(value).strip().lower() not in LEVELS:
        raise pytest.UsageError(f"{source}: unknown level {value!r} (expected one of: {', '.join(LEVELS)})")
    return LeakLevel.parse(value)


@pytest.fixture
def bufleak(request: pytest.FixtureRequest) -> Iterator[LeakTracker]:
    """The test's leak tracker: ``.live()`` lists its live buffers (``.buffer``, ``.site``), ``.assert_clean()``.

    Under ``--bufleak`` it is the tracker the plugin checks after teardown; without it, a tracker of
    the buffers allocated while this fixture is active.
    """
    session = request.config.stash.get(_SESSION, None)
    if session is not None:
        tracker = session.tracker(request.node, "function")
        tracker.scopes = functools.partial(session.scope_tracker, request.node)  # for hand_over(buf, scope=...)
        yield tracker
    else:
        with track_leaks(request.node.nodeid, str(request.config.rootpath)) as tracker:
            yield tracker


def _allowance(node: Any) -> int:
    """How many leaks ``@pytest.mark.bufleak(allow=N)`` tolerates at ``node``; UsageError if malformed."""
    mark = node.get_closest_marker("bufleak")
    return 0 if mark is None else _allowed_by(mark, node)


def _allowed_by(mark: Any, node: Any) -> int:
    """The N of a ``bufleak(allow=N)`` mark carried by ``node``; UsageError naming both if malformed."""
    allow = mark.kwargs.get("allow", 0)
    if mark.args or set(mark.kwargs) - {"allow"} or isinstance(allow, bool) or not isinstance(allow, int) or allow < 0:
        given = [repr(arg) for arg in mark.args] + [f"{key}={value!r}" for key, value in mark.kwargs.items()]
        arguments = ", ".join(given)
        raise pytest.UsageError(
            f"{node.nodeid}: @pytest.mark.bufleak({arguments}): expected bufleak(allow=N) with an int N >= 0"
        )
    return allow


class BufleakSession:
    """What ``--bufleak`` adds to a run: a tracker per scope node, checked when its scope ends."""

    def __init__(self, config: pytest.Config, level: LeakLevel, report_path: Optional[str]) -> None:
        self.config = config
        self.level = level
        self.report_path = report_path
        self.root = str(config.rootpath)
        self.trackers: Dict[Any, Tuple[str, LeakTracker]] = {}
        self.failed: Set[str] = set()  # tests whose setup or call failed
        self.found: Dict[str, List[dict]] = {}  # leaks found at a teardown, until its report
        self.sections: Dict[str, str] = {}  # leak reports of a teardown that failed on its own
        self.teardowns: Dict[Any, Any] = {}  # wider-scoped fixtures being torn down -> their activation
        self.reported: List[Tuple[str, List[dict]]] = []
        self.leak_failures: Set[str] = set()  # teardowns failed by a leak: an error even in an xfail test
        self.seen: Set[Tuple[Any, ...]] = set()  # wider-scoped leaks already reported by another xdist worker
        self.previous_level = ResourceLeakDetector.get_level()
        ResourceLeakDetector.set_level(level)

    def tracker(self, node: Any, scope: str) -> LeakTracker:
        """The tracker of ``node`` (made on first use)."""
        entry = self.trackers.get(node)
        if entry is None:
            entry = self.trackers[node] = (scope, LeakTracker(node.nodeid or "session", self.root))
        return entry[1]

    def scope_tracker(self, item: pytest.Item, scope: str) -> LeakTracker:
        """The tracker of ``item``'s enclosing ``scope`` (``bufleak.hand_over(buf, scope=...)``)."""
        kinds = {"class": pytest.Class, "module": pytest.Module, "package": pytest.Package, "session": pytest.Session}
        if scope not in kinds:
            raise ValueError(f"hand_over: unknown scope {scope!r} (expected one of: {', '.join(kinds)})")
        node = item.getparent(kinds[scope])
        if node is None and scope == "package":  # no package: pytest runs package fixtures at session scope
            node, scope = item.session, "session"
        if node is None:
            raise ValueError(f"hand_over(scope={scope!r}): {item.nodeid} is not in a {scope}")
        return self.tracker(node, scope)

    def pytest_report_header(self) -> str:
        return f"bufleak: on, level {self.level.name.lower()}"

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: List[pytest.Item]) -> None:
        for item in items:  # every bufleak mark that applies, the class's and module's too
            for node, mark in item.iter_markers_with_node("bufleak"):
                _allowed_by(mark, node)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Iterator[Any]:
        self.failed.discard(item.nodeid)
        with self.tracker(item, "function").active():  # setup, call and teardown
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef: Any, request: Any) -> Iterator[Any]:
        if fixturedef.scope == "function":
            return (yield)  # the test's tracker is already active, in its setup and its teardown
        tracker = self.tracker(request.node, fixturedef.scope)
        held_before = set(tracker.pool)  # its dependencies are set up already: what comes next is its own
        with tracker.active():
            try:
                result = yield
            except BaseException:
                # A fixture that failed gets no second report (each of its tests reports the error).
                for record in [record for record in tuple(tracker.pool) if record not in held_before]:
                    tracker.pool.pop(record, None)
                raise
        # Its teardown belongs to it too: finalizers run last-in first-out, so this one runs before
        # the fixture's own, and pytest_fixture_post_finalizer (always the last) ends the activation.
        fixturedef.addfinalizer(functools.partial(self._activate_for_teardown, fixturedef, tracker))
        return result

    def _activate_for_teardown(self, fixturedef: Any, tracker: LeakTracker) -> None:
        activation = tracker.active()
        activation.__enter__()
        self.teardowns[fixturedef] = activation

    def pytest_fixture_post_finalizer(self, fixturedef: Any) -> None:
        activation = self.teardowns.pop(fixturedef, None)
        if activation is not None:
            activation.__exit__(None, None, None)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem: Optional[pytest.Item]) -> Iterator[None]:
        try:
            result = yield
        except BaseException:
            message = self._check_ended_scopes(item, nextitem, teardown_failed=True)
            if message:  # the teardown's own error is the report; the leaks ride along as a section
                self.sections[item.nodeid] = message
            raise
        message = self._check_ended_scopes(item, nextitem, teardown_failed=False)
        if message:
            self.leak_failures.add(item.nodeid)
            pytest.fail(message, pytrace=False)
        return result

    def _check_ended_scopes(self, item: pytest.Item, nextitem: Optional[pytest.Item], teardown_failed: bool) -> str:
        """Check and clear the trackers of the scopes ``item``'s teardown ended; return the report text."""
        ended = [item]
        if len(self.trackers) > 1:  # wider scopes have trackers: which of them end here?
            still_needed = set(nextitem.listchain()) if nextitem is not None else set()
            ended = [node for node in reversed(item.listchain()) if node not in still_needed]
        messages: List[str] = []
        leaks_json: List[dict] = []
        for node in ended:
            if node not in self.trackers:
                continue
            scope, tracker = self.trackers.pop(node)
            tracker.close()
            leaks, over_released = tracker.leaks(), tracker.over_released
            tracker.over_released = []  # handed to the report below
            tracker.clear()
            if not (leaks or over_released) or node.get_closest_marker("no_bufleak") is not None:
                continue
            if node is item:
                owner = "test " + node.nodeid
            else:
                owner = f"{scope}-scoped fixtures of {node.nodeid or 'the session'}"
            # Buffers that tasks or threads of ended scopes allocated meanwhile: theirs, found here.
            late: Dict[str, List[Leak]] = {}
            for leak in leaks:
                if leak.origin is not None:
                    late.setdefault(leak.origin, []).append(leak)
            own = [leak for leak in leaks if leak.origin is None]
            allow = _allowance(node)
            if node is item and (teardown_failed or item.nodeid in self.failed):
                own = over_released = []  # the test already failed: no second report
            elif len(own) <= allow:
                own = []
            reported = list(own)
            if own:
                allowed = f" (allowed {allow})" if allow else ""
                text = format_leaks(own, self.root, owner + allowed, full_list=self._full_list())
                messages.append("bufleak: " + text)
            for origin, found in late.items():
                where = f"{origin} (from a task or thread it left running, found at the end of {owner})"
                messages.append("bufleak: " + format_leaks(found, self.root, where, full_list=self._full_list()))
                reported += found
            if over_released:
                messages.append("bufleak: " + format_over_releases(over_released, self.root, owner,
                                                                   full_list=self._full_list()))
            where = dict(scope=scope, owner=node.nodeid)
            leaks_json += [dict(leak.to_json(self.root), **where) for leak in reported]
            leaks_json += [dict(over.to_json(self.root), over_release=True, **where) for over in over_released]
            for leak, count in group(reported, lambda leak: leak_key(leak, self.root)):
                times = f" x{count}" if count > 1 else ""
                item.user_properties.append(("bufleak", f"{leak.summary(self.root)} ({scope} scope){times}"))
            for over in over_released:
                item.user_properties.append(("bufleak", f"over-release: {over.summary(self.root)} ({scope} scope)"))
        if leaks_json:
            self.found[item.nodeid] = leaks_json
        return "\n\n".join(messages)

    def _full_list(self) -> str:
        """Where a capped report's full list is: the JSON report, or how to get one."""
        if self.report_path is not None:
            return f"; the full list is in {self.report_path}"
        return "; run with --bufleak-report=PATH for the full list"

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # tryfirst: the leaks ride on the teardown report before junitxml, the terminal or xdist see it.
        if report.when != "teardown":
            if report.failed or (report.skipped and hasattr(report, "wasxfail")):
                self.failed.add(report.nodeid)
            return
        if report.nodeid in self.leak_failures:
            # pytest's xfail handling turned the leak into an "XFAIL at teardown": a leak fails the run.
            self.leak_failures.discard(report.nodeid)
            report.outcome = "failed"
            if hasattr(report, "wasxfail"):
                del report.wasxfail
        section = self.sections.pop(report.nodeid, None)
        if section:
            report.sections.append(("bufleak", section))
        leaks = self.found.pop(report.nodeid, None)
        if leaks:
            report.bufleak = leaks
        leaks = getattr(report, "bufleak", None)  # under xdist, the controller gets it from a worker
        if leaks and hasattr(report, "node"):  # from a worker: each worker sets up its own wider fixtures
            leaks = [leak for leak in leaks if self._first_report_of(leak)]
        if leaks:
            self.reported.append((report.nodeid, leaks))

    def _first_report_of(self, leak: dict) -> bool:
        """False for a wider-scoped leak that another xdist worker already reported (same fixture, site, records)."""
        if leak["scope"] == "function":
            return True
        key = (leak["owner"], leak["scope"], leak["repr"], leak.get("site"), json.dumps(leak.get("records")))
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.reported:
            return
        entries = [leak for _, leaks in self.reported for leak in leaks]
        over = sum(1 for leak in entries if leak.get("over_release"))
        leaked = len(entries) - over
        title = f"bufleak: {leaked} leaked buffer{'s' if leaked != 1 else ''}"
        if over:
            title += f", {over} over-released"
        terminalreporter.section(title, sep="=", red=True)
        for nodeid, leaks in self.reported:
            terminalreporter.line(nodeid)
            lines = group([_summary_line(leak) for leak in leaks], lambda line: line)
            for line, times in lines[:MAX_SHOWN]:
                terminalreporter.line(f"    {line}" + (f" (x{times})" if times > 1 else ""))
            if len(lines) > MAX_SHOWN:
                hidden = sum(times for _, times in lines[MAX_SHOWN:])
                terminalreporter.line(f"    ... and {hidden} more{self._full_list()}")

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        for _, tracker in self.trackers.values():  # scopes an interrupted run never finished
            tracker.close()
            tracker.clear()
        self.trackers.clear()
        if self.report_path is not None and not hasattr(self.config, "workerinput"):
            tests = [{"nodeid": nodeid, "leaks": leaks} for nodeid, leaks in self.reported]
            document = {"level": self.level.name.lower(), "tests": tests}
            with open(self.report_path, "w", encoding="utf-8") as stream:
                json.dump(document, stream, indent=2)
                stream.write("\n")

    def pytest_unconfigure(self) -> None:
        ResourceLeakDetector.set_level(self.previous_level)
        del self.config.stash[_SESSION]


def _summary_line(leak: dict) -> str:
    """One line of the terminal summary for a leak (or over-release) from a JSON report entry."""
    where = "" if leak["scope"] == "function" else f" ({leak['scope']} scope)"
    if leak.get("over_release"):
        released, freed = leak["released"]["frames"], (leak["freed"] or {}).get("frames") or ["<unknown>"]
        return f"{leak['repr']} over-released at {released[0] if released else '<unknown>'}, freed at {freed[0]}{where}"
    if leak.get("origin"):
        where += f" (after {leak['origin']} had ended)"
    return f"{leak['repr']} allocated at {leak['site']}{where}"
