"""The ``bufleak-lint`` command: arguments, output and exit codes.

Exit status: 0 when nothing is reported, 1 when something is, 2 on a usage
or configuration error.
"""

import argparse
import difflib
import itertools
import os
import sys
from typing import Iterator, List, Optional, Sequence, Tuple

from bufleak_lint import __version__, report
from bufleak_lint.config import Config, ConfigError, Selection, load_config, parse_codes, split_list
from bufleak_lint.discovery import STDIN, discover
from bufleak_lint.engine import MAX_FILE_BYTES, FileResult, Settings, lint_bytes, lint_paths
from bufleak_lint.rules import BY_CODE

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own exit code is 2 as well
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = _Parser(prog="bufleak-lint",
                     description="Find reference-counted buffer leaks (bufleak / Netty style).")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or directories (default: .); - reads standard input")
    parser.add_argument("--select", metavar="CODES",
                        help="comma-separated codes or prefixes to report")
    parser.add_argument("--ignore", metavar="CODES",
                        help="comma-separated codes or prefixes to leave out")
    parser.add_argument("--exclude", metavar="GLOBS", action="append", default=[],
                        help="comma-separated globs of files or directories to skip "
                             "(adds to the config)")
    parser.add_argument("--format", choices=report.FORMATS, default="text", help="output format")
    parser.add_argument("--fix", action="store_true",
                        help="apply the automatic fixes in place (with -, print the fixed "
                             "source to stdout and the findings left to stderr)")
    parser.add_argument("--diff", action="store_true",
                        help="print the fixes as a unified diff instead of writing them, and "
                             "the findings left to stderr (exit 1 when there is either)")
    parser.add_argument("--stdin-display-name", default="stdin", metavar="NAME",
                        help="the name reported for standard input (default: stdin)")
    parser.add_argument("--jobs", "-j", default="auto", metavar="N",
                        help="number of processes (default: auto, one per CPU)")
    parser.add_argument("--show-source", action="store_true", help="show the offending line")
    parser.add_argument("--statistics", action="store_true", help="count the findings per code")
    parser.add_argument("--explain", metavar="CODE", help="print a rule's documentation and exit")
    parser.add_argument("--config", metavar="PYPROJECT",
                        help="read [tool.bufleak.lint] from this file")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _jobs(value: str) -> int:
    if value == "auto":
        return os.cpu_count() or 1
    try:
        jobs = int(value)
    except ValueError:
        raise ConfigError(f"--jobs: {value!r} is not a number or 'auto'") from None
    if jobs < 1:
        raise ConfigError(f"--jobs: must be at least 1, got {jobs}")
    return jobs


def _settings(args: argparse.Namespace, config: Config) -> Settings:
    select = parse_codes(split_list(args.select), "--select") if args.select else config.select
    ignore = parse_codes(split_list(args.ignore), "--ignore") if args.ignore else config.ignore
    selection = Selection(select or ("BUF",), ignore, config.per_file_ignores, config.root)
    return Settings(config.vocabulary(), selection, fix=args.fix or args.diff)


def _explain(code: str, out) -> int:
    rule = BY_CODE.get(code.strip().upper())
    if rule is None:
        print(f"bufleak-lint: unknown rule {code!r} (known: {', '.join(BY_CODE)})", file=sys.stderr)
        return EXIT_USAGE
    out.write(rule.explain())
    out.write(f"\nMore: {report.help_uri(rule.code)}\n")
    return EXIT_CLEAN


def _write_fixed(result: FileResult) -> None:
    with open(result.path, "wb") as handle:
        handle.write(result.fixed.encode(result.encoding))


def _write_bytes(out, data: bytes) -> None:
    buffer = getattr(out, "buffer", None)
    if buffer is None:  # a text-only stream
        out.write(data.decode("utf-8", "surrogateescape"))
        return
    out.flush()
    buffer.write(data)
    buffer.flush()


def _diff(result: FileResult) -> str:
    return "".join(difflib.unified_diff(result.original.splitlines(True),
                                        result.fixed.splitlines(True),
                                        f"a/{result.path}", f"b/{result.path}"))


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command; return its exit status."""
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (``bufleak-lint | head -1``): stop quietly, as a filter should,
        # and point stdout at devnull so that the flush at interpreter exit cannot fail again.
        _silence_stdout()
        return EXIT_FINDINGS


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout without a file descriptor
        pass


def _main(argv: Optional[Sequence[str]]) -> int:
    args = build_parser().parse_args(argv)
    out = sys.stdout
    if args.explain:
        return _explain(args.explain, out)
    try:
        config = load_config(args.config)
        settings = _settings(args, config)
        jobs = _jobs(args.jobs)
        exclude = list(config.exclude) + [g for item in args.exclude for g in split_list(item)]
        files = discover(args.paths or ["."], exclude, config.root)
    except ConfigError as exc:
        print(f"bufleak-lint: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return _run(files, settings, jobs, args, out)


def _lint(files: List[str], settings: Settings, jobs: int, display_name: str,
          ) -> Iterator[Tuple[FileResult, Optional[bytes]]]:
    """Lint ``files`` in order: (result, None) per file, (result, the bytes read) for ``-``.

    Standard input is read once, in the main process, where ``-`` first comes.
    """
    if STDIN not in files:
        return ((result, None) for result in lint_paths(files, settings, jobs))
    at = files.index(STDIN)
    rest = [path for path in files[at + 1:] if path != STDIN]
    return itertools.chain(_lint(files[:at], settings, jobs, display_name),
                           _lint_stdin(settings, display_name),
                           _lint(rest, settings, jobs, display_name))


def _lint_stdin(settings: Settings, display_name: str) -> Iterator[Tuple[FileResult, bytes]]:
    data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    yield lint_bytes(data, display_name, settings), data


def _run(files: List[str], settings: Settings, jobs: int, args: argparse.Namespace, out) -> int:
    findings = []
    fixed_files = 0
    changed = unwritten = False
    fix_stdin = args.fix and not args.diff and STDIN in files
    # --diff and --fix of standard input keep stdout for the diff or the fixed source.
    report_to = sys.stderr if args.diff or fix_stdin else out
    for result, stdin_data in _lint(files, settings, jobs, args.stdin_display_name):
        if result.notice:
            print(f"{result.path}: {result.notice}", file=sys.stderr)
        is_stdin = fix_stdin and stdin_data is not None
        if result.fixed is not None:
            changed = True
            if args.diff:
                out.write(_diff(result))
            elif not is_stdin:
                try:
                    _write_fixed(result)
                    fixed_files += 1
                except OSError as exc:
                    unwritten = True
                    print(f"{result.path}: cannot write the fixes: {exc.strerror or exc}",
                          file=sys.stderr)
        if is_stdin:  # the fixed source, or the source as it came when nothing changed
            _write_bytes(out, stdin_data if result.fixed is None
                         else result.fixed.encode(result.encoding))
        if args.format in ("text", "github"):
            _emit(result, args, report_to, stdin_data)
        findings.extend(result.findings)
    if args.format == "json":
        report.write_json(findings, report_to)
    elif args.format == "sarif":
        report.write_sarif(findings, report_to)
    if args.statistics:
        for line in report.statistics(findings):
            report_to.write(line + "\n")
    if fixed_files:
        print(f"bufleak-lint: fixed {fixed_files} file{'s' if fixed_files != 1 else ''}",
              file=sys.stderr)
    if args.diff:
        return EXIT_FINDINGS if changed or findings else EXIT_CLEAN
    return EXIT_FINDINGS if findings or unwritten else EXIT_CLEAN


def _emit(result: FileResult, args: argparse.Namespace, out,
          stdin_data: Optional[bytes] = None) -> None:
    """Print one file's findings as they come (text or GitHub annotations)."""
    lines = None
    for finding in result.findings:
        if args.format == "github":
            out.write(report.format_github(finding) + "\n")
            continue
        out.write(report.format_text(finding) + "\n")
        if args.show_source:
            if lines is None:
                lines = _source_lines(result, stdin_data)
            excerpt = report.source_excerpt(finding, lines)
            if excerpt:
                out.write(excerpt + "\n")


def _source_lines(result: FileResult, stdin_data: Optional[bytes]) -> List[str]:
    source = result.fixed
    if source is None and stdin_data is not None:
        source = stdin_data.decode(result.encoding, errors="replace")
    if source is None:
        try:
            with open(result.path, encoding=result.encoding, errors="replace") as handle:
                source = handle.read()
        except OSError:
            return []
    return source.splitlines()
