"""Helpers shared by the compatibility rules: building hits and reading sunset dates."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
from dataclasses import dataclass, field
from typing import Any

from ...model import Change
from ...registry import Hit
from ...spec import Spec


@dataclass(frozen=True)
class Context:
    """What a compat rule may consult besides the change itself."""

    old: Spec
    new: Spec
    today: dt.date = field(default_factory=dt.date.today)
    min_notice_days: int = 365


def hit(change: Change, **fields: Any) -> Hit:
    """A hit located where the change is, carrying the usual message fields."""
    base = {
        "subject": change.subject,
        "old": show(change.old_value),
        "new": show(change.new_value),
        "operation": change.operation or "",
        "count": len(change.operations),
        **{k: show(v) if not isinstance(v, str) else v for k, v in change.details},
    }
    base.update(fields)
    return Hit(base, new=change.new, old=change.old, operations=change.operations)


SHOWN_VALUES = 8


def show(value: Any) -> str:
    """A value as a person reads it in a message."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        # A message names a few values; a list of a hundred enum values helps nobody read it.
        shown = [show(v) if isinstance(v, str) else json.dumps(v, default=str) for v in value[:SHOWN_VALUES]]
        if len(value) > SHOWN_VALUES:
            shown.append(f"and {len(value) - SHOWN_VALUES} more")
        return ", ".join(shown) or "nothing"
    return json.dumps(value, default=str)


def parse_date(value: Any) -> dt.date | None:
    """An `x-sunset` value: an ISO date (2026-01-31), an ISO timestamp or an HTTP date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(text)
        return parsed.date() if parsed else None
    except (TypeError, ValueError):
        return None


def sunset_state(change: Change, ctx: Context, deprecated: bool | None = None) -> str:
    """For a removal: "passed" (deprecated and its sunset date is over), "pending" (deprecated,
    sunset in the future), "undated" (deprecated, no readable sunset) or "none" (not deprecated)."""
    if deprecated is None:
        deprecated = bool(change.detail("deprecated", change.old_value is True))
    if not deprecated:
        return "none"
    date = parse_date(change.detail("sunset"))
    if date is None:
        return "undated"
    return "passed" if date <= ctx.today else "pending"


def is_request(change: Change) -> bool:
    return change.direction == "request"


def is_response(change: Change) -> bool:
    return change.direction == "response"
