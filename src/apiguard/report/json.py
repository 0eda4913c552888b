"""The JSON report: a stable, versioned document for other tools.

Its shape is fixed by `apiguard/schemas/report.schema.json` (`apiguard schema json` prints it);
`"version": 1` changes only when a field is removed or changes meaning, never when one is added.
"""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..model import Finding, Location
from . import Report, Run


def _loc(loc: Location | None) -> dict[str, Any] | None:
    if loc is None:
        return None
    return {"file": loc.file, "line": loc.line, "column": loc.column, "pointer": loc.pointer}


def _finding(f: Finding, report: Report) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "level": f.level.label,
        "message": f.message,
        "location": _loc(f.location),
        "oldLocation": _loc(f.old_location),
        "operations": list(f.operations),
        "fingerprint": f.fingerprint,
        "failing": report.failing(f),
    }


def _run(run: Run, report: Report) -> dict[str, Any]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in run.findings:
        counts[f.level.label] += 1
    return {
        "spec": run.spec,
        "base": run.base,
        "semver": run.semver,
        "counts": counts,
        "findings": run.findings,
    }


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def render_json(report: Report) -> str:
    """The document, laid out by hand: the envelope indented, each run's header and each finding
    on a line of its own. json's indenting encoder is pure Python and took a quarter of a second
    on GitHub's 2,350 findings; one compact dump per line goes through its C encoder."""
    head = {
        "version": 1,
        "tool": {"name": "apiguard", "version": __version__},
        "command": report.command,
        "failOn": report.fail_on.label if report.fail_on is not None else "never",
        "summary": {"counts": report.counts(), "suppressed": report.suppressed, "semver": report.semver, "exitCode": report.exit_code},
    }
    lines = ["{"]
    lines += [f"  {_compact(key)}: {_compact(value)}," for key, value in head.items()]
    lines.append('  "runs": [')
    for i, run in enumerate(report.runs):
        doc = _run(run, report)
        findings = doc.pop("findings")
        fields = ", ".join(f"{_compact(k)}: {_compact(v)}" for k, v in doc.items())
        if findings:
            lines.append(f'    {{{fields}, "findings": [')
            lines += [f"      {_compact(_finding(f, report))}," for f in run.findings]
            lines[-1] = lines[-1][:-1]
            lines.append("    ]}" + ("," if i < len(report.runs) - 1 else ""))
        else:
            lines.append(f'    {{{fields}, "findings": []}}' + ("," if i < len(report.runs) - 1 else ""))
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"
