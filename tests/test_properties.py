"""Property tests: one generated OpenAPI 3.0 document, written out several ways, reads back the same.

A hypothesis strategy builds small but varied OpenAPI 3.0 documents (path templates, methods,
parameters, request bodies, responses, component schemas nested through properties and items,
`$ref`s between them) whose names and texts are drawn from strings that trip YAML up: colons,
`#`, quotes, leading spaces, newlines, unicode, and strings that look like numbers, booleans,
dates or null. Each document is rendered as YAML (ruamel.yaml round-trip with two indentation
styles, ruamel.yaml safe, PyYAML `safe_dump`) and as JSON (indented and compact), and:

(a) `load_spec` of every rendering gives the same `canonical_model`;
(b) the parsed `Document.data` equals the generated dict;
(c) every pointer of the document is located where ruamel.yaml's round-trip loader places it.

The reference for positions is ruamel.yaml's round-trip loader, read the way bench/agreement.py
reads it. PyYAML writes YAML 1.1 and would leave strings such as `0o17` or `1e5` unquoted, which
every YAML 1.2 reader (ruamel.yaml's, apiguard's) takes for numbers; its dumper is taught the 1.2
number forms so that it quotes them. ruamel.yaml's emitter has bugs of its own: it folds a long
double-quoted scalar right after a raw CR (so CR is not generated), and folds a plain scalar at a
run of spaces, which then reads back with one space. When ruamel reads a rendering as something
other than the generated document, apiguard must still read and place it exactly as ruamel does,
but (a) and the comparison with the generated document are skipped for it (an `event` counts
these); JSON renderings must always mean the generated document.

Set APIGUARD_PROPERTY_EXAMPLES to run more (or fewer) examples than the default. Shrinking is
off by default: one check of an example runs ruamel.yaml seven times, so shrinking a large
failing document can take Hypothesis its full five minutes. A failure still prints the document
and every rendering; set APIGUARD_PROPERTY_SHRINK=1 to have it shrunk as well.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator
from unittest import mock

from hypothesis import HealthCheck, Phase, event, example, given, note, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from conftest import repair_surrogates

from apiguard import document as document_module
from apiguard.document import Document, parse
from apiguard.loader import load_spec
from apiguard.model import escape_token
from apiguard.normalize import canonical_model

try:
    import yaml as pyyaml
except ImportError:  # pragma: no cover - PyYAML is optional
    pyyaml = None

MAX_EXAMPLES = int(os.environ.get("APIGUARD_PROPERTY_EXAMPLES", "60"))
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target] + (
    [Phase.shrink] if os.environ.get("APIGUARD_PROPERTY_SHRINK") else []
)

# -- strings -----------------------------------------------------------------------------------

# Strings YAML readers disagree about, or that a careless writer leaves unquoted.
LOOKALIKES = [
    "yes", "no", "on", "off", "y", "n", "Y", "N", "true", "False", "TRUE", "null", "Null", "NULL", "~", "",
    "1.10", "1.0", "3.0", "3.0.3", "2020-01-01", "2020-01-01T10:00:00Z", "2001-12-14 21:59:43.10 -5",
    "0o17", "0x1F", "0b101", "017", "1e5", "1.5e5", "+1", "-7", "1_000", ".5", ".inf", "-.Inf", ".nan", "12:30:00",
    "123", "0", "-0", "=", "<<",
]
TRICKY = LOOKALIKES + [
    "a: b", "key: value\nother: thing", "# not a comment", "a #b", "a#b", "ends with colon:", ":starts",
    "'single'", '"double"', "it's", "say \"hi\"", "  leading spaces", "trailing spaces  ", "\nleading newline",
    "trailing newline\n", "two\n\nparagraphs\n", "  indented\n    block\n", "tab\there", "- item", "? q",
    "&anchor", "*alias", "!tag", "%percent", "@at", "`tick", "|", ">-", "{flow: map}", "[flow, seq]", ",", "---",
    "...", "ünïcødé", "ключ: значение", "😀 emoji", "中文", "\u00a0nbsp", "é" * 90, "long words " * 12,
    "https://example.com/a:b#frag?x=1&y=2", "C:\\path\\to", "back\\slash",
]
# Everything but what a YAML 1.1 reader (ruamel.yaml) takes for a line break and YAML forbids
# unescaped: \x85, \u2028, \u2029 and the other C0/C1 controls. Tab and LF are allowed; CR is
# not, because ruamel.yaml's emitter writes it raw inside a double-quoted scalar it folds
# ("0000...\r<newline>  0 0"), which then reads back as another string.
_ALPHABET = st.characters(
    codec="utf-8",
    categories=("L", "M", "N", "P", "S", "Zs"),
    exclude_characters="\x85\u2028\u2029\ufeff",
) | st.sampled_from(list(" :#'\"-?&*!|>%@`{}[],\n\t~"))

# Mostly short strings; now and then one long enough for a writer to fold it over lines.
texts = st.one_of(
    st.sampled_from(TRICKY), st.sampled_from(TRICKY), st.text(_ALPHABET, max_size=16), st.text(_ALPHABET, min_size=70, max_size=100)
)
# Names used as mapping keys. "<<" is left out: PyYAML and ruamel.yaml read it as a merge key.
key_texts = st.one_of(
    st.sampled_from([t for t in TRICKY if t != "<<"]),
    st.text(_ALPHABET, min_size=1, max_size=12).filter(lambda t: t != "<<"),
)
identifiers = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,8}", fullmatch=True)
component_names = st.one_of(
    identifiers, st.sampled_from(["yes", "on", "null", "true", "1.10", "2020-01-01", "3", "Y", "a.b-c_d"])
)
numbers = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**64),
    st.floats(allow_nan=False, allow_infinity=False),
)


# -- documents ---------------------------------------------------------------------------------


def schemas(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    refs = [{"$ref": "#/components/schemas/" + escape_token(n)} for n in names]
    leaves = st.one_of(
        st.fixed_dictionaries(
            {"type": st.just("string")},
            optional={
                "enum": st.lists(texts, min_size=1, max_size=3, unique=True),
                "format": st.sampled_from(["date", "date-time", "uuid", "byte"]),
                "example": texts,
                "default": texts,
                "pattern": st.sampled_from(["^[a-z]+$", "^\\d{3}: .*#$", "[{}]"]),
                "maxLength": st.integers(0, 1000),
            },
        ),
        st.fixed_dictionaries(
            {"type": st.sampled_from(["integer", "number"])},
            optional={"minimum": numbers, "maximum": numbers, "default": numbers, "example": numbers},
        ),
        st.fixed_dictionaries({"type": st.just("boolean")}, optional={"default": st.booleans()}),
        *([st.sampled_from(refs)] if refs else []),
    )

    def extend(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
        objects = st.dictionaries(key_texts, children, min_size=1, max_size=3).flatmap(
            lambda props: st.fixed_dictionaries(
                {"type": st.just("object"), "properties": st.just(props)},
                optional={
                    "required": st.lists(st.sampled_from(sorted(props)), unique=True, min_size=1),
                    "description": texts,
                    "nullable": st.booleans(),
                    "additionalProperties": st.booleans(),
                },
            )
        )
        arrays = st.fixed_dictionaries(
            {"type": st.just("array"), "items": children},
            optional={"description": texts, "minItems": st.integers(0, 5)},
        )
        return st.one_of(objects, arrays)

    return st.recursive(leaves, extend, max_leaves=4)


path_segments = st.one_of(
    identifiers,
    st.sampled_from(["a:b", "v1.0", "x#y", "ünï", "yes", "on", "null", "2020-01-01", "1.10", "~tilde", "a b"]),
)


@st.composite
def path_templates(draw: st.DrawFn) -> tuple[str, list[str]]:
    parts, params = [], []
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            name = draw(identifiers.filter(lambda n: n not in params))
            params.append(name)
            parts.append("{" + name + "}")
        else:
            parts.append(draw(path_segments))
    return "/" + "/".join(parts), params


@st.composite
def parameters(draw: st.DrawFn, path_params: list[str], names: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name in path_params:
        out.append({"name": name, "in": "path", "required": True, "schema": draw(schemas(names))})
    extra = draw(st.lists(st.tuples(key_texts, st.sampled_from(["query", "header", "cookie"])), max_size=2))
    seen = set()
    for name, where in extra:
        if (name.lower(), where) in seen:
            continue
        seen.add((name.lower(), where))
        param: dict[str, Any] = {"name": name, "in": where, "schema": draw(schemas(names))}
        if draw(st.booleans()):
            param["required"] = draw(st.booleans())
        if draw(st.booleans()):
            param["description"] = draw(texts)
        out.append(param)
    return out


@st.composite
def operations(draw: st.DrawFn, method: str, path_params: list[str], names: list[str], op_id: str) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": op_id}
    if draw(st.booleans()):
        op["summary"] = draw(texts)
    if draw(st.booleans()):
        op["description"] = draw(texts)
    if draw(st.booleans()):
        op["tags"] = draw(st.lists(texts, max_size=3))
    params = draw(parameters(path_params, names))
    if params:
        op["parameters"] = params
    if method in ("post", "put", "patch") and draw(st.booleans()):
        op["requestBody"] = {
            "required": draw(st.booleans()),
            "content": {draw(st.sampled_from(["application/json", "text/plain; charset=utf-8"])): {"schema": draw(schemas(names))}},
        }
    codes = draw(st.lists(st.sampled_from(["200", "201", "204", "301", "400", "404", "4XX", "5XX", "default"]), min_size=1, max_size=2, unique=True))
    responses = {}
    for code in codes:
        response: dict[str, Any] = {"description": draw(texts)}
        if draw(st.booleans()):
            response["content"] = {"application/json": {"schema": draw(schemas(names))}}
        if draw(st.booleans()):
            response["headers"] = {draw(identifiers): {"schema": draw(schemas(names)), "description": draw(texts)}}
        responses[code] = response
    op["responses"] = responses
    if draw(st.booleans()):
        op["deprecated"] = draw(st.booleans())
    return op


@st.composite
def openapi_documents(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(component_names, max_size=3, unique=True))
    doc: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": draw(texts), "version": draw(st.sampled_from(["1.10", "1.0", "2020-01-01", "2", "v1"]) | texts)},
    }
    if draw(st.booleans()):
        doc["info"]["description"] = draw(texts)
    if draw(st.booleans()):
        doc["servers"] = [{"url": draw(st.sampled_from(["https://api.example.com/v1", "/", "http://x/a:b", "/base"]))}]
    paths: dict[str, Any] = {}
    shapes: set[str] = set()
    n_ops = 0
    for _ in range(draw(st.integers(0, 2))):
        template, params = draw(path_templates())
        # `/{a}` and `/{b}` are one endpoint: a spec holding both is invalid, and which of the
        # two apiguard keeps then depends on key order (ruamel's safe dumper sorts keys).
        shape = re.sub(r"\{[^}/]*\}", "{}", template)
        if shape in shapes:
            continue
        shapes.add(shape)
        item: dict[str, Any] = {}
        for method in draw(st.lists(st.sampled_from(["get", "put", "post", "delete", "patch"]), min_size=1, max_size=2, unique=True)):
            n_ops += 1
            item[method] = draw(operations(method, params, names, f"op{n_ops}"))
        if draw(st.booleans()):
            item["summary"] = draw(texts)
        paths[template] = item
    doc["paths"] = paths
    if names:
        # A component is never a bare $ref itself: A -> B -> A would be a spec with no definition.
        doc["components"] = {
            "schemas": {n: draw(schemas([m for m in names if m != n]).filter(lambda s: "$ref" not in s)) for n in names}
        }
    return doc


# -- renderings --------------------------------------------------------------------------------


def _ruamel_dump(typ: str, indent: tuple[int, int, int] | None = None) -> Callable[[Any], str]:
    def dump(data: Any) -> str:
        yaml = YAML(typ=typ, pure=True)
        yaml.default_flow_style = False
        yaml.allow_unicode = True
        if indent:
            yaml.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
        out = io.StringIO()
        yaml.dump(data, out)
        return out.getvalue()

    return dump


RENDERINGS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "ruamel-rt": (".yaml", _ruamel_dump("rt")),
    "ruamel-rt-indented": (".yaml", _ruamel_dump("rt", (2, 4, 2))),
    "ruamel-safe": (".yaml", _ruamel_dump("safe")),
    "json-indent": (".json", lambda d: json.dumps(d, indent=2, ensure_ascii=False)),
    "json-compact": (".json", lambda d: json.dumps(d, separators=(",", ":"))),
}
if pyyaml is not None:

    class _Yaml12SafeDumper(pyyaml.SafeDumper):
        """PyYAML's safe dumper writes YAML 1.1, leaving strings such as `0o17`, `1e5` or
        `1.5e5` unquoted, which every YAML 1.2 reader (ruamel.yaml's, apiguard's) takes for
        numbers. Teaching it the 1.2 number forms makes it quote them; its emitter is unchanged."""

    _Yaml12SafeDumper.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        list("-+0123456789."),
    )

    def _pyyaml_dump(**options: Any) -> Callable[[Any], str]:
        return lambda d: pyyaml.dump(d, Dumper=_Yaml12SafeDumper, default_flow_style=False, sort_keys=False, **options)

    RENDERINGS["pyyaml"] = (".yaml", _pyyaml_dump(allow_unicode=True))
    RENDERINGS["pyyaml-ascii"] = (".yml", _pyyaml_dump(allow_unicode=False, indent=4))


# -- the reference -----------------------------------------------------------------------------


def ruamel_load(text: str) -> Any:
    yaml = YAML(typ="rt")
    ctor = yaml.constructor
    ctor.add_constructor("tag:yaml.org,2002:timestamp", type(ctor).construct_yaml_str)
    root = yaml.load(text)
    return repair_surrogates(root) if re.search(r"\\u[dD][89abAB]", text) else root


def _plain_key(key: Any) -> Any:
    if isinstance(key, (bool, str)) or key is None:
        return key
    if isinstance(key, int):
        return int(key)
    if isinstance(key, float):
        return float(key)
    return str(key)


def plain(node: Any) -> Any:
    """ruamel's round-trip types as plain data (keys keep their type, unlike bench/agreement)."""
    if isinstance(node, dict):
        return {_plain_key(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return str(node)


def positions(node: Any, pointer: str = "") -> Iterator[tuple[str, tuple[int, int]]]:
    if isinstance(node, dict):
        for key in node:
            ptr = pointer + "/" + escape_token(str(key).lower() if isinstance(key, bool) else str(key))
            line, col = node.lc.key(key)
            yield ptr, (line + 1, col + 1)
            yield from positions(node[key], ptr)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            ptr = f"{pointer}/{i}"
            line, col = node.lc.item(i)
            yield ptr, (line + 1, col + 1)
            yield from positions(item, ptr)


def pointers_of(node: Any, pointer: str = "") -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            ptr = pointer + "/" + escape_token(str(key))
            yield ptr
            yield from pointers_of(value, ptr)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield f"{pointer}/{i}"
            yield from pointers_of(item, f"{pointer}/{i}")


@contextmanager
def fresh_locating() -> Iterator[Callable[[Document, str], Any]]:
    """`doc.locate(p)` as if `p` were the first pointer asked of `doc` (see tests/test_document.py:
    the YAML locator's switch to ruamel is sticky; it is reset per call, its parse cached)."""
    real = document_module._RuamelLocator
    cache: dict[str, Any] = {}

    def cached(text: str) -> Any:
        if text not in cache:
            cache[text] = real(text)
        return cache[text]

    def locate(doc: Document, pointer: str) -> Any:
        locator = doc._locator_for()
        if getattr(locator, "_fallback", None) is not None:
            locator._fallback = None
        return doc.locate(pointer)

    with mock.patch.object(document_module, "_RuamelLocator", cached):
        yield locate


# -- the properties ----------------------------------------------------------------------------


@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    report_multiple_bugs=False,
    phases=PHASES,
)
@given(openapi_documents())
@example(
    {
        "openapi": "3.0.3",
        "info": {"title": "yes", "version": "1.10", "description": "2020-01-01"},
        "paths": {
            "/on/{id}": {
                "get": {
                    "operationId": "op1",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"$ref": "#/components/schemas/null"}}],
                    "responses": {"200": {"description": "~", "content": {"application/json": {"schema": {"type": "object", "properties": {"on": {"type": "string", "enum": ["yes", "no", "1.10", "0o17", "1e5"]}}}}}}},
                }
            }
        },
        "components": {"schemas": {"null": {"type": "string", "description": "key: value\n# not a comment\n  - item"}}},
    }
)
@example(
    {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1", "description": "note: !important"},
        "paths": {},
    }
)
def test_every_rendering_reads_back_the_same(generated: dict[str, Any]) -> None:
    expected_model: tuple[str, Any] | None = None
    with tempfile.TemporaryDirectory() as tmp, fresh_locating() as locate:
        for label, (suffix, dump) in RENDERINGS.items():
            text = dump(generated)
            path = Path(tmp) / f"{label}{suffix}"
            path.write_text(text, encoding="utf-8")
            note(f"--- {label} ---\n{text}")
            reference = ruamel_load(text)
            read = plain(reference)
            faithful = read == generated
            if not faithful:
                # The writer got it wrong (ruamel.yaml's emitter has such bugs, see the
                # docstring); apiguard must still read the text as ruamel does.
                assert not label.startswith("json"), f"{label}: ruamel.yaml misreads json.dumps output"
                event(f"{label}: the rendering means something else than the generated document")

            # (b) the parsed data is the generated document, and what ruamel reads.
            doc = parse(str(path), path.read_bytes())
            assert doc.data == read, f"{label}: Document.data differs from what ruamel.yaml reads"
            # The same when a large file is parsed in pieces (every entry split that can be).
            with mock.patch.object(document_module, "_SPLIT_ABOVE", 0), mock.patch.object(document_module, "_GROUP_UP_TO", 0):
                in_pieces = parse(str(path), path.read_bytes()).data
            assert in_pieces == read and list(in_pieces) == list(read), f"{label}: read in pieces, the data differs"
            if faithful:
                assert doc.data == generated, f"{label}: Document.data differs from the generated document"

            # (c) every pointer is where ruamel places it.
            truth = dict(positions(reference))
            if faithful:
                assert sorted(truth) == sorted(pointers_of(generated)), f"{label}: ruamel sees other pointers"
            bad = []
            for ptr, expected in truth.items():
                loc = locate(doc, ptr)
                if (loc.line, loc.column) != expected:
                    bad.append(f"{ptr}: apiguard {loc.line}:{loc.column}, ruamel {expected[0]}:{expected[1]}")
            assert not bad, f"{label}: {len(bad)} of {len(truth)} pointers placed differently:\n" + "\n".join(bad[:20])

            # (a) load_spec gives one canonical model for every faithful rendering.
            model = canonical_model(load_spec(str(path)))
            if faithful:
                if expected_model is None:
                    expected_model = (label, model)
                assert model == expected_model[1], f"{label}: canonical model differs from {expected_model[0]}'s"
