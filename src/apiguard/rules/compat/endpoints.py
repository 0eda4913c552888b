"""Endpoint rules: operations added and removed."""

from __future__ import annotations

from typing import Iterable

from ...model import Change
from ...registry import Hit, compat_rule
from ...spec import Spec


@compat_rule("operation.removed")
def operation_removed_without_deprecation(change: Change, old: Spec, new: Spec) -> Iterable[Hit]:
    if not change.old_value:  # old_value: whether the operation was deprecated
        yield Hit({"operation": change.operation}, new=change.new, old=change.old, operations=(change.operation or "",))


@compat_rule("operation.removed")
def deprecated_operation_removed(change: Change, old: Spec, new: Spec) -> Iterable[Hit]:
    if change.old_value:
        yield Hit({"operation": change.operation}, new=change.new, old=change.old, operations=(change.operation or "",))


@compat_rule("operation.added")
def operation_added(change: Change, old: Spec, new: Spec) -> Iterable[Hit]:
    yield Hit({"operation": change.operation}, new=change.new, operations=(change.operation or "",))
