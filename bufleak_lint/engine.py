"""Lint one file, or many in parallel processes.

Per file: decode it, check its syntax with the builtin parser (fast, and the
authority on what is valid Python), skip the libcst parse when the text names
none of the runtime's trigger names, otherwise parse once with libcst, run the
shared ownership walk, let every enabled rule read its facts, resolve
positions only when there is something to report, then apply ``# noqa`` and
the selection.  Nothing a file contains stops the run: whatever cannot be
read or parsed becomes a BUF999 finding.
"""

import ast
import io
import multiprocessing
import os
import re
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
            related_line = positions[violation.related].start.line
            violation.message = violation.message.replace("{line}", str(related_line))
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
    try:
        analysis = analyse(text, path, settings.vocabulary, enabled)
    except cst.ParserSyntaxError as exc:
        _add_syntax_error(result, settings, exc.raw_line, exc.raw_column + 1,
                          f"libcst cannot parse this file: {exc.message}")
        return result
    except RecursionError:
        _add_syntax_error(result, settings, 1, 1,
                          "RecursionError: the file nests too deeply to be analysed")
        return result
    lines = text.splitlines()
    kept = []
    for violation, line, column in analysis.violations:
        source_line = lines[line - 1] if 0 < line <= len(lines) else ""
        if _noqa_allows(source_line, violation.code):
            kept.append(violation)
            result.findings.append(Finding(path, line, column + 1, violation.code,
                                           violation.message, violation.fix is not None))
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


def lint_file(path: str, settings: Settings) -> FileResult:
    """Read, decode and lint the file at ``path``."""
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            return FileResult(path, notice=f"skipped: {size} bytes is more than the "
                                           f"{MAX_FILE_BYTES} bytes the linter reads")
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        result = FileResult(path)
        _add_syntax_error(result, settings, 1, 1, f"cannot read: {exc.strerror or exc}")
        return result
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


def lint_paths(paths: List[str], settings: Settings, jobs: int = 1) -> Iterator[FileResult]:
    """Lint ``paths`` (files), in ``jobs`` processes when there are enough files."""
    if jobs <= 1 or len(paths) < 2 * jobs:
        for path in paths:
            yield lint_file(path, settings)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    chunk = max(1, min(16, len(paths) // (jobs * 8)))
    with context.Pool(jobs, initializer=_init_worker, initargs=(settings,)) as pool:
        yield from pool.imap(_work, paths, chunksize=chunk)
