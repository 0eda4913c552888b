"""The terminal report (rich): findings grouped by operation, breaking first, each with its level,
rule, location and message; then a summary with the counts per level and the version bump."""

from __future__ import annotations

import io
from collections import defaultdict

from rich.console import Console
from rich.markup import escape

from ..model import Finding, Level
from . import Report, Run

_STYLE = {Level.ERROR: "bold red", Level.WARNING: "yellow", Level.INFO: "cyan"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _run(console: Console, run: Run) -> None:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in run.findings:
        # A change in a shared component is one finding: listed under its first operation.
        groups[f.operations[0] if f.operations else "(whole spec)"].append(f)
    order = sorted(groups, key=lambda g: (-max(int(f.level) for f in groups[g]), g))
    for group in order:
        console.print(f"[bold]{escape(group)}[/bold]")
        for f in sorted(groups[group], key=lambda f: -int(f.level)):
            loc = f.location or f.old_location
            where = f"  {loc}" if loc else ""
            style = _STYLE[f.level]
            console.print(
                f"  [{style}]{f.level.label:<7}[/{style}] [dim]{f.rule}[/dim]{escape(where)}\n"
                f"          {escape(f.message)}"
            )
            if f.location is not None and f.old_location is not None:
                # What was removed or changed was at its old place; what was added was not
                # anywhere before, and its old location is the place it was added to.
                label = "added to what is at" if f.rule.endswith("-added") else "was at"
                console.print(f"          [dim]{label} {escape(str(f.old_location))} in the old version[/dim]")
            if len(f.operations) > 1:
                others = ", ".join(f.operations[1:4]) + (", ..." if len(f.operations) > 4 else "")
                console.print(f"          [dim]also reached by {len(f.operations) - 1} more: {escape(others)}[/dim]")


def summary(report: Report) -> str:
    counts = report.counts()
    total = len(report.findings)
    parts = [_plural(counts[lvl.label], lvl.label) for lvl in sorted(Level, reverse=True)]
    text = f"{_plural(total, 'finding')}: " + ", ".join(parts)
    if len(report.runs) > 1:
        text += f" in {_plural(len(report.runs), 'spec')}"
    if report.suppressed:
        text += f" ({report.suppressed} more suppressed by the configuration or x-apiguard-ignore)"
    if report.semver:
        text += f". Required version bump: {report.semver}"
    return text + "."


def render_text(report: Report, *, color: bool = False, width: int = 100, quiet: bool = False) -> str:
    buf = io.StringIO()
    console = Console(
        file=buf,
        force_terminal=color,
        no_color=not color,
        width=width,
        highlight=False,
        soft_wrap=True,
        color_system="standard" if color else None,
        force_jupyter=False,
        force_interactive=False,
        legacy_windows=False,
    )
    if not quiet:
        for run in report.runs:
            if not run.findings:
                continue
            if len(report.runs) > 1:
                title = f"{run.base} -> {run.spec}" if run.base else run.spec
                console.print(f"[bold underline]{escape(title)}[/bold underline]")
            _run(console, run)
            console.print()
        if len(report.findings) > BREAKDOWN_FROM:
            _breakdown(console, report)
    console.print(summary(report))
    return buf.getvalue()


BREAKDOWN_FROM = 20  # findings; above this a long report closes with its most frequent rules
BREAKDOWN_ROWS = 10


def _breakdown(console: Console, report: Report) -> None:
    """The rules that fired most, so a reader of a long report knows where to start."""
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for f in report.findings:
        counts[(int(f.level), f.rule)] += 1
    top = sorted(counts.items(), key=lambda kv: (-kv[0][0], -kv[1], kv[0][1]))[:BREAKDOWN_ROWS]
    console.print("[bold]Most frequent rules[/bold] (`apiguard rules ID` explains one):")
    for (level, rule), n in top:
        lvl = Level(level)
        style = _STYLE[lvl]
        console.print(f"  {n:>6}  [{style}]{lvl.label:<7}[/{style}] {rule}")
    if len(counts) > BREAKDOWN_ROWS:
        console.print(f"  [dim]and {len(counts) - BREAKDOWN_ROWS} more rules[/dim]")
    console.print()
