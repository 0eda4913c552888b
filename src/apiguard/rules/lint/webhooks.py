"""Lint family: webhooks. Requests the API sends to its clients (OpenAPI 3.1 `webhooks` and every
operation's `callbacks`) must let the receiver verify the sender (a signature header), recognise a
retried delivery (an event id) and refuse a replayed one (a timestamp), as Standard Webhooks'
`webhook-signature`, `webhook-id` and `webhook-timestamp` do.

Evidence is read from the request's header parameters (path-level ones included, `$ref`s
followed), from `apiKey` security schemes in a header that the request names in its own
`security`, and, for the event id and timestamp, from the required top-level properties of the
request body (every media type that has a schema; for a `oneOf`/`anyOf` payload, every variant).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from ...errors import UsageError
from ...model import Where
from ...registry import Hit, lint_rule
from ...spec import Node, Operation, Spec
from ._common import LintContext, content, event_operations, family_options, hit, name_matches, schema_of

family_options(
    "webhooks",
    {
        "signature-headers": {
            "type": "array",
            "items": {"type": "string", "format": "regex"},
            "default": ["signature", "hmac", "(^|-)sig$"],
            "description": "Regexes (case-insensitive, searched anywhere) naming a signature header.",
        },
        "id-headers": {
            "type": "array",
            "items": {"type": "string", "format": "regex"},
            "default": [
                "idempotency",
                "(^|-)(webhook|hook|event|delivery|message|notification)-?id$",
                "-delivery$",
                "^ce-id$",
            ],
            "description": "Regexes naming a header that carries the event id.",
        },
        "timestamp-headers": {
            "type": "array",
            "items": {"type": "string", "format": "regex"},
            "default": ["timestamp", "(^|-)(sent|delivered|triggered|created)-at$", "^ce-time$"],
            "description": "Regexes naming a header that carries the delivery time.",
        },
        "id-properties": {
            "type": "array",
            "items": {"type": "string", "format": "regex"},
            "default": ["^id$", "^(event|message|delivery|webhook)_?id$"],
            "description": "Regexes naming a required top-level payload property that carries the event id.",
        },
        "timestamp-properties": {
            "type": "array",
            "items": {"type": "string", "format": "regex"},
            "default": ["^(timestamp|time|created|event_?time)$", "^(created|occurred|sent|emitted|published)_?at$"],
            "description": "Regexes naming a required top-level payload property that carries the event time.",
        },
    },
)


@dataclass
class _Event:
    kind: str  # "webhook" or "callback"
    label: str  # e.g. `webhook newPet (POST)`
    op: Operation
    headers: list[str] = field(default_factory=list)  # declared header names, as written
    required: set[str] | None = None  # required payload properties; None without a payload schema


class _Reader:
    """Gathers the evidence of each event request; payload schemas are read once per schema."""

    def __init__(self, spec: Spec, ctx: LintContext) -> None:
        self.spec = spec
        self.ctx = ctx
        self._required: dict[Where, frozenset[str]] = {}
        self._schemes: dict[str, str] | None = None

    def events(self) -> Iterator[_Event]:
        for kind, label, op in event_operations(self.spec):
            if not isinstance(op.node.value, dict):
                continue
            event = _Event(kind, label, op)
            event.headers = [p.name for p in op.parameters.values() if p.location == "header"]
            event.headers += self._security_headers(op)
            event.required = self._payload_required(op)
            yield event

    def _security_headers(self, op: Operation) -> list[str]:
        """Headers of `apiKey` schemes the request names in its own `security`."""
        requirements = op.node.value.get("security")
        if not isinstance(requirements, list):
            return []
        schemes = self._header_schemes()
        out = []
        for requirement in requirements:
            if isinstance(requirement, dict):
                out += [schemes[str(n)] for n in requirement if str(n) in schemes]
        return out

    def _header_schemes(self) -> dict[str, str]:
        if self._schemes is None:
            self._schemes = {}
            components = self.spec.root.value.get("components")
            raw = components.get("securitySchemes") if isinstance(components, dict) else None
            if isinstance(raw, dict):
                base = self.spec.root.where.child("components", "securitySchemes")
                for name, scheme in raw.items():
                    value = self.spec.deref(scheme, base.child(str(name))).value
                    if isinstance(value, dict) and value.get("type") == "apiKey" and value.get("in") == "header":
                        if isinstance(value.get("name"), str):
                            self._schemes[str(name)] = value["name"]
        return self._schemes

    def _payload_required(self, op: Operation) -> set[str] | None:
        """Top-level properties every payload shape requires; None when no schema says."""
        if op.request_body is None:
            return None
        out: set[str] | None = None
        for media in content(self.spec, op.request_body).values():
            schema = schema_of(self.spec, media)
            if schema is None:
                continue
            names = self._required_of(schema, set())
            out = set(names) if out is None else out & names
        return out

    def _required_of(self, schema: Node, seen: set[Where]) -> frozenset[str]:
        cached = self._required.get(schema.where)
        if cached is not None:
            return cached
        if schema.where in seen or not isinstance(schema.value, dict):
            return frozenset()
        seen.add(schema.where)
        view = self.ctx.view(schema)
        names = set(view.required)
        variants = view.one_of or view.any_of
        if variants:
            # Each variant is a possible payload: a name counts only when all of them require it.
            common: set[str] | None = None
            for member in variants:
                member_names = self._required_of(member, seen)
                common = set(member_names) if common is None else common & member_names
            names |= common or set()
        result = frozenset(names)
        self._required[schema.where] = result
        return result


def _patterns(ctx: LintContext, key: str) -> list[str]:
    """One option's regexes, checked here because JSON Schema does not compile them."""
    patterns = [str(p) for p in ctx.options("webhooks").get(key) or ()]
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise UsageError(
                f"option webhooks.{key}: {pattern!r} is not a regular expression ({exc})",
                hint="write a Python regular expression; it is searched case-insensitively in the name",
            ) from None
    return patterns


def _report(event: _Event) -> Hit:
    return hit(event.op.node.where, [event.label], kind=event.kind)


@lint_rule
def webhook_signature_missing(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """Each webhook or callback request declares a signature header."""
    patterns = _patterns(ctx, "signature-headers")
    for event in _Reader(spec, ctx).events():
        if not any(name_matches(h, patterns) for h in event.headers):
            yield _report(event)


@lint_rule
def webhook_event_id_missing(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """Each webhook or callback request carries an event id, as a header or a required property."""
    yield from _missing(spec, ctx, "id-headers", "id-properties")


@lint_rule
def webhook_timestamp_missing(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """Each webhook or callback request carries a timestamp, as a header or a required property."""
    yield from _missing(spec, ctx, "timestamp-headers", "timestamp-properties")


def _missing(spec: Spec, ctx: LintContext, header_option: str, property_option: str) -> Iterator[Hit]:
    """The events that carry neither a header nor a required payload property whose name
    matches the two options' patterns."""
    headers, properties = _patterns(ctx, header_option), _patterns(ctx, property_option)
    for event in _Reader(spec, ctx).events():
        if any(name_matches(h, headers) for h in event.headers):
            continue
        if event.required and any(name_matches(p, properties) for p in event.required):
            continue
        yield _report(event)
