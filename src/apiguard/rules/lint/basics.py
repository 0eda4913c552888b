"""The basics any OpenAPI linter checks: operation ids, success responses, path parameters,
unused components and declared servers. Validation problems (`spec-invalid`, including duplicate
operationIds and undeclared path parameters) are raised while loading, not here."""

from __future__ import annotations

import re
import urllib.parse
from typing import Any, Iterable, Iterator

from ...model import Where, split_pointer
from ...normalize import HTTP_METHODS, template_names
from ...registry import Hit, lint_rule
from ...spec import Node, Operation, Spec
from ._common import LintContext, event_operations, hit


@lint_rule
def servers_declared(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """The spec names at least one server, so clients know the base URL."""
    # Swagger 2.0 `host`/`basePath` reach here already converted to `servers`.
    if spec.servers or all(op.servers for op in spec.operations.values()):
        return
    if not spec.operations:
        return
    yield hit(spec.root.where.child("info") if "info" in spec.root.value else spec.root.where)


@lint_rule
def operation_id_missing(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """Every operation has an `operationId`; without one, SDK generators derive method names from
    the path and method, and those names change whenever the path does. A non-string id is a
    validation problem, not this rule's."""
    for op in spec.operations.values():
        value = op.data.get("operationId")
        if value is None or (isinstance(value, str) and not value.strip()):
            yield hit(op.node.where, [op.label], operation=op.label, suggestion=_suggest_id(op))


def _suggest_id(op: Operation) -> str:
    words = [w for w in re.split(r"[^A-Za-z0-9]+", re.sub(r"\{[^}]*\}", "", op.path)) if w]
    by_param = [w for w in re.findall(r"\{([^}]+)\}", op.path)]
    name = op.method.lower() + "".join(w[:1].upper() + w[1:] for w in words)
    if by_param:
        name += "By" + by_param[-1][:1].upper() + re.sub(r"[^A-Za-z0-9]", "", by_param[-1][1:])
    return name


@lint_rule
def success_response_missing(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """Every operation documents what success looks like: a 2xx or 3xx response, or `101` for a
    protocol switch. `default` alone leaves clients guessing which status means success. A
    deprecated operation that documents `410 Gone` is retired: it has no success left to state."""
    for op in spec.operations.values():
        statuses = list(op.responses)
        if any(s[:1] in ("2", "3") or s == "101" for s in statuses):
            continue
        if op.data.get("deprecated") is True and "410" in statuses:
            continue
        raw = op.data.get("responses")
        where = op.node.where.child("responses") if isinstance(raw, dict) else op.node.where
        documented = ", ".join(statuses) if statuses else "none"
        yield hit(where, [op.label], operation=op.label, documented=documented)


@lint_rule
def path_parameter_unused(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """Every `in: path` parameter names a `{placeholder}` of its path template. Reported where
    the parameter is listed (a `$ref` to a shared parameter is wrong at the listing, not at the
    component)."""
    paths = spec.root.value.get("paths")
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        path = str(path)
        try:
            item_node = spec.deref(item, spec.root.where.child("paths", path))
        except Exception:
            continue
        if not isinstance(item_node.value, dict):
            continue
        names = set(template_names(path))
        methods = [m for m in HTTP_METHODS if isinstance(item_node.value.get(m), dict)]
        labels = [f"{m.upper()} {path}" for m in methods]
        yield from _unused_in(spec, item_node, names, path, labels)
        for method, label in zip(methods, labels):
            op_node = spec.child(item_node, method)
            if op_node is not None and isinstance(op_node.value, dict):
                yield from _unused_in(spec, op_node, names, path, [label])


def _unused_in(spec: Spec, owner: Node, names: set[str], path: str, labels: list[str]) -> Iterator[Hit]:
    raw = owner.value.get("parameters")
    if not isinstance(raw, list):
        return
    for i, item in enumerate(raw):
        where = owner.where.child("parameters", i)
        try:
            param = spec.deref(item, where)
        except Exception:
            continue
        value = param.value
        if not isinstance(value, dict) or value.get("in") != "path" or not isinstance(value.get("name"), str):
            continue
        if value["name"] not in names:
            known = ", ".join("{" + n + "}" for n in sorted(names)) or "none"
            yield hit(where, labels, name=value["name"], path=path, placeholders=known)


# component-unused ------------------------------------------------------------------------------
# Sections of `components` whose entries are used through `$ref` (securitySchemes are used by
# name in security requirements).
_REF_SECTIONS = ("schemas", "responses", "parameters", "requestBodies", "headers", "examples", "links", "callbacks", "pathItems")
_SWAGGER2_SECTIONS = {"schemas": "definitions", "requestBodies": "parameters", "securitySchemes": "securityDefinitions"}


@lint_rule
def component_unused(spec: Spec, ctx: LintContext) -> Iterable[Hit]:
    """A component under `components` that nothing references. Any `$ref` anywhere in any file of
    the spec counts as a use (also from another component that is itself unused), except a
    schema's reference to itself; a discriminator `mapping` value counts, and so does a schema
    that extends (`allOf`) a schema with a `discriminator`, because clients reach it through
    the discriminator value. Security schemes are used when a security requirement names them."""
    root = spec.root
    components = root.value.get("components")
    if not isinstance(components, dict):
        return
    base = root.where.child("components")
    wanted = {s for s in _REF_SECTIONS if isinstance(components.get(s), dict) and components[s]}
    # Swagger 2.0 was converted to the 3.x shape: name the sections as the user wrote them.
    shown = _SWAGGER2_SECTIONS if spec.family == "2.0" else {}
    used: set[tuple[str, str]] = set()
    selfish: set[tuple[str, str]] = set()
    if wanted:
        used, selfish = _referenced(spec, wanted)
    for section in _REF_SECTIONS:
        entries = components.get(section)
        if section not in wanted or not isinstance(entries, dict):
            continue
        for name, value in entries.items():
            name = str(name)
            if (section, name) in used:
                continue
            if section == "schemas" and _extends_discriminated(spec, value, base.child(section, name)):
                continue
            yield hit(base.child(section, name), (), section=shown.get(section, section), name=name,
                      how="only its own `$ref`s point to it" if (section, name) in selfish else "no `$ref` points to it")
    schemes = components.get("securitySchemes")
    if isinstance(schemes, dict) and schemes:
        named = _security_names(spec)
        for name in schemes:
            if str(name) not in named:
                section = shown.get("securitySchemes", "securitySchemes")
                how = "no security requirement names it"
                yield hit(base.child("securitySchemes", str(name)), (), section=section, name=str(name), how=how)


def _referenced(spec: Spec, sections: set[str]) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(section, name) of every root component some `$ref` (or discriminator mapping) reaches,
    and of those that refer to themselves."""
    root_key = spec.resolver.root_key
    prefix = "/components/"
    used: set[tuple[str, str]] = set()
    selfish: set[tuple[str, str]] = set()
    for key, doc in spec.documents.items():
        refs = _refs_of(doc.data, key == root_key)
        for ref, holder in refs:
            if ref == "#" or ref.startswith("#/"):
                if key != root_key:
                    continue
                pointer = urllib.parse.unquote(ref[1:])
            else:
                try:
                    target = spec.resolver.resolve_ref(ref, Where(key, ""))
                except Exception:
                    continue
                if target.doc != root_key:
                    continue
                pointer = target.pointer
            if not pointer.startswith(prefix):
                continue
            tokens = split_pointer(pointer)
            if len(tokens) < 3 or tokens[1] not in sections:
                continue
            if holder is not None and holder == (tokens[1], tokens[2]):
                selfish.add(holder)  # a schema that only refers to itself is not used by that
                continue
            used.add((tokens[1], tokens[2]))
    return used, selfish


def _refs_of(data: Any, is_root: bool) -> set[tuple[str, tuple[str, str] | None]]:
    """Every `$ref` string in `data` with the root component that holds it (None outside
    `components`), plus discriminator mapping values spelled as references."""
    out: set[tuple[str, tuple[str, str] | None]] = set()
    dict_, list_, str_ = dict, list, str
    starts: list[tuple[Any, tuple[str, str] | None]] = []
    comps = data.get("components") if is_root and isinstance(data, dict) else None
    if isinstance(comps, dict):
        for section, entries in comps.items():
            if isinstance(entries, dict):
                starts.extend((v, (str(section), str(n))) for n, v in entries.items())
            else:
                starts.append((entries, None))
        starts.extend((v, None) for k, v in data.items() if k != "components")
    else:
        starts.append((data, None))
    add = out.add
    for start, holder in starts:
        stack = [start]
        pop, push = stack.pop, stack.append
        while stack:
            value = pop()
            if type(value) is dict_:
                ref = value.get("$ref")
                if ref.__class__ is str_:
                    add((ref, holder))
                mapping = value.get("mapping")
                if type(mapping) is dict_ and "propertyName" in value:
                    for target in mapping.values():
                        if target.__class__ is str_:
                            # A bare name is a schema name; anything else is a reference.
                            plain = not ("#" in target or "/" in target or "." in target)
                            add(("#/components/schemas/" + target if plain else target, holder))
                for child in value.values():
                    if type(child) is dict_ or type(child) is list_:
                        push(child)
            elif type(value) is list_:
                for child in value:
                    if type(child) is dict_ or type(child) is list_:
                        push(child)
    return out


def _extends_discriminated(spec: Spec, value: Any, where: Where) -> bool:
    if not isinstance(value, dict) or not isinstance(value.get("allOf"), list):
        return False
    for i, member in enumerate(value["allOf"]):
        if isinstance(member, dict) and "$ref" in member:
            try:
                target = spec.deref(member, where.child("allOf", i))
            except Exception:
                continue
            if isinstance(target.value, dict) and "discriminator" in target.value:
                return True
    return False


def _security_names(spec: Spec) -> set[str]:
    names: set[str] = set()

    def take(requirements: Any) -> None:
        if isinstance(requirements, list):
            for req in requirements:
                if isinstance(req, dict):
                    names.update(str(k) for k in req)

    take(spec.root.value.get("security"))
    ops = list(spec.operations.values()) + list(spec.webhooks.values())
    try:
        ops += [op for _, _, op in event_operations(spec)]
    except Exception:
        pass
    for op in ops:
        take(op.data.get("security"))
    return names
