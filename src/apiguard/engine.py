"""The engine: runs compat rules over changes and lint rules over a spec, then stamps each hit
with its level, message, locations and fingerprint, and sorts the findings."""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass, field, replace
from typing import Any

from . import diff
from .catalog import load_catalog
from .model import Change, Finding, Level, fingerprint
from .registry import Hit, load_rules
from .spec import Spec


@dataclass
class Result:
    """Everything one run found: the raw changes and the judged findings."""

    findings: list[Finding]
    changes: list[Change] = field(default_factory=list)

    @property
    def semver(self) -> str:
        """The version bump the change set requires."""
        if any(f.level is Level.ERROR and f.rule != "spec-invalid" for f in self.findings):
            return "major"
        if self.changes:
            # Anything new (an operation, a property, an enum value) is a feature: minor.
            return "minor" if any("added" in c.kind for c in self.changes) else "patch"
        return "none"

    def counts(self) -> dict[str, int]:
        out = {lvl.label: 0 for lvl in sorted(Level, reverse=True)}
        for f in self.findings:
            out[f.level.label] += 1
        return out


class _Fields(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _message(template: str, fields: dict[str, Any]) -> str:
    return string.Formatter().vformat(template, (), _Fields(fields))


def _finding(rule: str, hit: Hit, new: Spec | None, old: Spec | None) -> Finding:
    entry = load_catalog()[rule]
    fields = {"summary": entry.meta.summary, **hit.fields}
    location = new.locate(hit.new) if (new is not None and hit.new is not None) else None
    old_location = old.locate(hit.old) if (old is not None and hit.old is not None) else None
    identity = [hit.new.pointer if hit.new else "", hit.old.pointer if hit.old else "", *hit.operations]
    return Finding(
        rule=rule,
        level=entry.meta.level,
        message=_message(entry.message, fields),
        location=location,
        old_location=old_location,
        operations=hit.operations,
        fingerprint=fingerprint(rule, *identity),
    )


def _union(first: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
    """Operations of two merged findings, in order, each once."""
    return first + tuple(o for o in more if o not in first)


def _merge_same_place(findings: list[Finding]) -> list[Finding]:
    """One finding per rule, place and message: a shared schema reached by both a request and a
    response yields one change per direction, and a rule that judges both alike (a property
    deprecated, readOnly changed) would otherwise say the same thing twice."""
    merged: dict[tuple[Any, ...], Finding] = {}
    for f in findings:
        key = (f.rule, f.location, f.old_location, f.message, f.level)
        prior = merged.get(key)
        if prior is None:
            merged[key] = f
        elif f.operations:
            merged[key] = replace(prior, operations=_union(prior.operations, f.operations))
    return list(merged.values())


def sort_findings(findings: list[Finding]) -> list[Finding]:
    def key(f: Finding) -> tuple[Any, ...]:
        loc = f.location or f.old_location
        return (-int(f.level), loc.file if loc else "", loc.line if loc else 0, loc.column if loc else 0, f.rule, f.message)

    return sorted(findings, key=key)


def compare(
    old: Spec,
    new: Spec,
    *,
    today: dt.date | None = None,
    min_notice_days: int = 365,
    check_version: bool = False,
) -> Result:
    """Diff two loaded specs and judge every change."""
    from .rules.compat._common import Context

    rules = load_rules("compat")
    ctx = Context(old=old, new=new, today=today or dt.date.today(), min_notice_days=min_notice_days)
    changes = diff.compare(old, new)
    by_kind: dict[str, list[Any]] = {}
    for r in rules.values():
        for kind in r.changes:
            by_kind.setdefault(kind, []).append(r)
    # Operations marked draft or alpha promise nothing yet (oasdiff's x-stability-level):
    # what would break them is reported as information only.
    unstable = {
        op.label: str(op.data.get("x-stability-level")).lower()
        for op in old.operations.values()
        if str(op.data.get("x-stability-level")).lower() in ("draft", "alpha")
    }
    findings: list[Finding] = list(new.problems)
    for change in changes:
        for r in by_kind.get(change.kind, ()):
            for hit in r.func(change, ctx):
                finding = _finding(r.id, hit, new, old)
                if unstable and finding.level > Level.INFO and hit.operations and all(o in unstable for o in hit.operations):
                    finding = replace(
                        finding,
                        level=Level.INFO,
                        message=f"{finding.message} (not breaking: the operation is marked {unstable[hit.operations[0]]})",
                    )
                findings.append(finding)
    result = Result(sort_findings(_merge_same_place(findings)), changes)
    if check_version:
        # Judged last: it needs the version bump every other finding adds up to.
        info = new.root.value.get("info") or {}
        where = new.root.where.child("info", "version") if "version" in info else new.root.where
        check = Change(
            kind="info.version.checked",
            operation=None,
            old=old.root.where.child("info", "version"),
            new=where,
            old_value=(old.root.value.get("info") or {}).get("version"),
            new_value=info.get("version"),
            details=(("required", result.semver),),
            subject="info.version",
        )
        for r in by_kind.get(check.kind, ()):
            for hit in r.func(check, ctx):
                result.findings.append(_finding(r.id, hit, new, old))
        result.findings = sort_findings(result.findings)
    return result


def lint(
    spec: Spec,
    *,
    today: dt.date | None = None,
    options: dict[str, dict[str, Any]] | None = None,
) -> list[Finding]:
    """Run every lint rule over one loaded spec (validation problems included).

    `options` maps a rule family (`errors`, `rate-limits`, ...) to its settings; they are
    checked against the family's JSON Schema and a bad one is a UsageError."""
    from .rules.lint._common import LintContext

    rules = load_rules()
    settings = check_options(options or {})
    ctx = LintContext(spec=spec, today=today or dt.date.today(), settings=settings)
    findings: list[Finding] = list(spec.problems)
    for r in rules.values():
        if r.kind != "lint":
            continue
        # One finding per rule and place: a shared component reached by many operations is
        # reported once, listing them all.
        merged: dict[Any, Hit] = {}
        for hit in r.func(spec, ctx):
            key = (hit.new, hit.old, repr(sorted(hit.fields.items())))
            prior = merged.get(key)
            if prior is None:
                merged[key] = hit
            else:
                merged[key] = replace(prior, operations=_union(prior.operations, hit.operations))
        for hit in merged.values():
            hit = replace(hit, fields={"count": len(hit.operations), **hit.fields})
            findings.append(_finding(r.id, hit, spec, None))
    return sort_findings(findings)


def check_options(options: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Validate lint family options against their schemas; unknown families are refused."""
    if not options:
        return {}  # and no lint module imported for nothing: a diff has no use for them
    from .errors import UsageError
    from .rules.lint._common import FAMILY_OPTIONS

    load_rules()
    out: dict[str, dict[str, Any]] = {}
    for family, values in options.items():
        schema = FAMILY_OPTIONS.get(family)
        if schema is None:
            raise UsageError(
                f"unknown option family {family!r}",
                hint="known families: " + ", ".join(sorted(FAMILY_OPTIONS)),
            )
        import jsonschema  # only when options are given: its import is a tenth of a small lint

        error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(values))
        if error is not None:
            path = ".".join([family, *(str(p) for p in error.absolute_path)])
            raise UsageError(f"option {path}: {error.message}", hint=f"run `apiguard rules` and read the {family} rules for the accepted values")
        out[family] = dict(values)
    return out


@dataclass
class ChangelogEntry:
    section: str  # the tag of the operation, "Shared schemas" or "General"
    operation: str  # "" for entries not tied to one operation
    level: Level
    message: str
    operations: tuple[str, ...] = ()


@dataclass
class Changelog:
    title: str
    old_version: str
    new_version: str
    semver: str
    entries: list[ChangelogEntry]


def changelog(old: Spec, new: Spec, *, today: dt.date | None = None) -> Changelog:
    """Every change between two versions as release notes: grouped by the operation's first tag,
    then by operation; a change in a shared schema reaching several operations is listed once."""
    result = compare(old, new, today=today)
    tags: dict[str, str] = {}
    for spec in (old, new):  # the new spec's tags win for operations in both
        for op in spec.operations.values():
            tags[op.label] = op.tags[0] if op.tags else "Other operations"
    entries = []
    for f in result.findings:
        if f.rule == "spec-invalid":
            continue
        if len(f.operations) == 1:
            entries.append(ChangelogEntry(tags.get(f.operations[0], "Other operations"), f.operations[0], f.level, f.message, f.operations))
        elif f.operations:
            entries.append(ChangelogEntry("Shared schemas", "", f.level, f.message, f.operations))
        else:
            entries.append(ChangelogEntry("General", "", f.level, f.message))
    info_old = old.root.value.get("info") or {}
    info_new = new.root.value.get("info") or {}
    title = str(info_new.get("title") or info_old.get("title") or new.name)
    return Changelog(title, str(info_old.get("version", "")), str(info_new.get("version", "")), result.semver, entries)
