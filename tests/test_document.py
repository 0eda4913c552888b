"""The source map is exact: `Document.locate` agrees with ruamel.yaml on every pointer.

ruamel.yaml's round-trip loader records a line and column for every mapping key and every list
item; that is the reference, compared the way `bench/agreement.py` does (whose helpers are
imported). apiguard places most pointers with a fast walk of the text and falls back to ruamel
only when unsure, and the fallback is sticky per document: once one pointer falls back, every
later pointer of that document is answered by ruamel too. So comparing all pointers of one
document in order mostly tests ruamel against itself. Here each pointer is located "fresh", as
if it were the first one asked of its document (the mode real use hits: a diff locates a few
findings), with the fallback parse cached so that this stays cheap; see `fresh_locate`. The
in-order mode of `bench/agreement.py` is checked as well, on the small fixtures.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from ruamel.yaml import YAML

from conftest import repair_surrogates
from apiguard import document as document_module
from apiguard.document import Document, get_child, parse
from apiguard.loader import load_spec
from apiguard.model import Location, escape_token, split_pointer

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures" / "sourcemap"
SPECS = Path(__file__).resolve().parents[2] / "shared" / "specs"

sys.path.insert(0, str(REPO / "bench"))
from agreement import plain, ruamel_positions  # noqa: E402

Locate = Callable[[Document, str], Location]


# -- the reference -----------------------------------------------------------------------------


def ruamel_load(text: str) -> Any:
    """ruamel.yaml's round-trip tree, as bench/agreement.py builds it (dates stay strings).

    ruamel reads JSON as YAML, which agrees with JSON except on one point: YAML takes the
    escape pair "\\ud83d\\ude00" as two lone surrogates where JSON means one character (😀).
    Such pairs are joined here, so the reference has JSON's meaning; positions are unaffected.
    """
    yaml = YAML(typ="rt")
    ctor = yaml.constructor
    ctor.add_constructor("tag:yaml.org,2002:timestamp", type(ctor).construct_yaml_str)
    root = yaml.load(text)
    if re.search(r"\\u[dD][89abAB]", text):
        root = repair_surrogates(root)
    return root


def ruamel_truth(root: Any) -> dict[str, tuple[int, int]]:
    """pointer -> 1-based (line, column) for every node ruamel knows, the root included."""
    truth = {"": (root.lc.line + 1, root.lc.col + 1)}
    for ptr, line, col in ruamel_positions(root):
        truth.setdefault(ptr, (line, col))
    return truth


def data_pointers(node: Any, pointer: str = "") -> Iterator[str]:
    """Every pointer of plain parsed data, in document order (as `ruamel_positions` spells them)."""
    if isinstance(node, dict):
        for key, value in node.items():
            ptr = pointer + "/" + escape_token(str(key).lower() if isinstance(key, bool) else str(key))
            yield ptr
            yield from data_pointers(value, ptr)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            ptr = f"{pointer}/{i}"
            yield ptr
            yield from data_pointers(item, ptr)


# -- locating ----------------------------------------------------------------------------------


@pytest.fixture
def fresh_locate(monkeypatch: pytest.MonkeyPatch) -> Locate:
    """`doc.locate(pointer)` as if `pointer` were the first pointer asked of `doc`.

    The YAML locator switches to ruamel for good the first time its fast walk is unsure; this
    resets that switch before each call (the fast walk's tables are deterministic caches and
    are kept), and caches the fallback's ruamel parse per text so a spec that needs it is
    parsed once, not once per pointer. Relies on two private names of apiguard.document and
    degrades to plain `doc.locate` if they go away.
    """
    real = getattr(document_module, "_RuamelLocator", None)
    cache: dict[str, Any] = {}
    if real is not None:

        def cached(text: str) -> Any:
            if text not in cache:
                cache[text] = real(text)
            return cache[text]

        monkeypatch.setattr(document_module, "_RuamelLocator", cached)

    def locate(doc: Document, pointer: str) -> Location:
        locator = doc._locator_for() if hasattr(doc, "_locator_for") else None
        if getattr(locator, "_fallback", None) is not None:
            locator._fallback = None
        return doc.locate(pointer)

    return locate


def shared_locate(doc: Document, pointer: str) -> Location:
    return doc.locate(pointer)


def mismatches(doc: Document, truth: dict[str, tuple[int, int]], pointers: Any, locate: Locate) -> list[str]:
    out = []
    for ptr in pointers:
        loc = locate(doc, ptr)
        if (loc.line, loc.column) != truth[ptr]:
            line, col = truth[ptr]
            out.append(f"{ptr or '(root)'}: apiguard {loc.line}:{loc.column}, ruamel {line}:{col}")
    return out


# Where apiguard places a node differently from ruamel.yaml on purpose (none at present).
DELIBERATE: dict[str, dict[str, tuple[int, int]]] = {}


def assert_agrees(name: str, text: str, locate: Locate, pointers: Any = None) -> int:
    """Parse `text` with apiguard and ruamel: equal values, equal position for every pointer.
    A name containing "bom" is given to apiguard as UTF-8 bytes with a byte order mark."""
    raw = text.encode("utf-8")
    doc = parse(name, b"\xef\xbb\xbf" + raw if "bom" in name else raw)
    root = ruamel_load(text)
    assert plain(doc.data) == plain(root), f"{name}: parsed values differ from ruamel.yaml"
    if name.endswith(".json"):
        assert doc.data == json.loads(text), f"{name}: parsed values differ from the json module's"
    truth = ruamel_truth(root)
    stem = name.rsplit(".", 1)[0].replace("-crlf", "").replace("-bom", "")
    for pointer, position in DELIBERATE.get(stem, {}).items():
        if pointer in truth:
            truth[pointer] = position
    wanted = list(truth) if pointers is None else pointers
    bad = mismatches(doc, truth, wanted, locate)
    assert not bad, f"{name}: {len(bad)} of {len(wanted)} pointers placed differently:\n" + "\n".join(bad[:40])
    return len(wanted)


# -- the fixture files -------------------------------------------------------------------------


def fixture_text(variant: str) -> tuple[str, str]:
    """(file name, text) of a fixture variant; the CRLF and minified ones are made here."""
    yaml_text = (FIXTURES / "everything.yaml").read_text(encoding="utf-8")
    json_text = (FIXTURES / "pretty.json").read_text(encoding="utf-8")
    if variant == "yaml":
        return "everything.yaml", yaml_text
    if variant == "yaml-crlf":
        return "everything-crlf.yaml", yaml_text.replace("\n", "\r\n")
    if variant == "json":
        return "pretty.json", json_text
    if variant in ("yaml-bom", "json-bom"):
        # The text without its byte order mark; `assert_agrees` puts one before the bytes.
        return ("everything-bom.yaml", yaml_text) if variant == "yaml-bom" else ("pretty-bom.json", json_text)
    if variant == "json-crlf":
        return "pretty-crlf.json", json_text.replace("\n", "\r\n")
    if variant == "json-minified":
        return "minified.json", json.dumps(json.loads(json_text), ensure_ascii=False, separators=(",", ":"))
    if variant == "json-ascii":
        # One line again, with every non-ASCII character written as a \u escape.
        return "ascii.json", json.dumps(json.loads(json_text), separators=(", ", ": "))
    raise AssertionError(variant)


VARIANTS = ["yaml", "yaml-crlf", "yaml-bom", "json", "json-crlf", "json-minified", "json-ascii", "json-bom"]


def test_fixtures_hold_what_they_claim() -> None:
    """Guard against a fixture edit silently dropping the constructs the tests rely on."""
    _, text = fixture_text("yaml")
    for needle in [
        "\n---\n", "\n- name: pets", "\n  - url:", "'200':", '"/pets/{id}":', "plain#hash:", '"name: with colon":',
        "description: |\n", ">-\n", "\n# a comment between", "{type: string}", "[flow, 'list', \"items\"]", "&base",
        "*base", "continues on a second line", "ключ → значение", "émoji 😀:", "version: 1.10\n",
    ]:
        assert needle in text, needle
    _, minified = fixture_text("json-minified")
    assert "\n" not in minified and "ünï" in minified
    assert "\r\n" in fixture_text("yaml-crlf")[1]


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_pointer_of_the_fixtures_fresh(variant: str, fresh_locate: Locate) -> None:
    name, text = fixture_text(variant)
    assert assert_agrees(name, text, fresh_locate) > (150 if variant.startswith("yaml") else 70)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_pointer_of_the_fixtures_in_order(variant: str) -> None:
    """One Document asked every pointer in document order, as bench/agreement.py does."""
    name, text = fixture_text(variant)
    assert_agrees(name, text, shared_locate)


def test_columns_count_characters_not_bytes() -> None:
    for variant in ("yaml", "json-minified"):
        name, text = fixture_text(variant)
        doc = parse(name, text.encode("utf-8"))
        ptr = "/components/schemas/Pet/allOf/1/properties/émoji 😀" if variant == "yaml" else (
            "/components/schemas/Pet/properties/😀"
        )
        loc = doc.locate(ptr)
        line = text.splitlines()[loc.line - 1]
        key = ptr.rsplit("/", 1)[1]
        # The character at the column is the key itself (or its opening quote in JSON).
        assert line[loc.column - 1 :].lstrip('"').startswith(key), (variant, loc, line[loc.column - 1 :][:20])


def test_scalar_values_as_written() -> None:
    doc = parse("everything.yaml", (FIXTURES / "everything.yaml").read_bytes())
    info = doc.data["info"]
    assert info["x-date"] == "2020-01-01"
    assert info["x-on"] == "on" and info["x-yes"] == "yes"
    assert info["x-null-word"] == "null" and info["x-tilde"] == "~"
    assert info["x-multi-line plain"] == "this plain scalar continues on a second line and a#third without a comment"
    assert info["description"].startswith("get: this line looks like a key") and info["description"].endswith(
        "# nor this comment\n"
    )
    assert info["summary"] == "folded: text that looks like: a mapping"
    pet = doc.data["components"]["schemas"]["Pet"]["allOf"][1]["properties"]
    assert "on" in pet and "yes" in pet, "YAML 1.2: on/yes keys are strings, not booleans"
    assert pet["yes"]["enum"] == ["yes", "no", "on", "off", "1.10", "2020-01-01", None, None]
    assert doc.data["components"]["schemas"]["Copy"] == doc.data["components"]["schemas"]["Base"]
    literal = doc.data["components"]["schemas"]["Literal"]
    assert literal["x-keep"] == "trailing\n\n" and literal["x-after"] == "done"


# -- small snippets, one construct each ---------------------------------------------------------

SNIPPETS = {
    "block-map": "a:\n  b: 1\n  c:\n    d: 2\ne: 3\n",
    "top-level-indented": "  a: 1\n  b:\n    c: 2\n",
    "seq-same-indent": "a:\n- x\n- y: 1\n  z: 2\nb: 1\n",
    "seq-indented": "a:\n  - x\n  - y: 1\n    z: 2\nb: 1\n",
    "top-level-seq": "- a\n- b: 1\n  c: 2\n-\n  d: 3\n",
    "nested-seqs": "a:\n- - x\n  - y\n- -\n    z: 1\n",
    "item-on-next-line": "a:\n-\n  b: 1\n-\n  - c\n",
    "quoted-keys": "'200':\n  \"/pets/{id}\": 1\n  'it''s': 2\n  \"esc\\\"q\": 3\n  \"\\u00e9\": 4\n",
    "int-and-bool-keys": "responses:\n  200:\n    description: ok\n  default: {}\ntrue: 1\n",
    "hash-and-colon-keys": "a#b: 1\n\"c: d\": 2\n'e # f': 3\nurn:x: 4\nkey   : 5\n-dash: 6\n?q: 7\n",
    "block-scalars": "a: |\n  b: c\n  - d\nd: >-\n  e: f\n  g\nh: |+\n  i\n\nj: |2\n    k: l\nm: end\n",
    "block-scalar-in-item": "a:\n- |\n  b: c\n- d: >\n    e: f\n  g: 1\n",
    "comments": "# top\na: 1 # trailing: x\n# between\n  # indented\nb:\n  # inside\n  c: 2\n# low\n  d: 3\n",
    "flow": "a: {b: 1, c: [d, e]}\nf: [ {g: h}, [i] ]\ng: {}\nh: []\n",
    "flow-multiline": "a: {b: 1,\n  c: [d,\n    e]}\nf: 2\n",
    "flow-item": "a:\n- {b: 1}\n- [c, d]\n- e\n",
    "anchor-map-value": "a: &x\n  b: 1\nc: *x\nd: 2\n",
    "anchor-scalar-value": "a: &s 1\nb: *s\n",
    "anchored-scalar-item": "a:\n- &x foo\n- bar\n",
    "alias-scalar-item": "a: &x foo\nb:\n- *x\n- bar\n",
    "alias-mapping-item": "defs:\n  p: &p\n    name: id\nlist:\n- *p\n- name: other\n",
    "anchored-mapping-item": "a:\n- &m\n  k: 1\n- j: 2\n",
    "anchored-inline-mapping-item": "a:\n- &m k: 1\n  j: 2\n",
    "multiline-plain": "a: one\n  two\n  three\nb: 1\n",
    "multiline-quoted": "a: \"one\n  two: x\"\nb: 'x\n  y'\nc: 1\n",
    "document-start": "---\na: 1\nb:\n  c: 2\n",
    "directive": "%YAML 1.2\n---\na: 1\n",
    "document-end": "a:\n  b: 1\n...\n",
    "comment-then-start": "# c\n\n---\n# d\na: 1\n",
    "unicode-block": "é: ü\nключ:\n  значение: 1\n😀:\n- é\n- ü: 😀\n",
    "unicode-flow": "a: {é: 1, ключ: 2, 😀: 3}\nb: [é, 😀, x]\n",
    "empty-values": "a:\nb: ~\nc: null\nd: ''\ne:\n  f:\n",
    "trailing-spaces": "a:   \n  b: 1   \nc:\n  - d   \n",
    "complex-key": "? a\n: 1\nb: 2\n",
    "deep-indent": "a:\n      b: 1\n      c:\n          - d\n          - e: 1\n            f: 2\n",
    "scalar-on-next-line": "a:\n  plain scalar\n  on two lines\nb:\n  'quoted'\nc: 1\n",
    "odd-plain-keys": "it's: 1\na:: 2\nb:c: 3\n\"x\": 4\n'y' : 5\n",
    "long-unicode-line": "k: " + "é" * 300 + "\nl: {m: " + "😀" * 100 + ", n: 1}\n",
    "comment-after-key": "a: # comment: x\n  b: 1\nc: &x # c\n  d: 1\ne: !!map\n  f: 1\n",
    "seq-in-item-same-indent": "- a:\n  - x\n  b: 1\n- c:\n    - y\n",
    "blank-lines": "a:\n  b: 1\n\n\n  c: 2\n\nd:\n\n  - e\n",
    "bang-in-strings": "a: 'note: !important'\nb: |\n  !not a tag\nc: x-!y\nd: [e, '!f']\ne: \"x, !y\"\n",
    "core-tags": "a: !!str 1\nb: !!int '2'\n",
    "scalar-types": "a: 2020-01-01\nb: on\nc: yes\nd: 1.10\ne: 0o17\nf: .inf\ng: 0x1F\n",
}


@pytest.mark.parametrize("ending", ["lf", "crlf"])
@pytest.mark.parametrize("case", sorted(SNIPPETS))
def test_snippet_fresh(case: str, ending: str, fresh_locate: Locate) -> None:
    text = SNIPPETS[case]
    if ending == "crlf":
        text = text.replace("\n", "\r\n")
    assert_agrees(f"{case}.yaml", text, fresh_locate)


@pytest.mark.parametrize("case", sorted(SNIPPETS))
def test_snippet_in_order(case: str) -> None:
    assert_agrees(f"{case}.yaml", SNIPPETS[case], shared_locate)


# -- pointers that do not exist ----------------------------------------------------------------

MISSING = {
    "yaml": [
        ("/nope", ""),
        ("/info/nope", "/info"),
        ("/info/title/deeper", "/info/title"),
        ("/info/contact/nope", "/info/contact"),
        ("/tags/99", "/tags"),
        ("/tags/x", "/tags"),
        ("/tags/0/nope/deeper", "/tags/0"),
        ("/tags/1/x-list-in-list/0/5", "/tags/1/x-list-in-list/0"),
        ("/paths/~1pets~1{id}/get/parameters/0/schema/nope", "/paths/~1pets~1{id}/get/parameters/0/schema"),
        ("/paths/~1pets~1{id}/get/responses/201", "/paths/~1pets~1{id}/get/responses"),
        ("/components/schemas/Copy/nope", "/components/schemas/Copy"),
        ("/components/schemas/EmptyList/enum/0", "/components/schemas/EmptyList/enum"),
    ],
    "json": [
        ("/nope", ""),
        ("/info/nope", "/info"),
        ("/info/title/deeper", "/info/title"),
        ("/tags/2", "/tags"),
        ("/tags/-", "/tags"),
        ("/paths/~1pets~1{id}/get/parameters/0/nope", "/paths/~1pets~1{id}/get/parameters/0"),
        ("/info/x-empty/object/a", "/info/x-empty/object"),
        ("/info/x-empty/array/0", "/info/x-empty/array"),
    ],
}
BLOCK_ONLY = "# leading comment\n---\nopenapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n"
MISSING["block"] = [
    ("/nope", ""),
    ("/info/nope", "/info"),
    ("/paths/~1a/post", "/paths/~1a"),
    ("/paths/~1a/get/responses/200/description/x", "/paths/~1a/get/responses/200/description"),
]


@pytest.mark.parametrize("variant", ["yaml", "yaml-crlf", "json", "json-minified", "block"])
def test_missing_pointer_lands_on_nearest_existing_ancestor(variant: str, fresh_locate: Locate) -> None:
    name, text = ("block.yaml", BLOCK_ONLY) if variant == "block" else fixture_text(variant)
    truth = ruamel_truth(ruamel_load(text))
    doc = parse(name, text.encode("utf-8"))
    bad = []
    for missing, ancestor in MISSING[variant.split("-")[0]] + [("", "")]:
        for locate in (fresh_locate, shared_locate):
            loc = locate(doc, missing)
            if (loc.line, loc.column) != truth[ancestor]:
                mode = "fresh" if locate is fresh_locate else "after others"
                bad.append(
                    f"{missing or '(root)'} ({mode}): apiguard {loc.line}:{loc.column}, "
                    f"its ancestor {ancestor or '(root)'} is at {truth[ancestor][0]}:{truth[ancestor][1]}"
                )
        # A missing pointer keeps the pointer it was asked for, but the position of its ancestor.
        assert doc.locate(missing).pointer == missing
    assert not bad, "\n".join(bad)


# -- versions as load_spec reports them --------------------------------------------------------


def test_load_spec_on_the_fixtures(tmp_path: Path) -> None:
    for variant in ("yaml", "yaml-crlf", "json", "json-minified"):
        name, text = fixture_text(variant)
        path = tmp_path / name
        path.write_bytes(text.encode("utf-8"))
        spec = load_spec(str(path))
        assert spec.version == "3.0.3" and spec.family == "3.0", variant
        assert spec.root.value["info"]["version"] == "1.10", variant
        assert "get /pets/{}" in spec.operations, variant


VERSIONS = [
    ("openapi: 3.0.3\ninfo:\n  title: t\n  version: 1.10\n", "3.0.3", "1.10"),
    ("openapi: '3.0.3'\ninfo:\n  title: t\n  version: '1.10'\n", "3.0.3", "1.10"),
    ("openapi: 3.0.3\ninfo:\n  title: t\n  version: 1.0\n", "3.0.3", "1.0"),
    ("openapi: 3.0.3\ninfo:\n  title: t\n  version: 1.10  # a comment\n", "3.0.3", "1.10"),
    ("openapi: 3.0.3\ninfo:\n  title: t\n  version: 2\n", "3.0.3", "2"),
    ("openapi: 3.0.3\ninfo:\n  title: t\n  version: 2020-01-01\n", "3.0.3", "2020-01-01"),
    ("openapi: 3.0.3\ninfo: {title: t, version: 1.10}\n", "3.0.3", "1.10"),
    ("openapi: 3.1.0\ninfo:\n  title: t\n  version: 1.10\n", "3.1.0", "1.10"),
    ("openapi: 3.0\ninfo:\n  title: t\n  version: 1.10\n", "3.0", "1.10"),
    ('{"openapi": "3.0.3", "info": {"title": "t", "version": "1.10"}}', "3.0.3", "1.10"),
]


@pytest.mark.parametrize("text,openapi,version", VERSIONS, ids=[f"v{i}" for i in range(len(VERSIONS))])
def test_versions_come_back_as_written(text: str, openapi: str, version: str, tmp_path: Path) -> None:
    text += "paths: {}\n" if not text.startswith("{") else ""
    if text.startswith("{"):
        text = text[:-1] + ', "paths": {}}'
    path = tmp_path / ("spec.json" if text.startswith("{") else "spec.yaml")
    path.write_text(text, encoding="utf-8")
    spec = load_spec(str(path))
    assert spec.version == openapi
    assert spec.root.value["info"]["version"] == version
    assert isinstance(spec.root.value["info"]["version"], str)


# -- real specs --------------------------------------------------------------------------------

needs_specs = pytest.mark.skipif(not SPECS.is_dir(), reason=f"the shared real-world specs are not at {SPECS}")

MISC = [
    "misc/redocly-museum-v3.1-2770b2b.yaml",
    "misc/jira-7.6.1-4c18c8f.json",
    "misc/twilio-2010-04-01-swagger2-4c18c8f.yaml",
]
# Large specs: a deterministic sample of pointers. ruamel's reference for them comes from its
# composer in child processes running alongside apiguard (see `big_reference`); measured on two
# busy cores, the Stripe test takes ~20-25 s, most of it apiguard's own fallback to ruamel on that
# spec (~13-20 s). APIGUARD_SAMPLED_SPECS (comma-separated, relative to the specs folder) picks
# others, e.g. "openai/new-f85dbe2.yaml,github/new-1cf3739.json".
BIG = [
    rel.strip()
    for rel in os.environ.get("APIGUARD_SAMPLED_SPECS", "stripe/new-e0123a3.yaml,github/new-1cf3739.json").split(",")
    if rel.strip()
]
SAMPLE = 3000


@needs_specs
@pytest.mark.parametrize("rel", MISC)
def test_every_pointer_of_a_real_spec(rel: str, fresh_locate: Locate) -> None:
    path = SPECS / rel
    text = path.read_bytes().decode("utf-8-sig")
    assert assert_agrees(str(path), text, fresh_locate) > 500


def sample_of(doc: Document) -> list[str]:
    pointers = list(data_pointers(doc.data))
    return random.Random(0).sample(pointers, min(SAMPLE, len(pointers)))


def composed_reference(text: str, wanted: set[str]) -> tuple[int, dict[str, Any]]:
    """(number of pointers, {pointer: [line, column, summary]} for the `wanted` ones), from
    ruamel's composer: the marks of its nodes are exactly what the round-trip loader records
    as `lc` (keys at the key node, items at the item node), without the cost of building the
    whole tree. A summary is a scalar's value, a mapping's keys or a list's length."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    # The safe composer is ~15% faster than the round-trip one and yields the same marks
    # (test_composed_reference_is_the_round_trip_reference checks that).
    yaml = YAML(typ="safe", pure=True)
    ctor = yaml.constructor
    ctor.add_constructor("tag:yaml.org,2002:timestamp", type(ctor).construct_yaml_str)
    root = yaml.compose(text)
    if re.search(r"\\u[dD][89abAB]", text):
        raise NotImplementedError("escaped surrogate pairs: use ruamel_load")

    def key_token(node: Any) -> str:
        if node.tag == "tag:yaml.org,2002:str":
            return str(node.value)
        key = ctor.construct_object(node, deep=True)
        return str(key).lower() if isinstance(key, bool) else str(key)

    def summary(node: Any) -> Any:
        if isinstance(node, MappingNode):
            return ["object", [key_token(k) for k, _ in node.value]]
        if isinstance(node, SequenceNode):
            return ["array", len(node.value)]
        return plain(ctor.construct_object(node, deep=True))

    found: dict[str, Any] = {}
    count = 0
    stack: list[tuple[Any, str]] = [(root, "")]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, MappingNode):
            children = [(pointer + "/" + escape_token(key_token(k)), k, v) for k, v in node.value]
        elif isinstance(node, SequenceNode):
            children = [(f"{pointer}/{i}", v, v) for i, v in enumerate(node.value)]
        else:
            assert isinstance(node, ScalarNode)
            continue
        for ptr, marked, value in children:
            count += 1
            if ptr in wanted and ptr not in found:
                found[ptr] = [marked.start_mark.line + 1, marked.start_mark.column + 1, summary(value)]
            stack.append((value, ptr))
    return count, found


def summary_of(value: Any) -> Any:
    if isinstance(value, dict):
        return ["object", [str(k).lower() if isinstance(k, bool) else str(k) for k in value]]
    if isinstance(value, list):
        return ["array", len(value)]
    return plain(value)


def test_composed_reference_is_the_round_trip_reference() -> None:
    """The shortcut `composed_reference` reports what `ruamel_load` + `ruamel_positions` do."""
    texts = [fixture_text("yaml")[1], fixture_text("json")[1], *SNIPPETS.values()]
    redocly = SPECS / MISC[0]
    if redocly.is_file():
        texts.append(redocly.read_text(encoding="utf-8"))
    for text in texts:
        root = ruamel_load(text)
        truth = ruamel_truth(root)
        del truth[""]
        count, found = composed_reference(text, set(truth))
        assert count == len(truth)
        assert {ptr: tuple(v[:2]) for ptr, v in found.items()} == truth


def _reference_main(spec: str, sample_file: str, out: str) -> None:
    """Child process: `composed_reference` of a spec for the pointers listed in `sample_file`."""
    wanted = set(json.loads(Path(sample_file).read_text(encoding="utf-8")))
    count, found = composed_reference(Path(spec).read_bytes().decode("utf-8-sig"), wanted)
    Path(out).write_text(json.dumps({"count": count, "found": found}, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def big_reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], dict[str, Any]]]:
    """ruamel's reference for the sampled pointers of every BIG spec, computed in child
    processes started together, so they run alongside each other and alongside apiguard's own
    work in this process (on two cores this halves the wall time)."""
    folder = tmp_path_factory.mktemp("ruamel-reference")
    procs: dict[str, tuple[subprocess.Popen[bytes], Path, Path]] = {}
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    try:
        for n, rel in enumerate(BIG):
            path = SPECS / rel
            sample_file, out, err = folder / f"{n}.sample.json", folder / f"{n}.json", folder / f"{n}.err"
            sample_file.write_text(json.dumps(sample_of(parse(str(path), path.read_bytes()))), encoding="utf-8")
            with err.open("wb") as err_file:
                proc = subprocess.Popen(
                    [sys.executable, str(Path(__file__).resolve()), "--ruamel-reference", str(path), str(sample_file), str(out)],
                    stdout=subprocess.DEVNULL,
                    stderr=err_file,
                    env=env,
                )
            procs[rel] = (proc, out, err)

        def result(rel: str) -> dict[str, Any]:
            proc, out, err = procs[rel]
            rc = proc.wait(timeout=600)
            assert rc == 0, f"ruamel reference for {rel} failed:\n{err.read_text(errors='replace')[-3000:]}"
            return json.loads(out.read_text(encoding="utf-8"))

        yield result
    finally:
        for proc, _, _ in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@needs_specs
@pytest.mark.parametrize("rel", BIG)
def test_sampled_pointers_of_a_large_spec(
    rel: str, fresh_locate: Locate, big_reference: Callable[[str], dict[str, Any]]
) -> None:
    path = SPECS / rel
    raw = path.read_bytes()
    doc = parse(str(path), raw)
    sample = sample_of(doc)
    t0 = time.perf_counter()
    located = {ptr: fresh_locate(doc, ptr) for ptr in sample}
    elapsed = time.perf_counter() - t0
    if rel.endswith(".json"):
        assert doc.data == json.loads(raw), f"{rel}: parsed values differ from the json module's"
    ref = big_reference(rel)
    assert ref["count"] == sum(1 for _ in data_pointers(doc.data)), f"{rel}: apiguard and ruamel see a different number of nodes"
    missing = [ptr for ptr in sample if ptr not in ref["found"]]
    assert not missing, f"{rel}: pointers apiguard parsed that ruamel does not have: {missing[:10]}"
    bad, values = [], []
    for ptr, loc in located.items():
        line, col, summary = ref["found"][ptr]
        if (loc.line, loc.column) != (line, col):
            bad.append(f"{ptr}: apiguard {loc.line}:{loc.column}, ruamel {line}:{col}")
        mine = summary_of(resolve_pointer(doc.data, ptr))
        if mine != summary:
            values.append(f"{ptr}: apiguard {mine!r}, ruamel {summary!r}")
    assert not values, f"{rel}: {len(values)} sampled values differ from ruamel.yaml's:\n" + "\n".join(values[:20])
    assert not bad, f"{rel}: {len(bad)} of {len(sample)} sampled pointers differ (locating took {elapsed:.1f}s):\n" + (
        "\n".join(bad[:40])
    )


def resolve_pointer(data: Any, pointer: str) -> Any:
    for token in split_pointer(pointer):
        data = get_child(data, token)
    return data


def test_get_child_reads_yaml_int_keys() -> None:
    doc = parse("int-keys.yaml", b"responses:\n  200:\n    description: ok\n")
    assert get_child(doc.data["responses"], "200") == {"description": "ok"}
    assert split_pointer("/a~1b/c~0d") == ["a/b", "c~d"]


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--ruamel-reference":
        _reference_main(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit("usage: test_document.py --ruamel-reference SPEC POINTERS.json OUT.json")


NON_ASCII_JSON = '{\n  "openapi": "3.0.3",\n  "info": {"title": "Café 😀 \\u00e9 \\ud83d\\ude00", "version": "1"},\n  "x-€": ["naïve", "\\"quoted é\\"", "à\\u00a0…"],\n  "paths": {}\n}\n'


def test_non_ascii_json_parses_from_its_byte_view_to_the_same_values() -> None:
    """JSON with non-ASCII characters is parsed without its wide text (the characters are
    escaped into the view); the values are exactly those of the real text, and the view holds
    one character per byte of the file."""
    raw = NON_ASCII_JSON.encode("utf-8")
    doc = parse("spec.json", raw)
    assert doc.data == json.loads(NON_ASCII_JSON)
    assert doc.text.encode("latin-1") == raw
    line = NON_ASCII_JSON.splitlines()[3]
    for pointer, starts in (("/x-€", '"x-€"'), ("/x-€/1", '"\\"quoted'), ("/x-€/2", '"à')):
        loc = doc.locate(pointer)
        assert (loc.line, loc.column) == (4, line.index(starts) + 1), pointer  # columns count characters
    # With a byte-order mark it takes the decoding path, to the same result.
    assert parse("spec.json", b"\xef\xbb\xbf" + raw).data == doc.data
    # An escaped backslash before a non-ASCII character is read from the real text.
    assert parse("spec.json", '{"t": "a\\\\é"}'.encode("utf-8")).data == {"t": "a\\é"}


@pytest.mark.parametrize(
    "text,message,line,column",
    [
        ('{\n  "t": "é😀",\n  "a": 1,\n}\n', "invalid JSON", 3, 9),
        ('{\n  "t": "é😀",\n  "t": 2\n}\n', "duplicate key 't'", 3, 3),
        ('{\n  "t": "é",\n  "a": é\n}\n', "invalid JSON", 3, 8),
        ('{\n  "t": "\\é"\n}\n', "invalid JSON", 2, 9),
    ],
)
def test_non_ascii_json_errors_are_located_in_the_real_text(text: str, message: str, line: int, column: int) -> None:
    from apiguard.errors import InputError

    with pytest.raises(InputError) as info:
        parse("spec.json", text.encode("utf-8"))
    assert info.value.message.startswith(message), info.value.message
    assert (info.value.line, info.value.column) == (line, column)


def test_a_yaml_source_map_is_freed_with_its_document() -> None:
    """The CLI runs with the cyclic GC off: a source map in a reference cycle kept the text and
    the data of both compared specs alive through the report (5 MB on the Stripe pair)."""
    import gc
    import weakref

    text = "openapi: 3.0.3\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n"
    doc = parse("spec.yaml", text.encode())
    assert doc.locate("/paths/~1a/get/responses/200").line == 6
    ref = weakref.ref(doc._locator_for())
    gc.disable()
    try:
        del doc
        assert ref() is None, "the source map outlived its document"
    finally:
        gc.enable()
