"""The basics any OpenAPI linter checks: operation ids, success responses, path parameters,
unused components and declared servers. Validation problems (`spec-invalid`, including duplicate
operationIds and undeclared path parameters) are raised while loading, not here."""

from __future__ import annotations

from typing import Iterable

from ...registry import Hit, lint_rule
from ...spec import Spec
from ._common import LintContext, hit


@lint_rule
def servers_declared(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """The spec names at least one server, so clients know the base URL."""
    if spec.family == "2.0":
        data = spec.root.value
        if data.get("host") or data.get("basePath"):
            return
    elif spec.servers or all(op.servers for op in spec.operations.values()):
        return
    if not spec.operations:
        return
    yield hit(spec.root.where.child("info") if "info" in spec.root.value else spec.root.where)
