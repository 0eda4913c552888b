"""SARIF 2.1.0 as GitHub code scanning reads it.

One SARIF run holds every result (GitHub refuses several runs of one tool and category in one
upload). Each rule used gets a descriptor from its catalog entry; each result points at the
revision file relative to the repository root (`%SRCROOT%`), names the operation as a logical
location, gives a removal's old place as a related location, and carries a fingerprint built from
the rule and the JSON Pointers involved, so it survives line shifts and reworded messages.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .. import __version__
from ..model import Finding, Location
from . import PROJECT_URL, Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
ROOT_ID = "%SRCROOT%"
FINGERPRINT_KEY = "apiguard/v1"


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


def _first_paragraph(doc: str) -> str:
    para = doc.strip().split("\n\n", 1)[0] if doc.strip() else ""
    # Catalog paragraphs open with a bold label ("**What it checks.**"): not part of the sentence.
    para = re.sub(r"^\*\*[^*]+\*\*\s*", "", para)
    # Plain text for fullDescription: drop Markdown emphasis and code ticks.
    return re.sub(r"[*`]", "", " ".join(para.split()))


def _pascal(rule: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_.]", rule) if part)


def _descriptor(report: Report, rule: str) -> dict[str, Any]:
    meta = report.meta(rule)
    summary = _sentence(meta.summary or rule)
    full = _first_paragraph(meta.doc) or summary
    out: dict[str, Any] = {
        "id": rule,
        "name": _pascal(rule),
        "shortDescription": {"text": summary},
        "fullDescription": {"text": _sentence(full)},
        "help": {"text": meta.doc or summary, "markdown": meta.doc or summary},
        "defaultConfiguration": {"level": meta.level.sarif},
        "properties": {"tags": [t for t in ("api", meta.kind, meta.area) if t]},
    }
    uri = report.help_uri(rule)
    if uri:
        out["helpUri"] = uri
    return out


def _physical(report: Report, loc: Location) -> dict[str, Any]:
    uri, _rev = report.relative(loc.file)
    artifact: dict[str, Any] = {"uri": uri}
    if not uri.startswith(("/", "<")) and "://" not in uri:
        artifact["uriBaseId"] = ROOT_ID
    elif uri.startswith("/"):
        artifact = {"uri": Path(uri).as_uri()}
    return {
        "artifactLocation": artifact,
        "region": {"startLine": max(loc.line, 1), "startColumn": max(loc.column, 1)},
    }


def _result(report: Report, f: Finding, index: int, fallback: str) -> dict[str, Any]:
    loc = f.location or f.old_location or Location(fallback, 1, 1)
    location: dict[str, Any] = {"physicalLocation": _physical(report, loc)}
    if f.operations:
        location["logicalLocations"] = [{"name": op, "fullyQualifiedName": op, "kind": "function"} for op in f.operations[:1]]
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": f.level.sarif,
        "message": {"text": _sentence(f.message)},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
    }
    if f.location is not None and f.old_location is not None:
        _uri, rev = report.relative(f.old_location.file)
        where = f" at revision {rev}" if rev else ""
        result["relatedLocations"] = [
            {
                "id": 1,
                "physicalLocation": _physical(report, f.old_location),
                "message": {"text": f"Where it was in the old version{where}."},
            }
        ]
    if len(f.operations) > 1:
        result["properties"] = {"operations": list(f.operations)}
    return result


def render_sarif(report: Report) -> str:
    used = sorted({f.rule for f in report.findings})
    index = {rule: i for i, rule in enumerate(used)}
    results = []
    for run in report.runs:
        for f in run.findings:
            results.append(_result(report, f, index[f.rule], run.spec))
    root_uri = report.root.resolve().as_uri().rstrip("/") + "/"
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "apiguard",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": PROJECT_URL,
                        "rules": [_descriptor(report, r) for r in used],
                    }
                },
                "originalUriBaseIds": {ROOT_ID: {"uri": root_uri}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
