"""``[tool.bufleak.lint]`` in ``pyproject.toml``, and rule selection.

Keys (dashes or underscores): ``select``, ``ignore``, ``per-file-ignores``,
``exclude``, ``extra-allocators``, ``extra-releases``, ``extra-fires``.  Any
other key, or a value of the wrong shape, is a :class:`ConfigError` naming it.
"""

import fnmatch
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

from bufleak_lint.vocabulary import Vocabulary

_CODE = re.compile(r"^BUF[0-9]{0,3}$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
SECTION = "tool.bufleak.lint"


class ConfigError(Exception):
    """A configuration or command-line value the linter cannot use (exit code 2)."""


#: Codes of rules being added, accepted in a selection before their modules land.
_UPCOMING_CODES = ("BUF007", "BUF008", "BUF009")


def known_codes() -> Tuple[str, ...]:
    """Every rule code a selection may name, sorted."""
    from bufleak_lint.rules import RULES  # here: the rules import the analysis, not the reverse
    return tuple(sorted({rule.code for rule in RULES}.union(_UPCOMING_CODES)))


def parse_codes(values: Sequence[str], where: str) -> Tuple[str, ...]:
    """Validate rule codes or code prefixes (``BUF``, ``BUF00``, ``BUF001``).

    A prefix must match at least one known code (flake8's reading of a
    prefix): ``BUF123`` or ``BUF5`` would silently select nothing, so they are
    a :class:`ConfigError` naming the code and ``where`` it came from.
    """
    out = []
    known = known_codes()
    for value in values:
        if not isinstance(value, str) or not _CODE.match(value.strip().upper()):
            raise ConfigError(
                f"{where}: {value!r} is not a rule code (expected e.g. BUF001 or BUF)")
        code = value.strip().upper()
        if not any(k.startswith(code) for k in known):
            raise ConfigError(f"{where}: unknown rule code {value!r} (known: {', '.join(known)})")
        out.append(code)
    return tuple(out)


def split_list(text: str) -> List[str]:
    """``"BUF001, BUF002"`` -> ``["BUF001", "BUF002"]``."""
    return [part for part in re.split(r"[,\s]+", text) if part]


def _matches(path: str, pattern: str, root: str) -> bool:
    relative = os.path.relpath(os.path.abspath(path), root or os.getcwd()).replace(os.sep, "/")
    plain = path.replace(os.sep, "/")
    pattern = pattern.rstrip("/")
    if "/" not in pattern:
        return fnmatch.fnmatch(plain.rsplit("/", 1)[-1], pattern)
    return (fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(relative, pattern + "/*")
            or fnmatch.fnmatch(plain, pattern))


@dataclass(frozen=True)
class Selection:
    """Which codes are reported for which file (flake8's prefix rules: the longer match wins)."""

    select: Tuple[str, ...] = ("BUF",)
    ignore: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    root: str = ""

    def enabled(self, code: str, path: str = "") -> bool:
        """Whether ``code`` is reported in ``path``."""
        ignores = self.ignore
        if path and self.per_file_ignores:
            for pattern, codes in self.per_file_ignores:
                if _matches(path, pattern, self.root):
                    ignores = ignores + codes
        selected = max((len(p) for p in self.select if code.startswith(p)), default=-1)
        ignored = max((len(p) for p in ignores if code.startswith(p)), default=-1)
        return selected >= 0 and selected > ignored


@dataclass
class Config:
    """The project's settings, before the command line overrides them."""

    select: Optional[Tuple[str, ...]] = None
    ignore: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    exclude: Tuple[str, ...] = ()
    extra_allocators: Tuple[str, ...] = ()
    extra_releases: Tuple[str, ...] = ()
    extra_fires: Tuple[str, ...] = ()
    #: The directory paths in the configuration are relative to.
    root: str = field(default_factory=os.getcwd)
    source: Optional[str] = None

    def vocabulary(self) -> Vocabulary:
        """The runtime's names plus this project's extras."""
        return Vocabulary(frozenset(self.extra_allocators), frozenset(self.extra_releases),
                          frozenset(self.extra_fires))


def _strings(value, where: str, pattern: Optional[re.Pattern] = None) -> Tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings, got {value!r}")
    if pattern is not None:
        for item in value:
            if not pattern.match(item):
                raise ConfigError(f"{where}: {item!r} is not a dotted Python name")
    return tuple(value)


def find_pyproject(start: str) -> Optional[str]:
    """The nearest ``pyproject.toml`` at or above ``start``."""
    directory = os.path.abspath(start)
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def load_config(path: Optional[str] = None, start: Optional[str] = None) -> Config:
    """Read ``[tool.bufleak.lint]`` from ``path`` (or the nearest pyproject.toml)."""
    explicit = path is not None
    path = path if explicit else find_pyproject(start or os.getcwd())
    if path is None:
        return Config()
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    table = document
    for depth, key in enumerate(SECTION.split("."), 1):
        table = table.get(key, {})
        if not isinstance(table, dict):
            name = ".".join(SECTION.split(".")[:depth])
            raise ConfigError(f"{path}: [{name}] must be a table, got {table!r}")
    return parse_table(table, os.path.dirname(os.path.abspath(path)), path)


def parse_table(table: Dict, root: str, source: str = "pyproject.toml") -> Config:
    """Validate the ``[tool.bufleak.lint]`` table."""
    config = Config(root=root, source=source)
    for raw_key, value in table.items():
        key = raw_key.replace("_", "-")
        where = f"{source}: [{SECTION}] {raw_key}"
        if key == "select":
            config.select = parse_codes(_strings(value, where), where)
        elif key == "ignore":
            config.ignore = parse_codes(_strings(value, where), where)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: expected a table of glob = [codes], got {value!r}")
            config.per_file_ignores = tuple(
                (glob, parse_codes(_strings(codes, f"{where}.{glob}"), f"{where}.{glob}"))
                for glob, codes in value.items())
        elif key == "exclude":
            config.exclude = _strings(value, where)
        elif key == "extra-allocators":
            config.extra_allocators = _strings(value, where, _NAME)
        elif key == "extra-releases":
            config.extra_releases = _strings(value, where, _NAME)
        elif key == "extra-fires":
            config.extra_fires = _strings(value, where, _NAME)
        else:
            raise ConfigError(f"{source}: [{SECTION}] unknown key {raw_key!r} (known: select, "
                              "ignore, per-file-ignores, exclude, extra-allocators, "
                              "extra-releases, extra-fires)")
    return config


def is_excluded(path: str, patterns: Sequence[str], root: str) -> bool:
    """Whether ``path`` matches one of the exclude globs (basename or path relative to root)."""
    return any(_matches(path, pattern, root) for pattern in patterns)
