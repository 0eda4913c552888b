"""Swagger 2.0 to OpenAPI 3.0 mapping, as a pure function.

apiguard's diff and lint rules only understand the OpenAPI 3.x shape, so a Swagger 2.0
document is first mapped onto OpenAPI 3.0.3 by :func:`convert_swagger2`: `host`, `basePath`
and `schemes` become `servers`; `definitions`, `parameters`, `responses` and
`securityDefinitions` move under `components`; body and form parameters become request
bodies; the type fields of simple parameters and headers move into a `schema`; response
schemas and examples become `content` keyed by the effective media types; and every local
`$ref` is re-pointed at its new home. Findings must still be reported against the file the
user wrote, so the conversion also returns an origin map from converted JSON Pointers to the
Swagger 2.0 pointers they came from. The input is never mutated: every node of the result is
either newly built or a deep copy.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from .model import escape_token, unescape_token

__all__ = ["convert_swagger2"]

_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch"})

# Vendor extensions that describe a parameter's or header's value, not the parameter itself:
# they move into `schema` with the type fields (the extensions of an items object always do).
_SCHEMA_EXTENSIONS = frozenset({"x-extensible-enum"})

# The fields a Swagger 2.0 parameter, header or items object shares with a JSON Schema; in
# 3.0 they live in the `schema` of the parameter or header.
_SIMPLE_SCHEMA_KEYS = frozenset(
    {
        "type",
        "format",
        "items",
        "enum",
        "default",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
        "multipleOf",
    }
)

_URLENCODED = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"
_DEFAULT_MEDIA_TYPE = "application/json"

# Swagger 2.0 flow name -> (OpenAPI 3.0 flow name, the URL fields that flow object allows).
_OAUTH2_FLOWS: dict[str, tuple[str, tuple[str, ...]]] = {
    "implicit": ("implicit", ("authorizationUrl",)),
    "password": ("password", ("tokenUrl",)),
    "application": ("clientCredentials", ("tokenUrl",)),
    "accessCode": ("authorizationCode", ("authorizationUrl", "tokenUrl")),
}

# collectionFormat -> (style, explode) per location. Locations and formats missing here have
# no 3.0 spelling; they are kept as `x-collectionFormat` so a diff can still see them change.
_STYLES: dict[str, dict[str, tuple[str, bool]]] = {
    "query": {
        "csv": ("form", False),
        "multi": ("form", True),
        "ssv": ("spaceDelimited", False),
        "pipes": ("pipeDelimited", False),
    },
    "path": {"csv": ("simple", False)},
    "header": {"csv": ("simple", False)},
}
_STYLES["formData"] = _STYLES["query"]

# (media type, pointer of the `consumes`/`produces` entry that declared it, or None when it
# is the built-in default).
_MediaTypes = list[tuple[str, str | None]]


def convert_swagger2(doc: dict) -> tuple[dict, dict[str, str]]:
    """Map a parsed Swagger 2.0 document onto the OpenAPI 3.0 shape.
    Returns (converted, origins). `origins` maps a JSON Pointer in the converted document
    to the JSON Pointer in the original document that it came from, for every node whose
    pointer changed (e.g. '/components/schemas' -> '/definitions',
    '/paths/~1pets/post/requestBody' -> '/paths/~1pets/post/parameters/0',
    '/paths/~1pets/get/responses/200/content/application~1json/schema' -> '/paths/~1pets/get/responses/200/schema').
    A caller locates a converted pointer by taking the LONGEST key of `origins` that is a
    prefix of it (on whole pointer segments) and substituting; pointers with no such prefix are unchanged."""
    if not isinstance(doc, dict):
        raise TypeError(f"a Swagger 2.0 document is a mapping, not {type(doc).__name__}")
    # YAML reads an unquoted `swagger: 2.0` as a float, which still means 2.0.
    if str(doc.get("swagger")) != "2.0":
        raise ValueError(f"not a Swagger 2.0 document (swagger: {doc.get('swagger')!r})")
    return _Converter(doc).convert()


def _escape(segment: object) -> str:
    return escape_token(str(segment))


def _join(base: str, *segments: object) -> str:
    return base + "".join("/" + _escape(s) for s in segments)


def _location(param: Any) -> Any:
    return param.get("in") if isinstance(param, dict) else None


def _base_media_type(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def _substitute(origins: dict[str, str], pointer: str) -> str:
    segments = pointer.split("/")
    for n in range(len(segments), 0, -1):
        prefix = "/".join(segments[:n])
        if prefix in origins:
            return origins[prefix] + pointer[len(prefix) :]
    return pointer


def _prune(recorded: dict[str, str]) -> dict[str, str]:
    # The converter records an origin for every node it builds, which is simpler to get right
    # than predicting which ones the prefix rule would get wrong. Keep only the entries the
    # prefix rule cannot derive from a shallower kept entry; ancestors are decided first, so
    # dropping an entry never changes what its descendants resolve to.
    kept: dict[str, str] = {}
    for pointer in sorted(recorded, key=lambda p: p.count("/")):
        if _substitute(kept, pointer) != recorded[pointer]:
            kept[pointer] = recorded[pointer]
    return kept


@dataclass
class _Split:
    """A Swagger 2.0 parameter list, divided by where each entry goes in OpenAPI 3.0."""

    list_ptr: str
    # Entries that stay parameters, with their source pointers.
    kept: list[tuple[Any, str]] = field(default_factory=list)
    # The body parameter (inline, or a `$ref` to a shared one) and its source pointer.
    body: tuple[dict[str, Any], str] | None = None
    # formData parameters, resolved through `$ref`, each with the pointer of its definition.
    form: list[tuple[dict[str, Any], str]] = field(default_factory=list)


class _Converter:
    def __init__(self, doc: dict[str, Any]) -> None:
        self._doc = doc
        self._origins: dict[str, str] = {}
        shared = doc.get("parameters")
        self._shared_params: dict[str, Any] = shared if isinstance(shared, dict) else {}
        # A `$ref` to a shared body parameter must point at `requestBodies`, so which names
        # are bodies has to be known before any reference is rewritten.
        self._body_names = {n for n, p in self._shared_params.items() if _location(p) == "body"}

    def _record(self, dst: str, src: str) -> None:
        self._origins[dst] = src

    # -- document --------------------------------------------------------------------------
    def convert(self) -> tuple[dict[str, Any], dict[str, str]]:
        doc = self._doc
        out: dict[str, Any] = {"openapi": "3.0.3"}
        self._record("/openapi", "/swagger")
        for key, value in doc.items():
            if key in ("swagger", "consumes", "produces"):
                # consumes/produces have no 3.0 home; they are spent on every `content` map.
                continue
            if key in ("host", "basePath", "schemes"):
                if "servers" not in out:
                    servers = self._servers()
                    if servers is not None:
                        out["servers"] = servers
            elif key in ("definitions", "parameters", "responses", "securityDefinitions"):
                if "components" not in out:
                    out["components"] = self._components()
            elif key == "paths":
                out["paths"] = self._paths(value)
            else:
                # info, tags, externalDocs, security and x-* need no change.
                out[key] = copy.deepcopy(value)
        if "paths" not in out:
            # `paths` is required in 3.0; an empty one claims no operations, like the input.
            out["paths"] = {}
            self._record("/paths", "")
        return out, _prune(self._origins)

    def _servers(self) -> list[dict[str, str]] | None:
        doc = self._doc
        if not doc.get("host") and not doc.get("basePath"):
            # Without either, 3.0's implied server `/` already says everything 2.0 did.
            return None
        origin = "/host" if doc.get("host") else "/basePath"
        return self._server_list(doc.get("schemes"), "/schemes", origin, "/servers")

    def _server_list(self, schemes: Any, schemes_ptr: str, url_src: str, dst: str) -> list[dict[str, str]]:
        doc = self._doc
        host, base = doc.get("host"), doc.get("basePath")
        # 3.0 appends each path to the server URL verbatim, so a trailing slash would double up.
        path = base.rstrip("/") if isinstance(base, str) else ""
        urls: list[tuple[str, str]] = []
        if host:
            ordered = _ordered_schemes(schemes, schemes_ptr)
            if ordered:
                urls = [(f"{scheme}://{host}{path}", ptr) for scheme, ptr in ordered]
            else:
                # 2.0 means "the scheme the document was fetched with"; a network-path
                # reference is the 3.0 spelling of exactly that.
                urls = [(f"//{host}{path}", url_src)]
        else:
            # A scheme cannot be expressed in a relative URL, so schemes are moot here.
            urls = [(path or "/", url_src)]
        self._record(dst, url_src)
        servers = []
        for i, (url, ptr) in enumerate(urls):
            self._record(f"{dst}/{i}", ptr)
            self._record(f"{dst}/{i}/url", url_src)
            servers.append({"url": url})
        return servers

    def _media_types(self, op: dict[str, Any] | None, op_ptr: str, key: str) -> _MediaTypes:
        # An empty list is treated as absent: a body or response with no media type at all
        # cannot be written in 3.0, and the wider declaration is the likelier intent.
        for container, base in ((op, op_ptr), (self._doc, "")):
            values = container.get(key) if isinstance(container, dict) else None
            if isinstance(values, list):
                seen: dict[str, str] = {}
                for i, media_type in enumerate(values):
                    if isinstance(media_type, str) and media_type not in seen:
                        seen[media_type] = f"{base}/{key}/{i}"
                if seen:
                    return list(seen.items())
        return [(_DEFAULT_MEDIA_TYPE, None)]

    # -- components ------------------------------------------------------------------------
    def _components(self) -> dict[str, Any]:
        doc = self._doc
        # Several 2.0 sections feed `components`; only the document itself contains them all.
        self._record("/components", "")
        out: dict[str, Any] = {}
        definitions = doc.get("definitions")
        if isinstance(definitions, dict):
            self._record("/components/schemas", "/definitions")
            out["schemas"] = {
                name: self._schema(schema, _join("/definitions", name), _join("/components/schemas", name))
                for name, schema in definitions.items()
            }
        responses = doc.get("responses")
        if isinstance(responses, dict):
            # A shared response has no operation, so only the document's produces applies.
            self._record("/components/responses", "/responses")
            produces = self._media_types(None, "", "produces")
            out["responses"] = self._responses(responses, "/responses", "/components/responses", produces)
        parameters: dict[str, Any] = {}
        bodies: dict[str, Any] = {}
        consumes = self._media_types(None, "", "consumes")
        for name, param in self._shared_params.items():
            src = _join("/parameters", name)
            location = _location(param)
            if location == "body":
                bodies[name] = self._body(param, src, _join("/components/requestBodies", name), consumes)
            elif location != "formData":
                parameters[name] = self._parameter(param, src, _join("/components/parameters", name))
            # A shared formData parameter is no 3.0 parameter (there is no `in: formData`); it
            # is inlined into the form schema of each operation that references it.
        if parameters:
            self._record("/components/parameters", "/parameters")
            out["parameters"] = parameters
        if bodies:
            self._record("/components/requestBodies", "/parameters")
            out["requestBodies"] = bodies
        schemes = doc.get("securityDefinitions")
        if isinstance(schemes, dict):
            self._record("/components/securitySchemes", "/securityDefinitions")
            out["securitySchemes"] = {
                name: self._security_scheme(
                    scheme, _join("/securityDefinitions", name), _join("/components/securitySchemes", name)
                )
                for name, scheme in schemes.items()
            }
        return out

    def _security_scheme(self, scheme: Any, src: str, dst: str) -> Any:
        self._record(dst, src)
        if not isinstance(scheme, dict):
            return copy.deepcopy(scheme)
        kind = scheme.get("type")
        if kind == "basic":
            out: dict[str, Any] = {"type": "http", "scheme": "basic"}
            self._record(dst + "/scheme", src + "/type")
        elif kind == "oauth2":
            out = {"type": "oauth2"}
            flow = _OAUTH2_FLOWS.get(scheme.get("flow"))
            if flow is not None:
                name, url_keys = flow
                flows_dst, flow_src = dst + "/flows", src + "/flow"
                self._record(flows_dst, flow_src)
                self._record(_join(flows_dst, name), flow_src)
                flow_obj: dict[str, Any] = {}
                for key in url_keys:
                    if key in scheme:
                        flow_obj[key] = copy.deepcopy(scheme[key])
                        self._record(_join(flows_dst, name, key), _join(src, key))
                scopes = scheme.get("scopes")
                # `scopes` is required in 3.0; an empty map is what a missing 2.0 one meant.
                flow_obj["scopes"] = copy.deepcopy(scopes) if isinstance(scopes, dict) else {}
                self._record(_join(flows_dst, name, "scopes"), src + "/scopes" if "scopes" in scheme else flow_src)
                out["flows"] = {name: flow_obj}
        else:
            return copy.deepcopy(scheme)
        for key, value in scheme.items():
            if key == "description" or key.startswith("x-"):
                out[key] = copy.deepcopy(value)
        return out

    # -- references ------------------------------------------------------------------------
    def _ref(self, ref: Any) -> Any:
        # External references are left alone: what they point at is another file's business.
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return ref
        head, sep, rest = ref[2:].partition("/")
        if head == "definitions":
            section = "schemas"
        elif head == "responses":
            section = "responses"
        elif head == "parameters":
            name = unescape_token(unquote(rest.partition("/")[0]))
            section = "requestBodies" if name in self._body_names else "parameters"
        else:
            return ref
        return f"#/components/{section}{sep}{rest}"

    def _shared_param(self, param: dict[str, Any]) -> tuple[str, Any] | None:
        """The (name, parameter) a local `$ref` to a shared parameter points at, if any."""
        ref = param.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/parameters/"):
            return None
        segment = ref[len("#/parameters/") :]
        if "/" in segment:
            return None
        name = unescape_token(unquote(segment))
        if name not in self._shared_params:
            return None
        return name, self._shared_params[name]

    # -- paths and operations --------------------------------------------------------------
    def _paths(self, paths: Any) -> Any:
        if not isinstance(paths, dict):
            return copy.deepcopy(paths)
        out: dict[str, Any] = {}
        for name, item in paths.items():
            if isinstance(item, dict) and not str(name).startswith("x-"):
                out[name] = self._path_item(item, _join("/paths", name))
            else:
                out[name] = copy.deepcopy(item)
        return out

    def _path_item(self, item: dict[str, Any], ptr: str) -> dict[str, Any]:
        shared = self._split(item.get("parameters"), ptr + "/parameters")
        out: dict[str, Any] = {}
        for key, value in item.items():
            if key == "parameters":
                if shared.kept:
                    out[key] = self._parameters(shared.kept, ptr + "/parameters")
            elif key in _METHODS and isinstance(value, dict):
                out[key] = self._operation(value, _join(ptr, key), shared)
            elif key == "$ref":
                out[key] = self._ref(value)
            else:
                out[key] = copy.deepcopy(value)
        return out

    def _split(self, params: Any, list_ptr: str) -> _Split:
        split = _Split(list_ptr)
        if not isinstance(params, list):
            return split
        for i, param in enumerate(params):
            src = f"{list_ptr}/{i}"
            if not isinstance(param, dict):
                split.kept.append((param, src))
                continue
            target = self._shared_param(param)
            location = _location(target[1]) if target else param.get("in")
            if location == "body":
                # 2.0 allows one body parameter; a second one cannot be expressed and is dropped.
                if split.body is None:
                    split.body = (param, src)
            elif location == "formData":
                if target:
                    # Point at the shared definition: the fields of the property live there.
                    split.form.append((target[1], _join("/parameters", target[0])))
                else:
                    split.form.append((param, src))
            else:
                split.kept.append((param, src))
        return split

    def _parameters(self, kept: list[tuple[Any, str]], list_ptr: str) -> list[Any]:
        return [self._parameter(param, src, f"{list_ptr}/{i}") for i, (param, src) in enumerate(kept)]

    def _operation(self, op: dict[str, Any], ptr: str, shared: _Split) -> dict[str, Any]:
        own = self._split(op.get("parameters"), ptr + "/parameters")
        consumes = self._media_types(op, ptr, "consumes")
        produces = self._media_types(op, ptr, "produces")
        body = self._request_body(own, shared, consumes, ptr + "/requestBody")
        out: dict[str, Any] = {}
        for key, value in op.items():
            if key == "parameters":
                if own.kept:
                    out[key] = self._parameters(own.kept, ptr + "/parameters")
                if body is not None:
                    out["requestBody"] = body
            elif key in ("consumes", "produces"):
                # Spent on the `content` maps of the request body and the responses.
                continue
            elif key == "schemes":
                # Per-operation schemes override the document's; in 3.0 that takes
                # per-operation servers. Without a host, a relative URL carries no scheme.
                if self._doc.get("host") and _ordered_schemes(value, ptr + "/schemes"):
                    out["servers"] = self._server_list(value, ptr + "/schemes", ptr + "/schemes", ptr + "/servers")
            elif key == "responses":
                out[key] = self._responses(value, ptr + "/responses", ptr + "/responses", produces)
            else:
                out[key] = copy.deepcopy(value)
        if body is not None and "requestBody" not in out:
            out["requestBody"] = body
        return out

    def _request_body(self, own: _Split, shared: _Split, consumes: _MediaTypes, dst: str) -> dict[str, Any] | None:
        # An operation's own body wins over the path's, as operation parameters override
        # path-level ones in 2.0; form fields merge by name with the operation's winning.
        if own.body is not None:
            return self._body(own.body[0], own.body[1], dst, consumes)
        if own.form:
            names = {field_.get("name") for field_, _ in own.form}
            fields = [f for f in shared.form if f[0].get("name") not in names] + own.form
            return self._form_body(fields, own.list_ptr, dst, consumes)
        if shared.body is not None:
            return self._body(shared.body[0], shared.body[1], dst, consumes)
        if shared.form:
            return self._form_body(shared.form, shared.list_ptr, dst, consumes)
        return None

    # -- parameters and request bodies -----------------------------------------------------
    def _parameter(self, param: Any, src: str, dst: str) -> Any:
        self._record(dst, src)
        if not isinstance(param, dict):
            return copy.deepcopy(param)
        if "$ref" in param:
            return {k: self._ref(v) if k == "$ref" else copy.deepcopy(v) for k, v in param.items()}
        return self._typed(param, src, dst, param.get("in"))

    def _typed(self, node: dict[str, Any], src: str, dst: str, location: Any) -> dict[str, Any]:
        """A non-body parameter or a header: type fields into `schema`, collectionFormat into
        style/explode."""
        out = {
            k: copy.deepcopy(v)
            for k, v in node.items()
            if k not in _SIMPLE_SCHEMA_KEYS and k not in _SCHEMA_EXTENSIONS and k != "collectionFormat"
        }
        out["schema"] = self._simple_schema(node, src, dst + "/schema", nested=False)
        style_src = src + "/collectionFormat" if "collectionFormat" in node else src
        for key, value in _style(location, node).items():
            out[key] = value
            self._record(f"{dst}/{key}", style_src)
        return out

    def _simple_schema(self, node: dict[str, Any], src: str, dst: str, nested: bool) -> dict[str, Any]:
        """The schema spelled by a parameter, header or items object's type fields."""
        self._record(dst, src)
        if nested and "$ref" in node:
            # Not allowed on 2.0 items, but written in the wild; treat it as a schema.
            return self._schema(node, src, dst)
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "items" and isinstance(value, dict):
                out[key] = self._simple_schema(value, src + "/items", dst + "/items", nested=True)
            elif key in _SIMPLE_SCHEMA_KEYS or key in _SCHEMA_EXTENSIONS or (nested and key.startswith("x-")):
                out[key] = copy.deepcopy(value)
        if out.get("type") == "file":
            out["type"] = "string"
            out["format"] = "binary"
            self._record(dst + "/format", src + "/type")
        return out

    def _body(self, param: dict[str, Any], src: str, dst: str, consumes: _MediaTypes) -> dict[str, Any]:
        self._record(dst, src)
        if "$ref" in param:
            return {"$ref": self._ref(param["$ref"])}
        out: dict[str, Any] = {}
        if "description" in param:
            out["description"] = copy.deepcopy(param["description"])
        has_schema = "schema" in param
        schema = param.get("schema", {})
        schema_src = src + "/schema" if has_schema else src
        self._record(dst + "/content", src)
        content: dict[str, Any] = {}
        for media_type, media_src in consumes:
            media_dst = _join(dst + "/content", media_type)
            self._record(media_dst, media_src or src)
            content[media_type] = {"schema": self._schema(schema, schema_src, media_dst + "/schema")}
        out["content"] = content
        if "required" in param:
            out["required"] = copy.deepcopy(param["required"])
        for key, value in param.items():
            if key.startswith("x-"):
                out[key] = copy.deepcopy(value)
        return out

    def _form_body(
        self, fields: list[tuple[dict[str, Any], str]], list_src: str, dst: str, consumes: _MediaTypes
    ) -> dict[str, Any]:
        # The form as a whole comes from the parameter list; each field from its parameter.
        self._record(dst, list_src)
        self._record(dst + "/content", list_src)
        has_file = any(f.get("type") == "file" for f, _ in fields)
        # A document-wide `consumes: [application/json]` is common and says nothing about the
        # one upload operation, so only form media types are taken from consumes.
        media_types = [(m, s) for m, s in consumes if _base_media_type(m) in (_URLENCODED, _MULTIPART)]
        if not media_types:
            media_types = [(_MULTIPART if has_file else _URLENCODED, None)]
        content: dict[str, Any] = {}
        for media_type, media_src in media_types:
            media_dst = _join(dst + "/content", media_type)
            self._record(media_dst, media_src or list_src)
            entry: dict[str, Any] = {"schema": self._form_schema(fields, list_src, media_dst + "/schema")}
            if _base_media_type(media_type) == _URLENCODED:
                # Only urlencoded forms honour `encoding.style`; 2.0 defaults arrays to csv
                # while 3.0 forms default to exploded, so the format must be spelled out.
                encoding = self._form_encoding(fields, list_src, media_dst + "/encoding")
                if encoding:
                    entry["encoding"] = encoding
            content[media_type] = entry
        out: dict[str, Any] = {"content": content}
        required = [src for f, src in fields if f.get("required") is True]
        if required:
            # A form with a mandatory field cannot be sent without a body.
            out["required"] = True
            self._record(dst + "/required", required[0] + "/required")
        return out

    def _form_schema(self, fields: list[tuple[dict[str, Any], str]], list_src: str, dst: str) -> dict[str, Any]:
        for suffix in ("", "/type", "/properties"):
            self._record(dst + suffix, list_src)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field_, src in fields:
            name = field_.get("name")
            if not isinstance(name, str):
                continue
            prop_dst = _join(dst + "/properties", name)
            prop = self._simple_schema(field_, src, prop_dst, nested=False)
            for key, value in field_.items():
                if key == "description" or key.startswith("x-"):
                    prop[key] = copy.deepcopy(value)
            properties[name] = prop
            if field_.get("required") is True:
                self._record(f"{dst}/required/{len(required)}", src + "/required")
                required.append(name)
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            self._record(dst + "/required", list_src)
            schema["required"] = required
        return schema

    def _form_encoding(self, fields: list[tuple[dict[str, Any], str]], list_src: str, dst: str) -> dict[str, Any]:
        encoding: dict[str, Any] = {}
        for field_, src in fields:
            name = field_.get("name")
            style = _style("formData", field_)
            # Exploded form style is 3.0's default for form fields, so `multi` needs no entry.
            if not isinstance(name, str) or not style or style == {"style": "form", "explode": True}:
                continue
            entry_dst = _join(dst, name)
            self._record(entry_dst, src)
            style_src = src + "/collectionFormat" if "collectionFormat" in field_ else src
            for key in style:
                self._record(f"{entry_dst}/{key}", style_src)
            encoding[name] = style
        if encoding:
            self._record(dst, list_src)
        return encoding

    # -- responses -------------------------------------------------------------------------
    def _responses(self, responses: Any, src: str, dst: str, produces: _MediaTypes) -> Any:
        if not isinstance(responses, dict):
            return copy.deepcopy(responses)
        out: dict[str, Any] = {}
        for code, response in responses.items():
            # YAML reads an unquoted 200 as an int; 3.0 response keys are strings.
            key = str(code)
            if key.startswith("x-") or not isinstance(response, dict):
                out[key] = copy.deepcopy(response)
            else:
                out[key] = self._response(response, _join(src, key), _join(dst, key), produces)
        return out

    def _response(self, response: dict[str, Any], src: str, dst: str, produces: _MediaTypes) -> dict[str, Any]:
        self._record(dst, src)
        if "$ref" in response:
            return {k: self._ref(v) if k == "$ref" else copy.deepcopy(v) for k, v in response.items()}
        out: dict[str, Any] = {}
        for key, value in response.items():
            if key in ("schema", "examples"):
                continue
            if key == "headers" and isinstance(value, dict):
                out[key] = {
                    name: self._header(header, _join(src, key, name), _join(dst, key, name))
                    for name, header in value.items()
                }
            else:
                out[key] = copy.deepcopy(value)
        has_schema = "schema" in response
        schema_src = src + "/schema"
        content: dict[str, Any] = {}
        if has_schema:
            for media_type, media_src in produces:
                media_dst = _join(dst, "content", media_type)
                self._record(media_dst, media_src or schema_src)
                content[media_type] = {"schema": self._schema(response["schema"], schema_src, media_dst + "/schema")}
        examples = response.get("examples")
        if isinstance(examples, dict):
            for media_type, example in examples.items():
                media_dst = _join(dst, "content", media_type)
                example_src = _join(src, "examples", media_type)
                if media_type not in content:
                    # An example in a media type the operation does not declare still shows
                    # the response can take that form, so it gets its own entry.
                    self._record(media_dst, example_src)
                    entry: dict[str, Any] = {}
                    if has_schema:
                        entry["schema"] = self._schema(response["schema"], schema_src, media_dst + "/schema")
                    content[media_type] = entry
                content[media_type]["example"] = copy.deepcopy(example)
                self._record(media_dst + "/example", example_src)
        if content:
            self._record(dst + "/content", schema_src if has_schema else src + "/examples")
            out["content"] = content
        return out

    def _header(self, header: Any, src: str, dst: str) -> Any:
        self._record(dst, src)
        if not isinstance(header, dict):
            return copy.deepcopy(header)
        if "$ref" in header:
            return {k: self._ref(v) if k == "$ref" else copy.deepcopy(v) for k, v in header.items()}
        return self._typed(header, src, dst, "header")

    # -- schemas ---------------------------------------------------------------------------
    def _schema(self, schema: Any, src: str, dst: str) -> Any:
        if not isinstance(schema, dict):
            # additionalProperties: true/false, or something malformed to pass on untouched.
            return copy.deepcopy(schema)
        self._record(dst, src)
        out: dict[str, Any] = {}
        for key, value in schema.items():
            key_src, key_dst = _join(src, key), _join(dst, key)
            if key == "$ref":
                out[key] = self._ref(value)
            elif key == "properties" and isinstance(value, dict):
                out[key] = {
                    name: self._schema(sub, _join(key_src, name), _join(key_dst, name)) for name, sub in value.items()
                }
            elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
                if isinstance(value, list):
                    out[key] = [
                        self._schema(sub, f"{key_src}/{i}", f"{key_dst}/{i}") for i, sub in enumerate(value)
                    ]
                else:
                    out[key] = self._schema(value, key_src, key_dst)
            elif key == "x-nullable":
                out["nullable"] = copy.deepcopy(value)
                self._record(dst + "/nullable", key_src)
            elif key == "discriminator" and isinstance(value, str):
                out[key] = {"propertyName": value}
                self._record(key_dst, key_src)
                self._record(key_dst + "/propertyName", key_src)
            elif key == "type":
                self._schema_type(value, key_src, dst, out)
            else:
                out[key] = copy.deepcopy(value)
        if schema.get("type") == "file":
            # After the loop, so a `format` written next to `type: file` cannot undo it.
            out["format"] = "binary"
            self._record(dst + "/format", src + "/type")
        return out

    def _schema_type(self, value: Any, src: str, dst: str, out: dict[str, Any]) -> None:
        """Spell a 2.0 (JSON Schema draft 4) `type` in 3.0, which has no "null" type and no
        type arrays."""
        if value == "file":
            out["type"] = "string"
        elif value == "null":
            self._only_null(src, dst, out)
        elif isinstance(value, list):
            concrete = [(i, t) for i, t in enumerate(value) if t != "null"]
            if len(concrete) < len(value):
                out["nullable"] = True
                self._record(dst + "/nullable", f"{src}/{value.index('null')}")
            if not concrete:
                self._only_null(src, dst, out)
            elif len(concrete) == 1:
                out["type"] = concrete[0][1]
                self._record(dst + "/type", f"{src}/{concrete[0][0]}")
            else:
                self._record(dst + "/anyOf", src)
                out["anyOf"] = []
                for j, (i, kind) in enumerate(concrete):
                    self._record(f"{dst}/anyOf/{j}", f"{src}/{i}")
                    self._record(f"{dst}/anyOf/{j}/type", f"{src}/{i}")
                    out["anyOf"].append({"type": kind})
        else:
            out["type"] = copy.deepcopy(value)

    def _only_null(self, src: str, dst: str, out: dict[str, Any]) -> None:
        # `nullable` alone would allow any value; the enum keeps "null and nothing else".
        out["nullable"] = True
        out["enum"] = [None]
        for suffix in ("/nullable", "/enum", "/enum/0"):
            self._record(dst + suffix, src)


def _ordered_schemes(schemes: Any, schemes_ptr: str) -> list[tuple[str, str]]:
    """Distinct schemes with the pointer of their first mention, `https` first."""
    if not isinstance(schemes, list):
        return []
    seen: dict[str, str] = {}
    for i, scheme in enumerate(schemes):
        if isinstance(scheme, str) and scheme not in seen:
            seen[scheme] = f"{schemes_ptr}/{i}"
    # Clients take the first server by default; prefer the secure one. sorted() is stable.
    return sorted(seen.items(), key=lambda item: item[0].lower() != "https")


def _style(location: Any, node: dict[str, Any]) -> dict[str, Any]:
    """style/explode for an array parameter, header or form field, from its collectionFormat."""
    if node.get("type") != "array":
        # collectionFormat only means something for arrays, and 3.0's defaults for scalars
        # already match 2.0's behaviour.
        return {}
    fmt = node.get("collectionFormat", "csv")  # 2.0's default, unlike 3.0's exploded form
    table = _STYLES.get(location, {}) if isinstance(location, str) else {}
    if fmt in table:
        style, explode = table[fmt]
        return {"style": style, "explode": explode}
    return {"x-collectionFormat": copy.deepcopy(fmt)}
