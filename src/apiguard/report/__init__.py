"""Reporters: pure functions from a `Report` to text, one module per format.

A `Report` holds one `Run` per spec checked (a diff is one run of a spec against its base; a
lint of three files is three runs), the `--fail-on` threshold and what each rule that appears
says about itself. Every reporter reads only this; `render(fmt, report)` picks one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..model import Change, Finding, Level, RuleMeta

FORMATS = ("text", "json", "sarif", "markdown", "github", "junit")
SEMVER_ORDER = ("none", "patch", "minor", "major")
PROJECT_URL = "https://github.com/apiguard/apiguard"
DOCS_URL = PROJECT_URL + "/blob/main/rules/"


@dataclass
class Run:
    """One spec checked: its findings, and for a diff the base it was compared with."""

    spec: str
    findings: list[Finding]
    base: str | None = None
    changes: list[Change] = field(default_factory=list)
    semver: str | None = None
    rules: tuple[str, ...] = ()  # every rule that ran (JUnit lists the passing ones too)
    suppressed: int = 0  # findings hidden by a suppression (a baseline) or an x-apiguard-ignore


@dataclass
class Report:
    command: str  # diff, lint, check
    runs: list[Run]
    fail_on: Level | None = Level.ERROR  # None: never fail
    rules: dict[str, RuleMeta] = field(default_factory=dict)  # what each rule says about itself
    root: Path = field(default_factory=Path.cwd)  # repository root: report paths are relative to it
    full_report: str | None = None  # where the complete report was written, for capped formats

    @property
    def findings(self) -> list[Finding]:
        return [f for run in self.runs for f in run.findings]

    @property
    def suppressed(self) -> int:
        return sum(run.suppressed for run in self.runs)

    def counts(self) -> dict[str, int]:
        out = {lvl.label: 0 for lvl in sorted(Level, reverse=True)}
        for f in self.findings:
            out[f.level.label] += 1
        return out

    @property
    def semver(self) -> str | None:
        bumps = [r.semver for r in self.runs if r.semver]
        if not bumps:
            return None
        return max(bumps, key=SEMVER_ORDER.index)

    def failing(self, finding: Finding) -> bool:
        return self.fail_on is not None and finding.level >= self.fail_on

    @property
    def exit_code(self) -> int:
        return 1 if any(self.failing(f) for f in self.findings) else 0

    def meta(self, rule: str) -> RuleMeta:
        known = self.rules.get(rule)
        if known is not None:
            return known
        return RuleMeta(id=rule, level=Level.WARNING, kind="lint", summary=rule)

    def help_uri(self, rule: str) -> str | None:
        """The rule's documentation: its catalog page, or what a custom rule names (maybe none)."""
        meta = self.rules.get(rule)
        if meta is not None and meta.help_uri:
            return meta.help_uri
        if meta is not None and meta.area == "custom":
            return None
        return DOCS_URL + rule + ".md"

    def place(self, f: Finding, column: bool = True) -> str:
        """Where a finding is, for a reader: `[REV:]path:line[:col]` from the repository root,
        or "" when it has no location."""
        loc = f.location or f.old_location
        if loc is None:
            return ""
        path, rev = self.relative(loc.file)
        return f"{rev + ':' if rev else ''}{path}:{loc.line}" + (f":{loc.column}" if column else "")

    def relative(self, file: str) -> tuple[str, str | None]:
        """A finding's file as (path relative to the repository root, git revision or None).
        Files of a git revision are named `REV:path` with the path already root-relative; an
        absolute path is never one (a revision cannot start with `/`)."""
        rev = None
        if ":" in file and not file.startswith("/") and not os.path.exists(file) and "://" not in file:
            head, _, tail = file.rpartition(":")
            if head and tail and len(head) > 1:
                return tail, head
        if file.startswith("<") or "://" in file:
            return file, rev
        path = Path(file)
        absolute = path if path.is_absolute() else Path.cwd() / path
        try:
            rel = os.path.relpath(absolute, self.root)
        except ValueError:
            return absolute.as_posix(), rev
        if rel.startswith(".."):
            return absolute.resolve().as_posix(), rev
        return Path(rel).as_posix(), rev


def find_root(start: Path | None = None) -> Path:
    """The git work tree holding `start` (default: the current folder), else the folder itself.
    Checked by walking up for `.git` rather than asking git, so no subprocess is needed."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here


def _renderer(fmt: str) -> Callable[[Report], str]:
    if fmt == "json":
        from .json import render_json

        return render_json
    if fmt == "sarif":
        from .sarif import render_sarif

        return render_sarif
    if fmt == "markdown":
        from .markdown import render_markdown

        return render_markdown
    if fmt == "github":
        from .github import render_github

        return render_github
    if fmt == "junit":
        from .junit import render_junit

        return render_junit
    raise ValueError(f"unknown format {fmt!r}")


def render(fmt: str, report: Report, *, color: bool = False, width: int = 100, quiet: bool = False) -> str:
    if fmt == "text":
        from .text import render_text

        return render_text(report, color=color, width=width, quiet=quiet)
    return _renderer(fmt)(report)
