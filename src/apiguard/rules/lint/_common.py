"""What the lint rules share: the context a rule receives, family options validated by jsonschema,
and small readers over the normalized spec (responses, headers, media types, schema views).

A lint rule is `@lint_rule def rule_id(spec, ctx) -> Iterable[Hit]`. Options belong to a family
(`errors`, `rate-limits`, `deprecation`, `webhooks`, `basics`), because one decision such as the
error envelope style drives several rules; each family declares its options once, as a JSON
Schema with defaults, through `family_options`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterator

from ...model import Where
from ...normalize import path_item_operations
from ...registry import Hit
from ...schemaview import SchemaView, Viewer
from ...spec import Node, Operation, Spec

# family -> JSON Schema of its options (an object schema whose properties carry defaults)
FAMILY_OPTIONS: dict[str, dict[str, Any]] = {}


def family_options(family: str, properties: dict[str, Any]) -> None:
    """Declare a family's options: `properties` is a JSON Schema properties map with defaults."""
    FAMILY_OPTIONS[family] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }


def defaults(family: str) -> dict[str, Any]:
    schema = FAMILY_OPTIONS.get(family, {})
    return {k: v["default"] for k, v in schema.get("properties", {}).items() if "default" in v}


@dataclass
class LintContext:
    """What a lint rule may consult besides the spec: today's date and the family options."""

    spec: Spec
    today: dt.date = field(default_factory=dt.date.today)
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)  # family -> options, validated

    def options(self, family: str) -> dict[str, Any]:
        return {**defaults(family), **self.settings.get(family, {})}

    @cached_property
    def viewer(self) -> Viewer:
        return Viewer(self.spec)

    def view(self, node: Node) -> SchemaView:
        """The effective schema: refs followed, allOf merged, nullability folded."""
        return self.viewer.view(node)


def hit(where: Where | None, operations: tuple[str, ...] | list[str] = (), **fields: Any) -> Hit:
    """A lint hit at `where`. Hits of one rule at one place are merged by the engine, with their
    operations united, so a shared component with a problem is one finding."""
    return Hit(dict(fields), new=where, operations=tuple(operations))


# Readers -------------------------------------------------------------------------------------
def is_success(status: str) -> bool:
    return status[:1] == "2" or status[:1] == "3"


def is_error(status: str) -> bool:
    return status[:1] in ("4", "5") or status == "default"


def responses(op: Operation) -> Iterator[tuple[str, Node]]:
    """(status key, response node after following $ref) of one operation, in spec order."""
    yield from op.responses.items()


def response_where(op: Operation, status: str) -> Where:
    """Where the operation lists this status (not the shared component it may point to)."""
    raw = op.node.value.get("responses") or {}
    for code in raw:
        if str(code).strip().upper() == status.upper():
            return op.node.where.child("responses", str(code))
    return op.node.where.child("responses")


def headers(spec: Spec, response: Node) -> dict[str, Node]:
    """Response headers by lower-cased name, each dereferenced."""
    raw = response.value.get("headers") if isinstance(response.value, dict) else None
    out: dict[str, Node] = {}
    if isinstance(raw, dict):
        for name, value in raw.items():
            out[str(name).lower()] = spec.deref(value, response.where.child("headers", str(name)))
    return out


def content(spec: Spec, node: Node) -> dict[str, Node]:
    """Media types of a response or request body, each dereferenced."""
    raw = node.value.get("content") if isinstance(node.value, dict) else None
    out: dict[str, Node] = {}
    if isinstance(raw, dict):
        for media, value in raw.items():
            out[str(media)] = spec.deref(value, node.where.child("content", str(media)))
    return out


def schema_of(spec: Spec, holder: Node) -> Node | None:
    """The `schema` of a media type, parameter or header, dereferenced; None when absent."""
    if not isinstance(holder.value, dict) or "schema" not in holder.value:
        return None
    return spec.deref(holder.value["schema"], holder.where.child("schema"))


def event_operations(spec: Spec) -> Iterator[tuple[str, str, Operation]]:
    """Requests the API sends to its clients: 3.1 `webhooks` and every operation's callbacks, in
    spec order, as (kind, readable label, operation) with kind "webhook" or "callback". A
    callback operation's own label names its owner; `x-` keys of a callback are skipped."""
    for op in spec.webhooks.values():
        yield "webhook", f"webhook {op.path} ({op.method.upper()})", op
    for owner in spec.operations.values():
        for name, cb in owner.callbacks.items():
            if not isinstance(cb.value, dict):
                continue
            for expression, item in cb.value.items():
                expression = str(expression)
                if expression.startswith("x-"):
                    continue
                item_node = spec.deref(item, cb.where.child(expression))
                prefix = f"callback {name} of {owner.label}: "
                for op in path_item_operations(spec, expression, item_node, None, (), prefix=prefix):
                    yield "callback", f"callback {name} of {owner.label} ({op.method.upper()} {expression})", op


def name_matches(name: str, patterns: list[str]) -> bool:
    """True when a header or property name matches one of the (case-insensitive) regexes."""
    return any(re.search(p, name, re.IGNORECASE) for p in patterns)
