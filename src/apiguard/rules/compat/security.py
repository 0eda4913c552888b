"""Security rules: requirements, OAuth scopes and security schemes."""

from __future__ import annotations

from typing import Iterable

from ...model import Change
from ...registry import Hit, compat_rule
from ._common import Context, hit, show


@compat_rule("security.requirement.added")
def security_requirement_added(change: Change, ctx: Context) -> Iterable[Hit]:
    yield hit(change, missing=_missing(change))


@compat_rule("security.scope.added")
def security_scope_added(change: Change, ctx: Context) -> Iterable[Hit]:
    yield hit(change, missing=_missing(change))


@compat_rule("security.requirement.removed")
def security_requirement_removed(change: Change, ctx: Context) -> Iterable[Hit]:
    yield hit(change)


@compat_rule("security-scheme.changed")
def security_scheme_changed(change: Change, ctx: Context) -> Iterable[Hit]:
    yield hit(change)


def _missing(change: Change) -> str:
    parts = []
    for scheme, scopes in change.detail("missing", ()):
        parts.append(scheme + (f" ({show(list(scopes))})" if scopes else ""))
    return ", ".join(parts) or "nothing"
