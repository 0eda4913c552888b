"""`compare(old, new) -> list[Change]`: a neutral structural diff of two normalized specs.

Operations are matched by identity (method + path with parameter names erased), never by text.
This module only says what differs; whether a difference breaks clients is for the rules.
"""

from __future__ import annotations

from .model import Change, Where
from .normalize import path_key
from .spec import Spec


def compare(old: Spec, new: Spec) -> list[Change]:
    changes: list[Change] = []
    for key, op in old.operations.items():
        if key not in new.operations:
            changes.append(
                Change(
                    kind="operation.removed",
                    operation=op.label,
                    old=op.node.where,
                    new=surviving_path(new, op.path),
                    old_value=op.deprecated,
                )
            )
    for key, op in new.operations.items():
        if key not in old.operations:
            changes.append(Change(kind="operation.added", operation=op.label, old=None, new=op.node.where))
    return changes


def surviving_path(spec: Spec, path: str) -> Where:
    """The nearest node of `spec` that still stands where `path` was: its path item, or `paths`."""
    root = spec.root
    paths = root.value.get("paths") or {}
    wanted = path_key(path)
    for candidate in paths:
        if path_key(str(candidate)) == wanted:
            return root.where.child("paths", str(candidate))
    return root.where.child("paths") if "paths" in root.value else root.where
