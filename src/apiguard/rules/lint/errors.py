"""Lint family: error envelopes. Every failure an API returns should have one shape, with a
stable machine-readable code and a human message; by default RFC 9457 Problem Details
(`application/problem+json` with `type`, `title`, `status`, `detail`, `instance`), or a team's
chosen style (`google`, `jsonapi`, or its own `custom` envelope component).

This module owns the `errors` family options, the six rules, and what they share: one pass over
the operations that collects every error response body (cached per lint run, so the rules do not
walk the spec six times), per-schema caches for field checks and shape signatures, and a small
OpenAPI-to-JSON-Schema converter used to validate examples with `jsonschema`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from ...errors import InputError
from ...model import Where, escape_token
from ...registry import Hit, lint_rule
from ...spec import Node, Operation, Spec
from ._common import LintContext, family_options, hit, is_error

FAMILY = "errors"
STYLES = ("problem-details", "google", "jsonapi", "custom")

family_options(
    FAMILY,
    {
        "style": {
            "enum": list(STYLES),
            "default": "problem-details",
            "description": "The error envelope every error response must use.",
        },
        "media-type": {
            "anyOf": [
                {"type": "null"},
                {"type": "string", "minLength": 1},
                {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
            ],
            "default": None,
            "description": "Media type(s) error bodies must offer; null: decided by `style`.",
        },
        "component": {
            "type": ["string", "null"],
            "default": None,
            "description": "Name of the schema component every error body must be or extend.",
        },
        "code-field": {"type": "string", "minLength": 1, "default": "code"},
        "message-field": {"type": "string", "minLength": 1, "default": "message"},
    },
)

_STYLE_MEDIA = {
    # RFC 9457 registers both; an XML-only API still speaks Problem Details.
    "problem-details": ("application/problem+json", "application/problem+xml"),
    "jsonapi": ("application/vnd.api+json",),
    "google": ("application/json",),
    "custom": ("application/json",),
}
# Where an HTTP status may be pinned in a body, by style ("*" steps into array items).
_STATUS_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "problem-details": (("status",),),
    "google": (("error", "code"),),
    "jsonapi": (("errors", "*", "status"),),
    "custom": (("status",),),
}
_COMPONENT_POINTER = re.compile(r"^/components/schemas/([^/]+)$")
# What a malformed schema can raise while being walked (a `$ref` chain that loops back on itself,
# absurd nesting); the body is then skipped, never the whole run.
_SKIP = (InputError, RecursionError)


# Collected facts -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Body:
    """One media type of one error response of one operation."""

    op: Operation
    status: str
    response: Node
    media: str
    node: Node  # the media type object, dereferenced
    schema: Node | None  # its schema, dereferenced; None when absent or unresolvable
    broken: bool = False  # it has a schema that cannot be resolved


@dataclass
class _Response:
    op: Operation
    status: str
    node: Node  # dereferenced: a shared component's own place
    bodies: list[_Body] = field(default_factory=list)


@dataclass
class _State:
    ctx: LintContext
    style: str
    accepted: tuple[str, ...]
    code_field: str
    message_field: str
    component: str | None
    component_node: Node | None  # the named envelope component, as its entry is written
    component_wheres: frozenset[Where]
    responses: list[_Response]
    field_cache: dict[Where, tuple[str, ...]] = field(default_factory=dict)
    shape_cache: dict[Where, "_Shape"] = field(default_factory=dict)
    canon: dict[tuple[str, int, int], Where] = field(default_factory=dict)
    converter: "_Converter | None" = None


_LAST: list[tuple[LintContext, _State]] = []  # the current lint run's state; one run at a time


def _state(spec: Spec, ctx: LintContext) -> _State:
    for owner, state in _LAST:
        if owner is ctx:
            return state
    opts = ctx.options(FAMILY)
    style = opts.get("style") if opts.get("style") in STYLES else "problem-details"
    media = opts.get("media-type")
    if isinstance(media, str):
        accepted = (_base(media),)
    elif isinstance(media, list) and media:
        accepted = tuple(_base(m) for m in media if isinstance(m, str))
    else:
        accepted = _STYLE_MEDIA[style]
    component = opts.get("component")
    component = component.rsplit("/", 1)[-1] if isinstance(component, str) and component else None
    state = _State(
        ctx=ctx,
        style=style,
        accepted=accepted,
        code_field=str(opts.get("code-field") or "code"),
        message_field=str(opts.get("message-field") or "message"),
        component=component,
        component_node=_component_node(spec, component),
        component_wheres=_component_wheres(spec, component),
        responses=list(_collect(spec)),
    )
    _LAST[:] = [(ctx, state)]
    return state


def _collect(spec: Spec) -> Iterator[_Response]:
    for op in spec.operations.values():
        for status, node in _error_responses(op):
            if not isinstance(node.value, dict):
                continue
            resp = _Response(op, status, node)
            raw = node.value.get("content")
            for media, value in raw.items() if isinstance(raw, dict) else ():
                media_node = _deref(spec, value, node.where.child("content", str(media)))
                if media_node is None or not isinstance(media_node.value, dict):
                    continue
                schema = None
                if "schema" in media_node.value:
                    schema = _deref(spec, media_node.value["schema"], media_node.where.child("schema"))
                broken = "schema" in media_node.value and schema is None
                resp.bodies.append(_Body(op, status, node, str(media), media_node, schema, broken))
            yield resp


def _deref(spec: Spec, value: Any, where: Where) -> Node | None:
    try:
        return spec.deref(value, where)
    except InputError:
        return None


def _error_responses(op: Operation) -> Iterator[tuple[str, Node]]:
    # `default` is the error case only next to a declared success; alone, it is the success.
    has_success = any(s[:1] in ("1", "2", "3") for s in op.responses)
    for status, node in op.responses.items():
        if status == "default" and not has_success:
            continue
        if is_error(status):
            yield status, node


def _component_node(spec: Spec, name: str | None) -> Node | None:
    root = spec.root.value
    components = root.get("components") if isinstance(root, dict) else None
    schemas = components.get("schemas") if isinstance(components, dict) else None
    if name is None or not isinstance(schemas, dict) or name not in schemas:
        return None
    return Node(schemas[name], spec.root.where.child("components", "schemas", name))


def _component_wheres(spec: Spec, name: str | None) -> frozenset[Where]:
    """Every place the named component lives: its entry and the targets its `$ref`s reach."""
    node = _component_node(spec, name)
    if node is None:
        return frozenset()
    where = node.where
    out = {where}
    value: Any = node.value
    for _ in range(16):
        if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
            break
        target = _deref(spec, {"$ref": value["$ref"]}, where)
        if target is None or target.where == where or target.where in out:
            break
        out.add(target.where)
        value, where = target.value, target.where
    return frozenset(out)


# Small helpers ---------------------------------------------------------------------------------
def _base(media: str) -> str:
    return media.split(";", 1)[0].strip().lower()


def _is_json(media: str, state: _State) -> bool:
    base = _base(media)
    if base in state.accepted:
        return True
    subtype = base.rsplit("/", 1)[-1]
    return subtype == "json" or subtype.endswith("+json")


def _json_bodies(resp: _Response, state: _State) -> list[_Body]:
    return [b for b in resp.bodies if _is_json(b.media, state)]


def _main_body(resp: _Response, state: _State) -> _Body | None:
    """The body a client is most likely to parse: the configured media type, else the first JSON."""
    bodies = _json_bodies(resp, state)
    for body in bodies:
        if _base(body.media) in state.accepted:
            return body
    return bodies[0] if bodies else None


def _label(where: Where, spec: Spec) -> str | None:
    """A component's name when `where` is one (`Problem`), else None."""
    m = _COMPONENT_POINTER.match(where.pointer)
    if m:
        return m.group(1).replace("~1", "/").replace("~0", "~")
    if where.doc != spec.root.where.doc:  # a schema in a file of its own, or inside one
        file = where.doc.rsplit("/", 1)[-1]
        return f"{file}#{where.pointer}" if where.pointer else file
    return None


def _schema_name(where: Where, spec: Spec) -> str:
    name = _label(where, spec)
    return f"error schema `{name}`" if name else "inline error schema"


def _response_name(resp: _Response, spec: Spec) -> str:
    # A shared response is named, not numbered: one component may serve several codes, and
    # its finding must be one, whatever code each operation lists it under.
    where = resp.node.where
    m = re.match(r"^/components/responses/([^/]+)$", where.pointer)
    if m:
        return f"shared `{m.group(1).replace('~1', '/').replace('~0', '~')}` response"
    if where.pointer == "" and where.doc != spec.root.where.doc:
        return f"shared `{where.doc.rsplit('/', 1)[-1]}` response"
    return f"`{resp.status}` error response"


def _canon(state: _State, spec: Spec, where: Where) -> Where:
    """One place per source position: Swagger 2.0 copies one schema into each media type."""
    try:
        loc = spec.locate(where)
    except Exception:  # a place the source map cannot find still gets reported, as it is
        return where
    key = (str(loc.file), loc.line, loc.column)
    return state.canon.setdefault(key, where)


def _type_text(types: frozenset[str] | None) -> str:
    return " or ".join(sorted(types)) if types else "untyped"


def _types(ctx: LintContext, node: Node) -> frozenset[str] | None:
    return ctx.view(node).types


def _join(items: list[str]) -> str:
    quoted = [f"`{i}`" for i in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


# 1. error-responses-documented -----------------------------------------------------------------
@lint_rule
def error_responses_documented(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """Every operation documents at least one error response."""
    for op in spec.operations.values():
        if any(is_error(status) for status in op.responses):
            continue
        raw = op.node.value.get("responses") if isinstance(op.node.value, dict) else None
        where = op.node.where.child("responses") if raw is not None else op.node.where
        yield hit(where, [op.label])


# 2. error-response-media-type ------------------------------------------------------------------
@lint_rule
def error_response_media_type(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """Error responses have a body in the configured error media type."""
    state = _state(spec, ctx)
    expected = " or ".join(f"`{m}`" for m in state.accepted)
    for resp in state.responses:
        if resp.op.method == "head":
            continue  # a HEAD response never has a body
        if not resp.bodies:
            problem = "has no body"
        elif any(_base(b.media) in state.accepted for b in resp.bodies):
            continue
        else:
            problem = "offers only " + _join([b.media for b in resp.bodies])
        yield hit(
            _canon(state, spec, resp.node.where),
            [resp.op.label],
            response=_response_name(resp, spec),
            problem=problem,
            expected=expected,
        )


# 3. error-schema-fields ------------------------------------------------------------------------
@lint_rule
def error_schema_fields(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """Error body schemas carry the fields their style requires, correctly typed."""
    state = _state(spec, ctx)
    style_name = f"custom (`{state.component}`)" if state.style == "custom" and state.component else state.style
    for resp in state.responses:
        for body in _json_bodies(resp, state):
            if body.broken:
                continue
            if body.schema is None:
                yield hit(
                    _canon(state, spec, body.node.where),
                    [resp.op.label],
                    schema=f"`{body.media}` body",
                    problems="has no schema at all",
                    style=style_name,
                )
                continue
            try:
                found = _schema_problems(state, body.schema)
            except _SKIP:
                continue
            for target, problems in found:
                yield hit(
                    _canon(state, spec, target),
                    [resp.op.label],
                    schema=_schema_name(target, spec),
                    problems=problems,
                    style=style_name,
                )


def _schema_problems(state: _State, schema: Node) -> list[tuple[Where, str]]:
    """(where, problems) for a body schema; a oneOf/anyOf of envelopes is judged per member."""
    ctx = state.ctx
    out: list[tuple[Where, str]] = []
    if state.component and not _uses_component(state, schema):
        missing = "" if state.component_wheres else " (the spec has no such component)"
        out.append((schema.where, f"is not and does not extend the `{state.component}` component{missing}"))
        return out
    view = ctx.view(schema)
    members = (view.one_of or view.any_of) if not view.properties else []
    targets = [ctx.view(m).node for m in members] if members else [view.node]
    for target in targets:
        cached = state.field_cache.get(target.where)
        if cached is None:
            try:
                cached = tuple(_field_problems(state, target))
            except _SKIP:
                cached = ()
            state.field_cache[target.where] = cached
        if cached:
            out.append((target.where, ", ".join(cached)))
    return out


def _uses_component(state: _State, schema: Node) -> bool:
    spec = state.ctx.spec
    todo = [schema]
    seen: set[Where] = set()
    while todo:
        node = todo.pop()
        if node.where in seen:
            continue
        seen.add(node.where)
        if node.where in state.component_wheres:
            return True
        value = node.value
        if not isinstance(value, dict):
            continue
        if isinstance(value.get("$ref"), str):
            target = _deref(spec, {"$ref": value["$ref"]}, node.where)
            if target is not None:
                todo.append(target)
        members = value.get("allOf")
        if isinstance(members, list):
            for i, member in enumerate(members):
                target = _deref(spec, member, node.where.child("allOf", i))
                if target is not None:
                    todo.append(target)
    return False


def _field_problems(state: _State, node: Node) -> list[str]:
    ctx = state.ctx
    view = ctx.view(node)
    if view.boolean is not None or (view.types is not None and "object" not in view.types):
        return [f"is not an object (it is {_type_text(view.types)})"]
    missing: list[str] = []
    wrong: list[str] = []

    def need(holder: Any, name: str, want: tuple[str, ...], required: bool, prefix: str = "") -> Node | None:
        prop = holder.properties.get(name)
        if prop is None:
            if required:
                missing.append(prefix + name)
            return None
        types = _types(ctx, prop)
        if types is not None and not (types & set(want)):
            wrong.append(f"types `{prefix}{name}` as {_type_text(types)}, not {' or '.join(want)}")
        return prop

    if state.style == "problem-details":
        for name, want, required in (
            ("type", "string", True),
            ("title", "string", True),
            ("status", "integer", True),
            ("detail", "string", False),
            ("instance", "string", False),
        ):
            need(view, name, (want,), required)
    elif state.style == "google":
        inner = need(view, "error", ("object",), True)
        if inner is not None:
            iv = ctx.view(inner)
            need(iv, "code", ("integer",), True, "error.")
            need(iv, "message", ("string",), True, "error.")
            need(iv, "status", ("string",), False, "error.")
            need(iv, "details", ("array",), False, "error.")
    elif state.style == "jsonapi":
        errors = need(view, "errors", ("array",), True)
        if errors is not None:
            items = ctx.view(errors).subschemas.get("items")
            if items is None:
                missing.append("errors[].code or errors[].status")
                missing.append("errors[].title or errors[].detail")
            else:
                iv = ctx.view(items)
                if not (set(iv.properties) & {"code", "status"}):
                    missing.append("errors[].code or errors[].status")
                if not (set(iv.properties) & {"title", "detail"}):
                    missing.append("errors[].title or errors[].detail")
                for name in ("code", "status", "title", "detail"):
                    need(iv, name, ("string",), False, "errors[].")
    else:
        for name, want in ((state.code_field, ("string", "integer")), (state.message_field, ("string",))):
            if need(view, name, want, True) is not None and name not in view.required:
                wrong.append(f"does not list `{name}` in `required`")
    problems = []
    if missing:
        problems.append("lacks " + _join(list(dict.fromkeys(missing))))
    problems.extend(dict.fromkeys(wrong))  # code-field and message-field may name one property
    if len(problems) > 1:
        problems[-1] = "and " + problems[-1]
    return problems


# 4. error-schema-inconsistent ------------------------------------------------------------------
@dataclass(frozen=True)
class _Shape:
    """Top-level members with their types: what a client's error parser relies on. Equality
    ignores `required`, so two components with the same members are one shape."""

    kind: str  # "object", "variants" or "other"
    members: frozenset[tuple[str, tuple[str, ...] | None]]
    display: str
    variants: tuple["_Shape", ...] = ()
    required: frozenset[str] = field(default=frozenset(), compare=False)

    def conforms(self, envelope: "_Shape") -> bool:
        """True when a client that parses `envelope` can read this shape: they share members,
        shared members are typed alike, and nothing the envelope requires is missing. Extra
        members are fine (RFC 9457 extension members, a validation `errors` list), and so is a
        base schema the envelope extends with optional members."""
        if self == envelope:
            return True
        if self.kind == "variants" and envelope.kind == "object":
            return all(v.conforms(envelope) for v in self.variants)
        if self.kind != "object" or envelope.kind != "object":
            return False
        mine = dict(self.members)
        shared = 0
        for name, types in envelope.members:
            if name not in mine:
                if name in envelope.required:
                    return False
                continue
            shared += 1
            if types is not None and mine[name] is not None and types != mine[name]:
                return False
        return shared > 0


def _shape(state: _State, node: Node, depth: int = 0) -> _Shape:
    ctx = state.ctx
    view = ctx.view(node)
    cached = state.shape_cache.get(view.where)
    if cached is not None:
        return cached
    if view.properties:
        members = []
        for name, prop in view.properties.items():
            types = ctx.view(prop).types
            members.append((name, tuple(sorted(types)) if types is not None else None))
        display = "{" + ", ".join(f"{name}: {'|'.join(types) if types else 'any'}" for name, types in members) + "}"
        shape = _Shape("object", frozenset(members), display, required=frozenset(view.required))
    elif (view.one_of or view.any_of) and depth < 4:
        variants = [_shape(state, m, depth + 1) for m in (view.one_of or view.any_of)]
        shape = _Shape(
            "variants",
            frozenset((v.display, None) for v in variants),
            "one of " + " | ".join(v.display for v in variants),
            tuple(variants),
        )
    else:
        shape = _Shape("other", frozenset(), f"a bare {_type_text(view.types)} schema")
    state.shape_cache[view.where] = shape
    return shape


@lint_rule
def error_schema_inconsistent(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """All error responses share one envelope shape."""
    state = _state(spec, ctx)
    found: list[tuple[_Response, _Body, _Shape]] = []
    for resp in state.responses:
        body = _main_body(resp, state)
        if body is None or body.schema is None:
            continue
        try:
            found.append((resp, body, _shape(state, body.schema)))
        except _SKIP:
            continue
    if len(found) < 2:
        return
    envelope: _Shape | None = None
    name: str | None = None
    if state.component_node is not None:
        try:
            envelope = _shape(state, state.component_node)
            name = state.component
        except _SKIP:
            envelope = None
    if envelope is None:
        # Only a shape with members can be an envelope: `{}` or `type: object` alone promise nothing.
        counts = Counter(shape for _, _, shape in found if shape.kind != "other")
        if not counts:
            return
        top = max(counts.values())
        envelope = next(shape for _, _, shape in found if counts.get(shape) == top)  # ties: first met
        for _, body, shape in found:
            if shape == envelope and body.schema is not None:
                name = _label(body.schema.where, spec)
                if name:
                    break
    envelope_text = f"`{name}` {envelope.display}" if name else envelope.display
    users = sum(1 for _, _, shape in found if shape.conforms(envelope))
    for resp, body, shape in found:
        if shape.conforms(envelope):
            continue
        holder = body.node.where.child("schema")
        yield hit(
            _canon(state, spec, holder),
            [resp.op.label],
            shape=shape.display,
            envelope=envelope_text,
            users=f"{users} error response" + ("" if users == 1 else "s"),
        )


# Examples shared by rules 5 and 6 ------------------------------------------------------------------
@dataclass(frozen=True)
class _Example:
    value: Any
    where: Where
    schema_level: bool  # written on the schema, not on the response's media type


def _examples(spec: Spec, body: _Body) -> list[_Example]:
    out: list[_Example] = []
    media = body.node.value
    if "example" in media:
        out.append(_Example(media["example"], body.node.where.child("example"), False))
    named = media.get("examples")
    if isinstance(named, dict):
        for key, raw in named.items():
            ex = _deref(spec, raw, body.node.where.child("examples", str(key)))
            if ex is not None and isinstance(ex.value, dict) and "value" in ex.value:
                out.append(_Example(ex.value["value"], ex.where.child("value"), False))
    if body.schema is not None and isinstance(body.schema.value, dict):
        schema = body.schema.value
        if "example" in schema:
            out.append(_Example(schema["example"], body.schema.where.child("example"), True))
        if spec.family == "3.1" and isinstance(schema.get("examples"), list):
            for i, value in enumerate(schema["examples"]):
                out.append(_Example(value, body.schema.where.child("examples", i), True))
    return out


# 5. error-status-mismatch ----------------------------------------------------------------------
def _status_matches(value: Any, status: str) -> bool | None:
    """Whether a pinned status value agrees with the response code; None when not a status."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, str) and value.strip().isdigit():
        text = value.strip()
    else:
        return None
    if len(text) != 3:
        return None
    if status.endswith("XX"):
        return text[0] == status[0]
    return text == status


@lint_rule
def error_status_mismatch(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """A status pinned in an error schema or example matches the response code."""
    state = _state(spec, ctx)
    paths = _STATUS_PATHS[state.style]
    bodies = [(resp, body) for resp in state.responses if resp.status != "default" for body in _json_bodies(resp, state)]
    # A shared schema's own example is illustrative when the schema serves several codes.
    codes_by_schema: dict[Where, set[str]] = {}
    for resp, body in bodies:
        if body.schema is not None:
            codes_by_schema.setdefault(body.schema.where, set()).add(resp.status)
    for resp, body in bodies:
        if body.schema is not None:
            for path in paths:
                try:
                    pinned = _pinned(state, body.schema, path)
                except _SKIP:
                    pinned = []
                for value, where in pinned:
                    if _status_matches(value, resp.status) is False:
                        yield hit(_canon(state, spec, where), [resp.op.label], value=value, code=resp.status, source="schema")
        for ex in _examples(spec, body):
            if ex.schema_level and body.schema is not None and len(codes_by_schema.get(body.schema.where, ())) > 1:
                continue
            for path in paths:
                for value, where in _in_example(ex.value, ex.where, path):
                    if _status_matches(value, resp.status) is False:
                        yield hit(_canon(state, spec, where), [resp.op.label], value=value, code=resp.status, source="example")


def _pinned(state: _State, schema: Node, path: tuple[str, ...]) -> list[tuple[Any, Where]]:
    """Fixed values (`const`, one-value `enum`) at `path`. Walks the allOf parts itself: the
    effective view keeps one node per property name, and a member that only narrows `status`
    (`allOf: [Problem, {properties: {status: {const: 404}}}]`) must count too."""
    spec = state.ctx.spec
    nodes = [schema]
    for step in path:
        nxt: list[Node] = []
        for node in nodes:
            for part in _parts(spec, node):
                if step == "*":
                    if isinstance(part.value.get("items"), dict):
                        target = _deref(spec, part.value["items"], part.where.child("items"))
                        nxt.extend([target] if target is not None else [])
                else:
                    props = part.value.get("properties")
                    if isinstance(props, dict) and step in props:
                        target = _deref(spec, props[step], part.where.child("properties", step))
                        nxt.extend([target] if target is not None else [])
        nodes = nxt
    out: list[tuple[Any, Where]] = []
    for node in nodes:
        for part in _parts(spec, node):
            if "const" in part.value:
                out.append((part.value["const"], part.where.child("const")))
            enum = part.value.get("enum")
            if isinstance(enum, list) and len(enum) == 1:
                out.append((enum[0], part.where.child("enum", 0)))
    return out


def _parts(spec: Spec, node: Node) -> list[Node]:
    """The schema objects that must all hold for `node`: itself and its allOf members, with
    `$ref`s followed (cycle-safe)."""
    out: list[Node] = []
    todo = [node]
    seen: set[Where] = set()
    while todo:
        raw = todo.pop()
        current = _deref(spec, raw.value, raw.where)
        if current is None or current.where in seen or not isinstance(current.value, dict):
            continue
        seen.add(current.where)
        out.append(current)
        members = current.value.get("allOf")
        if isinstance(members, list):
            todo.extend(Node(m, current.where.child("allOf", i)) for i, m in reversed(list(enumerate(members))))
    return out


def _in_example(value: Any, where: Where, path: tuple[str, ...]) -> list[tuple[Any, Where]]:
    found = [(value, where)]
    for step in path:
        nxt = []
        for v, w in found:
            if step == "*":
                if isinstance(v, list):
                    nxt.extend((item, w.child(i)) for i, item in enumerate(v))
            elif isinstance(v, dict) and step in v:
                nxt.append((v[step], w.child(step)))
        found = nxt
    return found


# 6. error-example-invalid ----------------------------------------------------------------------
@lint_rule
def error_example_invalid(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """Examples on error responses validate against the response schema."""
    state = _state(spec, ctx)
    checked: dict[tuple[Where, Where], tuple[str, str] | None] = {}
    for resp in state.responses:
        for body in resp.bodies:
            if body.schema is None:
                continue
            if not _is_json(body.media, state):
                continue
            for ex in _examples(spec, body):
                key = (ex.where, body.schema.where)
                if key not in checked:
                    if state.converter is None:  # built (and jsonschema imported) on the first example
                        state.converter = _Converter(spec)
                    checked[key] = state.converter.check(body.schema, ex.value)
                problem = checked[key]
                if problem is not None:
                    yield hit(_canon(state, spec, ex.where), [resp.op.label], path=problem[0], reason=problem[1])


# OpenAPI schema -> JSON Schema -------------------------------------------------------------------
# OpenAPI-only keywords and annotations that would confuse or merely slow a JSON Schema validator;
# `id`/`$id`/`$schema`/anchors are dropped because they would move the base URI our refs use.
_DROP = frozenset(
    (
        "discriminator", "xml", "externalDocs", "example", "examples", "deprecated", "nullable",
        "readOnly", "writeOnly", "title", "description", "default", "id", "$id", "$schema",
        "$anchor", "$dynamicAnchor", "$dynamicRef", "$comment", "$defs", "definitions",
    )
)  # fmt: skip
_ONE = frozenset(
    (
        "additionalProperties", "not", "additionalItems", "contains", "propertyNames", "if", "then",
        "else", "unevaluatedProperties", "unevaluatedItems", "contentSchema",
    )
)  # fmt: skip
_MANY = frozenset(("allOf", "anyOf", "prefixItems"))
_MAP = frozenset(("properties", "patternProperties", "dependentSchemas"))


class _Converter:
    """Turns the OpenAPI schemas an example is checked against into one JSON Schema document.

    Every schema reached through a `$ref` becomes one entry under `definitions` (`$defs` for 3.1)
    and references point there, so shared and recursive schemas are converted once and cycles
    need no depth limit. Draft 4 semantics for Swagger 2.0 and OpenAPI 3.0 (boolean
    `exclusiveMinimum`), 2020-12 for 3.1."""

    def __init__(self, spec: Spec) -> None:
        # jsonschema-rs, already loaded for spec validation: compiling and checking here in Rust
        # costs less than importing the pure-Python jsonschema package.
        import jsonschema_rs

        self.spec = spec
        self.draft4 = spec.family in ("2.0", "3.0")
        self.defs_key = "definitions" if self.draft4 else "$defs"
        self.cls = jsonschema_rs.Draft4Validator if self.draft4 else jsonschema_rs.Draft202012Validator
        self.defs: dict[str, Any] = {}
        self.ids: dict[Where, str] = {}
        self.pending: list[tuple[str, Node]] = []
        self.validators: dict[Where, Any] = {}

    def check(self, schema: Node, example: Any) -> tuple[str, str] | None:
        """(path inside the example, reason) of the most relevant violation, or None."""
        try:
            validator = self.validators.get(schema.where)
            if validator is None:
                ref = self._ref(schema)
                self._drain()
                validator = self.cls({"$ref": ref, self.defs_key: self.defs}, validate_formats=False)
                self.validators[schema.where] = validator
            error = _most_relevant(validator.iter_errors(_plain(example)))
        except Exception:  # a schema the validator cannot compile (or too deep) is not the example's fault
            return None
        if error is None:
            return None
        pointer = "".join("/" + escape_token(str(p)) for p in error.instance_path)
        return (f"`{pointer}`" if pointer else "the top level"), _short(error)

    def _ref(self, node: Node) -> str:
        ident = self.ids.get(node.where)
        if ident is None:
            ident = self.ids[node.where] = f"s{len(self.ids)}"
            self.pending.append((ident, node))
        return f"#/{self.defs_key}/{ident}"

    def _drain(self) -> None:
        while self.pending:
            ident, node = self.pending.pop()
            self.defs[ident] = self._convert(node.value, node.where)

    def _sub(self, value: Any, where: Where) -> Any:
        if isinstance(value, dict) and isinstance(value.get("$ref"), str):
            target = _deref(self.spec, value, where)
            if target is None or target.where == where:
                return {}  # unresolvable: the validator reports broken refs elsewhere
            ref = {"$ref": self._ref(target)}
            extra = {k: v for k, v in value.items() if k != "$ref"}
            if self.draft4 or not extra:
                return ref  # 3.0 ignores siblings of `$ref`
            rest = self._convert(extra, where)
            return {"allOf": [ref, rest]} if rest else ref
        return self._convert(value, where)

    def _convert(self, value: Any, where: Where) -> Any:
        if isinstance(value, bool):
            if not self.draft4:
                return value
            return {} if value else {"not": {}}
        if not isinstance(value, dict):
            return {}
        if isinstance(value.get("$ref"), str):
            return self._sub(value, where)
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str) or key.startswith("x-") or key in _DROP:
                continue
            if key in _ONE:
                if key == "additionalProperties" and isinstance(item, bool):
                    out[key] = item
                elif isinstance(item, (dict, bool)):
                    out[key] = self._sub(item, where.child(key))
            elif key == "items":
                if isinstance(item, list):
                    out[key] = [self._sub(s, where.child(key, i)) for i, s in enumerate(item)]
                elif isinstance(item, (dict, bool)):
                    out[key] = self._sub(item, where.child(key))
            elif key in _MANY or key == "oneOf":
                if isinstance(item, list):
                    # A discriminator, not "exactly one", picks the variant in OpenAPI, and
                    # overlapping variants are the schema's problem, not the example's.
                    target = "anyOf" if key == "oneOf" else key
                    converted = [self._sub(s, where.child(key, i)) for i, s in enumerate(item)]
                    if target in out:
                        out.setdefault("allOf", []).append({"anyOf": converted})
                    else:
                        out[target] = converted
            elif key in _MAP:
                if isinstance(item, dict):
                    out[key] = {str(k): self._sub(s, where.child(key, str(k))) for k, s in item.items()}
            elif key == "dependencies" and isinstance(item, dict):
                out[key] = {str(k): (self._sub(s, where.child(key, str(k))) if isinstance(s, dict) else s) for k, s in item.items()}
            elif key == "type":
                out[key] = "string" if item == "file" else item
            elif key == "required":
                if isinstance(item, list):
                    write_only = self._write_only(value, where)
                    kept = [n for n in item if isinstance(n, str) and n not in write_only]
                    if kept or not self.draft4:
                        out[key] = kept
            else:
                out[key] = item
        if value.get("nullable") is True or value.get("x-nullable") is True:
            return self._nullable(out)
        return out

    def _write_only(self, value: dict[str, Any], where: Where) -> set[str]:
        """Properties a response never carries, so `required` cannot demand them there."""
        props = value.get("properties")
        out: set[str] = set()
        if isinstance(props, dict):
            for name, prop in props.items():
                node = _deref(self.spec, prop, where.child("properties", str(name)))
                if node is not None and isinstance(node.value, dict) and node.value.get("writeOnly") is True:
                    out.add(str(name))
        return out

    @staticmethod
    def _nullable(out: dict[str, Any]) -> dict[str, Any]:
        kind = out.get("type")
        if isinstance(kind, str) and "allOf" not in out and "anyOf" not in out:
            out["type"] = [kind, "null"]
            if isinstance(out.get("enum"), list) and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
            return out
        if isinstance(kind, list) and "allOf" not in out and "anyOf" not in out:
            if "null" not in kind:
                out["type"] = [*kind, "null"]
            if isinstance(out.get("enum"), list) and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
            return out
        return {"anyOf": [{"type": "null"}, out]}


def _plain(value: Any) -> Any:
    """The example as JSON would carry it: string keys (YAML may give `200:` as an int)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _most_relevant(errors: Iterable[Any]) -> Any:
    """The error a person should read first: the shallowest place in the example, and there a
    concrete keyword rather than "matches none of the variants" of oneOf/anyOf."""
    best, best_key = None, None
    for error in errors:
        vague = type(error.kind).__name__ in ("AnyOf", "OneOfNotValid", "OneOfMultipleValid")
        key = (len(error.instance_path), vague)
        if best_key is None or key < best_key:
            best, best_key = error, key
    return best


def _short(error: Any) -> str:
    message = str(error.message)
    shown = repr(error.instance)
    if len(shown) > 60 and message.startswith(shown):
        message = "the value" + message[len(shown) :]
    if len(message) > 200:
        message = message[:197] + "..."
    return message
