"""Endpoint rules: operations and webhooks added, removed, renamed, moved or repurposed, and the
deprecation and stability policy around removing them."""

from __future__ import annotations

from typing import Iterable

from ...model import Change
from ...registry import Hit, compat_rule
from ._common import Context, hit, parse_date, sunset_state

_STABILITY = {"draft": 0, "alpha": 1, "beta": 2, "stable": 3}


def _removed_operation(change: Change) -> bool:
    return not change.detail("webhook")


@compat_rule("operation.removed")
def operation_removed_without_deprecation(change: Change, ctx: Context) -> Iterable[Hit]:
    if _removed_operation(change) and sunset_state(change, ctx) == "none":
        yield hit(change)


@compat_rule("operation.removed")
def operation_removed_before_sunset(change: Change, ctx: Context) -> Iterable[Hit]:
    if _removed_operation(change) and sunset_state(change, ctx) == "pending":
        yield hit(change, sunset=str(parse_date(change.detail("sunset"))))


@compat_rule("operation.removed")
def deprecated_operation_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if _removed_operation(change) and sunset_state(change, ctx) == "undated":
        yield hit(change)


@compat_rule("operation.removed")
def operation_removed_after_sunset(change: Change, ctx: Context) -> Iterable[Hit]:
    if sunset_state(change, ctx) == "passed":
        yield hit(change, sunset=str(parse_date(change.detail("sunset"))))


@compat_rule("operation.added")
def operation_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if not change.detail("webhook"):
        yield hit(change)


@compat_rule("operation.removed")
def webhook_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    if change.detail("webhook") and sunset_state(change, ctx) != "passed":
        yield hit(change)


@compat_rule("operation.added")
def webhook_added(change: Change, ctx: Context) -> Iterable[Hit]:
    if change.detail("webhook"):
        yield hit(change)


@compat_rule("operation.id.changed")
def operation_id_changed(change: Change, ctx: Context) -> Iterable[Hit]:
    if change.old_value:
        yield hit(change)


@compat_rule("operation.id.moved")
def operation_id_reassigned(change: Change, ctx: Context) -> Iterable[Hit]:
    yield hit(change)


@compat_rule("operation.repurposed")
def operation_repurposed(change: Change, ctx: Context) -> Iterable[Hit]:
    yield hit(change)


@compat_rule("operation.deprecated.changed")
def operation_deprecated(change: Change, ctx: Context) -> Iterable[Hit]:
    if change.new_value is True:
        yield hit(change)


@compat_rule("operation.tags.removed")
def operation_tag_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    yield hit(change, tags=", ".join(str(t) for t in change.old_value or ()))


@compat_rule("operation.tags.added")
def operation_tag_added(change: Change, ctx: Context) -> Iterable[Hit]:
    yield hit(change, tags=", ".join(str(t) for t in change.new_value or ()))


@compat_rule("operation.x-sunset.changed")
def operation_sunset_moved_earlier(change: Change, ctx: Context) -> Iterable[Hit]:
    old, new = parse_date(change.old_value), parse_date(change.new_value)
    if old is not None and new is not None and new < old:
        yield hit(change)


@compat_rule("operation.x-stability-level.changed")
def operation_stability_decreased(change: Change, ctx: Context) -> Iterable[Hit]:
    # An operation that states no stability level is stable.
    old = _STABILITY.get(str(change.old_value).lower()) if change.old_value is not None else _STABILITY["stable"]
    new = _STABILITY.get(str(change.new_value).lower()) if change.new_value is not None else _STABILITY["stable"]
    if old is not None and new is not None and new < old:
        yield hit(change)


@compat_rule("operation.url.changed")
def operation_url_changed(change: Change, ctx: Context) -> Iterable[Hit]:
    yield hit(change)


@compat_rule("operation.deprecated.changed", "operation.x-sunset.changed")
def operation_sunset_too_soon(change: Change, ctx: Context) -> Iterable[Hit]:
    """A newly announced sunset must leave clients the minimum notice (default 365 days)."""
    ops = {**ctx.new.operations, **ctx.new.webhooks}
    op = next((o for o in ops.values() if o.label == change.operation), None)
    if op is None or not op.deprecated:
        return
    if change.kind == "operation.deprecated.changed" and change.new_value is not True:
        return
    if change.kind == "operation.x-sunset.changed":
        before = (ctx.old.webhooks if op.key in ctx.new.webhooks else ctx.old.operations).get(op.key)
        if before is None or not before.deprecated:
            return  # newly deprecated: judged once, on the deprecation itself
    sunset = parse_date(op.data.get("x-sunset"))
    if sunset is None:
        return
    notice = (sunset - ctx.today).days
    if notice < ctx.min_notice_days:
        yield hit(change, sunset=str(sunset), days=str(notice), minimum=str(ctx.min_notice_days))


_BUMPS = {"none": 0, "patch": 1, "minor": 2, "major": 3}


@compat_rule("info.version.checked")
def info_version_bump_insufficient(change: Change, ctx: Context) -> Iterable[Hit]:
    """Only with --check-version: info.version must move at least as far as the changes need.
    The engine sends one `info.version.checked` change after judging all the others."""
    required = str(change.detail("required"))
    moved = _bump(str(change.old_value), str(change.new_value))
    if moved is not None and _BUMPS.get(moved, 0) < _BUMPS.get(required, 0):
        yield hit(change, required=required, moved=moved)


def _bump(old: str, new: str) -> str | None:
    """How far a semantic version moved (None when either is not x.y.z-like)."""
    import re

    def parts(v: str) -> tuple[int, int, int] | None:
        m = re.match(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?", v.strip())
        return (int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)) if m else None

    a, b = parts(old), parts(new)
    if a is None or b is None:
        return None
    if b[0] > a[0]:
        return "major"
    if b[:2] > a[:2] and b[0] == a[0]:
        return "minor"
    if b > a and b[:2] == a[:2]:
        return "patch"
    return "none"


@compat_rule("server.variable.values-removed")
def server_variable_value_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    yield hit(change, values=", ".join(map(str, change.old_value or [])))
