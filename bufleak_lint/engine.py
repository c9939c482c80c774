"""Lint one file, or many in parallel processes.

Per file: decode it, check its syntax with the builtin parser (fast, and the
authority on what is valid Python), skip the libcst parse when the text names
none of the runtime's trigger names, otherwise parse once with libcst, run the
shared ownership walk, let every enabled rule read its facts, resolve
positions only when there is something to report, then apply ``# noqa`` and
the selection.  Nothing a file contains stops the run: what cannot be read
or is not valid Python becomes a BUF999 finding; what is valid Python but
too large for libcst, or beyond what libcst can parse, is syntax-checked only
and gets a notice on standard error instead of a finding; what is not a
regular file (a FIFO, a device) is skipped with a notice.
"""

import ast
import io
import multiprocessing
import os
import re
import stat
import threading
import tokenize
from dataclasses import dataclass, field
from typing import Callable, Iterator, List, Optional, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from bufleak_lint.config import Selection
from bufleak_lint.fix import FixError, apply_fixes
from bufleak_lint.analysis import analyze
from bufleak_lint.rules import RULES, SYNTAX_ERROR, Violation
from bufleak_lint.vocabulary import Vocabulary

#: Files larger than this are skipped with a notice (generated data, not code).
MAX_FILE_BYTES = 16 * 1024 * 1024
#: Source larger than this is syntax-checked with ``ast`` only, not analysed with libcst.
#: Measured (libcst 1.9, CPython 3.11, peak RSS growth of one parse): about 270 MB and 3 s
#: per MB of ordinary code, 520 MB and 16 s (parse and analysis) per MB of dense handler
#: code, 900 MB and 8.5 s per MB of literal data (a 4 MB data file: 3.5 GB, 38 s).  At
#: 512 KiB a worker stays under about 450 MB and 8 s, and only 5 of 15,295 files of the
#: standard library plus the dev site-packages are larger (all generated).
MAX_ANALYSED_BYTES = 512 * 1024
#: flake8's inline ``# noqa`` / ``# noqa: CODE,...``: a code is letters then digits, so the
#: words of an explanation after the codes are not read as code prefixes.
_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.I)
#: flake8's file-level ``# flake8: noqa`` (a line of its own): the file is not checked at all.
_NOQA_FILE = re.compile(r"^[ \t]*#[ \t]*flake8[:=][ \t]*noqa", re.I | re.M)
_METHOD_NAMES = frozenset().union(*(rule.method_names for rule in RULES))


@dataclass(frozen=True)
class Finding:
    """One reported problem; ``column`` is 1-based like flake8's output."""

    path: str
    line: int
    column: int
    code: str
    message: str
    fixable: bool = False
    #: The other line the message names (where the buffer was allocated, released...), if any.
    related_line: Optional[int] = None


@dataclass
class FileResult:
    """What linting one file produced."""

    path: str
    findings: List[Finding] = field(default_factory=list)
    #: The fixed source, when fixing was asked for and changed something.
    fixed: Optional[str] = None
    #: The original source (only kept when ``fixed`` is set, for ``--diff``).
    original: Optional[str] = None
    #: A note for the user about a file that was skipped (too large) or not fixed.
    notice: Optional[str] = None
    #: The source encoding, used to write a fixed file back.
    encoding: str = "utf-8"


@dataclass(frozen=True)
class Settings:
    """Everything a worker process needs to lint a file."""

    vocabulary: Vocabulary = Vocabulary()
    selection: Selection = Selection()
    fix: bool = False


def read_source(data: bytes) -> Tuple[Optional[str], Optional[str], str]:
    """Decode ``data`` as Python source: (text, error message, encoding)."""
    if b"\0" in data:
        return None, "binary file (contains NUL bytes), not Python source", "utf-8"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        return None, f"cannot decode: {exc}", "utf-8"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        return None, f"cannot decode as {encoding}: {exc}", encoding
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, None, encoding


def syntax_error(text: str, path: str) -> Optional[Tuple[int, int, str]]:
    """(line, 1-based column, message) of the first syntax error, or None."""
    try:
        compile(text, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        return exc.lineno or 1, max(exc.offset or 1, 1), f"{type(exc).__name__}: {exc.msg}"
    except (ValueError, RecursionError, MemoryError) as exc:
        return 1, 1, f"{type(exc).__name__}: {exc}"
    return None


@dataclass
class Analysis:
    """Violations of one module with their resolved positions."""

    module: Optional[cst.Module]
    violations: List[Tuple[Violation, int, int]]
    module_names: frozenset = frozenset()


def analyse(text: str, path: str, vocabulary: Vocabulary,
            enabled: Callable[[str], bool] = lambda code: True) -> Analysis:
    """Run the enabled rules over ``text`` (known to be valid Python).

    Returns violations with (line, 0-based column).  Raises
    ``cst.ParserSyntaxError`` or ``RecursionError`` when libcst cannot cope.
    """
    if not vocabulary.may_hold_findings(text):
        return Analysis(None, [])
    rules = [rule for rule in RULES if rule.code != SYNTAX_ERROR and enabled(rule.code)]
    if not rules:
        return Analysis(None, [])
    module = cst.parse_module(text)
    facts = analyze(module, vocabulary, _METHOD_NAMES)
    violations = [v for rule in rules for v in rule.check(facts)]
    if not violations:
        return Analysis(module, [], frozenset(facts.module_names))
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    placed = []
    for violation in violations:
        start = positions[violation.node].start
        if violation.related is not None:
            violation.related_line = positions[violation.related].start.line
            violation.message = violation.message.replace("{line}", str(violation.related_line))
        placed.append((violation, start.line, start.column))
    placed.sort(key=lambda item: (item[1], item[2], item[0].code))
    return Analysis(module, placed, frozenset(facts.module_names))


def _noqa_allows(line_text: str, code: str) -> bool:
    match = _NOQA.search(line_text)
    if match is None:
        return True
    codes = match.group("codes")
    if not codes:
        return False
    listed = [c.upper() for c in re.split(r"[,\s]+", codes) if c]
    return not any(code == c or code.startswith(c) for c in listed)


def _utf8_size(text: str) -> int:
    if len(text) * 4 <= MAX_ANALYSED_BYTES:  # cannot be over the bound: skip the encoding
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def bounded_analyse(text: str, path: str, vocabulary: Vocabulary,
                    enabled: Callable[[str], bool] = lambda code: True,
                    ) -> Tuple[Optional[Analysis], Optional[str]]:
    """:func:`analyse` valid Python ``text`` within the linter's bounds.

    Returns ``(analysis, None)``, or ``(None, notice)`` saying why the text
    was not analysed: larger than :data:`MAX_ANALYSED_BYTES`, or valid Python
    that libcst cannot parse or that nests too deeply for it.  Neither is a
    finding: the text is valid Python, the linter just cannot read it.
    """
    size = _utf8_size(text)
    if size > MAX_ANALYSED_BYTES:
        if not vocabulary.may_hold_findings(text):
            return Analysis(None, []), None
        return None, (f"not analysed: {size} bytes is more than the {MAX_ANALYSED_BYTES} bytes "
                      "the analysis takes on (syntax checked only)")
    try:
        return analyse(text, path, vocabulary, enabled), None
    except cst.ParserSyntaxError as exc:
        first = (exc.message.splitlines() or ["syntax error"])[0]
        reason = f"libcst cannot parse it at line {exc.raw_line}: {first}"
    except RecursionError:
        reason = "it nests too deeply for the analysis"
    except MemoryError:
        reason = "the analysis ran out of memory"
    except Exception as exc:
        # libcst's node validation raises TypeError on some valid code
        # (``() if 0 else(lambda:())``); an error of the analysis itself still propagates.
        if not _raised_in_libcst(exc):
            raise
        reason = f"libcst fails on it ({type(exc).__name__}: {exc})"
    return None, f"not analysed: {reason} (valid Python, syntax checked only)"


def _raised_in_libcst(exc: BaseException) -> bool:
    traceback = exc.__traceback__
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    module = traceback.tb_frame.f_globals.get("__name__", "") if traceback else ""
    return module.split(".")[0] == "libcst"


def lint_text(text: str, path: str, settings: Settings) -> FileResult:
    """Lint decoded source ``text``; fix it too when ``settings.fix`` is set."""
    result = FileResult(path)
    if _NOQA_FILE.search(text) is not None:
        return result
    error = syntax_error(text, path)
    if error is not None:
        _add_syntax_error(result, settings, *error)
        return result
    enabled = lambda code: settings.selection.enabled(code, path)  # noqa: E731
    analysis, result.notice = bounded_analyse(text, path, settings.vocabulary, enabled)
    if analysis is None:
        return result
    lines = text.splitlines()
    kept = []
    for violation, line, column in analysis.violations:
        source_line = lines[line - 1] if 0 < line <= len(lines) else ""
        if _noqa_allows(source_line, violation.code):
            kept.append(violation)
            result.findings.append(Finding(path, line, column + 1, violation.code,
                                           violation.message, violation.fix is not None,
                                           violation.related_line))
    if settings.fix and any(v.fix is not None for v in kept):
        try:
            fixed = apply_fixes(analysis.module, [v.fix for v in kept if v.fix is not None],
                                set(analysis.module_names))
        except FixError as exc:
            result.notice = f"fixes not applied, the result would not compile: {exc}"
            return result
        if fixed is not None:
            after = lint_text(fixed, path, Settings(settings.vocabulary, settings.selection))
            result.findings = after.findings
            result.fixed, result.original = fixed, text
    return result


def _add_syntax_error(result: FileResult, settings: Settings, line: int, column: int,
                      message: str) -> None:
    if settings.selection.enabled(SYNTAX_ERROR, result.path):
        result.findings.append(Finding(result.path, line, column, SYNTAX_ERROR, message))


_FILE_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
               (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
               (stat.S_ISSOCK, "a socket"))
#: Non-blocking, so that opening a FIFO does not wait for a writer.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)


def _read_regular_file(path: str) -> Tuple[Optional[bytes], Optional[str]]:
    """(contents, None), or (None, why it is skipped) for what is not a reasonable file.

    Raises OSError when the file cannot be opened or read.
    """
    descriptor = os.open(path, _OPEN_FLAGS)
    try:
        status = os.fstat(descriptor)
    except OSError:
        os.close(descriptor)
        raise
    if not stat.S_ISREG(status.st_mode):
        os.close(descriptor)
        kind = next((name for test, name in _FILE_KINDS if test(status.st_mode)), "unknown")
        return None, f"skipped: not a regular file ({kind})"
    if status.st_size > MAX_FILE_BYTES:
        os.close(descriptor)
        return None, (f"skipped: {status.st_size} bytes is more than the "
                      f"{MAX_FILE_BYTES} bytes the linter reads")
    with os.fdopen(descriptor, "rb") as handle:
        return handle.read(MAX_FILE_BYTES + 1), None


def lint_file(path: str, settings: Settings) -> FileResult:
    """Read, decode and lint the file at ``path``; skip what is not a regular file."""
    try:
        data, notice = _read_regular_file(path)
    except OSError as exc:
        result = FileResult(path)
        _add_syntax_error(result, settings, 1, 1, f"cannot read: {exc.strerror or exc}")
        return result
    if data is None:
        return FileResult(path, notice=notice)
    return lint_bytes(data, path, settings)


def lint_bytes(data: bytes, path: str, settings: Settings) -> FileResult:
    """Decode and lint source ``data`` read from ``path`` (a display name for standard input)."""
    if len(data) > MAX_FILE_BYTES:
        return FileResult(path, notice=f"skipped: more than the {MAX_FILE_BYTES} bytes "
                                       "the linter reads")
    text, error, encoding = read_source(data)
    if text is None:
        result = FileResult(path)
        _add_syntax_error(result, settings, 1, 1, error)
        return result
    result = lint_text(text, path, settings)
    result.encoding = encoding
    return result


_WORKER_SETTINGS: Optional[Settings] = None


def _init_worker(settings: Settings) -> None:
    global _WORKER_SETTINGS
    _WORKER_SETTINGS = settings


def _work(path: str) -> FileResult:
    return lint_file(path, _WORKER_SETTINGS)


def _start_method() -> str:
    """``fork`` (the cheapest start) only in a process with no other thread: forking one that has some (a
    pytest-xdist worker, an IDE's host) can deadlock the child, and Python 3.12+ warns. Else a fork server."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and _thread_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _thread_count() -> int:
    """The process's threads, as the OS counts them (``threading`` does not see threads started by C code or
    by ``_thread``, as pytest-xdist's execnet starts them); ``threading``'s count where the OS does not say."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def lint_paths(paths: List[str], settings: Settings, jobs: int = 1) -> Iterator[FileResult]:
    """Lint ``paths`` (files), in ``jobs`` processes when there are enough files."""
    if jobs <= 1 or len(paths) < 2 * jobs:
        for path in paths:
            yield lint_file(path, settings)
        return
    context = multiprocessing.get_context(_start_method())
    chunk = max(1, min(16, len(paths) // (jobs * 8)))
    with context.Pool(jobs, initializer=_init_worker, initargs=(settings,)) as pool:
        yield from pool.imap(_work, paths, chunksize=chunk)
