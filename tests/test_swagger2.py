"""Tests for the Swagger 2.0 -> OpenAPI 3.0 mapping in `apiguard.swagger2`."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Iterator

import jsonschema_rs
import openapi_spec_validator
import pytest
import yaml_rs

from apiguard.swagger2 import convert_swagger2

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "normalize"
SPECS = Path(__file__).resolve().parents[2] / "shared" / "specs"
REAL_SPECS = [
    "oai-petstore-expanded-v2.0-fad4c13.yaml",
    "twilio-2010-04-01-swagger2-4c18c8f.yaml",
    "trello-1.0-swagger2-4c18c8f.yaml",
    "jira-7.6.1-4c18c8f.json",
]
OAS30_SCHEMA = Path(openapi_spec_validator.__file__).parent / "resources" / "schemas" / "v3.0" / "schema.json"


# -- helpers -----------------------------------------------------------------------------------


def swagger(**fields: Any) -> dict[str, Any]:
    """A minimal valid Swagger 2.0 document with `fields` added on top."""
    doc: dict[str, Any] = {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}}
    doc.update(fields)
    return doc


def one_op(op: dict[str, Any], method: str = "post", path: str = "/things", **fields: Any) -> dict[str, Any]:
    return swagger(paths={path: {method: op}}, **fields)


def ok(schema: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": "ok"}
    if schema is not None:
        response["schema"] = schema
    return {"200": response}


def esc(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def resolve(doc: Any, pointer: str) -> Any:
    """RFC 6901 resolution; raises KeyError/IndexError when the pointer does not exist."""
    node = doc
    if pointer == "":
        return node
    assert pointer.startswith("/"), pointer
    for raw in pointer[1:].split("/"):
        segment = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            if not segment.isdigit():
                raise KeyError(pointer)
            node = node[int(segment)]
        elif isinstance(node, dict):
            if segment in node:
                node = node[segment]
            else:
                # YAML reads an unquoted response code as an int key.
                matches = [k for k in node if not isinstance(k, str) and str(k) == segment]
                if not matches:
                    raise KeyError(pointer)
                node = node[matches[0]]
        else:
            raise KeyError(pointer)
    return node


def locate(origins: dict[str, str], pointer: str, strict: bool = False) -> str:
    """The longest-prefix substitution the `convert_swagger2` docstring promises callers.
    With `strict`, the pointer itself is not a candidate prefix (what its ancestors imply)."""
    segments = pointer.split("/")
    for n in range(len(segments) - (1 if strict else 0), 0, -1):
        prefix = "/".join(segments[:n])
        if prefix in origins:
            return origins[prefix] + pointer[len(prefix) :]
    return pointer


def pointers(node: Any, base: str = "") -> Iterator[tuple[str, Any]]:
    yield base, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from pointers(value, f"{base}/{esc(str(key))}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from pointers(value, f"{base}/{i}")


# Scalars under these keys are copied, never synthesised: the origin must hold the same value.
VERBATIM_KEYS = {"description", "summary", "operationId", "title", "pattern", "maxLength", "minimum", "maximum"}


def assert_origins_sound(original: dict[str, Any], converted: dict[str, Any], origins: dict[str, str]) -> None:
    for key, value in origins.items():
        resolve(converted, key)  # every key names a node that exists in the converted document
        resolve(original, value)
        # Only pointers that changed are listed: dropping any entry must change an answer.
        assert locate(origins, key, strict=True) != value, f"redundant origin entry {key!r} -> {value!r}"
    for pointer, node in pointers(converted):
        source = locate(origins, pointer)
        try:
            found = resolve(original, source)
        except (KeyError, IndexError):
            pytest.fail(f"converted {pointer!r} -> original {source!r}, which does not exist")
        last = pointer.rsplit("/", 1)[-1]
        if last in VERBATIM_KEYS and not isinstance(node, (dict, list)):
            assert found == node, f"{pointer!r} located at {source!r}, which holds {found!r}, not {node!r}"


def canonical(value: Any) -> Any:
    """Key order does not matter; everything else, descriptions and summaries included, does."""
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml_rs.loads(text, parse_datetime=False)


# A document that exercises most of the mapping at once, for the whole-document properties.
KITCHEN_SINK: dict[str, Any] = {
    "swagger": "2.0",
    "info": {"title": "sink", "version": "2", "x-logo": "logo.png"},
    "host": "api.example.com",
    "basePath": "/base/",
    "schemes": ["http", "wss", "https", "http"],
    "consumes": ["application/json", "text/plain"],
    "produces": ["application/json", "application/xml"],
    "x-top": {"anything": [1, 2]},
    "tags": [{"name": "a", "description": "tag a"}],
    "externalDocs": {"url": "https://docs.example.com", "description": "docs"},
    "security": [{"basic": []}, {"key": []}],
    "parameters": {
        "PageSize": {"name": "size", "in": "query", "type": "integer", "minimum": 1, "maximum": 50},
        "Ids": {"name": "ids", "in": "query", "type": "array", "items": {"type": "integer"},
                "collectionFormat": "pipes"},
        "Thing": {"name": "thing", "in": "body", "description": "a thing", "required": True,
                  "schema": {"$ref": "#/definitions/Thing"}},
        "Note": {"name": "note", "in": "formData", "type": "string", "description": "shared note", "maxLength": 9},
        "a/b": {"name": "slashed", "in": "header", "type": "string", "pattern": "^x"},
    },
    "responses": {
        "NotFound": {"description": "missing", "schema": {"$ref": "#/definitions/Error"},
                     "headers": {"X-Trace": {"type": "string", "description": "trace id"}}},
    },
    "securityDefinitions": {
        "basic": {"type": "basic", "description": "basic auth"},
        "key": {"type": "apiKey", "name": "k", "in": "query"},
        "implicit": {"type": "oauth2", "flow": "implicit", "authorizationUrl": "https://a/auth",
                     "scopes": {"r": "read"}},
        "password": {"type": "oauth2", "flow": "password", "tokenUrl": "https://a/token", "scopes": {}},
        "app": {"type": "oauth2", "flow": "application", "tokenUrl": "https://a/token", "scopes": {"w": "write"}},
        "code": {"type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://a/auth",
                 "tokenUrl": "https://a/token", "scopes": {"r": "read"}, "x-extra": True},
    },
    "paths": {
        "/things": {
            "parameters": [
                {"$ref": "#/parameters/PageSize"},
                {"name": "body", "in": "body", "schema": {"type": "object"}},
                {"name": "X-Req", "in": "header", "type": "array", "items": {"type": "string"}},
            ],
            "get": {
                "summary": "list",
                "operationId": "listThings",
                "parameters": [
                    {"$ref": "#/parameters/Ids"},
                    {"name": "q", "in": "query", "type": "string", "pattern": "^[a-z]+$", "allowEmptyValue": True,
                     "x-meta": {"k": [1]}},
                ],
                "produces": ["application/json"],
                "responses": {
                    200: {"description": "things",
                          "schema": {"type": "array", "items": {"$ref": "#/definitions/Thing"}},
                          "examples": {"application/json": [{"id": 1}], "text/csv": "id\n1"}},
                    "404": {"$ref": "#/responses/NotFound"},
                    "x-resp": "ext",
                },
            },
            "post": {
                "operationId": "createThing",
                "parameters": [{"$ref": "#/parameters/Thing"}],
                "responses": {"201": {"description": "made", "schema": {"$ref": "#/definitions/Thing"}}},
                "security": [{"code": ["r"]}],
            },
            "put": {
                "operationId": "replaceThings",
                "responses": {"204": {"description": "done"}},
                "schemes": ["https"],
            },
        },
        "/things/{id}/files": {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "type": "string"},
                {"$ref": "#/parameters/Note"},
            ],
            "post": {
                "consumes": ["multipart/form-data", "application/x-www-form-urlencoded"],
                "parameters": [
                    {"name": "file", "in": "formData", "type": "file", "required": True, "description": "the file"},
                    {"name": "labels", "in": "formData", "type": "array", "items": {"type": "string"}},
                    {"name": "q", "in": "query", "type": "integer", "description": "after a form field"},
                ],
                "responses": {"200": {"description": "stored", "schema": {"type": "file"}}},
            },
            "patch": {
                "parameters": [{"name": "title", "in": "formData", "type": "string", "required": True}],
                "responses": {"200": {"description": "patched"}},
            },
        },
        "x-paths-ext": {"kept": True},
    },
    "definitions": {
        "Thing": {
            "type": "object",
            "discriminator": "kind",
            "required": ["id", "kind"],
            "properties": {
                "id": {"type": "integer", "x-nullable": True},
                "kind": {"type": "string"},
                "blob": {"type": "file"},
                "tags": {"type": "array", "items": {"$ref": "#/definitions/Tag", "x-nullable": True}},
                "meta": {"type": "object", "additionalProperties": {"$ref": "#/definitions/Tag"}},
                "next": {"type": "null"},
                "maybe": {"type": ["string", "null"]},
                "either": {"type": ["string", "integer"]},
                "remote": {"$ref": "other.yaml#/definitions/Remote"},
            },
        },
        "Special": {"allOf": [{"$ref": "#/definitions/Thing"}, {"properties": {"x": {"type": "string"}}}]},
        "Tag": {"type": "string"},
        "Error": {"type": "object", "properties": {"message": {"type": "string"}}},
        "a/b~c": {"type": "string"},
        "UsesOdd": {"$ref": "#/definitions/a~1b~0c"},
    },
}


@pytest.fixture(scope="module")
def sink() -> tuple[dict[str, Any], dict[str, str]]:
    return convert_swagger2(KITCHEN_SINK)


@pytest.fixture(scope="module")
def oas30_validator() -> Any:
    return jsonschema_rs.validator_for(json.loads(OAS30_SCHEMA.read_text(encoding="utf-8")))


# -- top level ---------------------------------------------------------------------------------


def test_version_and_untouched_top_level_sections(sink: tuple[dict[str, Any], dict[str, str]]) -> None:
    converted, origins = sink
    assert converted["openapi"] == "3.0.3"
    assert origins["/openapi"] == "/swagger"
    for key in ("info", "tags", "externalDocs", "x-top", "security"):
        assert converted[key] == KITCHEN_SINK[key]
    for key in ("swagger", "host", "basePath", "schemes", "consumes", "produces", "definitions",
                "parameters", "responses", "securityDefinitions"):
        assert key not in converted
    assert converted["paths"]["x-paths-ext"] == {"kept": True}


def test_rejects_documents_that_are_not_swagger_2() -> None:
    with pytest.raises(ValueError):
        convert_swagger2({"openapi": "3.0.3", "info": {}, "paths": {}})
    with pytest.raises(TypeError):
        convert_swagger2(["swagger", "2.0"])  # type: ignore[arg-type]
    # An unquoted YAML `swagger: 2.0` is a float and still means 2.0.
    assert convert_swagger2({"swagger": 2.0, "info": {}, "paths": {}})[0]["openapi"] == "3.0.3"


def test_missing_paths_becomes_empty_paths() -> None:
    converted, origins = convert_swagger2({"swagger": "2.0", "info": {"title": "t", "version": "1"}})
    assert converted["paths"] == {}
    assert_origins_sound({"swagger": "2.0", "info": {"title": "t", "version": "1"}}, converted, origins)


def test_input_is_not_mutated() -> None:
    documents = [KITCHEN_SINK, load(FIXTURES / "petstore-v2.yaml")]
    for doc in documents:
        before = copy.deepcopy(doc)
        converted, _ = convert_swagger2(doc)
        assert doc == before
        # Nothing in the output may alias the input, or a later edit of it would mutate the input.
        input_ids = {id(node) for _, node in pointers(doc) if isinstance(node, (dict, list))}
        shared = [p for p, node in pointers(converted) if isinstance(node, (dict, list)) and id(node) in input_ids]
        assert shared == []


# -- servers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "urls", "origin"),
    [
        ({"host": "h.io", "basePath": "/v1", "schemes": ["http", "https"]},
         ["https://h.io/v1", "http://h.io/v1"], "/host"),
        ({"host": "h.io", "basePath": "/v1", "schemes": ["https", "http"]},
         ["https://h.io/v1", "http://h.io/v1"], "/host"),
        ({"host": "h.io", "basePath": "/v1", "schemes": ["ws", "http", "wss", "https", "ws"]},
         ["https://h.io/v1", "ws://h.io/v1", "http://h.io/v1", "wss://h.io/v1"], "/host"),
        ({"host": "h.io:8080", "schemes": ["https"]}, ["https://h.io:8080"], "/host"),
        ({"host": "h.io", "basePath": "/", "schemes": ["https"]}, ["https://h.io"], "/host"),
        ({"host": "h.io", "basePath": "/api/", "schemes": ["http"]}, ["http://h.io/api"], "/host"),
        ({"host": "h.io", "basePath": "/v1"}, ["//h.io/v1"], "/host"),
        ({"basePath": "/v1"}, ["/v1"], "/basePath"),
        ({"basePath": "/v1", "schemes": ["https"]}, ["/v1"], "/basePath"),
        ({"basePath": "/"}, ["/"], "/basePath"),
    ],
)
def test_servers(fields: dict[str, Any], urls: list[str], origin: str) -> None:
    doc = swagger(**fields)
    converted, origins = convert_swagger2(doc)
    assert [s["url"] for s in converted["servers"]] == urls
    assert origins["/servers"] == origin
    assert all(locate(origins, f"/servers/{i}/url") == origin for i in range(len(urls)))
    assert_origins_sound(doc, converted, origins)


def test_each_server_locates_at_its_scheme() -> None:
    doc = swagger(host="h.io", schemes=["http", "https"])
    _, origins = convert_swagger2(doc)
    assert locate(origins, "/servers/0") == "/schemes/1"
    assert locate(origins, "/servers/1") == "/schemes/0"


def test_no_host_and_no_base_path_means_no_servers() -> None:
    converted, origins = convert_swagger2(swagger(schemes=["https"]))
    assert "servers" not in converted
    assert not any(k.startswith("/servers") for k in origins)


def test_operation_schemes_become_operation_servers(sink: tuple[dict[str, Any], dict[str, str]]) -> None:
    converted, origins = sink
    put = converted["paths"]["/things"]["put"]
    assert put["servers"] == [{"url": "https://api.example.com/base"}]
    assert "schemes" not in put
    assert locate(origins, "/paths/~1things/put/servers/0/url") == "/paths/~1things/put/schemes"
    # Without a host there is no scheme to put in a URL, so nothing is added.
    converted, _ = convert_swagger2(one_op({"schemes": ["https"], "responses": ok()}, basePath="/v1"))
    assert "servers" not in converted["paths"]["/things"]["post"]


# -- components --------------------------------------------------------------------------------


def test_components_sections(sink: tuple[dict[str, Any], dict[str, str]]) -> None:
    converted, origins = sink
    components = converted["components"]
    assert set(components["schemas"]) == set(KITCHEN_SINK["definitions"])
    assert set(components["parameters"]) == {"PageSize", "Ids", "a/b"}
    assert set(components["requestBodies"]) == {"Thing"}
    assert set(components["responses"]) == {"NotFound"}
    assert set(components["securitySchemes"]) == set(KITCHEN_SINK["securityDefinitions"])
    assert components["parameters"]["PageSize"] == {
        "name": "size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 50}
    }
    assert components["requestBodies"]["Thing"] == {
        "description": "a thing",
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}},
            "text/plain": {"schema": {"$ref": "#/components/schemas/Thing"}},
        },
    }
    # A shared response has no operation, so the document's produces decide its media types.
    assert set(components["responses"]["NotFound"]["content"]) == {"application/json", "application/xml"}
    assert components["responses"]["NotFound"]["headers"] == {
        "X-Trace": {"description": "trace id", "schema": {"type": "string"}}
    }
    assert origins["/components"] == ""  # several sections feed it; only the root holds them all
    assert origins["/components/schemas"] == "/definitions"
    assert locate(origins, "/components/parameters") == "/parameters"
    assert origins["/components/requestBodies"] == "/parameters"
    assert locate(origins, "/components/responses/NotFound") == "/responses/NotFound"
    assert origins["/components/securitySchemes"] == "/securityDefinitions"
    assert locate(origins, "/components/parameters/a~1b/schema/pattern") == "/parameters/a~1b/pattern"
    assert locate(origins, "/components/requestBodies/Thing/description") == "/parameters/Thing/description"


def test_only_present_sections_are_emitted() -> None:
    converted, _ = convert_swagger2(swagger(definitions={"A": {"type": "string"}}))
    assert converted["components"] == {"schemas": {"A": {"type": "string"}}}
    converted, _ = convert_swagger2(swagger())
    assert "components" not in converted


def test_security_schemes(sink: tuple[dict[str, Any], dict[str, str]]) -> None:
    converted, origins = sink
    schemes = converted["components"]["securitySchemes"]
    assert schemes["basic"] == {"type": "http", "scheme": "basic", "description": "basic auth"}
    assert schemes["key"] == {"type": "apiKey", "name": "k", "in": "query"}
    assert schemes["implicit"] == {
        "type": "oauth2", "flows": {"implicit": {"authorizationUrl": "https://a/auth", "scopes": {"r": "read"}}}
    }
    assert schemes["password"] == {
        "type": "oauth2", "flows": {"password": {"tokenUrl": "https://a/token", "scopes": {}}}
    }
    assert schemes["app"] == {
        "type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://a/token", "scopes": {"w": "write"}}}
    }
    assert schemes["code"] == {
        "type": "oauth2",
        "flows": {
            "authorizationCode": {
                "authorizationUrl": "https://a/auth", "tokenUrl": "https://a/token", "scopes": {"r": "read"}
            }
        },
        "x-extra": True,
    }
    assert locate(origins, "/components/securitySchemes/basic/scheme") == "/securityDefinitions/basic/type"
    assert locate(origins, "/components/securitySchemes/code/flows") == "/securityDefinitions/code/flow"
    assert (
        locate(origins, "/components/securitySchemes/code/flows/authorizationCode/tokenUrl")
        == "/securityDefinitions/code/tokenUrl"
    )
    assert (
        locate(origins, "/components/securitySchemes/app/flows/clientCredentials/scopes/w")
        == "/securityDefinitions/app/scopes/w"
    )


def test_oauth2_without_scopes_gets_empty_scopes() -> None:
    doc = swagger(securityDefinitions={"o": {"type": "oauth2", "flow": "password", "tokenUrl": "https://t"}})
    converted, origins = convert_swagger2(doc)
    assert converted["components"]["securitySchemes"]["o"]["flows"]["password"]["scopes"] == {}
    assert_origins_sound(doc, converted, origins)


def test_security_requirements_unchanged(sink: tuple[dict[str, Any], dict[str, str]]) -> None:
    converted, _ = sink
    assert converted["security"] == [{"basic": []}, {"key": []}]
    assert converted["paths"]["/things"]["post"]["security"] == [{"code": ["r"]}]


# -- references --------------------------------------------------------------------------------


def test_schema_refs_are_rewritten_everywhere(sink: tuple[dict[str, Any], dict[str, str]]) -> None:
    converted, _ = sink
    schemas = converted["components"]["schemas"]
    thing = schemas["Thing"]["properties"]
    assert thing["tags"]["items"]["$ref"] == "#/components/schemas/Tag"
    assert thing["meta"]["additionalProperties"] == {"$ref": "#/components/schemas/Tag"}
    assert schemas["Special"]["allOf"][0] == {"$ref": "#/components/schemas/Thing"}
    assert schemas["UsesOdd"] == {"$ref": "#/components/schemas/a~1b~0c"}
    get = converted["paths"]["/things"]["get"]
    assert get["responses"]["200"]["content"]["application/json"]["schema"]["items"] == {
        "$ref": "#/components/schemas/Thing"
    }
    assert get["responses"]["404"] == {"$ref": "#/components/responses/NotFound"}
    assert converted["components"]["responses"]["NotFound"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    # No local reference into a Swagger 2.0 section survives anywhere.
    refs = [node for p, node in pointers(converted) if p.endswith("/$ref")]
    assert refs and not any(r.startswith(("#/definitions", "#/parameters", "#/responses")) for r in refs)


def test_external_refs_are_left_alone(sink: tuple[dict[str, Any], dict[str, str]]) -> None:
    converted, _ = sink
    assert converted["components"]["schemas"]["Thing"]["properties"]["remote"] == {
        "$ref": "other.yaml#/definitions/Remote"
    }
    doc = one_op({"parameters": [{"$ref": "common.yaml#/parameters/Body"}],
                  "responses": {"200": {"$ref": "c.yaml#/responses/R"}}})
    converted, _ = convert_swagger2(doc)
    op = converted["paths"]["/things"]["post"]
    assert op["parameters"] == [{"$ref": "common.yaml#/parameters/Body"}]
    assert op["responses"]["200"] == {"$ref": "c.yaml#/responses/R"}


def test_parameter_refs(sink: tuple[dict[str, Any], dict[str, str]]) -> None:
    converted, origins = sink
    things = converted["paths"]["/things"]
    # A path-level non-body $ref stays a parameter; a body one becomes a request body.
    assert things["parameters"][0] == {"$ref": "#/components/parameters/PageSize"}
    assert things["get"]["parameters"][0] == {"$ref": "#/components/parameters/Ids"}
    assert things["post"]["requestBody"] == {"$ref": "#/components/requestBodies/Thing"}
    assert "parameters" not in things["post"]
    assert origins["/paths/~1things/post/requestBody"] == "/paths/~1things/post/parameters/0"


def test_path_level_ref_to_body_parameter_becomes_request_body_of_each_operation() -> None:
    doc = swagger(
        parameters={"B": {"name": "b", "in": "body", "schema": {"type": "string"}},
                    "Q": {"name": "q", "in": "query", "type": "string"}},
        paths={"/x": {"parameters": [{"$ref": "#/parameters/Q"}, {"$ref": "#/parameters/B"}],
                      "put": {"responses": ok()}, "post": {"responses": ok()}}},
    )
    converted, origins = convert_swagger2(doc)
    item = converted["paths"]["/x"]
    assert item["parameters"] == [{"$ref": "#/components/parameters/Q"}]
    for method in ("put", "post"):
        assert item[method]["requestBody"] == {"$ref": "#/components/requestBodies/B"}
        assert origins[f"/paths/~1x/{method}/requestBody"] == "/paths/~1x/parameters/1"
    assert_origins_sound(doc, converted, origins)


# -- request bodies ----------------------------------------------------------------------------


def test_body_parameter_becomes_request_body() -> None:
    body = {"name": "pet", "in": "body", "required": True, "description": "the pet", "x-flag": 1,
            "schema": {"$ref": "#/definitions/Pet"}}
    doc = swagger(paths={"/pets": {"post": {
        "consumes": ["application/json", "application/xml", "application/json"],
        "parameters": [body, {"name": "dry", "in": "query", "type": "boolean"}],
        "responses": ok(),
    }}}, definitions={"Pet": {"type": "object"}})
    converted, origins = convert_swagger2(doc)
    op = converted["paths"]["/pets"]["post"]
    assert op["requestBody"] == {
        "description": "the pet",
        "required": True,
        "x-flag": 1,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}},
            "application/xml": {"schema": {"$ref": "#/components/schemas/Pet"}},
        },
    }
    assert op["parameters"] == [{"name": "dry", "in": "query", "schema": {"type": "boolean"}}]
    assert origins["/paths/~1pets/post/requestBody"] == "/paths/~1pets/post/parameters/0"
    # The query parameter moved from index 1 to 0, and its origin says so.
    assert locate(origins, "/paths/~1pets/post/parameters/0/name") == "/paths/~1pets/post/parameters/1/name"
    assert (
        locate(origins, "/paths/~1pets/post/requestBody/content/application~1xml/schema/$ref")
        == "/paths/~1pets/post/parameters/0/schema/$ref"
    )
    assert locate(origins, "/paths/~1pets/post/requestBody/content/application~1xml") == "/paths/~1pets/post/consumes/1"
    assert_origins_sound(doc, converted, origins)


def test_body_without_required_leaves_required_out() -> None:
    doc = one_op({"parameters": [{"name": "b", "in": "body", "schema": {"type": "string"}}], "responses": ok()})
    body = convert_swagger2(doc)[0]["paths"]["/things"]["post"]["requestBody"]
    assert body == {"content": {"application/json": {"schema": {"type": "string"}}}}


@pytest.mark.parametrize(
    ("doc_consumes", "op_consumes", "expected"),
    [
        (None, None, ["application/json"]),
        (["text/plain"], None, ["text/plain"]),
        (["text/plain"], ["application/xml", "text/csv"], ["application/xml", "text/csv"]),
        (["text/plain"], [], ["text/plain"]),
    ],
)
def test_effective_consumes(doc_consumes: list[str] | None, op_consumes: list[str] | None, expected: list[str]) -> None:
    op: dict[str, Any] = {"parameters": [{"name": "b", "in": "body", "schema": {}}], "responses": ok()}
    if op_consumes is not None:
        op["consumes"] = op_consumes
    doc = one_op(op, **({"consumes": doc_consumes} if doc_consumes is not None else {}))
    converted, origins = convert_swagger2(doc)
    assert list(converted["paths"]["/things"]["post"]["requestBody"]["content"]) == expected
    assert "consumes" not in converted["paths"]["/things"]["post"]
    assert_origins_sound(doc, converted, origins)


@pytest.mark.parametrize(
    ("doc_produces", "op_produces", "expected"),
    [
        (None, None, ["application/json"]),
        (["application/xml"], None, ["application/xml"]),
        (["application/xml"], ["text/plain", "application/json"], ["text/plain", "application/json"]),
    ],
)
def test_effective_produces(doc_produces: list[str] | None, op_produces: list[str] | None, expected: list[str]) -> None:
    op: dict[str, Any] = {"responses": ok({"type": "string"})}
    if op_produces is not None:
        op["produces"] = op_produces
    doc = one_op(op, method="get", **({"produces": doc_produces} if doc_produces is not None else {}))
    converted, origins = convert_swagger2(doc)
    content = converted["paths"]["/things"]["get"]["responses"]["200"]["content"]
    assert list(content) == expected
    assert all(entry == {"schema": {"type": "string"}} for entry in content.values())
    assert_origins_sound(doc, converted, origins)


def test_form_fields_become_an_urlencoded_object_by_default() -> None:
    doc = one_op(
        {
            "parameters": [
                {"name": "name", "in": "formData", "type": "string", "required": True, "description": "who",
                 "minLength": 1, "x-hint": "h", "allowEmptyValue": True},
                {"name": "age", "in": "formData", "type": "integer", "format": "int32", "default": 3},
                {"name": "ids", "in": "formData", "type": "array", "items": {"type": "integer"}},
                {"name": "multi", "in": "formData", "type": "array", "items": {"type": "string"},
                 "collectionFormat": "multi"},
            ],
            "responses": ok(),
        },
        consumes=["application/json"],  # a JSON-only document default says nothing about forms
    )
    converted, origins = convert_swagger2(doc)
    body = converted["paths"]["/things"]["post"]["requestBody"]
    assert body == {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "minLength": 1, "description": "who", "x-hint": "h"},
                        "age": {"type": "integer", "format": "int32", "default": 3},
                        "ids": {"type": "array", "items": {"type": "integer"}},
                        "multi": {"type": "array", "items": {"type": "string"}},
                    },
                    "required": ["name"],
                },
                # 2.0 arrays default to csv; 3.0 forms default to exploded, so it is spelled out.
                "encoding": {"ids": {"style": "form", "explode": False}},
            }
        },
    }
    assert "parameters" not in converted["paths"]["/things"]["post"]
    base = "/paths/~1things/post/requestBody/content/application~1x-www-form-urlencoded/schema"
    assert locate(origins, base + "/properties/age/default") == "/paths/~1things/post/parameters/1/default"
    assert locate(origins, base + "/required/0") == "/paths/~1things/post/parameters/0/required"
    assert_origins_sound(doc, converted, origins)


def test_form_with_a_file_is_multipart() -> None:
    doc = one_op({"parameters": [{"name": "f", "in": "formData", "type": "file"},
                                 {"name": "n", "in": "formData", "type": "string"}], "responses": ok()})
    converted, origins = convert_swagger2(doc)
    body = converted["paths"]["/things"]["post"]["requestBody"]
    assert body == {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"f": {"type": "string", "format": "binary"}, "n": {"type": "string"}},
                }
            }
        }
    }
    assert locate(
        origins, "/paths/~1things/post/requestBody/content/multipart~1form-data/schema/properties/f/format"
    ) == "/paths/~1things/post/parameters/0/type"
    assert_origins_sound(doc, converted, origins)


def test_form_media_types_come_from_consumes(sink: tuple[dict[str, Any], dict[str, str]]) -> None:
    converted, origins = sink
    files = converted["paths"]["/things/{id}/files"]
    post = files["post"]
    assert list(post["requestBody"]["content"]) == ["multipart/form-data", "application/x-www-form-urlencoded"]
    for media in post["requestBody"]["content"].values():
        # The shared formData $ref at path level is inlined next to the operation's own fields.
        assert media["schema"]["properties"] == {
            "note": {"type": "string", "maxLength": 9, "description": "shared note"},
            "file": {"type": "string", "format": "binary", "description": "the file"},
            "labels": {"type": "array", "items": {"type": "string"}},
        }
        assert media["schema"]["required"] == ["file"]
    assert "encoding" not in post["requestBody"]["content"]["multipart/form-data"]
    assert post["requestBody"]["content"]["application/x-www-form-urlencoded"]["encoding"] == {
        "labels": {"style": "form", "explode": False}
    }
    assert post["parameters"] == [{"name": "q", "in": "query", "description": "after a form field",
                                   "schema": {"type": "integer"}}]
    assert files["parameters"] == [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
    # The inlined field is located at the shared definition that holds its fields.
    assert (
        locate(origins, "/paths/~1things~1{id}~1files/post/requestBody/content/multipart~1form-data"
                        "/schema/properties/note/maxLength")
        == "/parameters/Note/maxLength"
    )
    files_ptr = "/paths/~1things~1{id}~1files"
    assert locate(origins, files_ptr + "/post/parameters/0") == files_ptr + "/post/parameters/2"
    # patch has its own form field and inherits the path-level one; no file, so urlencoded.
    patch_schema = files["patch"]["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert set(patch_schema["properties"]) == {"note", "title"}
    assert patch_schema["required"] == ["title"]


def test_operation_form_field_overrides_path_form_field_of_same_name() -> None:
    doc = swagger(paths={"/x": {
        "parameters": [{"name": "a", "in": "formData", "type": "string"},
                       {"name": "b", "in": "formData", "type": "string"}],
        "post": {"parameters": [{"name": "a", "in": "formData", "type": "integer"}], "responses": ok()},
        "put": {"responses": ok()},
    }})
    converted, origins = convert_swagger2(doc)
    item = converted["paths"]["/x"]
    assert "parameters" not in item
    post_props = item["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["properties"]
    assert post_props == {"b": {"type": "string"}, "a": {"type": "integer"}}
    put_props = item["put"]["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["properties"]
    assert put_props == {"a": {"type": "string"}, "b": {"type": "string"}}
    assert origins["/paths/~1x/put/requestBody"] == "/paths/~1x/parameters"
    assert_origins_sound(doc, converted, origins)


def test_path_level_body_goes_to_operations_without_one() -> None:
    doc = swagger(paths={"/x": {
        "parameters": [{"name": "shared", "in": "body", "description": "path body", "schema": {"type": "string"}},
                       {"name": "v", "in": "header", "type": "string"}],
        "put": {"responses": ok()},
        "post": {"parameters": [{"name": "own", "in": "body", "schema": {"type": "integer"}}], "responses": ok()},
        "get": {"parameters": [{"name": "q", "in": "query", "type": "string"}], "responses": ok()},
    }})
    converted, origins = convert_swagger2(doc)
    item = converted["paths"]["/x"]
    assert item["parameters"] == [{"name": "v", "in": "header", "schema": {"type": "string"}}]
    assert item["put"]["requestBody"]["content"]["application/json"]["schema"] == {"type": "string"}
    assert item["put"]["requestBody"]["description"] == "path body"
    assert item["post"]["requestBody"]["content"]["application/json"]["schema"] == {"type": "integer"}
    assert "description" not in item["post"]["requestBody"]
    assert item["get"]["requestBody"]["content"]["application/json"]["schema"] == {"type": "string"}
    assert item["get"]["parameters"] == [{"name": "q", "in": "query", "schema": {"type": "string"}}]
    assert origins["/paths/~1x/put/requestBody"] == "/paths/~1x/parameters/0"
    assert origins["/paths/~1x/post/requestBody"] == "/paths/~1x/post/parameters/0"
    assert locate(origins, "/paths/~1x/parameters/0/name") == "/paths/~1x/parameters/1/name"
    assert_origins_sound(doc, converted, origins)


# -- parameters --------------------------------------------------------------------------------


def test_type_fields_move_into_schema() -> None:
    param = {
        "name": "p", "in": "query", "description": "d", "required": True, "allowEmptyValue": True, "x-p": 1,
        "type": "array", "items": {"type": "number", "format": "double", "minimum": 0, "x-i": 2},
        "enum": [[1.5]], "default": [1.5], "minItems": 1, "maxItems": 9, "uniqueItems": True,
        "collectionFormat": "multi",
    }
    number = {"name": "n", "in": "header", "type": "number", "format": "float", "minimum": 0, "maximum": 10,
              "exclusiveMinimum": True, "exclusiveMaximum": False, "multipleOf": 0.5}
    text = {"name": "s", "in": "path", "required": True, "type": "string", "minLength": 1, "maxLength": 5,
            "pattern": "^a"}
    doc = one_op({"parameters": [param, number, text], "responses": ok()}, method="get", path="/t/{s}")
    converted, origins = convert_swagger2(doc)
    params = converted["paths"]["/t/{s}"]["get"]["parameters"]
    assert params[0] == {
        "name": "p", "in": "query", "description": "d", "required": True, "allowEmptyValue": True, "x-p": 1,
        "style": "form", "explode": True,
        "schema": {"type": "array", "items": {"type": "number", "format": "double", "minimum": 0, "x-i": 2},
                   "enum": [[1.5]], "default": [1.5], "minItems": 1, "maxItems": 9, "uniqueItems": True},
    }
    assert params[1] == {
        "name": "n", "in": "header",
        "schema": {"type": "number", "format": "float", "minimum": 0, "maximum": 10, "exclusiveMinimum": True,
                   "exclusiveMaximum": False, "multipleOf": 0.5},
    }
    assert params[2] == {
        "name": "s", "in": "path", "required": True,
        "schema": {"type": "string", "minLength": 1, "maxLength": 5, "pattern": "^a"},
    }
    assert origins["/paths/~1t~1{s}/get/parameters/0/schema"] == "/paths/~1t~1{s}/get/parameters/0"
    assert (
        locate(origins, "/paths/~1t~1{s}/get/parameters/0/style")
        == "/paths/~1t~1{s}/get/parameters/0/collectionFormat"
    )
    assert_origins_sound(doc, converted, origins)


@pytest.mark.parametrize(
    ("location", "collection_format", "expected"),
    [
        ("query", "csv", {"style": "form", "explode": False}),
        ("query", None, {"style": "form", "explode": False}),  # csv is 2.0's default
        ("query", "multi", {"style": "form", "explode": True}),
        ("query", "ssv", {"style": "spaceDelimited", "explode": False}),
        ("query", "pipes", {"style": "pipeDelimited", "explode": False}),
        ("query", "tsv", {"x-collectionFormat": "tsv"}),
        ("path", "csv", {"style": "simple", "explode": False}),
        ("path", None, {"style": "simple", "explode": False}),
        ("header", "csv", {"style": "simple", "explode": False}),
        ("header", "pipes", {"x-collectionFormat": "pipes"}),
    ],
)
def test_collection_format(location: str, collection_format: str | None, expected: dict[str, Any]) -> None:
    param: dict[str, Any] = {"name": "a", "in": location, "type": "array", "items": {"type": "string"}}
    if location == "path":
        param["required"] = True
    if collection_format is not None:
        param["collectionFormat"] = collection_format
    doc = one_op({"parameters": [param], "responses": ok()}, method="get", path="/t/{a}")
    converted, origins = convert_swagger2(doc)
    out = converted["paths"]["/t/{a}"]["get"]["parameters"][0]
    assert {k: v for k, v in out.items() if k not in ("name", "in", "required", "schema")} == expected
    assert out["schema"] == {"type": "array", "items": {"type": "string"}}
    assert "collectionFormat" not in out
    assert_origins_sound(doc, converted, origins)


def test_scalar_parameters_get_no_style() -> None:
    doc = one_op({"parameters": [{"name": "a", "in": "query", "type": "string", "collectionFormat": "csv"}],
                  "responses": ok()}, method="get")
    out = convert_swagger2(doc)[0]["paths"]["/things"]["get"]["parameters"][0]
    assert out == {"name": "a", "in": "query", "schema": {"type": "string"}}


def test_nested_items_lose_collection_format() -> None:
    param = {"name": "m", "in": "query", "type": "array", "collectionFormat": "pipes",
             "items": {"type": "array", "collectionFormat": "csv", "items": {"type": "integer"}}}
    doc = one_op({"parameters": [param], "responses": ok()}, method="get")
    converted, origins = convert_swagger2(doc)
    out = converted["paths"]["/things"]["get"]["parameters"][0]
    assert out["schema"] == {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}}
    assert out["style"] == "pipeDelimited"
    assert_origins_sound(doc, converted, origins)


# -- responses ---------------------------------------------------------------------------------


def test_response_schema_headers_and_examples() -> None:
    doc = one_op(
        {
            "produces": ["application/json", "application/xml"],
            "responses": {
                200: {
                    "description": "ok",
                    "x-r": 1,
                    "schema": {"type": "object"},
                    "headers": {
                        "X-Rate": {"type": "integer", "format": "int32", "description": "left"},
                        "X-List": {"type": "array", "items": {"type": "string"}, "collectionFormat": "csv"},
                    },
                    "examples": {"application/json": {"a": 1}, "text/plain": "a=1"},
                },
                "204": {"description": "empty"},
                "default": {"description": "error", "examples": {"application/json": {"e": 1}}},
            },
        },
        method="get",
    )
    converted, origins = convert_swagger2(doc)
    responses = converted["paths"]["/things"]["get"]["responses"]
    assert list(responses) == ["200", "204", "default"]  # keys are strings in 3.0
    assert responses["200"] == {
        "description": "ok",
        "x-r": 1,
        "headers": {
            "X-Rate": {"description": "left", "schema": {"type": "integer", "format": "int32"}},
            "X-List": {"schema": {"type": "array", "items": {"type": "string"}}, "style": "simple", "explode": False},
        },
        "content": {
            "application/json": {"schema": {"type": "object"}, "example": {"a": 1}},
            "application/xml": {"schema": {"type": "object"}},
            "text/plain": {"schema": {"type": "object"}, "example": "a=1"},
        },
    }
    assert responses["204"] == {"description": "empty"}
    assert responses["default"] == {"description": "error", "content": {"application/json": {"example": {"e": 1}}}}
    assert (
        origins["/paths/~1things/get/responses/200/content/application~1json/example"]
        == "/paths/~1things/get/responses/200/examples/application~1json"
    )
    assert locate(origins, "/paths/~1things/get/responses/200/headers/X-Rate/schema/format") == (
        "/paths/~1things/get/responses/200/headers/X-Rate/format"
    )
    assert_origins_sound(doc, converted, origins)


def test_response_file_schema(sink: tuple[dict[str, Any], dict[str, str]]) -> None:
    converted, _ = sink
    content = converted["paths"]["/things/{id}/files"]["post"]["responses"]["200"]["content"]
    assert content["application/json"]["schema"] == {"type": "string", "format": "binary"}


# -- schemas -----------------------------------------------------------------------------------


def test_schema_rewrites(sink: tuple[dict[str, Any], dict[str, str]]) -> None:
    converted, origins = sink
    thing = converted["components"]["schemas"]["Thing"]
    assert thing["discriminator"] == {"propertyName": "kind"}
    props = thing["properties"]
    assert props["id"] == {"type": "integer", "nullable": True}
    assert props["blob"] == {"type": "string", "format": "binary"}
    assert props["tags"]["items"] == {"$ref": "#/components/schemas/Tag", "nullable": True}
    # OpenAPI 3.0 has no "null" type and no type arrays.
    assert props["next"] == {"nullable": True, "enum": [None]}
    assert props["maybe"] == {"type": "string", "nullable": True}
    assert props["either"] == {"anyOf": [{"type": "string"}, {"type": "integer"}]}
    base = "/components/schemas/Thing"
    assert locate(origins, base + "/discriminator/propertyName") == "/definitions/Thing/discriminator"
    assert locate(origins, base + "/properties/id/nullable") == "/definitions/Thing/properties/id/x-nullable"
    assert locate(origins, base + "/properties/blob/format") == "/definitions/Thing/properties/blob/type"
    assert locate(origins, base + "/properties/maybe/nullable") == "/definitions/Thing/properties/maybe/type/1"


def test_schema_recursion_reaches_every_nested_schema() -> None:
    leaf = {"type": "file", "x-nullable": True}
    doc = swagger(definitions={"Deep": {
        "type": "object",
        "properties": {"a": {"type": "array", "items": {"allOf": [
            {"additionalProperties": {"properties": {"b": copy.deepcopy(leaf)}}},
            {"discriminator": "k", "properties": {"k": {"$ref": "#/definitions/Deep"}}},
        ]}}},
    }})
    converted, origins = convert_swagger2(doc)
    all_of = converted["components"]["schemas"]["Deep"]["properties"]["a"]["items"]["allOf"]
    assert all_of[0]["additionalProperties"]["properties"]["b"] == {
        "type": "string", "format": "binary", "nullable": True
    }
    assert all_of[1]["discriminator"] == {"propertyName": "k"}
    assert all_of[1]["properties"]["k"] == {"$ref": "#/components/schemas/Deep"}
    assert_origins_sound(doc, converted, origins)


# -- origins -----------------------------------------------------------------------------------


def test_origin_examples_from_the_docstring() -> None:
    doc = load(FIXTURES / "petstore-v2.yaml")
    del doc["paths"]["/pets"]["post"]["consumes"]
    _, origins = convert_swagger2(doc)
    assert origins["/components/schemas"] == "/definitions"
    assert origins["/paths/~1pets/post/requestBody"] == "/paths/~1pets/post/parameters/0"
    assert (
        origins["/paths/~1pets/get/responses/200/content/application~1json/schema"]
        == "/paths/~1pets/get/responses/200/schema"
    )
    assert "/info" not in origins and "/paths" not in origins and "" not in origins


def test_kitchen_sink_origins_are_sound(sink: tuple[dict[str, Any], dict[str, str]]) -> None:
    converted, origins = sink
    assert_origins_sound(KITCHEN_SINK, converted, origins)


def test_kitchen_sink_is_valid_openapi_30(sink: tuple[dict[str, Any], dict[str, str]], oas30_validator: Any) -> None:
    converted, _ = sink
    assert [e.message for e in oas30_validator.iter_errors(converted)] == []


# -- the hand-converted fixture pair -----------------------------------------------------------


def test_petstore_fixture_matches_its_hand_converted_twin(oas30_validator: Any) -> None:
    v2 = load(FIXTURES / "petstore-v2.yaml")
    v3 = load(FIXTURES / "petstore-v3.yaml")
    assert [e.message for e in oas30_validator.iter_errors(v3)] == []
    converted, origins = convert_swagger2(v2)
    assert canonical(converted) == canonical(v3)
    assert_origins_sound(v2, converted, origins)


# -- real-world specs --------------------------------------------------------------------------


@pytest.mark.parametrize("name", REAL_SPECS)
def test_real_swagger2_specs_convert_to_valid_openapi_30(name: str, oas30_validator: Any) -> None:
    if not SPECS.is_dir():
        pytest.skip(f"shared spec corpus not found at {SPECS}")
    path = SPECS / "misc" / name
    if not path.is_file():
        pytest.skip(f"{path} is not in the shared spec corpus")
    original = load(path)
    before = copy.deepcopy(original)
    converted, origins = convert_swagger2(original)
    assert original == before
    errors = [f"{e.instance_path}: {e.message}" for e in oas30_validator.iter_errors(converted)]
    assert errors == []
    assert_origins_sound(original, converted, origins)
