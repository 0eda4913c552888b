"""The effective view of a schema, as the diff compares it.

A schema as written may hide its contract behind `$ref`, split it over `allOf` members, and spell
"may be null" three ways. `SchemaView` is what a client actually gets: references followed,
`allOf` members merged (properties and `required` united, bounds tightened), nullability folded
into one flag, and every keyword's value kept with the node it came from, so a finding still
points at the line a person wrote. Views are cached per node: a shared component is viewed once.
"""

from __future__ import annotations

import posixpath
import urllib.parse
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Sequence

from .model import Where
from .normalize import _is_null_schema
from .spec import Node, Spec

# Keywords whose value is compared as a whole (scalars, lists of scalars).
SCALAR_KEYWORDS = (
    "format",
    "const",
    "default",
    "pattern",
    "readOnly",
    "writeOnly",
    "deprecated",
    "uniqueItems",
    "multipleOf",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "minContains",
    "maxContains",
    "contentMediaType",
    "contentEncoding",
    "dependentRequired",
    "x-sunset",
    "x-extensible-enum",
)
# Keywords holding one sub-schema.
SUBSCHEMA_KEYWORDS = (
    "items",
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contentSchema",
    "additionalItems",
)
# Keywords holding a map of name -> sub-schema.
SCHEMA_MAP_KEYWORDS = ("patternProperties", "dependentSchemas")
_KIND: dict[str, str] = {
    **{k: "scalar" for k in SCALAR_KEYWORDS},
    **{k: "sub" for k in SUBSCHEMA_KEYWORDS},
    **{k: "map" for k in SCHEMA_MAP_KEYWORDS},
    **{k: k for k in ("enum", "properties", "required", "prefixItems")},
}
# The pointer token of a property node made up by merging allOf members (see `_merge`).
MERGED = "/x-apiguard-merged"
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains")


# What a view holds nothing of: one shared, read-only empty mapping and sequence. A spec has
# thousands of views (2,400 in a Stripe diff), and most of their eight containers are empty:
# an empty dict or list each would be 1.4 MiB of the diff's working memory.
_EMPTY: Any = MappingProxyType({})


def _empty() -> Any:
    return _EMPTY


@dataclass(slots=True)
class SchemaView:
    """Built by `Viewer` (fresh containers, then `_compact`); read-only once cached."""

    node: Node
    types: frozenset[str] | None  # None: any type; never contains "null"
    nullable: bool
    keywords: dict[str, tuple[Any, Where]] = field(default_factory=_empty)
    properties: dict[str, Node] = field(default_factory=_empty)
    properties_where: Where | None = None
    required: dict[str, Where] = field(default_factory=_empty)
    subschemas: dict[str, Node] = field(default_factory=_empty)
    schema_maps: dict[str, dict[str, Node]] = field(default_factory=_empty)
    enum: tuple[list[Any], Where] | None = None
    one_of: Sequence[Node] = ()
    any_of: Sequence[Node] = ()
    discriminator: tuple[dict[str, Any], Where] | None = None
    prefix_items: Sequence[Node] = ()
    boolean: bool | None = None  # a `true`/`false` schema

    @property
    def where(self) -> Where:
        return self.node.where

    def bound(self, name: str) -> Any:
        hit = self.keywords.get(name)
        return None if hit is None else hit[0]


class Viewer:
    """Builds and caches views for one spec."""

    def __init__(self, spec: Spec, pointers: dict[str, str] | None = None) -> None:
        self.spec = spec
        # Equal pointers made one string: the two viewers of a diff share this table, and the
        # old and new versions of a schema mostly sit at the same pointers (Stripe: 0.6 MiB).
        self._pointer = (pointers if pointers is not None else {}).setdefault
        self._cache: dict[Where, SchemaView] = {}
        self._building: set[Where] = set()

    def view(self, node: Node) -> SchemaView:
        node = self.target(node)
        hit = self._cache.get(node.where)
        if hit is None:
            hit = self._with_siblings(node) if self._sibling_ref(node) else self._build(node)
            self._cache[node.where] = hit
        return hit

    def forget(self, node: Node) -> None:
        """Drop the cached view of `node` (a target, see `target`)."""
        self._cache.pop(node.where, None)

    def target(self, node: Node) -> Node:
        """The node a schema's view is built from: the end of its `$ref` chain, except for an
        OpenAPI 3.1 `$ref` with constraining keywords beside it (`{$ref: Pet, readOnly: true}`),
        which JSON Schema 2020-12 applies on top of the target: that node itself."""
        return node if self._sibling_ref(node) else self.spec.deref(node.value, node.where)

    def _sibling_ref(self, node: Node) -> bool:
        return self.spec.family == "3.1" and schema_siblings(node.value)

    def _with_siblings(self, node: Node) -> SchemaView:
        own = self._build(Node({k: v for k, v in node.value.items() if k != "$ref"}, node.where))
        if node.where in self._building:
            return own  # a reference back into itself: its own keywords are all there is
        self._building.add(node.where)
        try:
            target = self.view(self.spec.deref({"$ref": node.value["$ref"]}, node.where))
        finally:
            self._building.discard(node.where)
        return _merge(_copy_view(target, node), own)

    def _child(self, where: Where, *tokens: str | int) -> Where:
        child = where.child(*tokens)
        return Where(child.doc, self._pointer(child.pointer, child.pointer))

    def _build(self, node: Node) -> SchemaView:
        value = node.value
        if value is True:
            return SchemaView(node=node, types=None, nullable=True)  # `true` accepts what `{}` does
        if isinstance(value, bool):
            return SchemaView(node=node, types=None, nullable=False, boolean=False)
        if not isinstance(value, dict):
            return SchemaView(node=node, types=None, nullable=True)
        where = node.where
        view = SchemaView(node=node, types=None, nullable=False, keywords={}, properties={}, required={}, subschemas={}, schema_maps={})
        raw_type = value.get("type")
        types: set[str] | None = None
        if isinstance(raw_type, str):
            types = {raw_type}
        elif isinstance(raw_type, list):
            types = {str(t) for t in raw_type}
        if types is not None and "null" in types:
            view.nullable = True
            types.discard("null")
        if value.get("nullable") is True or value.get("x-nullable") is True:
            view.nullable = True
        view.types = frozenset(types) if types is not None else None
        # One pass over the keys the schema has (usually a handful), not over every keyword.
        for key, item in value.items():
            kind = _KIND.get(key)
            if kind is None:
                continue
            if kind == "scalar":
                view.keywords[key] = (item, self._child(where, key))
            elif kind == "sub":
                if isinstance(item, (dict, bool)):
                    view.subschemas[key] = Node(item, self._child(where, key))
            elif kind == "map":
                if isinstance(item, dict):
                    view.schema_maps[key] = {str(k): Node(v, self._child(where, key, str(k))) for k, v in item.items()}
            elif key == "enum":
                if isinstance(item, list):
                    view.enum = (item, self._child(where, "enum"))
            elif key == "properties":
                if isinstance(item, dict):
                    pw = view.properties_where = self._child(where, "properties")
                    for name, prop in item.items():
                        view.properties[str(name)] = Node(prop, self._child(pw, str(name)))
            elif key == "required":
                if isinstance(item, list):
                    for i, name in enumerate(item):
                        if isinstance(name, str):
                            view.required[name] = self._child(where, "required", i)
            elif key == "prefixItems":
                if isinstance(item, list):
                    view.prefix_items = [Node(v, self._child(where, "prefixItems", i)) for i, v in enumerate(item)]
        _compact(view)
        if isinstance(value.get("discriminator"), dict):
            view.discriminator = (value["discriminator"], self._child(where, "discriminator"))
        for combiner in ("oneOf", "anyOf"):
            members = value.get(combiner)
            if not isinstance(members, list):
                continue
            kept = [Node(m, self._child(where, combiner, i)) for i, m in enumerate(members) if not _is_null_schema(m)]
            if len(kept) < len(members):
                view.nullable = True
            if combiner == "anyOf" and view.types is None and len(kept) > 1 and all(_bare_type(m.value) for m in kept):
                # `anyOf: [{type: string}, {type: integer}]` is `type: [string, integer]` (how
                # Swagger 2.0 type lists are converted): its changes are type changes, not variants.
                view.types = frozenset(m.value["type"] for m in kept)
                continue
            if combiner == "oneOf":
                view.one_of = kept
            else:
                view.any_of = kept
        # A nullable wrapper around one schema (`oneOf: [X, {type: null}]`) is X, nullable.
        for attr in ("one_of", "any_of"):
            members_kept: list[Node] = getattr(view, attr)
            if (
                len(members_kept) == 1
                and view.nullable
                and not view.properties
                and view.types is None
                and node.where not in self._building
            ):
                self._building.add(node.where)
                try:
                    inner = self.view(members_kept[0])
                finally:
                    self._building.discard(node.where)
                merged = _copy_view(inner, node)
                merged.nullable = True
                setattr(view, attr, ())
                return _merge(merged, view)
        if isinstance(value.get("allOf"), list) and node.where not in self._building:
            self._building.add(node.where)
            try:
                for i, member in enumerate(value["allOf"]):
                    view = _merge(view, self.view(Node(member, self._child(where, "allOf", i))))
            finally:
                self._building.discard(node.where)
            if value.get("nullable") is True or value.get("x-nullable") is True:
                # `{nullable: true, allOf: [$ref: X]}` is how OpenAPI 3.0 (and Swagger 2.0's
                # x-nullable) writes "X or null", a `$ref` allowing no siblings there. Read as
                # meant, as generated clients read it (`X | null`), not as 3.0.3's wording (no
                # `type` beside it, so no effect): that a client may now get null must not pass.
                view.nullable = True
        return view


# Keywords beside a 3.1 `$ref` that say nothing a client could break on.
_ANNOTATIONS = frozenset(("$ref", "description", "summary", "title", "example", "examples", "$comment"))


def _bare_type(value: Any) -> bool:
    return type(value) is dict and len(value) == 1 and isinstance(value.get("type"), str) and value["type"] != "null"


def schema_siblings(value: Any) -> bool:
    """Whether `value` is a `$ref` with keywords beside it that constrain or mark the schema."""
    return type(value) is dict and "$ref" in value and len(value) > 1 and not _ANNOTATIONS.issuperset(value)


def _copy_view(src: SchemaView, node: Node) -> SchemaView:
    return SchemaView(
        node=node,
        types=src.types,
        nullable=src.nullable,
        keywords=dict(src.keywords),
        properties=dict(src.properties),
        properties_where=src.properties_where,
        required=dict(src.required),
        subschemas=dict(src.subschemas),
        schema_maps={k: dict(v) for k, v in src.schema_maps.items()},
        enum=src.enum,
        one_of=list(src.one_of),
        any_of=list(src.any_of),
        discriminator=src.discriminator,
        prefix_items=list(src.prefix_items),
        boolean=src.boolean,
    )


def _merge(base: SchemaView, other: SchemaView) -> SchemaView:
    """`base` and `other` must both hold (allOf): the view of their conjunction."""
    out = _copy_view(base, base.node)
    if other.types is not None:
        out.types = other.types if out.types is None else (out.types & other.types) or out.types
    # allOf only allows null when every member does; a member without `type` says nothing.
    if other.types is not None or other.boolean is False:
        out.nullable = out.nullable and other.nullable if base.types is not None else other.nullable
    for key, hit in other.keywords.items():
        if key not in out.keywords:
            out.keywords[key] = hit
        elif key in LOWER_BOUNDS and _num(hit[0]) is not None and _num(out.keywords[key][0]) is not None:
            if hit[0] > out.keywords[key][0]:
                out.keywords[key] = hit
        elif key in UPPER_BOUNDS and _num(hit[0]) is not None and _num(out.keywords[key][0]) is not None:
            if hit[0] < out.keywords[key][0]:
                out.keywords[key] = hit
    for name, prop in other.properties.items():
        prior = out.properties.get(name)
        if prior is None or prior.where == prop.where:
            out.properties[name] = prop
        else:
            # Two members define the same property: it must satisfy both, so its schema is their
            # conjunction. The node is made up: an allOf of `$ref`s to each definition (relative
            # to the first one's file), so every keyword is still read (and located) where it is
            # written. It sits at a pointer below the first definition that no document has, so
            # its view is cached apart.
            doc = prior.where.doc
            refs = _merged_refs(prior, doc) + _merged_refs(prop, doc)
            out.properties[name] = Node({"allOf": refs}, Where(doc, _base_pointer(prior) + MERGED))
    if out.properties_where is None:
        out.properties_where = other.properties_where
    for name, where in other.required.items():
        out.required.setdefault(name, where)
    for key, sub in other.subschemas.items():
        out.subschemas.setdefault(key, sub)
    for key, mapping in other.schema_maps.items():
        target = out.schema_maps.setdefault(key, {})
        for k, v in mapping.items():
            target.setdefault(k, v)
    if out.enum is None:
        out.enum = other.enum
    elif other.enum is not None:
        allowed = [v for v in out.enum[0] if v in other.enum[0]]
        out.enum = (allowed, out.enum[1])
    out.one_of = out.one_of or other.one_of
    out.any_of = out.any_of or other.any_of
    out.discriminator = out.discriminator or other.discriminator
    out.prefix_items = out.prefix_items or other.prefix_items
    return _compact(out)


def _compact(view: SchemaView) -> SchemaView:
    """`view` with its empty containers replaced by the shared empty ones."""
    if not view.keywords:
        view.keywords = _EMPTY
    if not view.properties:
        view.properties = _EMPTY
    if not view.required:
        view.required = _EMPTY
    if not view.subschemas:
        view.subschemas = _EMPTY
    if not view.schema_maps:
        view.schema_maps = _EMPTY
    if not view.one_of:
        view.one_of = ()
    if not view.any_of:
        view.any_of = ()
    if not view.prefix_items:
        view.prefix_items = ()
    return view


def _base_pointer(node: Node) -> str:
    p = node.where.pointer
    return p[: -len(MERGED)] if p.endswith(MERGED) else p


_SAFE = "/~{}$-_.!*'()@:;,=+&"


def _merged_refs(node: Node, doc: str) -> list[dict[str, str]]:
    """A property definition as `$ref`s written in the file `doc`: itself, or the members of an
    earlier merge."""
    if node.where.pointer.endswith(MERGED) and isinstance(node.value, dict):
        out = []
        for member in node.value.get("allOf") or []:
            file, _, frag = member["$ref"].partition("#")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(node.where.doc), urllib.parse.unquote(file))) if file else node.where.doc
            out.append({"$ref": _file_ref(target, doc) + "#" + frag})
        return out
    return [{"$ref": _file_ref(node.where.doc, doc) + "#" + urllib.parse.quote(node.where.pointer, safe=_SAFE)}]


def _file_ref(target: str, doc: str) -> str:
    """How the file `doc` refers to the file `target` (both keys of one source): nothing for
    itself, else a relative path, as `Source.join` reads it back."""
    if target == doc:
        return ""
    return urllib.parse.quote(posixpath.relpath(target, posixpath.dirname(doc) or "."), safe=_SAFE)


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
