"""Properties of the diff on generated specs: a spec against itself gives nothing; swapping old
and new mirrors every change; the result does not depend on key order or on the run."""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
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


# -- the equal-subtree shortcut ----------------------------------------------------------------

COMPONENTS = ["A", "B", "C", "D"]


@st.composite
def linked_pair(draw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A spec whose components reference each other (cycles and self-references included), and
    the same spec with one thing changed somewhere in one component."""
    schemas: dict[str, Any] = {}
    for name in COMPONENTS:
        props: dict[str, Any] = {}
        for prop in draw(st.lists(NAMES, min_size=1, max_size=3, unique=True)):
            kind = draw(st.integers(0, 3))
            target = {"$ref": "#/components/schemas/" + draw(st.sampled_from(COMPONENTS))}
            props[prop] = target if kind == 0 else {"type": "array", "items": target} if kind == 1 else draw(leaf_schema())
        schemas[name] = {"type": "object", "properties": props}
    paths: dict[str, Any] = {}
    for path in ("/a", "/b", "/c"):
        ref = {"$ref": "#/components/schemas/" + draw(st.sampled_from(COMPONENTS))}
        op: dict[str, Any] = {"responses": {"200": {"description": "r", "content": {"application/json": {"schema": ref}}}}}
        method = draw(st.sampled_from(["get", "post"]))
        if method == "post":
            body = {"$ref": "#/components/schemas/" + draw(st.sampled_from(COMPONENTS))}
            op["requestBody"] = {"content": {"application/json": {"schema": body}}}
        paths[path] = {method: op}
    old = {"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": paths, "components": {"schemas": schemas}}
    new = json.loads(json.dumps(old))
    props = new["components"]["schemas"][draw(st.sampled_from(COMPONENTS))]["properties"]
    prop = draw(st.sampled_from(sorted(props)))
    change = draw(st.integers(0, 2))
    if change == 0:
        props[prop] = draw(leaf_schema())
    elif change == 1:
        del props[prop]
    else:
        props["extra"] = draw(leaf_schema())
    return old, new


def _settled_first() -> tuple[dict[str, Any], dict[str, Any]]:
    """/a reaches A, which changed; /b reaches C, equal, which reaches A through B: when B is
    first explored, A is already settled."""
    def spec(x_type: str) -> dict[str, Any]:
        def response(name: str) -> dict[str, Any]:
            schema = {"$ref": "#/components/schemas/" + name}
            return {"get": {"responses": {"200": {"description": "r", "content": {"application/json": {"schema": schema}}}}}}

        schemas = {
            "A": {"type": "object", "properties": {"x": {"type": x_type}}},
            "B": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}},
            "C": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
        }
        paths = {"/a": response("A"), "/b": response("C")}
        return {"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": paths, "components": {"schemas": schemas}}

    return spec("string"), spec("integer")


@SETTINGS
@example(_settled_first())
@given(linked_pair())
def test_the_equal_subtree_shortcut_finds_what_the_full_walk_finds(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """Equal subtrees are skipped when their references lead to equal nodes all the way down.
    With references in cycles and one change anywhere among them, the changes found, and the
    operations each reaches, are exactly those of the walk that skips nothing."""
    from apiguard.diff import Differ

    class Full(Differ):
        def _same_below(self, value: object, ow: object, nw: object) -> bool:
            return False

    with tempfile.TemporaryDirectory() as tmp:
        a = _load(pair[0], Path(tmp), "a.json")
        b = _load(pair[1], Path(tmp), "b.json")
        key = lambda c: (c.kind, c.old, c.new, c.direction, tuple(sorted(c.operations)))  # noqa: E731
        assert sorted(map(key, compare(a, b))) == sorted(map(key, Full(a, b).run()))


def test_a_change_lists_its_operations_in_document_order(tmp_path: Path) -> None:
    """A change in a shared schema lists every operation that reaches it in the new version's
    order (paths as written, the methods of a path in OpenAPI's order), not alphabetically and
    not in the order the walk happened to reach them; the first names the finding."""

    def version(kinds: list[str]) -> dict[str, Any]:
        ok = {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}}
        return {
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/zoo": {"post": {"responses": ok}, "get": {"responses": ok}},
                "/ant": {"get": {"responses": ok}},
                "/middle": {"delete": {"responses": ok}},
            },
            "components": {"schemas": {"Pet": {"type": "object", "properties": {"kind": {"type": "string", "enum": kinds}}}}},
        }

    old = _load(version(["cat"]), tmp_path, "old.json")
    new = _load(version(["cat", "dog"]), tmp_path, "new.json")
    changes = [c for c in compare(old, new) if c.kind.startswith("schema.enum")]
    assert len(changes) == 1
    assert changes[0].operations == ("GET /zoo", "POST /zoo", "GET /ant", "DELETE /middle")
    assert changes[0].operation == "GET /zoo"


def test_a_required_change_has_one_subject_in_both_directions(tmp_path: Path) -> None:
    """A property that became optional while its owner turned from an inline schema into a
    component is named by that component in both directions (found by the mirror property
    above: the subject once followed the new side's owner only)."""
    shared = {"$ref": "#/components/schemas/Shared"}

    def version(name_schema: dict[str, Any], component: dict[str, Any]) -> dict[str, Any]:
        body = {"content": {"application/json": {"schema": {"type": "object", "properties": {"name": name_schema}}}}}
        return {
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/owners": {"post": {"requestBody": body, "responses": {"200": {"description": "ok"}}}}},
            "components": {"schemas": {"Shared": component}},
        }

    a = version({"type": "object", "properties": {"id": shared}, "required": ["id"]}, {"type": "object", "properties": {}})
    b = version(shared, {"type": "object", "properties": {"id": shared}})
    old, new = _load(a, tmp_path, "a.json"), _load(b, tmp_path, "b.json")
    forward, backward = compare(old, new), compare(new, old)
    assert _signature(forward) == _signature(backward, swap=True)
    assert [c.subject for c in forward if c.kind == "schema.required.changed"] == ["Shared.id"]
    assert [c.subject for c in backward if c.kind == "schema.required.changed"] == ["Shared.id"]
