"""One canonical view of any OpenAPI version.

Swagger 2.0 is mapped onto the 3.x shape first (see `swagger2.py`). Then the operations are
indexed by method + path with parameter names erased (`/pets/{id}` and `/pets/{petId}` are the
same endpoint), path-level parameters are merged into each operation, header names are made
case-insensitive, and each operation's effective servers and URL paths are worked out. Schema
canonicalization (the three nullable spellings of 3.0 `nullable`, 3.1 type arrays and
`oneOf`/`anyOf` with a null member made one) is a function the diff calls per schema, so loading
never walks every schema node.
"""

from __future__ import annotations

import re
import urllib.parse
from functools import lru_cache
from typing import Any

from .model import Where
from .spec import Node, Operation, Parameter, Spec

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE = re.compile(r"\{[^}/]*\}")
_TEMPLATE_NAME = re.compile(r"\{([^}/]+)\}")


@lru_cache(maxsize=8192)
def path_key(path: str) -> str:
    """Identity of a path template: parameter names erased, so a rename is no change."""
    return _TEMPLATE.sub("{}", path)


def template_names(path: str) -> list[str]:
    """The parameter names of a path template, in order: `/a/{x}/b/{y}` -> [x, y]."""
    return _TEMPLATE_NAME.findall(path)


def status_key(code: Any) -> str:
    """Response keys as one spelling: "200", "4XX", "default" (YAML may give 200 as an int)."""
    hit = _STATUS_KEYS.get(code)
    if hit is None:
        text = str(code).strip()
        hit = "default" if text.lower() == "default" else text.upper()
        if len(_STATUS_KEYS) < 1000:  # one string per spelling, not one per response
            _STATUS_KEYS[code] = hit
    return hit


_STATUS_KEYS: dict[Any, str] = {}


def build(spec: Spec) -> None:
    """Fill `spec.operations`, `spec.webhooks` and `spec.servers` from the root document."""
    root = spec.root
    data = root.value
    spec.servers = _servers(data.get("servers"))
    global_security = Node(data["security"], root.where.child("security")) if "security" in data else None
    paths = data.get("paths") or {}
    for path, item in paths.items():
        path = str(path)
        item_node = spec.deref(item, root.where.child("paths", path))
        for op in path_item_operations(spec, path, item_node, global_security, spec.servers, prefix=""):
            # Two templates that differ only in parameter names are one endpoint; the first wins
            # and the spec is invalid anyway (the validator reports it).
            spec.operations.setdefault(op.key, op)
    webhooks = data.get("webhooks") or {}
    if isinstance(webhooks, dict):
        for name, item in webhooks.items():
            item_node = spec.deref(item, root.where.child("webhooks", str(name)))
            for op in path_item_operations(spec, str(name), item_node, None, (), prefix="webhook "):
                spec.webhooks.setdefault(op.key, op)


def path_item_operations(
    spec: Spec, path: str, item: Node, global_security: Node | None, root_servers: tuple[str, ...], prefix: str
) -> list[Operation]:
    if not isinstance(item.value, dict):
        return []
    shared = _parameters(spec, item, item.value.get("parameters"))
    item_servers = _servers(item.value.get("servers")) or root_servers
    ops = []
    for method in HTTP_METHODS:
        raw = item.value.get(method)
        if not isinstance(raw, dict):
            continue
        node = spec.deref(raw, item.where.child(method))
        value = node.value
        params = dict(shared)
        params.update(_parameters(spec, node, value.get("parameters")))
        body = None
        if "requestBody" in value:
            body = spec.deref(value["requestBody"], node.where.child("requestBody"))
        responses: dict[str, Node] = {}
        raw_responses = value.get("responses")
        if isinstance(raw_responses, dict):
            for code, resp in raw_responses.items():
                responses[status_key(code)] = spec.deref(resp, node.where.child("responses", str(code)))
        security = global_security
        if "security" in value:
            security = Node(value["security"], node.where.child("security"))
        servers = _servers(value.get("servers")) or item_servers
        callbacks = {}
        if isinstance(value.get("callbacks"), dict):
            for name, cb in value["callbacks"].items():
                callbacks[str(name)] = spec.deref(cb, node.where.child("callbacks", str(name)))
        key = f"{prefix}{method} {path_key(path)}"
        url_paths = tuple(sorted({path_key(_join_url_path(s, path)) for s in (servers or ("/",))}))
        ops.append(
            Operation(
                method=method,
                path=path,
                key=key,
                node=node,
                parameters=params,
                request_body=body,
                responses=responses,
                security=security,
                servers=servers,
                url_paths=url_paths,
                callbacks=callbacks,
            )
        )
    return ops


def _parameters(spec: Spec, owner: Node, raw: Any) -> dict[tuple[str, str], Parameter]:
    out: dict[tuple[str, str], Parameter] = {}
    if not isinstance(raw, list):
        return out
    for i, item in enumerate(raw):
        node = spec.deref(item, owner.where.child("parameters", i))
        value = node.value
        if not isinstance(value, dict) or "name" not in value or "in" not in value:
            continue
        location = str(value["in"])
        param = Parameter(
            name=str(value["name"]),
            location=location,
            node=node,
            required=bool(value.get("required")) or location == "path",
        )
        out[param.key] = param
    return out


def _servers(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list):
        return ()
    urls = []
    for server in raw:
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            continue
        url = server["url"]
        variables = server.get("variables") or {}
        for name, var in variables.items() if isinstance(variables, dict) else ():
            if isinstance(var, dict) and "default" in var:
                url = url.replace("{" + str(name) + "}", str(var["default"]))
        urls.append(url)
    return tuple(urls)


def _join_url_path(server: str, path: str) -> str:
    return server_path(server) + path


@lru_cache(maxsize=256)
def server_path(server: str) -> str:
    """The path part of a server URL, without a trailing slash (`https://h/v1/` -> `/v1`)."""
    base = urllib.parse.urlsplit(server).path if "://" in server else server.split("?", 1)[0]
    return base.rstrip("/")


# ----------------------------------------------------------------------------------------------
# Schemas


def schema_types(schema: Any) -> frozenset[str] | None:
    """The JSON types a schema allows, with every nullable spelling folded in; None = any."""
    if not isinstance(schema, dict):
        return None
    raw = schema.get("type")
    types: set[str] | None
    if isinstance(raw, str):
        types = {raw}
    elif isinstance(raw, list):
        types = {str(t) for t in raw}
    else:
        types = None
    if schema.get("nullable") is True and types is not None:
        types.add("null")
    if types is None:
        for combiner in ("oneOf", "anyOf"):
            members = schema.get(combiner)
            if isinstance(members, list) and any(_is_null_schema(m) for m in members):
                rest = [m for m in members if not _is_null_schema(m)]
                if len(rest) == 1 and isinstance(rest[0], dict) and "$ref" not in rest[0]:
                    inner = schema_types(rest[0])
                    return None if inner is None else frozenset(inner | {"null"})
    return None if types is None else frozenset(types)


def is_nullable(schema: Any) -> bool:
    """True when null is allowed, however the spec says it (3.0 `nullable`, 3.1 type array,
    or a `oneOf`/`anyOf` member of type null)."""
    if not isinstance(schema, dict):
        return False
    if schema.get("nullable") is True:
        return True
    raw = schema.get("type")
    if isinstance(raw, list) and "null" in raw:
        return True
    for combiner in ("oneOf", "anyOf"):
        members = schema.get(combiner)
        if isinstance(members, list) and any(_is_null_schema(m) for m in members):
            return True
    return False


def _is_null_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and (schema.get("type") == "null" or schema.get("type") == ["null"]) and len(
        [k for k in schema if k not in ("description", "title")]
    ) == 1


def canonical(spec: Spec, value: Any, where: Where, _stack: tuple[Where, ...] = ()) -> Any:
    """A plain, reference-free, spelling-independent copy of `value` for equality checks.

    `$ref`s are followed; a reference back into the chain being expanded becomes
    `{"$cycle": pointer}` so recursive schemas terminate. Nullable spellings are folded into a
    sorted type list, header maps are keyed case-insensitively.
    """
    if isinstance(value, dict) and isinstance(value.get("$ref"), str):
        target_value, target = spec.resolver.deref(value, where)
        if target in _stack:
            return {"$cycle": target.pointer}
        extra = {k: v for k, v in value.items() if k != "$ref"}
        result = canonical(spec, target_value, target, _stack + (target,))
        if extra and isinstance(result, dict):
            # 3.1 allows siblings of $ref; they apply on top of the target.
            result = {**result, **{k: canonical(spec, v, where.child(k), _stack) for k, v in extra.items()}}
        return result
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            key = str(key)
            out[key] = canonical(spec, item, where.child(key), _stack)
        return _fold_schema(out)
    if isinstance(value, list):
        return [canonical(spec, item, where.child(i), _stack) for i, item in enumerate(value)]
    return value


def _fold_schema(obj: dict[str, Any]) -> dict[str, Any]:
    if "headers" in obj and isinstance(obj["headers"], dict):
        obj["headers"] = {k.lower(): v for k, v in obj["headers"].items()}
    types = obj.get("type")
    if isinstance(types, str) and types in ("string", "number", "integer", "boolean", "array", "object", "null"):
        types = [types]
    if isinstance(types, list):
        types = set(types)
        if obj.pop("nullable", None) is True:
            types.add("null")
        obj["type"] = sorted(types)
    elif obj.get("nullable") is False:
        obj.pop("nullable")
    for combiner in ("oneOf", "anyOf"):
        members = obj.get(combiner)
        if isinstance(members, list) and len(members) == 2 and any(_is_null_schema(m) for m in members):
            rest = [m for m in members if not _is_null_schema(m)][0]
            if isinstance(rest, dict) and isinstance(rest.get("type"), list):
                merged = {k: v for k, v in obj.items() if k != combiner}
                merged.update(rest)
                merged["type"] = sorted(set(rest["type"]) | {"null"})
                return merged
    return obj


def canonical_model(spec: Spec) -> dict[str, Any]:
    """The whole normalized contract as plain data: equal for equivalent specs however written."""

    def op_model(op: Operation) -> dict[str, Any]:
        value = op.node.value
        return {
            "method": op.method,
            "operationId": op.operation_id,
            "summary": value.get("summary"),
            "description": value.get("description"),
            "tags": list(op.tags),
            "deprecated": op.deprecated,
            "url_paths": list(op.url_paths),
            "parameters": {
                f"{loc}:{name}": _param_model(spec, p) for (loc, name), p in sorted(op.parameters.items())
            },
            "requestBody": canonical(spec, op.request_body.value, op.request_body.where) if op.request_body else None,
            "responses": {code: canonical(spec, n.value, n.where) for code, n in sorted(op.responses.items())},
            "security": canonical(spec, op.security.value, op.security.where) if op.security else None,
            "callbacks": {k: canonical(spec, n.value, n.where) for k, n in sorted(op.callbacks.items())},
        }

    root = spec.root.value
    components = root.get("components") or {}
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    return {
        "family": "3.x" if spec.family in ("2.0", "3.0") else spec.family,
        "servers": list(spec.servers),
        "operations": {k: op_model(op) for k, op in sorted(spec.operations.items())},
        "webhooks": {k: op_model(op) for k, op in sorted(spec.webhooks.items())},
        "securitySchemes": canonical(spec, schemes, spec.root.where.child("components", "securitySchemes"))
        if schemes
        else {},
    }


def _param_model(spec: Spec, param: Parameter) -> Any:
    value = canonical(spec, param.node.value, param.node.where)
    if param.location == "header" and isinstance(value, dict):
        value = {**value, "name": str(value.get("name", "")).lower()}
    return value
