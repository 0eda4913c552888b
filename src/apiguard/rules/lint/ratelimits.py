"""Lint family: rate limits. Clients can only pace themselves when the API says, in response
headers, how much quota is left and when it refills, and when a throttled (429) or unavailable
(503) response says when to come back (`Retry-After`).

Two header conventions are recognised. IETF (draft-ietf-httpapi-ratelimit-headers): the current
`RateLimit` and `RateLimit-Policy` fields (structured-field strings), and the older generation of
the same draft, `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (integers), which
many APIs still ship and which counts as IETF too. Legacy: `X-RateLimit-Limit`,
`X-RateLimit-Remaining` and `X-RateLimit-Reset` (integers), also spelled `X-Rate-Limit-*`.
Only the API's own operations are judged; webhook and callback responses come from clients.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ...model import Where
from ...registry import Hit, lint_rule
from ...spec import Node, Operation, Spec
from ._common import LintContext, family_options, hit, responses

family_options(
    "rate-limits",
    {
        "style": {
            "enum": ["ietf", "legacy", "either"],
            "default": "either",
            "description": "The rate-limit header convention success responses must follow: "
            "`ietf` (RateLimit + RateLimit-Policy, or the older RateLimit-Limit/-Remaining/-Reset), "
            "`legacy` (X-RateLimit-Limit/-Remaining/-Reset) or `either` (one complete set of either).",
        },
    },
)

LEGACY = "legacy"
IETF = "ietf"

# lower-cased header name -> (style, role, how people write it)
_KNOWN: dict[str, tuple[str, str, str]] = {
    "x-ratelimit-limit": (LEGACY, "limit", "X-RateLimit-Limit"),
    "x-ratelimit-remaining": (LEGACY, "remaining", "X-RateLimit-Remaining"),
    "x-ratelimit-reset": (LEGACY, "reset", "X-RateLimit-Reset"),
    "x-rate-limit-limit": (LEGACY, "limit", "X-Rate-Limit-Limit"),
    "x-rate-limit-remaining": (LEGACY, "remaining", "X-Rate-Limit-Remaining"),
    "x-rate-limit-reset": (LEGACY, "reset", "X-Rate-Limit-Reset"),
    "ratelimit": (IETF, "current", "RateLimit"),
    "ratelimit-policy": (IETF, "policy", "RateLimit-Policy"),
    "ratelimit-limit": (IETF, "draft-limit", "RateLimit-Limit"),
    "ratelimit-remaining": (IETF, "draft-remaining", "RateLimit-Remaining"),
    "ratelimit-reset": (IETF, "draft-reset", "RateLimit-Reset"),
}
_LEGACY_ROLES = ("limit", "remaining", "reset")
_IETF_CURRENT = ("RateLimit", "RateLimit-Policy")
_IETF_DRAFT = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
_LEGACY_NAMES = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
_STYLE_NAME = {LEGACY: "legacy", IETF: "IETF"}

# What each header's standard says its value is.
_INTEGER = frozenset({"integer"})
_STRING = frozenset({"string"})
_EXPECTED: dict[str, tuple[frozenset[str], str]] = {
    **{name: (_INTEGER, "an integer") for name, (_, role, _) in _KNOWN.items() if role not in ("current", "policy")},
    "ratelimit": (_STRING, "a string (a structured-field list)"),
    "ratelimit-policy": (_STRING, "a string (a structured-field list)"),
    "retry-after": (frozenset({"integer", "string"}), "an integer (delay-seconds) or a string (HTTP-date)"),
}
_DISPLAY = {**{k: v[2] for k, v in _KNOWN.items()}, "retry-after": "Retry-After"}
_REASON = {"429": "Too Many Requests", "503": "Service Unavailable"}


@dataclass(frozen=True)
class _Header:
    name: str  # lower-cased
    key: Where  # where the response lists it (not the shared header it may point to)
    node: Node  # the header object, `$ref` followed


@dataclass
class _Usage:
    """Which rate-limit headers one response declares."""

    legacy_roles: frozenset[str]
    legacy_dashed: bool  # spelled X-Rate-Limit-* rather than X-RateLimit-*
    ietf_current: frozenset[str]  # display names
    ietf_draft: frozenset[str]  # display names
    first: dict[str, Where]  # style -> where its first header is listed

    @property
    def styles(self) -> frozenset[str]:
        out = set()
        if self.legacy_roles:
            out.add(LEGACY)
        if self.ietf_current or self.ietf_draft:
            out.add(IETF)
        return frozenset(out)

    def complete(self, style: str) -> bool:
        if style == LEGACY:
            return len(self.legacy_roles) == len(_LEGACY_ROLES)
        return len(self.ietf_current) == len(_IETF_CURRENT) or len(self.ietf_draft) == len(_IETF_DRAFT)

    def names(self, style: str) -> list[str]:
        if style == LEGACY:
            prefix = "X-Rate-Limit-" if self.legacy_dashed else "X-RateLimit-"
            return [prefix + role.capitalize() for role in _LEGACY_ROLES if role in self.legacy_roles]
        return [n for n in (*_IETF_CURRENT, *_IETF_DRAFT) if n in self.ietf_current or n in self.ietf_draft]


def _headers(response: Node, spec: Spec) -> list[_Header]:
    raw = response.value.get("headers") if isinstance(response.value, dict) else None
    if not isinstance(raw, dict):
        return []
    out = []
    for name, value in raw.items():
        key = response.where.child("headers", str(name))
        out.append(_Header(str(name).lower(), key, spec.deref(value, key)))
    return out


def _usage(response: Node, spec: Spec) -> _Usage:
    roles: set[str] = set()
    dashed = False
    current: set[str] = set()
    draft: set[str] = set()
    first: dict[str, Where] = {}
    for h in _headers(response, spec):
        known = _KNOWN.get(h.name)
        if known is None:
            continue
        style, role, display = known
        first.setdefault(style, h.key)
        if style == LEGACY:
            roles.add(role)
            dashed = dashed or h.name.startswith("x-rate-limit-")
        elif role.startswith("draft-"):
            draft.add(display)
        else:
            current.add(display)
    return _Usage(frozenset(roles), dashed, frozenset(current), frozenset(draft), first)


class _Survey:
    """One pass over every response of the API's operations: each distinct response (a shared
    component counts once) with its rate-limit usage, and which convention dominates."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.usage: dict[Where, _Usage] = {}
        self.uses: list[tuple[Operation, str, Node, _Usage]] = []
        for op in spec.operations.values():
            for status, response in responses(op):
                if not isinstance(response.value, dict):
                    continue
                usage = self.usage.get(response.where)
                if usage is None:
                    usage = self.usage[response.where] = _usage(response, spec)
                self.uses.append((op, status, response, usage))
        self.counts = {LEGACY: 0, IETF: 0}
        self.draft_only = 0  # responses using only the older IETF draft fields
        for usage in self.usage.values():
            for style in usage.styles:
                self.counts[style] += 1
            if usage.ietf_draft and not usage.ietf_current:
                self.draft_only += 1

    def dominant(self, configured: str) -> str | None:
        """The convention the API should converge on: the configured one, else the more common
        (a tie goes to IETF, the standard); None when the API declares no rate-limit header."""
        if configured in (LEGACY, IETF):
            return configured
        if not any(self.counts.values()):
            return None
        return LEGACY if self.counts[LEGACY] > self.counts[IETF] else IETF

    def ietf_names(self) -> tuple[str, ...]:
        """The IETF generation to suggest: the older draft fields only when the API uses nothing else."""
        current = self.counts[IETF] - self.draft_only
        return _IETF_DRAFT if self.draft_only and not current else _IETF_CURRENT


def _style(ctx: LintContext) -> str:
    return str(ctx.options("rate-limits").get("style", "either"))


def _listing(names: Iterable[str]) -> str:
    quoted = [f"`{n}`" for n in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _is_2xx(status: str) -> bool:
    return status[:1] == "2"


# ----------------------------------------------------------------------------------------------
@lint_rule
def rate_limit_429_missing(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """Every operation documents the 429 a throttled client gets. A `4XX` range or `default`
    response does not count: it cannot say that a 429 carries `Retry-After`."""
    for op in spec.operations.values():
        if not isinstance(op.node.value, dict) or "429" in op.responses:
            continue
        raw = op.node.value.get("responses")
        where = op.node.where.child("responses") if isinstance(raw, dict) else op.node.where
        yield hit(where, [op.label])


@lint_rule
def rate_limit_retry_after_missing(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """429 and 503 responses say when to retry, with a `Retry-After` header."""
    checked: dict[Where, bool] = {}
    for op in spec.operations.values():
        for status in ("429", "503"):
            response = op.responses.get(status)
            if response is None or not isinstance(response.value, dict):
                continue
            has = checked.get(response.where)
            if has is None:
                has = checked[response.where] = any(h.name == "retry-after" for h in _headers(response, spec))
            if not has:
                yield hit(response.where, [op.label], status=status, reason=_REASON[status])


@lint_rule
def rate_limit_headers_missing(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """Success responses declare a complete set of rate-limit headers of the configured style."""
    configured = _style(ctx)
    survey = _Survey(spec)
    dominant = survey.dominant(configured)
    missing_of: dict[Where, str | None] = {}
    for op, status, response, usage in survey.uses:
        if not _is_2xx(status):
            continue
        if response.where not in missing_of:
            missing_of[response.where] = _missing(usage, configured, dominant, survey)
        missing = missing_of[response.where]
        if missing is not None:
            yield hit(response.where, [op.label], missing=missing)


def _missing(usage: _Usage, configured: str, dominant: str | None, survey: _Survey) -> str | None:
    """What to ask for, in words; None when the response is complete."""
    allowed = (LEGACY, IETF) if configured == "either" else (configured,)
    if any(usage.complete(s) for s in allowed):
        return None
    # Complete what the response started, in the API's convention where it started both.
    started = [s for s in allowed if s in usage.styles]
    target = started[0] if len(started) == 1 else dominant if dominant in allowed else None
    if target == LEGACY:
        prefix = "X-Rate-Limit-" if usage.legacy_dashed else "X-RateLimit-"
        names = [prefix + role.capitalize() for role in _LEGACY_ROLES if role not in usage.legacy_roles]
        return _listing(names)
    if target == IETF:
        # Finish the generation it started; otherwise suggest the one the API uses.
        if usage.ietf_draft and not usage.ietf_current:
            wanted: tuple[str, ...] = _IETF_DRAFT
        elif usage.ietf_current:
            wanted = _IETF_CURRENT
        else:
            wanted = survey.ietf_names()
        have = usage.ietf_current | usage.ietf_draft
        return _listing(n for n in wanted if n not in have)
    return f"{_listing(_IETF_CURRENT)} (IETF), or {_listing(_LEGACY_NAMES)} (legacy)"


@lint_rule
def rate_limit_style_mixed(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """One rate-limit convention across the API: each response using the less common one (or
    the one the `style` option rules out) is reported."""
    survey = _Survey(spec)
    if not all(survey.counts.values()):
        return
    winner = survey.dominant(_style(ctx)) or IETF
    loser = LEGACY if winner == IETF else IETF
    replacement = _listing(_LEGACY_NAMES) if winner == LEGACY else _listing(survey.ietf_names())
    for op, _status, _response, usage in survey.uses:
        if loser in usage.styles:
            yield hit(
                usage.first[loser],
                [op.label],
                style=_STYLE_NAME[loser],
                used=_listing(usage.names(loser)),
                winner=_STYLE_NAME[winner],
                replacement=replacement,
            )


@lint_rule
def rate_limit_header_schema(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """Rate-limit and Retry-After headers are typed as their standards define them."""
    # (header object, name it is used under) -> (where, what was found) when wrong
    judged: dict[tuple[Where, str], tuple[Where, str] | None] = {}
    for op in spec.operations.values():
        for _status, response in responses(op):
            if not isinstance(response.value, dict):
                continue
            for h in _headers(response, spec):
                expected = _EXPECTED.get(h.name)
                if expected is None or not isinstance(h.node.value, dict):
                    continue
                key = (h.node.where, h.name)
                if key not in judged:
                    judged[key] = _judge(spec, ctx, h.node, expected[0])
                verdict = judged[key]
                if verdict is not None:
                    where, found = verdict
                    yield hit(where, [op.label], header=_DISPLAY[h.name], found=found, expected=expected[1])


def _judge(spec: Spec, ctx: LintContext, header: Node, allowed: frozenset[str]) -> tuple[Where, str] | None:
    schema = _header_schema(spec, header)
    if schema is None:
        return (header.where, "declares no schema")
    types = _types(ctx, schema, set())
    if types and types <= allowed:
        return None
    where = schema.where.child("type") if isinstance(schema.value, dict) and "type" in schema.value else schema.where
    if not types:
        return (where, "declares no type")
    return (where, "is typed " + " or ".join(f"`{t}`" for t in sorted(types)))


def _header_schema(spec: Spec, header: Node) -> Node | None:
    value = header.value
    if "schema" in value:
        return spec.deref(value["schema"], header.where.child("schema"))
    media = value.get("content")
    if isinstance(media, dict) and media:
        name, first = next(iter(media.items()))
        holder = spec.deref(first, header.where.child("content", str(name)))
        if isinstance(holder.value, dict) and "schema" in holder.value:
            return spec.deref(holder.value["schema"], holder.where.child("schema"))
        return None
    if "type" in value:  # a Swagger 2.0 header not converted: the type sits on the header itself
        return header
    return None


def _types(ctx: LintContext, schema: Node, seen: set[Where]) -> frozenset[str]:
    """The JSON types a header schema admits; empty when it does not say."""
    if schema.where in seen or not isinstance(schema.value, dict):
        return frozenset()
    seen.add(schema.where)
    view = ctx.view(schema)
    if view.types is not None:
        return view.types
    members = view.one_of or view.any_of
    if not members:
        return frozenset()
    out: set[str] = set()
    for member in members:
        types = _types(ctx, member, seen)
        if not types:
            return frozenset()
        out |= types
    return frozenset(out)

