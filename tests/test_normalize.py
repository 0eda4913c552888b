"""The canonical model: one shape for Swagger 2.0, OpenAPI 3.0 and 3.1, and for every spelling
of the same contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apiguard import InputError, compare, load_spec
from apiguard.loader import LoadOptions
from apiguard.normalize import canonical, canonical_model, is_nullable, path_key, schema_types

from conftest import FIXTURES

NORMALIZE = FIXTURES / "normalize"


def _load_text(tmp_path: Path, name: str, text: str):  # type: ignore[no-untyped-def]
    (tmp_path / name).write_text(text)
    return load_spec(name, LoadOptions(cwd=tmp_path))


def test_swagger2_petstore_and_its_30_twin_normalize_to_equal_models() -> None:
    v2 = load_spec(str(NORMALIZE / "petstore-v2.yaml"))
    v3 = load_spec(str(NORMALIZE / "petstore-v3.yaml"))
    assert v2.family == "2.0" and v3.family == "3.0"
    assert v2.problems == [] and v3.problems == []
    assert canonical_model(v2) == canonical_model(v3)
    assert compare(v2, v3).findings == []
    assert compare(v3, v2).findings == []


def test_swagger2_findings_point_into_the_original_file() -> None:
    v2 = load_spec(str(NORMALIZE / "petstore-v2.yaml"))
    text = (NORMALIZE / "petstore-v2.yaml").read_text().splitlines()
    for op in v2.operations.values():
        if op.request_body is not None and op.request_body.where.doc == v2.resolver.root_key:
            loc = v2.locate(op.request_body.where)
            # the converted requestBody comes from the body parameter (or, for a form, the
            # parameter list) of the 2.0 file
            line = text[loc.line - 1].strip()
            assert line.startswith(("- name:", "- in:", "- $ref", "parameters:")), line


def test_renamed_path_parameter_is_the_same_endpoint(tmp_path: Path) -> None:
    base = 'openapi: 3.0.3\ninfo: {title: T, version: "1"}\npaths:\n  /pets/{%s}/toys/{%s}:\n    get:\n      parameters:\n        - {name: %s, in: path, required: true, schema: {type: string}}\n        - {name: %s, in: path, required: true, schema: {type: string}}\n      responses: {"200": {description: ok}}\n'
    old = _load_text(tmp_path, "old.yaml", base % ("petId", "toyId", "petId", "toyId"))
    new = _load_text(tmp_path, "new.yaml", base % ("id", "t", "id", "t"))
    assert list(old.operations) == list(new.operations) == ["get /pets/{}/toys/{}"]
    assert path_key("/a/{x}/b/{y}") == "/a/{}/b/{}"
    assert compare(old, new).findings == []


def test_path_level_parameters_merge_and_operation_level_wins(tmp_path: Path) -> None:
    spec = _load_text(
        tmp_path,
        "s.yaml",
        """openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /pets:
    parameters:
      - {name: limit, in: query, schema: {type: integer}}
      - {name: X-Trace-Id, in: header, schema: {type: string}}
    get:
      parameters:
        - {name: limit, in: query, required: true, schema: {type: integer, maximum: 10}}
      responses: {"200": {description: ok}}
""",
    )
    op = spec.operations["get /pets"]
    assert set(op.parameters) == {("query", "limit"), ("header", "x-trace-id")}
    assert op.parameters[("query", "limit")].required is True
    assert op.parameters[("query", "limit")].node.value["schema"]["maximum"] == 10


def test_header_names_are_case_insensitive(tmp_path: Path) -> None:
    tpl = 'openapi: 3.0.3\ninfo: {title: T, version: "1"}\npaths:\n  /p:\n    get:\n      parameters: [{name: %s, in: header, schema: {type: string}}]\n      responses:\n        "200":\n          description: ok\n          headers: {%s: {schema: {type: integer}}}\n'
    a = _load_text(tmp_path, "a.yaml", tpl % ("X-Request-ID", "X-RateLimit-Limit"))
    b = _load_text(tmp_path, "b.yaml", tpl % ("x-request-id", "x-ratelimit-limit"))
    assert canonical_model(a) == canonical_model(b)


NULLABLE_30 = {"type": "string", "nullable": True, "maxLength": 3}
NULLABLE_31 = {"type": ["string", "null"], "maxLength": 3}
NULLABLE_ONEOF = {"oneOf": [{"type": "string", "maxLength": 3}, {"type": "null"}]}


@pytest.mark.parametrize("schema", [NULLABLE_30, NULLABLE_31, NULLABLE_ONEOF], ids=["3.0-nullable", "3.1-type-array", "oneOf-null"])
def test_three_nullable_spellings_are_one(schema: dict) -> None:
    assert is_nullable(schema)
    assert schema_types(schema) == frozenset({"string", "null"})


def test_nullable_spellings_give_equal_canonical_models(tmp_path: Path) -> None:
    models = []
    for n, (version, schema) in enumerate([("3.0.3", NULLABLE_30), ("3.1.0", NULLABLE_31), ("3.1.0", NULLABLE_ONEOF)]):
        doc = {
            "openapi": version,
            "info": {"title": "T", "version": "1"},
            "paths": {"/p": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}}}},
        }
        (tmp_path / f"{n}.json").write_text(json.dumps(doc))
        spec = load_spec(f"{n}.json", LoadOptions(cwd=tmp_path))
        models.append(canonical_model(spec)["operations"])
    assert models[0] == models[1] == models[2]
    assert not is_nullable({"type": "string"}) and schema_types({"type": "string"}) == frozenset({"string"})


def test_effective_url_paths_join_server_path_and_path(tmp_path: Path) -> None:
    spec = _load_text(
        tmp_path,
        "s.yaml",
        """openapi: 3.0.3
info: {title: T, version: "1"}
servers:
  - url: https://api.example.com/{stage}/v1
    variables: {stage: {default: prod}}
paths:
  /pets/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
    delete:
      servers: [{url: "https://admin.example.com/"}]
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: ok}}
""",
    )
    assert spec.operations["get /pets/{}"].url_paths == ("/prod/v1/pets/{}",)
    assert spec.operations["delete /pets/{}"].url_paths == ("/pets/{}",)


def test_effective_security_operation_overrides_global(tmp_path: Path) -> None:
    spec = _load_text(
        tmp_path,
        "s.yaml",
        """openapi: 3.0.3
info: {title: T, version: "1"}
security: [{key: []}]
paths:
  /a: {get: {responses: {"200": {description: ok}}}}
  /b: {get: {security: [], responses: {"200": {description: ok}}}}
components:
  securitySchemes: {key: {type: apiKey, in: header, name: X-Key}}
""",
    )
    assert spec.operations["get /a"].security.value == [{"key": []}]
    assert spec.operations["get /b"].security.value == []


def test_recursive_schemas_terminate_with_cycle_markers() -> None:
    spec = load_spec(str(NORMALIZE / "cycles" / "openapi.yaml"))
    op = spec.operations["get /nodes"]
    resp = op.responses["200"]
    model = canonical(spec, resp.value, resp.where)
    props = model["content"]["application/json"]["schema"]["properties"]
    assert props["tree"]["properties"]["children"]["items"] == {"$cycle": "/components/schemas/Tree"}
    assert props["person"]["properties"]["employer"]["properties"]["ceo"] == {"$cycle": "/components/schemas/Person"}
    assert props["folder"]["properties"]["files"]["items"]["properties"]["parent"] == {"$cycle": "/Folder"}
    # the cross-file node keeps its own file for locations
    folder = spec.child(resp, "content", "application/json", "schema", "properties", "folder")
    assert folder is not None and folder.where.doc == "folder.yaml"
    assert spec.locate(folder.where).line == 1
    assert compare(spec, spec).findings == []


def test_a_reference_loop_without_definition_is_an_input_error() -> None:
    with pytest.raises(InputError) as err:
        load_spec(str(NORMALIZE / "ref-loop.yaml"))
    assert "circular" in err.value.message
    assert err.value.line is not None


def test_webhooks_are_indexed_apart_from_paths(tmp_path: Path) -> None:
    spec = _load_text(
        tmp_path,
        "s.yaml",
        """openapi: 3.1.0
info: {title: T, version: "1"}
webhooks:
  petAdopted:
    post:
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses: {"200": {description: ok}}
""",
    )
    assert spec.operations == {}
    assert list(spec.webhooks) == ["webhook post petAdopted"]


def test_openapi31_id_and_anchor_references_across_files(tmp_path: Path) -> None:
    """A 3.1 schema may be referenced by its absolute `$id` (declared in another file of the
    spec, not fetched) and by `$anchor` name, also `$id#anchor`; each lands on the schema that
    declares it. An absolute URI no schema declares is still a remote reference, refused."""
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "pet.yaml").write_text(
        "$id: https://example.com/schemas/pet\ntype: object\nproperties:\n  name: {type: string}\n"
        "  tag: {$anchor: tag, type: string, maxLength: 10}\n"
    )

    def response(ref: str) -> dict:
        return {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": ref}}}}}}

    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/file": {"get": response("schemas/pet.yaml")},
            "/id": {"get": response("https://example.com/schemas/pet")},
            "/tag": {"get": response("https://example.com/schemas/pet#tag")},
            "/local": {"get": response("#local")},
        },
        "components": {"schemas": {"Local": {"$anchor": "local", "type": "integer"}}},
    }
    (tmp_path / "openapi.json").write_text(json.dumps(spec))
    loaded = load_spec("openapi.json", LoadOptions(cwd=tmp_path))

    def target(path: str) -> tuple[str, str]:
        node = loaded.operations[f"get {path}"].data["responses"]["200"]["content"]["application/json"]["schema"]
        where = loaded.deref(node, loaded.root.where).where
        return where.doc, where.pointer

    assert target("/file") == ("schemas/pet.yaml", "")
    assert target("/id") == ("schemas/pet.yaml", "")
    assert target("/tag") == ("schemas/pet.yaml", "/properties/tag")
    assert target("/local") == ("openapi.json", "/components/schemas/Local")

    spec["paths"]["/other"] = {"get": response("https://example.com/schemas/owner")}
    (tmp_path / "openapi.json").write_text(json.dumps(spec))
    with pytest.raises(InputError, match="remote \\$ref 'https://example.com/schemas/owner'"):
        load_spec("openapi.json", LoadOptions(cwd=tmp_path))
