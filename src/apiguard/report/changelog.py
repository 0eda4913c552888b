"""Release notes from a diff: every change, additive ones included, grouped by tag and operation,
breaking ones marked first. Markdown for a docs site or a GitHub release; plain text otherwise."""

from __future__ import annotations

from collections import defaultdict

from ..engine import Changelog, ChangelogEntry
from ..model import Level

_MARK = {Level.ERROR: "Breaking", Level.WARNING: "Possibly breaking", Level.INFO: ""}
_SPECIAL = ("Shared schemas", "General")


def _item(entry: ChangelogEntry, markdown: bool) -> str:
    mark = _MARK[entry.level]
    text = " ".join(entry.message.split())
    if mark:
        text = (f"**{mark}:** " if markdown else f"{mark}: ") + text
    if entry.section == "Shared schemas":
        ops = ", ".join(entry.operations[:5]) + (f" and {len(entry.operations) - 5} more" if len(entry.operations) > 5 else "")
        text += f" (affects {ops})"
    return ("- " if markdown else "  - ") + text


def render_changelog(log: Changelog, *, markdown: bool = True) -> str:
    lines: list[str] = []
    versions = f"{log.old_version or '?'} → {log.new_version or '?'}" if markdown else f"{log.old_version or '?'} -> {log.new_version or '?'}"
    breaking = sum(1 for e in log.entries if e.level is Level.ERROR)
    if markdown:
        lines += [f"# {log.title}: {versions}", ""]
    else:
        lines += [f"{log.title}: {versions}", ""]
    lines.append(
        f"{len(log.entries)} change{'s' if len(log.entries) != 1 else ''}, {breaking} breaking. "
        f"Required version bump: {log.semver}."
    )
    lines.append("")
    if not log.entries:
        lines.append("No changes to the API contract.")
        return "\n".join(lines) + "\n"
    sections: dict[str, dict[str, list[ChangelogEntry]]] = defaultdict(lambda: defaultdict(list))
    for e in log.entries:
        sections[e.section][e.operation].append(e)
    order = sorted((s for s in sections if s not in _SPECIAL), key=str.lower) + [s for s in _SPECIAL if s in sections]
    for section in order:
        lines += [f"## {section}" if markdown else section.upper(), ""]
        ops = sections[section]
        for op in sorted(ops, key=lambda o: (-max(int(e.level) for e in ops[o]), o)):
            entries = sorted(ops[op], key=lambda e: -int(e.level))
            if op:
                lines.append(f"### `{op}`" if markdown else op)
                if markdown:
                    lines.append("")
            lines += [_item(e, markdown) for e in entries]
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
