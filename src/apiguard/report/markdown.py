"""The Markdown report, for a pull-request comment or `$GITHUB_STEP_SUMMARY`: a summary table,
the failing findings first in the open, the rest folded into `<details>`, and never longer than
GitHub's 65,536-character comment limit (a note says how much was left out and where it is)."""

from __future__ import annotations

import re

from ..model import Finding, Level
from . import Report

LIMIT = 65_536
_HEADING = {Level.ERROR: "Errors", Level.WARNING: "Warnings", Level.INFO: "Information"}
_BREAKING = {Level.ERROR: "Breaking changes", Level.WARNING: "Possibly breaking", Level.INFO: "Other changes"}


def _cell(text: str) -> str:
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").split())


def _row(report: Report, f: Finding) -> str:
    where = report.place(f, column=False)
    where = f"`{where}`" if where else ""
    ops = f.operations[0] if f.operations else ""
    if len(f.operations) > 1:
        ops += f" (+{len(f.operations) - 1} more)"
    return f"| `{f.rule}` | {_cell(ops)} | {where} | {_cell(f.message)} |"


def _short(name: str) -> str:
    """`REV:path` with a full commit hash shortened to seven characters, as GitHub shows it."""
    rev, sep, path = name.partition(":")
    if sep and re.fullmatch(r"[0-9a-f]{40}", rev):
        return f"{rev[:7]}:{path}"
    return name


def _specs_line(report: Report) -> str:
    runs = report.runs
    if len(runs) == 1:
        r = runs[0]
        return f"`{_short(r.base)}` → `{r.spec}`" if r.base else f"`{r.spec}`"
    # Several specs (a monorepo): one list, each marked by what happened to it.
    names = []
    for r in runs[:8]:
        if any(f.rule == "spec-removed" for f in r.findings):
            names.append(f"`{r.spec}` (deleted)")
        elif report.command != "lint" and r.base is None:
            names.append(f"`{r.spec}` (new)")
        else:
            names.append(f"`{r.spec}`")
    text = f"{len(runs)} specs: " + ", ".join(names)
    if len(runs) > 8:
        text += f" and {len(runs) - 8} more"
    bases = {r.base.partition(":")[0] for r in runs if r.base and ":" in r.base}
    if len(bases) == 1:
        text += f", compared with `{_short(bases.pop() + ':').rstrip(':')}`"
    return text


def render_markdown(report: Report, limit: int = LIMIT) -> str:
    counts = report.counts()
    titles = _BREAKING if report.command in ("diff", "check") else _HEADING
    head = [f"## apiguard {report.command}", ""]
    head += [_specs_line(report), ""]
    head += ["| Level | Findings |", "| --- | ---: |"]
    for lvl in sorted(Level, reverse=True):
        head.append(f"| {titles[lvl]} ({lvl.label}) | {counts[lvl.label]} |")
    head.append("")
    verdict = "fails" if report.exit_code else "passes"
    threshold = report.fail_on.label if report.fail_on is not None else "never"
    line = f"**This check {verdict}** (fail on: {threshold})."
    if report.semver:
        line += f" Required version bump: **{report.semver}**."
    if report.suppressed:
        n = report.suppressed
        line += f" {n} finding{'' if n == 1 else 's'} suppressed by the configuration or `x-apiguard-ignore`."
    head += [line, ""]
    if not report.findings:
        head.append("No findings.")
        return "\n".join(head) + "\n"

    table = ["| Rule | Operation | Where | Message |", "| --- | --- | --- | --- |"]
    sections: list[tuple[str, bool, list[str]]] = []
    for lvl in sorted(Level, reverse=True):
        rows = [_row(report, f) for f in report.findings if f.level is lvl]
        if rows:
            is_open = report.fail_on is not None and lvl >= report.fail_on
            sections.append((f"{titles[lvl]} ({len(rows)})", is_open, rows))

    out = "\n".join(head) + "\n"
    shown = 0
    total = len(report.findings)
    note_room = 400
    for title, is_open, rows in sections:
        start = f"### {title}\n\n" if is_open else f"<details>\n<summary>{title}</summary>\n\n"
        end = "\n" if is_open else "\n</details>\n"
        block = start + "\n".join(table) + "\n"
        if len(out) + len(block) + len(end) + note_room > limit:
            break
        for row in rows:
            if len(out) + len(block) + len(row) + 1 + len(end) + note_room > limit:
                break
            block += row + "\n"
            shown += 1
        out += block + end + "\n"
    if shown < total:
        where = f" in `{report.full_report}`" if report.full_report else " in the SARIF or JSON report of this run"
        out += f"> **Truncated:** {total - shown} of {total} findings are not shown here to stay within GitHub's comment size limit; the full list is{where}.\n"
    return out
