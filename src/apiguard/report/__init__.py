"""Reporters: pure functions from results to text. `render(fmt, report)` picks one."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Finding

FORMATS = ("text", "json")


@dataclass
class Report:
    """What a reporter needs: the command, the inputs, the findings and the version verdict."""

    command: str
    inputs: list[str]
    findings: list[Finding]
    semver: str | None = None
    counts: dict[str, int] = field(default_factory=dict)


def render(fmt: str, report: Report, *, color: bool = False, width: int = 100) -> str:
    if fmt == "json":
        from .json import render_json

        return render_json(report)
    from .text import render_text

    return render_text(report, color=color, width=width)
