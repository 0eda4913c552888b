"""The terminal report (rich): findings grouped by operation, most severe first, then a summary."""

from __future__ import annotations

import io
from collections import defaultdict

from rich.console import Console
from rich.markup import escape

from ..model import Finding, Level
from . import Report

_STYLE = {Level.ERROR: "bold red", Level.WARNING: "yellow", Level.INFO: "cyan"}


def render_text(report: Report, *, color: bool = False, width: int = 100) -> str:
    buf = io.StringIO()
    console = Console(
        file=buf, force_terminal=color, no_color=not color, width=width, highlight=False, soft_wrap=True,
        color_system="standard" if color else None,
    )
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        # A change in a shared component is one finding: list it under its first operation.
        groups[f.operations[0] if f.operations else "(spec)"].append(f)
    order = sorted(groups, key=lambda g: (-max(int(f.level) for f in groups[g]), g))
    for group in order:
        console.print(f"[bold]{escape(group)}[/bold]")
        for f in groups[group]:
            loc = f.location or f.old_location
            where = f"  {loc}" if loc else ""
            style = _STYLE[f.level]
            console.print(
                f"  [{style}]{f.level.label:<7}[/{style}] [dim]{f.rule}[/dim]{escape(where)}\n"
                f"          {escape(f.message)}"
            )
            if len(f.operations) > 1:
                others = ", ".join(f.operations[1:4]) + (", ..." if len(f.operations) > 4 else "")
                console.print(f"          [dim]also reached by {len(f.operations) - 1} more: {escape(others)}[/dim]")
    counts = report.counts
    parts = [f"{counts.get(l.label, 0)} {l.label}" + ("s" if counts.get(l.label, 0) != 1 else "") for l in sorted(Level, reverse=True)]
    summary = f"{len(report.findings)} finding{'s' if len(report.findings) != 1 else ''}: " + ", ".join(parts)
    if report.semver:
        summary += f". Required version bump: {report.semver}"
    if report.findings:
        console.print()
    console.print(summary + ".")
    return buf.getvalue()
