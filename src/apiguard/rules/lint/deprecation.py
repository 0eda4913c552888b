"""Lint family: deprecation. A deprecated operation, parameter, schema, property or header should
say when it goes away (`x-sunset`, or a documented `Sunset` response header, RFC 8594), give
clients at least a year between deprecation and sunset (`x-deprecated-at`, or a documented
`Deprecation: @<unix-seconds>` header, RFC 9745), announce itself at run time with both headers,
and name what replaces it.

Every rule of the family reads one index of the deprecated (or sunsetting) things of the spec,
built once per lint run: each distinct node is one thing, so a deprecated property of a shared
component is one finding at that property, listing every operation that reaches it. Which
operations reach a schema node is worked out over the graph of schema nodes with strongly
connected components, so recursive schemas cost one visit and no schema is walked per operation.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Iterable, Iterator

from ...model import Where, escape_token, split_pointer
from ...normalize import HTTP_METHODS, path_key
from ...registry import Hit, lint_rule
from ...spec import Node, Operation, Spec
from ..compat._common import parse_date
from ._common import LintContext, event_operations, family_options, headers, hit, is_success

family_options(
    "deprecation",
    {
        "min-notice-days": {
            "type": "integer",
            "minimum": 0,
            "default": 365,
            "description": "Fewest days between the deprecation date and the sunset date.",
        },
        "replacement-extensions": {
            "type": "array",
            "items": {"type": "string", "pattern": "^x-"},
            "default": ["x-replaced-by"],
            "description": "Extensions whose non-empty value names the replacement of a deprecated thing.",
        },
    },
)

# Keywords whose value is one sub-schema, a list of sub-schemas, or a name -> sub-schema map.
_ONE = ("items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else",
        "unevaluatedProperties", "unevaluatedItems", "additionalItems", "contentSchema")
_MANY = ("allOf", "oneOf", "anyOf", "prefixItems")
_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")
_SUBSCHEMA_KIND = {**{k: 1 for k in _ONE}, **{k: 2 for k in _MANY}, **{k: 3 for k in _MAPS}}
_COMPONENT_SECTIONS = ("schemas", "parameters", "headers", "responses", "requestBodies")

_EMPTY: frozenset[Where] = frozenset()
_DEPRECATION_FIELD = re.compile(r"^@-?\d{1,15}$")
_IMF_FIXDATE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) "
    r"(\d{2}):(\d{2}):(\d{2}) GMT$"
)
# Words a description uses when it sends the reader to a successor. "use" alone is too common
# ("you can use this method ..."), so it only counts when followed by a quoted name or a link.
_POINTS = re.compile(
    r"\binstead\b|\breplac(?:ed|ement|ing)\b|\bsuccessor\b|\bsupersed|\bin favou?r of\b|\bmigrat(?:e|ing|ion)\b"
    r"|\bswitch(?:ing)? to\b|\bmoved to\b|\bprefer\b|\balternative\b|\bnewer version\b"
    r"|\b(?:use|see|call)\s+(?:the\s+(?:new\s+)?)?(?:[`'\"\[<]|https?://)"
    r"|https?://|\]\(",
    re.IGNORECASE,
)
_PATH_TOKEN = re.compile(r"(?<![\w.])(/[A-Za-z0-9_.~{}:-]+(?:/[A-Za-z0-9_.~{}:-]+)*)")
_ALLOF_MEMBER = re.compile(r"/allOf/\d+$")
_ID_TOKEN = re.compile(r"[A-Za-z_][\w./-]*\w")


@dataclass
class _Thing:
    """One deprecated or sunsetting node, visited once."""

    kind: str  # operation, parameter, property, schema, header
    label: str  # how a message names it: "operation GET /pets", "property `Pet.tag`"
    node: Node  # as written: where `deprecated` and `x-sunset` sit
    target: Node  # after following a `$ref`, for descriptions
    ops: dict[str, None] = field(default_factory=dict)  # labels of the operations reaching it
    op: Operation | None = None

    @property
    def deprecated(self) -> bool:
        return _flag(self.node.value, "deprecated")

    def key_where(self, key: str, own: bool = False) -> Where | None:
        """Where `key` is written: on the node itself, else (unless `own`) on its `$ref` target."""
        for n in (self.node,) if own else (self.node, self.target):
            if isinstance(n.value, dict) and key in n.value:
                return n.where.child(key)
        return None

    def value(self, key: str, own: bool = False) -> Any:
        for n in (self.node,) if own else (self.node, self.target):
            if isinstance(n.value, dict) and key in n.value:
                return n.value[key]
        return None


@dataclass
class _Sample:
    """An example or default value of a `Deprecation` or `Sunset` response header."""

    value: Any
    where: Where


@dataclass
class _Index:
    things: dict[Where, _Thing] = field(default_factory=dict)
    # header name ("deprecation" / "sunset") -> header node where -> (samples, operations)
    header_samples: dict[str, dict[Where, tuple[list[_Sample], dict[str, None]]]] = field(default_factory=dict)
    # operation label -> name -> samples of that header across its responses, in spec order
    op_samples: dict[str, dict[str, list[_Sample]]] = field(default_factory=dict)


def _flag(value: Any, key: str) -> bool:
    return isinstance(value, dict) and value.get(key) is True


def _interesting(value: Any) -> bool:
    return isinstance(value, dict) and (value.get("deprecated") is True or "x-sunset" in value or "x-deprecated-at" in value)


# Index -----------------------------------------------------------------------------------------
def _index(spec: Spec, ctx: LintContext) -> _Index:
    cached = ctx.__dict__.get("_deprecation_index")
    if cached is None:
        cached = ctx.__dict__["_deprecation_index"] = _Builder(spec).build()
    return cached


class _Builder:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.index = _Index(header_samples={"deprecation": {}, "sunset": {}})
        self.graph = _SchemaGraph(spec)

    def build(self) -> _Index:
        spec = self.spec
        ops = list(spec.operations.values()) + [op for _, _, op in _safe_events(spec)]
        per_op_roots: list[tuple[str, list[Node]]] = []
        for op in ops:
            roots: list[Node] = []
            if _interesting(op.node.value):
                self._thing("operation", f"operation {op.label}", op.node, op.node, op.label, op)
            for param in op.parameters.values():
                self._parameter(param.node, param.node, op.label, roots)
            if op.request_body is not None:
                roots.extend(self._media_schemas(op.request_body))
            samples: dict[str, list[_Sample]] = {"deprecation": [], "sunset": []}
            for status, response in op.responses.items():
                if not isinstance(response.value, dict):
                    continue
                roots.extend(self._media_schemas(response))
                for name, header in _safe_headers(spec, response).items():
                    self._header(name, header, op.label, roots, samples)
            self.index.op_samples[op.label] = samples
            per_op_roots.append((op.label, roots))
        # Components nothing reaches still hold deprecated things worth reporting.
        loose: list[Node] = []
        components = spec.root.value.get("components")
        if isinstance(components, dict):
            base = spec.root.where.child("components")
            for section in _COMPONENT_SECTIONS:
                entries = components.get(section)
                if not isinstance(entries, dict):
                    continue
                for name, raw in entries.items():
                    node = _safe_deref(spec, raw, base.child(section, str(name)))
                    if node is None:
                        continue
                    if section == "schemas":
                        loose.append(Node(raw, base.child(section, str(name))))
                    elif section == "parameters":
                        self._parameter(Node(raw, base.child(section, str(name))), node, None, loose)
                    elif section == "headers":
                        self._header(str(name).lower(), node, None, loose, None)
                    elif section == "responses":
                        loose.extend(self._media_schemas(node))
                        for hname, header in _safe_headers(spec, node).items():
                            self._header(hname, header, None, loose, None)
                    else:
                        loose.extend(self._media_schemas(node))
        graph = self.graph
        for _, roots in per_op_roots:
            for root in roots:
                graph.visit(root)
        for root in loose:
            graph.visit(root)
        for where in graph.things:
            raw = graph.values[where]
            target = _safe_deref(spec, raw, where) or Node(raw, where)
            kind, label = _schema_label(spec, where)
            self._thing(kind, label, Node(raw, where), target, None, None)
        for label, roots in per_op_roots:
            reached: set[Where] = set()
            for root in roots:
                reached |= graph.reach.get(root.where, _EMPTY)
            for where in sorted(reached):
                self.index.things[where].ops.setdefault(label, None)
        return self.index

    def _thing(self, kind: str, label: str, node: Node, target: Node, op_label: str | None, op: Operation | None) -> None:
        thing = self.index.things.get(node.where)
        if thing is None:
            thing = self.index.things[node.where] = _Thing(kind, label, node, target, op=op)
        if op_label is not None:
            thing.ops.setdefault(op_label, None)

    def _parameter(self, raw: Node, node: Node, op_label: str | None, roots: list[Node]) -> None:
        value = node.value
        if not isinstance(value, dict):
            return
        if _interesting(value) or _interesting(raw.value):
            name = value.get("name", "?")
            where = value.get("in", "")
            self._thing("parameter", f"{where} parameter `{name}`".strip(), node, node, op_label, None)
        roots.extend(self._media_schemas(node))
        if "schema" in value:
            roots.append(Node(value["schema"], node.where.child("schema")))

    def _header(
        self, name: str, header: Node, op_label: str | None, roots: list[Node], samples: dict[str, list[_Sample]] | None
    ) -> None:
        value = header.value
        if not isinstance(value, dict):
            return
        if _interesting(value):
            shown = split_pointer(header.where.pointer)[-1] if header.where.pointer else name
            self._thing("header", f"response header `{shown}`", header, header, op_label, None)
        name = name.lower()
        if "schema" in value:
            roots.append(Node(value["schema"], header.where.child("schema")))
        roots.extend(self._media_schemas(header))
        if name not in ("deprecation", "sunset"):
            return
        found = self.index.header_samples[name].get(header.where)
        if found is None:
            found = self.index.header_samples[name][header.where] = (_header_samples(self.spec, header), {})
        if op_label is not None:
            found[1].setdefault(op_label, None)
        if samples is not None:
            samples[name].extend(found[0])

    def _media_schemas(self, holder: Node) -> list[Node]:
        out: list[Node] = []
        raw = holder.value.get("content") if isinstance(holder.value, dict) else None
        if not isinstance(raw, dict):
            return out
        for media, value in raw.items():
            node = _safe_deref(self.spec, value, holder.where.child("content", str(media)))
            if node is not None and isinstance(node.value, dict) and "schema" in node.value:
                out.append(Node(node.value["schema"], node.where.child("schema")))
        return out


class _SchemaGraph:
    """Schema nodes as written (a `$ref` is a node with one edge to its target), the deprecated
    or sunsetting ones among them, and for every visited node the set of those it reaches.
    Tarjan's algorithm finishes a cycle as one component, so each node is walked once."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.values: dict[Where, Any] = {}
        self.things: dict[Where, None] = {}
        self.reach: dict[Where, frozenset[Where]] = {}
        self._succ: dict[Where, list[Where]] = {}
        self._index: dict[Where, int] = {}
        self._low: dict[Where, int] = {}
        self._stack: list[Where] = []
        self._on: set[Where] = set()

    def _successors(self, where: Where) -> list[Where]:
        value = self.values[where]
        out: list[Where] = []
        if not isinstance(value, dict):
            return out
        values = self.values
        doc, base = where.doc, where.pointer
        # One pass over the node's own keys (a handful) rather than a lookup per keyword; the
        # keyword names need no pointer escaping, property names do.
        for key, sub in value.items():
            kind = _SUBSCHEMA_KIND.get(key)
            if kind is None:
                if key == "$ref" and isinstance(sub, str):
                    target = _safe_deref(self.spec, {"$ref": sub}, where)
                    if target is not None:
                        values.setdefault(target.where, target.value)
                        out.append(target.where)
                continue
            if kind == 1:
                if isinstance(sub, dict):
                    w = Where(doc, f"{base}/{key}")
                    values.setdefault(w, sub)
                    out.append(w)
                elif key == "items" and isinstance(sub, list):
                    for i, item in enumerate(sub):
                        w = Where(doc, f"{base}/{key}/{i}")
                        values.setdefault(w, item)
                        out.append(w)
            elif kind == 2:
                if isinstance(sub, list):
                    for i, item in enumerate(sub):
                        if isinstance(item, dict):
                            w = Where(doc, f"{base}/{key}/{i}")
                            values.setdefault(w, item)
                            out.append(w)
            elif isinstance(sub, dict):
                for name, item in sub.items():
                    if isinstance(item, dict):
                        w = Where(doc, f"{base}/{key}/{escape_token(str(name))}")
                        values.setdefault(w, item)
                        out.append(w)
        return out

    def visit(self, root: Node) -> None:
        if root.where in self._index:
            return
        self.values.setdefault(root.where, root.value)
        counter = len(self._index)
        index, low, stack, on, succ = self._index, self._low, self._stack, self._on, self._succ

        def enter(w: Where) -> Iterator[Where]:
            nonlocal counter
            index[w] = low[w] = counter
            counter += 1
            stack.append(w)
            on.add(w)
            if _interesting(self.values[w]):
                self.things[w] = None
            succ[w] = self._successors(w)
            return iter(succ[w])

        work = [(root.where, enter(root.where))]
        while work:
            v, it = work[-1]
            descended = False
            for w in it:
                if w not in index:
                    work.append((w, enter(w)))
                    descended = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if descended:
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] != index[v]:
                continue
            members: list[Where] = []
            while True:
                w = stack.pop()
                on.discard(w)
                members.append(w)
                if w == v:
                    break
            inside = set(members)
            acc: set[Where] = set()
            single: frozenset[Where] | None = None
            for m in members:
                if m in self.things:
                    acc.add(m)
                for w in succ[m]:
                    if w not in inside:
                        got = self.reach[w]
                        if got:
                            if single is None and not acc:
                                single = got
                            acc |= got
            # Nearly every node reaches nothing, or exactly what one child reaches: share sets.
            result = _EMPTY if not acc else (single if single is not None and len(single) == len(acc) else frozenset(acc))
            for m in members:
                self.reach[m] = result
            # Successor lists are only needed while their component is open.
            for m in members:
                succ.pop(m, None)


# Readers ---------------------------------------------------------------------------------------
def _safe_deref(spec: Spec, value: Any, where: Where) -> Node | None:
    try:
        return spec.deref(value, where)
    except Exception:  # a dangling or circular $ref: validation reports it; skip here
        return None


def _safe_headers(spec: Spec, response: Node) -> dict[str, Node]:
    try:
        return headers(spec, response)
    except Exception:
        return {}


def _safe_events(spec: Spec) -> list[tuple[str, str, Operation]]:
    try:
        return list(event_operations(spec))
    except Exception:
        return []


def _header_samples(spec: Spec, header: Node) -> list[_Sample]:
    """Examples and defaults of a header, wherever it spells them: `example`, `examples`, the
    schema's `example`, `examples` and `default` (where Swagger 2.0's `default` lands after
    conversion), `x-example`, and the same inside `content`."""
    out: list[_Sample] = []
    holders = [header]
    content = header.value.get("content")
    if isinstance(content, dict):
        for media, value in content.items():
            node = _safe_deref(spec, value, header.where.child("content", str(media)))
            if node is not None and isinstance(node.value, dict):
                holders.append(node)
    for holder in holders:
        value = holder.value
        for key in ("example", "x-example", "default"):
            if key in value:
                out.append(_Sample(value[key], holder.where.child(key)))
        examples = value.get("examples")
        if isinstance(examples, dict):
            for name, ex in examples.items():
                node = _safe_deref(spec, ex, holder.where.child("examples", str(name)))
                if node is not None and isinstance(node.value, dict) and "value" in node.value:
                    out.append(_Sample(node.value["value"], node.where.child("value")))
        if "schema" in value:
            schema = _safe_deref(spec, value["schema"], holder.where.child("schema"))
            if schema is not None and isinstance(schema.value, dict):
                for key in ("example", "default"):
                    if key in schema.value:
                        out.append(_Sample(schema.value[key], schema.where.child(key)))
                if isinstance(schema.value.get("examples"), list):
                    for i, item in enumerate(schema.value["examples"]):
                        out.append(_Sample(item, schema.where.child("examples", i)))
    return out


def _schema_label(spec: Spec, where: Where) -> tuple[str, str]:
    """(kind, label) of a schema node from its pointer: `property `Pet.owner.name``,
    `schema `Pet``, or a variant / inline schema with the operation part it belongs to."""
    tokens = split_pointer(where.pointer)
    context = ""
    if where.doc == spec.resolver.root_key and tokens[:2] == ["components", "schemas"] and len(tokens) >= 3:
        base, rest = tokens[2], tokens[3:]
    elif where.doc == spec.resolver.root_key and tokens[:1] == ["paths"] and "schema" in tokens:
        i = tokens.index("schema")
        head, rest = tokens[:i], tokens[i + 1:]
        base = ""
        if len(head) >= 3 and head[2] in HTTP_METHODS:
            context = f" in {_part(head[3:])} of {head[2].upper()} {head[1]}"
        elif len(head) >= 2:
            context = f" in a parameter of path `{head[1]}`"
    elif where.doc == spec.resolver.root_key and tokens[:1] == ["components"] and "schema" in tokens and len(tokens) > 2:
        base, rest = tokens[2], tokens[len(tokens) - tokens[::-1].index("schema"):]
    elif where.doc != spec.resolver.root_key:
        base, rest = PurePosixPath(where.doc).stem, tokens
        if "schema" in rest:
            rest = rest[len(rest) - rest[::-1].index("schema"):]
    else:
        return "schema", f"schema at `#{where.pointer}`"
    names: list[str] = [base] if base else []
    last = ""
    variant = ""
    i = 0
    while i < len(rest):
        token = rest[i]
        if token in _MAPS and i + 1 < len(rest):
            names.append(rest[i + 1])
            last, variant = "property", ""
            i += 2
        elif token in ("allOf", "oneOf", "anyOf", "prefixItems") and i + 1 < len(rest):
            variant = f"variant `{token}[{rest[i + 1]}]` of " if token != "allOf" else variant
            last = "variant" if token != "allOf" else last
            i += 2
        else:
            if token == "items":
                names.append("[]")
            elif token == "additionalProperties":
                names.append("*")
            last, variant = "schema", ""
            i += 1
    dotted = ".".join(names).replace(".[]", "[]") or "body"
    if last == "property":
        return "property", f"property `{dotted}`{context}"
    if last == "variant":
        return "schema", f"{variant}`{dotted}`{context}"
    return "schema", f"schema `{dotted}`{context}"


def _part(tokens: list[str]) -> str:
    if tokens[:1] == ["requestBody"]:
        return "the request body"
    if tokens[:1] == ["responses"] and len(tokens) > 1:
        if len(tokens) > 3 and tokens[2] == "headers":
            return f"header `{tokens[3]}` of the {tokens[1]} response"
        return f"the {tokens[1]} response"
    if tokens[:1] == ["parameters"]:
        return "a parameter"
    return "the operation"


def _sunset(thing: _Thing, index: _Index) -> tuple[dt.date, Where, str] | None:
    """The thing's sunset date, where it is written and how: `x-sunset` first, then (for an
    operation) the first documented `Sunset` header example that reads as a date."""
    where = thing.key_where("x-sunset")
    if where is not None:
        date = parse_date(thing.value("x-sunset"))
        if date is not None:
            return date, where, "`x-sunset`"
    if thing.op is not None:
        for sample in index.op_samples.get(thing.op.label, {}).get("sunset", ()):
            date = parse_date(sample.value)
            if date is not None:
                return date, sample.where, "the `Sunset` header example"
    return None


def _deprecated_at(thing: _Thing, index: _Index) -> tuple[dt.date, str] | None:
    if thing.key_where("x-deprecated-at") is not None:
        date = parse_date(thing.value("x-deprecated-at"))
        if date is not None:
            return date, "`x-deprecated-at`"
    if thing.op is not None:
        for sample in index.op_samples.get(thing.op.label, {}).get("deprecation", ()):
            date = _deprecation_date(sample.value)
            if date is not None:
                return date, "the `Deprecation` header example"
    return None


def _deprecation_date(value: Any) -> dt.date | None:
    if isinstance(value, str) and _DEPRECATION_FIELD.match(value.strip()):
        try:
            return dt.datetime.fromtimestamp(int(value.strip()[1:]), dt.timezone.utc).date()
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, bool):
        return None
    return parse_date(value)


def _where_flag(thing: _Thing) -> Where:
    return thing.key_where("deprecated") or thing.node.where


def _ops(thing: _Thing) -> tuple[str, ...]:
    return tuple(thing.ops)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value) if not isinstance(value, str) else f'"{value}"'


def _http_date(date: dt.date) -> str:
    return email.utils.format_datetime(dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc), usegmt=True)


def _is_imf_fixdate(value: str) -> str | None:
    """None when `value` is an IMF-fixdate with the right weekday, else why not."""
    m = _IMF_FIXDATE.match(value.strip())
    if not m:
        return "it is not in the IMF-fixdate form"
    try:
        parsed = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError):
        return "it is not a real date"
    if parsed is None or parsed.strftime("%a") != m.group(1):
        return "its weekday does not match the date"
    return None


# Rules -----------------------------------------------------------------------------------------
@lint_rule
def deprecated_without_sunset(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """A deprecated thing says when it goes away: `x-sunset`, or for an operation a documented
    `Sunset` response header whose example or default is a date."""
    index = _index(spec, ctx)
    for thing in index.things.values():
        if not thing.deprecated or thing.key_where("x-sunset") is not None:
            continue
        if thing.op is not None and _sunset(thing, index) is not None:
            continue
        extra = " (or document a `Sunset` response header with an example date)" if thing.kind == "operation" else ""
        yield hit(_where_flag(thing), _ops(thing), thing=thing.label, extra=extra)


@lint_rule
def sunset_date_invalid(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """`x-sunset`, `x-deprecated-at` and `Sunset` header examples read as dates."""
    index = _index(spec, ctx)
    for thing in index.things.values():
        for key in ("x-sunset", "x-deprecated-at"):
            where = thing.key_where(key, own=True)
            if where is not None and parse_date(thing.value(key, own=True)) is None:
                value = _show(thing.value(key, own=True))
                yield hit(where, _ops(thing), key=f"`{key}`", owner=f" of the {thing.label}", value=value)
    for header_where, (samples, ops) in index.header_samples["sunset"].items():
        for sample in samples:
            if parse_date(sample.value) is None:
                yield hit(sample.where, tuple(ops), key="the `Sunset` header example", owner="", value=_show(sample.value))


@lint_rule
def sunset_date_passed(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """A thing whose sunset day has come is still described: remove it, or move the date."""
    index = _index(spec, ctx)
    for thing in index.things.values():
        found = _sunset(thing, index)
        if found is None:
            continue
        date, where, source = found
        if date <= ctx.today:
            days = (ctx.today - date).days
            ago = "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"
            yield hit(where, _ops(thing), thing=thing.label, sunset=date.isoformat(), source=source, ago=ago)


@lint_rule
def sunset_notice_too_short(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """The sunset lies at least `min-notice-days` after the deprecation date. Without a known
    deprecation date there is nothing to measure from (today would punish a deprecation that
    was announced long ago), so the rule says nothing; the diff judges the notice when the
    deprecation is introduced."""
    index = _index(spec, ctx)
    minimum = int(ctx.options("deprecation")["min-notice-days"])
    for thing in index.things.values():
        found = _sunset(thing, index)
        start = _deprecated_at(thing, index)
        if found is None or start is None:
            continue
        date, where, source = found
        days = (date - start[0]).days
        if days < minimum:
            yield hit(where, _ops(thing), thing=thing.label, sunset=date.isoformat(), deprecated=start[0].isoformat(),
                      source=start[1], days=days, minimum=minimum, earliest=(start[0] + dt.timedelta(days=minimum)).isoformat())


@lint_rule
def deprecated_operation_headers_missing(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """A deprecated operation tells clients at run time: every success response declares both
    `Deprecation` and `Sunset` headers."""
    for op in spec.operations.values():
        if not op.deprecated:
            continue
        missing: dict[str, None] = {}
        statuses: list[str] = []
        for status, response in op.responses.items():
            if not is_success(status) or not isinstance(response.value, dict):
                continue
            names = _safe_headers(spec, response)
            lacking = [h for h in ("Deprecation", "Sunset") if h.lower() not in names]
            if lacking:
                statuses.append(status)
                missing.update(dict.fromkeys(lacking))
        if not statuses:
            continue
        where = op.node.where.child("responses") if "responses" in op.data else op.node.where
        which = " and ".join(f"`{h}`" for h in ("Deprecation", "Sunset") if h in missing)
        yield hit(where, [op.label], operation=op.label, missing=which, statuses=", ".join(statuses),
                  plural="s" if len(missing) > 1 else "", responses="response" if len(statuses) == 1 else "responses",
                  lack="lacks" if len(statuses) == 1 else "lack")


@lint_rule
def deprecation_header_invalid(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """Documented `Deprecation` values are RFC 9745 dates (`@<unix-seconds>`) and `Sunset`
    values RFC 8594 HTTP-dates. A `Sunset` value that is no date at all is `sunset-date-invalid`."""
    index = _index(spec, ctx)
    for header_where, (samples, ops) in index.header_samples["deprecation"].items():
        for sample in samples:
            value = sample.value
            if isinstance(value, str) and _DEPRECATION_FIELD.match(value.strip()):
                continue
            if value is True or (isinstance(value, str) and value.strip().lower() == "true"):
                why = "the `true` form of the old Internet-Draft is obsolete"
                fix = "write the moment of deprecation as `@<unix-seconds>`, e.g. `@1735689600`"
            else:
                date = None if isinstance(value, bool) else parse_date(value)
                if date is not None:
                    seconds = int(dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc).timestamp())
                    why = "a date written as text is the old Internet-Draft's form"
                    fix = f"write it as `@{seconds}` ({date.isoformat()})"
                else:
                    why = "it is not a date"
                    fix = "write the moment of deprecation as `@<unix-seconds>`, e.g. `@1735689600`"
            yield hit(sample.where, tuple(ops), header="Deprecation", value=_show(value), why=why, fix=fix)
    for header_where, (samples, ops) in index.header_samples["sunset"].items():
        for sample in samples:
            value = sample.value
            date = parse_date(value)
            if date is None:
                continue  # not a date at all: sunset-date-invalid says so
            why = _is_imf_fixdate(value) if isinstance(value, str) else "it is not a string"
            if why is None:
                continue
            yield hit(sample.where, tuple(ops), header="Sunset", value=_show(value), why=why,
                      fix=f"write it as an HTTP-date, e.g. `{_http_date(date)}`")


@lint_rule
def deprecated_without_replacement(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """A deprecated operation, parameter or property names what to use instead: a replacement
    extension (`x-replaced-by`), response `links`, `externalDocs`, or a description that points
    somewhere (see `_points_somewhere`)."""
    index = _index(spec, ctx)
    extensions = list(ctx.options("deprecation")["replacement-extensions"])
    known = _Known(spec)
    for thing in index.things.values():
        if thing.kind not in ("operation", "parameter", "property") or not thing.deprecated:
            continue
        if any(_filled(thing.value(ext)) for ext in extensions):
            continue
        texts: list[str] = []
        own_id: str | None = None
        own_path: str | None = None
        for n in _described(spec, thing):
            texts.extend(n.value[k] for k in ("summary", "description") if isinstance(n.value.get(k), str))
        if thing.op is not None:
            op = thing.op
            own_id, own_path = op.operation_id, path_key(op.path)
            if _filled(op.data.get("externalDocs")):
                continue
            if any(isinstance(r.value, dict) and _filled(r.value.get("links")) for r in op.responses.values()):
                continue
        elif thing.kind == "parameter" and isinstance(thing.target.value, dict):
            schema = _safe_deref(spec, thing.target.value.get("schema"), thing.target.where.child("schema"))
            if schema is not None and isinstance(schema.value, dict) and isinstance(schema.value.get("description"), str):
                texts.append(schema.value["description"])
        if any(_points_somewhere(t, known, own_id, own_path) for t in texts):
            continue
        yield hit(_where_flag(thing), _ops(thing), thing=thing.label, extension=extensions[0] if extensions else "x-replaced-by")


def _described(spec: Spec, thing: _Thing) -> list[Node]:
    """The node, its `$ref` target and, for a schema, the members of its combiners: a nullable
    property is often `anyOf: [{description: ...}, {type: "null"}]`, with the words in the member."""
    out = [n for n in (thing.node, thing.target) if isinstance(n.value, dict)]
    if thing.kind != "property":
        return out
    owner = thing.target
    # `deprecated: true` written as its own allOf member: the words sit in the siblings.
    m = _ALLOF_MEMBER.search(thing.node.where.pointer)
    if m:
        parent = Where(thing.node.where.doc, thing.node.where.pointer[: m.start()])
        try:
            owner = Node(spec.resolver.get(parent), parent)
        except Exception:
            return out
        out.append(owner)
    if isinstance(owner.value, dict):
        for key in ("allOf", "anyOf", "oneOf"):
            members = owner.value.get(key)
            if isinstance(members, list):
                for i, member in enumerate(members):
                    node = _safe_deref(spec, member, owner.where.child(key, i))
                    if node is not None and isinstance(node.value, dict):
                        out.append(node)
    return out


def _filled(value: Any) -> bool:
    return value is not None and value != "" and value != {} and value != []


class _Known:
    """Operation ids and path templates of the spec, to recognise a description that names one."""

    def __init__(self, spec: Spec) -> None:
        ops = list(spec.operations.values())
        # Short single words ("list", "get") would match ordinary prose.
        self.ids = {
            op.operation_id for op in ops
            if op.operation_id and len(op.operation_id) >= 6 and re.search(r"[A-Z_./-]|\d", op.operation_id)
        }
        self.paths = {path_key(op.path) for op in ops} | {u for op in ops for u in op.url_paths}


def _points_somewhere(text: str, known: _Known, own_id: str | None, own_path: str | None) -> bool:
    """The description sends the reader to a successor: replacement wording ("instead",
    "replaced by", "in favor of", "migrate", "successor", "use `x`"), a link, another
    operation's path or another operation's id."""
    if _POINTS.search(text):
        return True
    for m in _PATH_TOKEN.finditer(text):
        key = path_key(m.group(1).rstrip(".:"))
        if key != own_path and key in known.paths:
            return True
    if known.ids:
        for m in _ID_TOKEN.finditer(text):
            if m.group(0) != own_id and m.group(0) in known.ids:
                return True
    return False
