"""Output formats: text (flake8's), json, SARIF 2.1.0 and GitHub annotations."""

import json
import os
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional, Sequence, TextIO

from bufleak_lint import __version__
from bufleak_lint.engine import Finding
from bufleak_lint.rules import RULES

FORMATS = ("text", "json", "sarif", "github")
_PYPI_PAGE = "https://pypi.org/project/pytest-bufleak/"
_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def project_url() -> str:
    """The project's home (its ``Repository``/``Homepage`` URL when installed with one)."""
    try:
        from importlib.metadata import PackageNotFoundError, metadata
        urls = metadata("pytest-bufleak").get_all("Project-URL") or []
    except (ImportError, PackageNotFoundError):
        urls = []
    by_label = {}
    for entry in urls:
        label, _, url = entry.partition(",")
        by_label[label.strip().lower()] = url.strip()
    for label in ("repository", "source", "homepage", "documentation"):
        if label in by_label:
            return by_label[label]
    return _PYPI_PAGE


def help_uri(code: str, base: Optional[str] = None) -> str:
    """Where a rule is documented: the README section of that code."""
    return f"{base or project_url()}#{code.lower()}"


def format_text(finding: Finding) -> str:
    """``path:line:col: CODE message``."""
    return f"{finding.path}:{finding.line}:{finding.column}: {finding.code} {finding.message}"


def source_excerpt(finding: Finding, lines: Sequence[str]) -> str:
    """The source line of ``finding`` and a caret under its column (``--show-source``)."""
    if not 0 < finding.line <= len(lines):
        return ""
    text = lines[finding.line - 1].rstrip("\r\n")
    pad = "".join(ch if ch == "\t" else " " for ch in text[:finding.column - 1])
    return f"{text}\n{pad}^"


def write_json(findings: List[Finding], out: TextIO) -> None:
    """A JSON array of findings."""
    json.dump([{"path": f.path, "line": f.line, "column": f.column, "code": f.code,
                "message": f.message, "fixable": f.fixable} for f in findings], out, indent=2)
    out.write("\n")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(finding: Finding) -> str:
    """A GitHub Actions workflow command: ``::error file=...,line=...::message``."""
    return (f"::error file={_escape_property(finding.path)},line={finding.line},"
            f"col={finding.column},title={finding.code}::"
            f"{_escape_data(finding.code + ' ' + finding.message)}")


def _artifact(path: str) -> Dict:
    """A SARIF artifact location: relative paths against %SRCROOT%, absolute ones as file URIs."""
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    return {"uri": path.replace(os.sep, "/"), "uriBaseId": "%SRCROOT%"}


def sarif_document(findings: List[Finding]) -> Dict:
    """A SARIF 2.1.0 log with one run, every rule's metadata and the results."""
    base = project_url()
    index = {rule.code: i for i, rule in enumerate(RULES)}
    rules = [{
        "id": rule.code,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": rule.summary.replace("`", "")},
        "fullDescription": {"text": rule.why},
        "help": {"text": f"{rule.why}\n\nFix: {rule.fix}", "markdown": rule.explain()},
        "helpUri": help_uri(rule.code, base),
        "defaultConfiguration": {"level": "error"},
    } for rule in RULES]
    results = [_sarif_result(f, index) for f in findings]
    return {
        "$schema": _SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "bufleak-lint", "version": __version__,
                                "informationUri": base, "rules": rules}},
            "results": results,
        }],
    }


def _sarif_result(finding: Finding, index: Dict[str, int]) -> Dict:
    result = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": "error",
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": _artifact(finding.path),
            "region": {"startLine": finding.line, "startColumn": finding.column},
        }}],
    }
    if finding.related_line is not None:
        # The other end of the path: where the value was allocated (BUF007) or already ended.
        result["relatedLocations"] = [{"id": 1, "physicalLocation": {
            "artifactLocation": _artifact(finding.path),
            "region": {"startLine": finding.related_line},
        }, "message": {"text": f"line {finding.related_line}, named in the message"}}]
    return result


def write_sarif(findings: List[Finding], out: TextIO) -> None:
    """Write :func:`sarif_document` as JSON."""
    json.dump(sarif_document(findings), out, indent=2)
    out.write("\n")


def statistics(findings: List[Finding]) -> List[str]:
    """``count  CODE  summary`` lines, by code (``--statistics``)."""
    counts = Counter(f.code for f in findings)
    summaries = {rule.code: rule.name for rule in RULES}
    return [f"{counts[code]:<5} {code} {summaries.get(code, '')}" for code in sorted(counts)]
