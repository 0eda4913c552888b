"""GitHub workflow commands: one annotation per finding (`::error file=…,line=…::message`).

GitHub shows only about ten annotations per level per step, so at most ten of each level are
emitted as annotations, most severe first; the rest are plain log lines, and a final notice says
how many were not annotated and where the full report is."""

from __future__ import annotations

from ..model import Finding, Level
from . import Report

CAP = 10
_COMMAND = {Level.ERROR: "error", Level.WARNING: "warning", Level.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(report: Report, f: Finding) -> str:
    props = []
    loc = f.location or f.old_location
    if loc is not None:
        path, rev = report.relative(loc.file)
        if rev is None:
            props += [f"file={_prop(path)}", f"line={loc.line}", f"col={loc.column}"]
    title = f"apiguard {f.rule}"
    if f.operations:
        title += f" ({f.operations[0]})"
    props.append(f"title={_prop(title)}")
    return f"::{_COMMAND[f.level]} {','.join(props)}::{_data(f.message)}"


def _plain(report: Report, f: Finding) -> str:
    where = report.place(f)
    return f"{f.level.label}: {f.rule}{' ' + where if where else ''}: {' '.join(f.message.split())}"


def render_github(report: Report) -> str:
    lines: list[str] = []
    shown = {lvl: 0 for lvl in Level}
    rest: list[Finding] = []
    for f in sorted(report.findings, key=lambda f: -int(f.level)):
        if shown[f.level] < CAP:
            lines.append(_annotation(report, f))
            shown[f.level] += 1
        else:
            rest.append(f)
    if rest:
        lines.append(f"::group::apiguard: {len(rest)} more findings")
        lines += [_plain(report, f) for f in rest]
        lines.append("::endgroup::")
        where = report.full_report or "the job summary and the SARIF report"
        lines.append(
            f"::notice title=apiguard::{len(rest)} of {len(report.findings)} findings are not shown as annotations "
            f"(GitHub shows about {CAP} per level); the full list is in {_data(where)}."
        )
    counts = report.counts()
    summary = ", ".join(f"{counts[l.label]} {l.label}{'' if counts[l.label] == 1 else 's'}" for l in sorted(Level, reverse=True))
    bump = f"; required version bump: {report.semver}" if report.semver else ""
    hidden = f"; {report.suppressed} suppressed" if report.suppressed else ""
    lines.append(f"apiguard {report.command}: {summary}{bump}{hidden}")
    return "\n".join(lines) + "\n"
