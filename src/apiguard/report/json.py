"""The JSON report: a stable, versioned document for other tools."""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..model import Finding, Location
from . import Report


def _loc(loc: Location | None) -> dict[str, Any] | None:
    if loc is None:
        return None
    return {"file": loc.file, "line": loc.line, "column": loc.column, "pointer": loc.pointer}


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "level": f.level.label,
        "message": f.message,
        "location": _loc(f.location),
        "oldLocation": _loc(f.old_location),
        "operations": list(f.operations),
        "fingerprint": f.fingerprint,
    }


def render_json(report: Report) -> str:
    doc = {
        "version": 1,
        "tool": {"name": "apiguard", "version": __version__},
        "command": report.command,
        "inputs": report.inputs,
        "summary": {**report.counts, "semver": report.semver},
        "findings": [_finding(f) for f in report.findings],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
