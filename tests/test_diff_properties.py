"""Properties of the diff on generated specs: a spec against itself gives nothing; swapping old
and new mirrors every change; the result does not depend on key order or on the run."""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apiguard import load_spec
from apiguard.diff import compare
from apiguard.loader import LoadOptions

NAMES = st.sampled_from(["id", "name", "tag", "age", "owner", "color", "size", "kind"])
TYPES = st.sampled_from(["string", "integer", "number", "boolean"])


@st.composite
def leaf_schema(draw: Any) -> dict[str, Any]:
    t = draw(TYPES)
    schema: dict[str, Any] = {"type": t}
    if t == "string" and draw(st.booleans()):
        schema["enum"] = draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4, unique=True))
    if t in ("integer", "number") and draw(st.booleans()):
        schema["maximum"] = draw(st.integers(1, 100))
    if t == "string" and draw(st.booleans()):
        schema["maxLength"] = draw(st.integers(1, 50))
    if draw(st.booleans()):
        schema["nullable"] = True
    return schema


@st.composite
def object_schema(draw: Any, depth: int = 0) -> dict[str, Any]:
    names = draw(st.lists(NAMES, min_size=0, max_size=4, unique=True))
    props: dict[str, Any] = {}
    for name in names:
        if depth < 1 and draw(st.integers(0, 4)) == 0:
            props[name] = draw(object_schema(depth + 1))
        elif draw(st.integers(0, 5)) == 0:
            props[name] = {"$ref": "#/components/schemas/Shared"}
        elif draw(st.integers(0, 5)) == 0:
            props[name] = {"type": "array", "items": draw(leaf_schema())}
        else:
            props[name] = draw(leaf_schema())
    schema: dict[str, Any] = {"type": "object", "properties": props}
    required = [n for n in names if draw(st.booleans())]
    if required:
        schema["required"] = required
    if draw(st.integers(0, 4)) == 0:
        schema["additionalProperties"] = False
    return schema


@st.composite
def spec_dict(draw: Any) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for path in draw(st.lists(st.sampled_from(["/pets", "/pets/{id}", "/owners", "/owners/{id}/pets"]), min_size=1, max_size=3, unique=True)):
        item: dict[str, Any] = {}
        for method in draw(st.lists(st.sampled_from(["get", "post", "delete"]), min_size=1, max_size=2, unique=True)):
            op: dict[str, Any] = {"operationId": f"{method}{path.replace('/', '_').replace('{', '').replace('}', '')}"}
            params = []
            if "{id}" in path:
                params.append({"name": "id", "in": "path", "required": True, "schema": {"type": "string"}})
            for qname in draw(st.lists(st.sampled_from(["limit", "cursor", "q"]), max_size=2, unique=True)):
                params.append({"name": qname, "in": "query", "required": draw(st.booleans()), "schema": draw(leaf_schema())})
            if params:
                op["parameters"] = params
            if method == "post" and draw(st.booleans()):
                op["requestBody"] = {
                    "required": draw(st.booleans()),
                    "content": {"application/json": {"schema": draw(object_schema())}},
                }
            responses: dict[str, Any] = {}
            for code in draw(st.lists(st.sampled_from(["200", "201", "404", "default"]), min_size=1, max_size=3, unique=True)):
                resp: dict[str, Any] = {"description": "r"}
                if draw(st.booleans()):
                    resp["content"] = {"application/json": {"schema": draw(object_schema())}}
                if draw(st.integers(0, 3)) == 0:
                    resp["headers"] = {"X-Rate-Limit": {"schema": {"type": "integer"}, "required": draw(st.booleans())}}
                responses[code] = resp
            op["responses"] = responses
            if draw(st.integers(0, 4)) == 0:
                op["deprecated"] = True
            item[method] = op
        paths[path] = item
    return {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": paths,
        "components": {"schemas": {"Shared": draw(object_schema(1))}},
    }


def _load(doc: dict[str, Any], folder: Path, name: str):  # type: ignore[no-untyped-def]
    (folder / name).write_text(json.dumps(doc))
    return load_spec(name, LoadOptions(cwd=folder, validate="off"))


MIRROR = {
    "operation.added": "operation.removed",
    "parameter.added": "parameter.removed",
    "request-body.added": "request-body.removed",
    "media-type.added": "media-type.removed",
    "response.added": "response.removed",
    "header.added": "header.removed",
    "schema.property.added": "schema.property.removed",
    "schema.enum.values-added": "schema.enum.values-removed",
    "schema.enum.added": "schema.enum.dropped",
    "link.added": "link.removed",
    "callback.added": "callback.removed",
    "schema.added": "schema.removed",
}
MIRROR.update({v: k for k, v in MIRROR.items()})


def _signature(changes: list, swap: bool = False) -> list[tuple[str, str, str]]:
    out = []
    for c in changes:
        kind = MIRROR.get(c.kind, c.kind) if swap else c.kind
        old, new = (c.new_value, c.old_value) if swap and kind == c.kind else (c.old_value, c.new_value)
        if kind.endswith(".added") or kind.endswith(".removed") or kind.startswith("schema.enum"):
            old = new = None  # the values of additions and removals are the things themselves
        out.append((kind, c.subject, json.dumps([old, new], sort_keys=True, default=str)))
    return sorted(out)


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(spec_dict())
def test_a_spec_against_itself_gives_no_change(doc: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        a = _load(doc, Path(tmp), "a.json")
        b = _load(doc, Path(tmp), "b.json")
        assert compare(a, b) == []


@SETTINGS
@given(spec_dict(), spec_dict())
def test_swapping_old_and_new_mirrors_the_changes(doc_a: dict[str, Any], doc_b: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        a = _load(doc_a, Path(tmp), "a.json")
        b = _load(doc_b, Path(tmp), "b.json")
        forward = compare(a, b)
        backward = compare(b, a)
        assert _signature(forward) == _signature(backward, swap=True)


@SETTINGS
@given(spec_dict(), spec_dict(), st.integers(0, 2**32 - 1))
def test_result_is_deterministic_and_independent_of_key_order(doc_a: dict[str, Any], doc_b: dict[str, Any], seed: int) -> None:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        first = compare(_load(doc_a, folder, "a.json"), _load(doc_b, folder, "b.json"))
        again = compare(_load(doc_a, folder, "a.json"), _load(doc_b, folder, "b.json"))
        shuffled = compare(_load(_shuffled(doc_a, rng), folder, "a2.json"), _load(_shuffled(doc_b, rng), folder, "b2.json"))
        assert [(c.kind, c.subject, c.old, c.new) for c in first] == [(c.kind, c.subject, c.old, c.new) for c in again]
        assert _signature(first) == _signature(shuffled)
