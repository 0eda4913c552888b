"""The configuration file and what it does to findings.

A configuration is `.apiguard.yaml` (or `.yml`), or the `[tool.apiguard]` table of a
pyproject.toml, found by walking up from the first spec to the repository root, or named with
`--config`. It is checked against `schemas/config.schema.json`; a problem is an InputError at its
line. `apply()` is the one place policy meets findings, after the engine and before the
reporters: selection, per-rule levels, suppressions with a reason and an expiry date, and
inline `x-apiguard-ignore` lists in the spec itself.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from .document import INLINE_IGNORE_KEY
from .errors import InputError
from .model import Finding, Level, Location, fingerprint, split_pointer

SCHEMA_FILE = Path(__file__).resolve().parent / "schemas" / "config.schema.json"
YAML_NAMES = (".apiguard.yaml", ".apiguard.yml")
INLINE_KEY = INLINE_IGNORE_KEY
_LEVELS = {"error": Level.ERROR, "warning": Level.WARNING, "info": Level.INFO, "off": None}


@dataclass
class Suppression:
    rule: str
    reason: str
    operation: str | None = None
    pointer: str | None = None
    file: str | None = None
    expires: dt.date | None = None
    location: Location | None = None  # where it is written in the configuration file

    def matches(self, f: Finding, base: Path) -> bool:
        if not fnmatch.fnmatchcase(f.rule, self.rule):
            return False
        if self.operation is not None and not any(fnmatch.fnmatchcase(op, self.operation) for op in f.operations):
            return False
        places = [loc for loc in (f.location, f.old_location) if loc is not None]
        if self.pointer is not None and not any(_under(loc.pointer, self.pointer) for loc in places):
            return False
        if self.file is not None and not any(_file_matches(loc.file, self.file, base) for loc in places):
            return False
        return True


@dataclass
class Config:
    path: Path | None = None
    fail_on: str | None = None
    levels: dict[str, Level | None] = field(default_factory=dict)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    rulesets: list[str] = field(default_factory=list)
    min_notice_days: int | None = None
    options_at: Location | None = None  # where `options` is written, for errors found later
    # Each rule name written under `rules`, `select`, `ignore` and `suppressions[].rule`, with
    # where it is written: checked against the rules that exist once rulesets are loaded.
    names: list[tuple[str, str, Location]] = field(default_factory=list)

    def check_names(self, rules: set[str], families: set[str]) -> None:
        """A name that matches no rule (a typo in `select` would silently drop everything) is
        an error at its line. Globs must match at least one rule."""
        for key, name, loc in self.names:
            if name in rules or name in families:
                continue
            if any(c in name for c in "*?[") and any(fnmatch.fnmatchcase(r, name) for r in rules):
                continue
            from .catalog import suggestions

            close = suggestions(name.rstrip("*-"), rules | families)
            raise InputError(
                f"{key}: {name!r} names no rule or family",
                file=shown(self.path),
                line=loc.line,
                column=loc.column,
                hint=f"did you mean {close}?" if close else "`apiguard rules` lists the rule IDs; docs/rules.md groups them by family",
            )

    @property
    def folder(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()

    def level_for(self, rule: str, family: str) -> tuple[bool, Level | None]:
        """(configured?, level or None for off): an exact ID wins over a glob, a glob over a family."""
        if rule in self.levels:
            return True, self.levels[rule]
        for key, level in self.levels.items():
            if any(c in key for c in "*?[") and fnmatch.fnmatchcase(rule, key):
                return True, level
        if family in self.levels:
            return True, self.levels[family]
        return False, None

    def apply(self, findings: list[Finding], families: dict[str, str], *, today: dt.date) -> tuple[list[Finding], int]:
        """The findings a report shows: selected, not ignored, at their configured level and not
        suppressed by a live suppression; and how many a live suppression hid (what is not
        selected, ignored or turned off is not counted: that is configuration, not accepted
        debt)."""
        # Suppressions by exact rule ID, so a baseline of a thousand entries is not matched
        # against every finding; those with a glob for a rule are tried for all.
        live = [s for s in self.suppressions if s.expires is None or s.expires >= today]
        by_rule: dict[str, list[Suppression]] = {}
        by_place: dict[tuple[str, str], list[Suppression]] = {}  # (rule, pointer), as baselines write
        globbed = []
        for s in live:
            if any(c in s.rule for c in "*?["):
                globbed.append(s)
            elif s.pointer is not None:
                by_place.setdefault((s.rule, s.pointer.rstrip("/")), []).append(s)
            else:
                by_rule.setdefault(s.rule, []).append(s)
        out = []
        hidden = 0
        for f in findings:
            family = families.get(f.rule, "")
            if f.rule != "spec-invalid" and self.select and not _selected(f.rule, family, self.select):
                continue
            if self.ignore and _selected(f.rule, family, self.ignore):
                continue
            configured, level = self.level_for(f.rule, family)
            if configured:
                if level is None:
                    continue
                f = replace(f, level=level)
            candidates = [*by_rule.get(f.rule, ()), *globbed]
            if by_place:
                for loc in (f.location, f.old_location):
                    if loc is not None:
                        for prefix in _prefixes(loc.pointer):
                            candidates += by_place.get((f.rule, prefix), ())
            if any(s.matches(f, self.folder) for s in candidates):
                hidden += 1
                continue
            out.append(f)
        return out, hidden

    def expired(self, today: dt.date) -> list[Finding]:
        """One warning per suppression whose date has passed: it no longer hides anything."""
        out = []
        for s in self.suppressions:
            if s.expires is None or s.expires >= today:
                continue
            where = s.location or Location(str(self.path or "config"), 1, 1, "")
            out.append(
                Finding(
                    rule="suppression-expired",
                    level=Level.WARNING,
                    message=(
                        f"The suppression of {s.rule} ({_scope(s)}) expired on {s.expires.isoformat()} and no longer "
                        f"hides anything; it said: {s.reason!r}. Fix what it covered, or renew it with a new date and reason."
                    ),
                    location=where,
                    fingerprint=fingerprint("suppression-expired", s.rule, _scope(s), s.expires.isoformat()),
                )
            )
        return out


def _scope(s: Suppression) -> str:
    parts = [f"operation {s.operation}" if s.operation else "", f"pointer {s.pointer}" if s.pointer else "", f"file {s.file}" if s.file else ""]
    return ", ".join(p for p in parts if p)


def _selected(rule: str, family: str, selectors: list[str]) -> bool:
    return any(sel == family or fnmatch.fnmatchcase(rule, sel) for sel in selectors)


def _prefixes(pointer: str) -> list[str]:
    """"", "/a", "/a/b" for "/a/b": every pointer a suppression may name to cover it."""
    out = [""]
    i = pointer.find("/", 1)
    while i > 0:
        out.append(pointer[:i])
        i = pointer.find("/", i + 1)
    if pointer:
        out.append(pointer)
    return out


def _under(pointer: str, prefix: str) -> bool:
    return pointer == prefix or prefix == "" or pointer.startswith(prefix.rstrip("/") + "/")


def _file_matches(file: str, pattern: str, base: Path) -> bool:
    name = file.partition(":")[2] if ":" in file and not Path(file).exists() else file
    if fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(Path(name).as_posix(), pattern):
        return True
    try:
        rel = (Path.cwd() / name).resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return False
    return fnmatch.fnmatchcase(rel, pattern)


# -- finding and loading ----------------------------------------------------------------------


def find_config(start: Path) -> Path | None:
    """The nearest configuration at or above `start` (a folder or a file), up to the repository
    root: `.apiguard.yaml`/`.yml` first, then a pyproject.toml that has `[tool.apiguard]`."""
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        for name in YAML_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and re.search(r"^\[tool\.apiguard[\].]", pyproject.read_text(encoding="utf-8", errors="replace"), re.M):
            return pyproject
        if (folder / ".git").exists():
            break
    return None


def shown(path: Path) -> str:
    """A configuration's path as errors name it: relative to the working folder, like the
    specs' paths (`../.apiguard.yaml` when it was found above), absolute only across drives."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def load_config(path: Path) -> Config:
    """Read and check a configuration file; every problem is an InputError at its line."""
    name = shown(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the configuration: {exc.strerror or exc}", file=name, hint="check the --config path") from None
    if path.name == "pyproject.toml":
        data, locate = _from_pyproject(name, raw)
    else:
        data, locate = _from_yaml(name, raw)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError("the configuration must be a mapping of keys", file=name, line=1, hint="see the README's Configuration section")
    _check(data, name, locate)
    return _build(path, data, locate)


def _from_yaml(name: str, raw: bytes) -> tuple[Any, Any]:
    from .document import parse

    if not raw.strip():
        return {}, lambda ptr: Location(name, 1, 1, ptr)
    doc = parse(name, raw)
    return doc.data, doc.locate


def _from_pyproject(name: str, raw: bytes) -> tuple[Any, Any]:
    import tomllib

    try:
        whole = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise InputError(f"not valid TOML: {exc}", file=name, line=int(line.group(1)) if line else None, hint="fix the TOML syntax") from None
    data = (whole.get("tool") or {}).get("apiguard") or {}
    lines = raw.decode("utf-8").splitlines()

    def locate(pointer: str) -> Location:
        # TOML keeps no positions: the line of the last key of the pointer inside the
        # [tool.apiguard...] tables, else the table header itself.
        start = next((i for i, text in enumerate(lines) if re.match(r"\s*\[+\s*tool\.apiguard", text)), 0)
        keys = [t for t in split_pointer(pointer) if not t.isdigit()]
        for key in reversed(keys):
            pattern = re.compile(r'^\s*(?:\[+\s*tool\.apiguard\.)?(?:"?' + re.escape(key) + r'"?)\s*(?:=|\])|[\s,{]"?' + re.escape(key) + r'"?\s*=')
            for i in range(start, len(lines)):
                if pattern.search(lines[i]):
                    return Location(name, i + 1, 1, pointer)
        return Location(name, start + 1, 1, pointer)

    return data, locate


def _check(data: dict[str, Any], name: str, locate: Any) -> None:
    import jsonschema

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(_plain(data)))
    if not errors:
        return
    error = jsonschema.exceptions.best_match(errors)
    path = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        # Point at the unknown key itself, not at the mapping that holds it.
        known = set((error.schema.get("properties") or {}))
        extra = [k for k in error.instance if k not in known]
        if extra:
            path.append(extra[0])
    pointer = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)
    loc = locate(pointer)
    key = ".".join(str(p) for p in path) or "(top level)"
    message = error.message
    if error.validator == "additionalProperties" and not error.absolute_path:
        message += "; the keys are fail-on, rules, options, select, ignore, suppressions, rulesets and min-notice-days"
    if error.validator == "anyOf" and error.absolute_path and error.absolute_path[0] == "suppressions":
        message = "a suppression needs at least one of operation, pointer or file, so it cannot hide every finding of a rule"
    raise InputError(f"{key}: {message}", file=name, line=loc.line, column=loc.column, hint="`apiguard schema config` prints every key and what it accepts")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return value


def _build(path: Path, data: dict[str, Any], locate: Any) -> Config:
    data = _plain(data)
    levels = {}
    for key, value in (data.get("rules") or {}).items():
        label = value["level"] if isinstance(value, dict) else value
        levels[key] = _LEVELS[label]
    suppressions = []
    for i, item in enumerate(data.get("suppressions") or []):
        expires = None
        if "expires" in item:
            try:
                expires = dt.date.fromisoformat(item["expires"])
            except ValueError:
                loc = locate(f"/suppressions/{i}/expires")
                raise InputError(
                    f"suppressions.{i}.expires: {item['expires']!r} is not a date", file=shown(path), line=loc.line, column=loc.column, hint="write YYYY-MM-DD"
                ) from None
        suppressions.append(
            Suppression(
                rule=item["rule"],
                reason=item["reason"],
                operation=item.get("operation"),
                pointer=item.get("pointer"),
                file=item.get("file"),
                expires=expires,
                location=locate(f"/suppressions/{i}"),
            )
        )
    return Config(
        path=path,
        fail_on=data.get("fail-on"),
        levels=levels,
        options={k: dict(v) for k, v in (data.get("options") or {}).items()},
        select=list(data.get("select") or []),
        ignore=list(data.get("ignore") or []),
        suppressions=suppressions,
        rulesets=[str((path.parent / r)) for r in data.get("rulesets") or []],
        min_notice_days=data.get("min-notice-days"),
        options_at=locate("/options") if "options" in data else None,
        names=_names(data, locate),
    )


def _names(data: dict[str, Any], locate: Any) -> list[tuple[str, str, Location]]:
    out = []
    for key in (data.get("rules") or {}):
        out.append(("rules", str(key), locate(f"/rules/{_escape(str(key))}")))
    for section in ("select", "ignore"):
        for i, name in enumerate(data.get(section) or []):
            out.append((section, str(name), locate(f"/{section}/{i}")))
    for i, item in enumerate(data.get("suppressions") or []):
        out.append((f"suppressions.{i}.rule", str(item["rule"]), locate(f"/suppressions/{i}/rule")))
    return out


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


# -- inline x-apiguard-ignore -----------------------------------------------------------------


def inline_ignores(specs: Iterable[Any]) -> dict[tuple[str, str], frozenset[str]]:
    """(file name, pointer) -> rule IDs or globs, for every node of the specs' documents that
    carries `x-apiguard-ignore: [rule, ...]`. Documents whose text never mentions the key are
    not walked."""
    out: dict[tuple[str, str], frozenset[str]] = {}
    for spec in specs:
        if spec is None:
            continue
        for doc in spec.documents.values():
            if not doc.mentions(INLINE_KEY):
                continue
            stack: list[tuple[Any, str]] = [(doc.data, "")]
            while stack:
                value, pointer = stack.pop()
                if isinstance(value, dict):
                    rules = value.get(INLINE_KEY)
                    if isinstance(rules, list):
                        out[(doc.name, pointer)] = frozenset(str(r) for r in rules)
                    elif isinstance(rules, str):
                        out[(doc.name, pointer)] = frozenset([rules])
                    for k, v in value.items():
                        if isinstance(v, (dict, list)):
                            stack.append((v, pointer + "/" + str(k).replace("~", "~0").replace("/", "~1")))
                elif isinstance(value, list):
                    for i, v in enumerate(value):
                        if isinstance(v, (dict, list)):
                            stack.append((v, f"{pointer}/{i}"))
    return out


def inline_suppressed(f: Finding, ignores: dict[tuple[str, str], frozenset[str]]) -> bool:
    """True when the finding's node, or one above it, lists the finding's rule (in the new
    version, or in the old one for something that was removed)."""
    if not ignores:
        return False
    for loc in (f.location, f.old_location):
        if loc is None:
            continue
        tokens = split_pointer(loc.pointer) if loc.pointer else []
        pointer = ""
        candidates = [""]
        for t in tokens:
            pointer += "/" + t.replace("~", "~0").replace("/", "~1")
            candidates.append(pointer)
        for p in candidates:
            rules = ignores.get((loc.file, p))
            if rules and any(fnmatch.fnmatchcase(f.rule, r) for r in rules):
                return True
    return False
