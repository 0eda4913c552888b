"""A large YAML file is parsed in pieces (entry by entry) to keep the native parser's working
memory small; the data must be exactly what a parse of the whole file gives, keys in the same
order, and every error must still be reported at its place in the whole file.

The size thresholds are patched to zero here, so that even small texts go through the splitter
and every entry that can be split is: each case below either reads the same in pieces or is
refused by the splitter (then the caller parses the whole text, which is correct by
construction). The cases are the ways a line that starts at an entry's indentation can fail to
start an entry, and the ways one piece can depend on another.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml_rs

from apiguard import document as D
from apiguard.errors import InputError

REPO = Path(__file__).resolve().parents[1]
SPECS = REPO.parent / "shared" / "specs"


def whole(text: str, aliases: bool = True) -> Any:
    """The parse the splitter's pieces must add up to (`aliases` false: any alias is an error,
    as for a piece outside the alias span)."""
    limits = yaml_rs.AliasLimits(max_total_replayed_events=D._ALIAS_EVENTS if aliases else 0, max_replay_stack_depth=64)
    return yaml_rs.loads(text, parse_datetime=False, duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.Error, alias_limits=limits)


class Counting:
    def __init__(self) -> None:
        self.calls = 0
        self.with_aliases: list[str] = []

    def __call__(self, piece: str, aliases: bool) -> Any:
        self.calls += 1
        if aliases:
            self.with_aliases.append(piece)
        return whole(piece, aliases)


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(D, "_SPLIT_ABOVE", 0)
    monkeypatch.setattr(D, "_GROUP_UP_TO", 0)


def same(a: Any, b: Any) -> bool:
    """Equal, with keys in the same order at every level, and types equal (1 is not True)."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if type(a) is list:
        return len(a) == len(b) and all(map(same, a, b))
    return a == b or (a != a and b != b)  # NaN


def in_pieces(text: str) -> tuple[str, Any, int]:
    """('split', data, pieces) or ('whole', None, pieces) when the splitter refuses the text."""
    load = Counting()
    try:
        return "split", D._load_in_pieces(text, load, {}.setdefault, {}), load.calls
    except (D._Whole, yaml_rs.YAMLDecodeError):
        return "whole", None, load.calls


def check(text: str) -> tuple[str, int]:
    """The splitter's reading agrees with the whole parse, or it refuses; returns how it went."""
    how, data, calls = in_pieces(text)
    if how == "split":
        try:
            expected = whole(text)
        except yaml_rs.YAMLDecodeError as exc:  # pragma: no cover - the failure this guards
            raise AssertionError(f"read in pieces, but the whole text is an error: {exc}") from None
        assert same(data, expected), f"in pieces: {data!r}\nwhole:     {expected!r}"
    return how, calls


# (text, what must happen): "split" = read in pieces (more than one), "whole" = refused, "either"
# = agreement is what matters (the parser may accept or reject the text).
CASES = {
    "nested mappings": (
        "openapi: 3.0.3\ncomponents:\n  schemas:\n    A:\n      type: object\n    B:\n      type: string\npaths: {}\n",
        "split",
    ),
    "sequence at the key's own indentation": ("a:\n  b:\n  - 1\n  - 2\n  c: x\nd:\n- 3\n", "split"),
    "comments at column 0 and before the first entry": (
        "# top\na:\n# inside\n  b: 1\n#   c: 2\n  d: 2\n# end\n",
        "split",
    ),
    "quoted and numeric keys": ("'200':\n  \"a b\": 1\n  404: 2\n  true: 3\n  1.5: 4\n  null: 5\n", "split"),
    "plain scalar continued at the key's indentation": ("a:\n  b: one\n  two\n  c: 3\n", "either"),
    "plain scalar continued deeper": ("a:\n  b: one\n   two\n  c: 3\n", "split"),
    "double-quoted scalar continued at the key's indentation": ('a:\n  b: "one\n  c: two"\n  d: 3\n', "either"),
    "single-quoted scalar over lines": ("a:\n  b: 'one\n    c: two'\n  d: 3\n", "split"),
    "flow mapping over lines": ("a:\n  b: {x: 1,\n  c: 2}\n  d: 3\n", "either"),
    "flow sequence over lines at column 0": ("a: [1,\nb, 2]\nc: 3\n", "either"),
    "anchor and alias in different entries": ("a:\n  b: &x\n    k: 1\n  c: *x\nd: 1\n", "split"),
    "anchor and alias with entries between and around them": (
        "a:\n  b: 0\n  c: &x [1]\n  d: 2\n  e: *x\n  f: 3\ng:\n  h: 4\n", "split",
    ),
    "two anchors, the alias of the first after the second": (
        "a:\n  b: &x 1\n  c: &y 2\nd:\n  e: *y\n  f: *x\ng: 5\n", "split",
    ),
    "an anchor and its alias in a flow collection": ("a:\n  b: [&x 1, *x]\n  c: 2\n", "split"),
    "an anchor redefined": ("a:\n  b: &x 1\n  c: *x\n  d: &x 2\n  e: *x\nf: 0\n", "split"),
    "an anchor with no alias": ("a:\n  b: &x 1\n  c: 2\nd: 3\n", "split"),
    "merge key": ("base: &b {k: 1}\nuse:\n  <<: *b\n  j: 2\n", "either"),
    "alias with no anchor": ("a:\n  b: *x\n", "whole"),
    "an alias before its anchor": ("a:\n  b: *x\n  c: &x 1\n", "whole"),
    "ampersands and asterisks in text are no anchors": (
        'a:\n  go: "x := &openai.Params{\\n}"\n  md: |\n    **bold** and *x\n  c: 1\n', "split",
    ),
    "an ampersand in a URI template is no anchor": ("a:\n  u: https://x/{?q}{&page,per_page}\n  v: 1\n", "split"),
    "duplicate key in two pieces": ("a:\n  b: 1\n  c: 2\n  b: 3\n", "whole"),
    "duplicate top-level key": ("a: 1\nb: 2\na: 3\n", "whole"),
    "keys equal in Python but not in YAML (1 and true)": ("a:\n  1: x\n  true: y\n", "whole"),
    "document start marker": ("---\na:\n  b: 1\nc: 2\n", "split"),
    "document end marker": ("a:\n  b: 1\n...\n", "whole"),
    "two documents": ("a: 1\n---\nb: 2\n", "whole"),
    "directive": ("%YAML 1.2\n---\na: 1\nb: 2\n", "whole"),
    "explicit complex key": ("a:\n  ? b\n  : 1\n  c: 2\n", "either"),
    "explicit key as the first entry": ("? a\n: 1\nb: 2\n", "either"),
    "block scalar with key-like and comment-like lines": (
        "a:\n  b: |\n    c: not a key\n    # not a comment\n\n    d: still text\n  e: 1\n",
        "split",
    ),
    "folded scalar with an indentation indicator": ("a:\n  b: >2\n     x\n    y\n  c: 1\n", "split"),
    "header with a comment": ("a: # note\n  b: 1\n  c: 2\n", "split"),
    "header with a tag": ("a: !!map\n  b: 1\nc: 2\n", "either"),
    "empty values": ("a:\nb:\n  c:\n  d:\ne:\n", "split"),
    "CRLF line ends": ("a:\r\n  b: 1\r\n  c:\r\n    d: 2\r\ne: 3\r\n", "split"),
    "tab after the indentation": ("a:\n  b: 1\n\tc: 2\n", "either"),
    "a line indented between two levels": ("a:\n    b:\n        c: 1\n  d: 2\n", "either"),
    "a root sequence": ("- a: 1\n- b: 2\n", "whole"),
    "a root scalar": ("just text\n", "whole"),
    "value on the header line": ("a: 1\nb: [1, 2]\nc: {d: 1}\n", "split"),
    "a block sequence under the header": ("a:\n  - 1\n  - b: 2\n    c: 3\nd: 4\n", "split"),
    "keys that look like markers": ("a:\n  '---': 1\n  '...': 2\n  '%x': 3\n", "split"),
    "unicode keys and values": ("é:\n  ключ: 値\n  b: 😀\n", "either"),
    "deep nesting": ("a:\n  b:\n    c:\n      d:\n        e: 1\n        f: 2\n      g: 3\n  h: 4\n", "split"),
    "an unterminated quote": ('a:\n  b: "x\n  c: 1\n', "whole"),
    "a tab-indented entry": ("a:\n\tb: 1\n", "whole"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_pieces_read_like_the_whole_file(name: str, tiny: None) -> None:
    text, expect = CASES[name]
    how, calls = check(text)
    if expect == "split":
        assert how == "split" and calls > 1, f"expected to be read in pieces, got {how} after {calls} parses"
    elif expect == "whole":
        assert how == "whole", "expected the splitter to refuse this text"


def test_an_error_in_a_piece_is_reported_at_its_line_in_the_whole_file(tiny: None) -> None:
    text = "openapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\npaths:\n  /a:\n    get: {}\n  /b:\n    get: [\n"
    with pytest.raises(InputError) as err:
        D.parse("spec.yaml", text.encode())
    assert err.value.file == "spec.yaml" and err.value.line is not None and err.value.line >= 9


def test_a_key_found_twice_in_two_pieces_is_reported_at_its_second_line(tiny: None) -> None:
    text = "openapi: 3.0.3\npaths:\n  /a:\n    get: {}\n  /b:\n    get: {}\n  /a:\n    put: {}\n"
    with pytest.raises(InputError) as err:
        D.parse("spec.yaml", text.encode())
    assert err.value.line == 7, str(err.value)


def _yaml_files() -> Iterator[Path]:
    for root in (REPO / "fixtures", REPO / "tests"):
        yield from sorted(p for p in root.rglob("*.y*ml") if p.is_file())
    if SPECS.is_dir():
        for p in sorted(SPECS.rglob("*.y*ml")):
            # DigitalOcean's three versions share most of their 2,900 files: one is enough here.
            if p.is_file() and "digitalocean/prev-" not in str(p) and "digitalocean/old-" not in str(p):
                yield p


def test_every_yaml_file_here_reads_the_same_in_pieces(tiny: None) -> None:
    """Every YAML file of the fixtures, the tests and the real specs, split wherever it can be."""
    split = refused = 0
    for path in _yaml_files():
        try:
            text = D.decode(str(path), path.read_bytes())
        except InputError:
            continue
        try:
            how, _ = check(text)
        except AssertionError as exc:
            raise AssertionError(f"{path}: {exc}") from None
        split += how == "split"
        refused += how == "whole"
    assert split > 500, f"only {split} files were read in pieces ({refused} refused)"


@pytest.mark.skipif(not SPECS.is_dir(), reason="needs ../shared/specs (the real specs) beside the repository")
@pytest.mark.parametrize(
    "name", ["stripe/new-e0123a3.yaml", "openai/new-f85dbe2.yaml", "openai/old-5162af9.yaml", "github/new-1cf3739.converted.yaml"]
)
def test_real_specs_are_read_in_pieces_at_the_real_thresholds(name: str) -> None:
    text = (SPECS / name).read_text(encoding="utf-8")
    how, data, calls = in_pieces(text)
    assert how == "split" and calls > 50, f"{name}: {how} after {calls} parses"
    largest = Counting()
    sizes: list[int] = []

    def measuring(piece: str, aliases: bool) -> Any:
        sizes.append(len(piece))
        return largest(piece, aliases)

    D._load_in_pieces(text, measuring, {}.setdefault, {})
    # The point of the pieces: no piece is a large part of the file.
    assert max(sizes) < len(text) / 10, f"{name}: largest piece {max(sizes)} of {len(text)} characters"
    assert same(data, whole(text))


def test_the_parser_runs_in_pieces_inside_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """`parse` goes through the splitter for a large file, and falls back to one parse of the
    whole text for one it refuses; both give the same data."""
    entries = "".join(f"  /p{i}:\n    get:\n      operationId: op{i}\n      responses: {{}}\n" for i in range(2000))
    text = "openapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\npaths:\n" + entries
    assert len(text) > D._SPLIT_ABOVE
    seen: list[int] = []
    real = yaml_rs.loads

    def spy(piece: str, **kw: Any) -> Any:
        seen.append(len(piece))
        return real(piece, **kw)

    monkeypatch.setattr(yaml_rs, "loads", spy)
    doc = D.parse("big.yaml", text.encode())
    assert len(seen) > 3 and max(seen) < len(text) / 2
    assert same(doc.data, whole(text))
    # An alias the splitter cannot pair with an anchor: the whole text goes to the parser, which
    # reports the error at its line in the file.
    seen.clear()
    dangling = text.replace("  /p1500:\n    get:\n", "  /p1500:\n    get: *g\n    put:\n", 1)
    with pytest.raises(InputError) as err:
        D.parse("big.yaml", dangling.encode())
    assert seen[-1] == len(dangling) and err.value.line == dangling.count("\n", 0, dangling.index("*g")) + 1


def test_equal_strings_become_one_object_and_keys_keep_their_type(tiny: None) -> None:
    text = "a:\n  type: string\n  x: {type: string}\nb:\n  type: string\n  2: two\n  true: yes\n  '2': quoted\n"
    how, data, calls = in_pieces(text)
    assert how == "split" and calls > 1
    keys = [k for k in data["a"] if k == "type"] + [k for k in data["b"] if k == "type"] + [k for k in data["a"]["x"]]
    assert len({id(k) for k in keys}) == 1
    assert data["a"]["type"] is data["b"]["type"] is data["a"]["x"]["type"]
    assert list(data["b"]) == ["type", 2, True, "2"] and [type(k) for k in data["b"]] == [str, int, bool, str]


def test_a_string_table_shares_strings_between_files() -> None:
    text = "openapi: 3.0.3\ninfo: {title: shared title, version: '1'}\npaths: {}\n"
    D.share_strings({})
    try:
        one, two = D.parse("a.yaml", text.encode()), D.parse("b.yaml", text.encode())
    finally:
        D.share_strings(None)
    assert one.data["info"]["title"] is two.data["info"]["title"]
    three, four = D.parse("a.yaml", text.encode()), D.parse("b.yaml", text.encode())
    assert three.data == four.data and three.data["info"]["title"] is not four.data["info"]["title"]


def test_a_piece_outside_the_alias_span_may_use_no_alias(tiny: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Should the span miss an anchor and its alias, their piece fails and the whole text is
    parsed: a file's aliases never replay more than the one budget of a whole parse."""
    text = "a:\n  b: [&x 1, *x]\n  c: 2\nd: 3\n"
    assert check(text)[0] == "split"
    monkeypatch.setattr(D, "_alias_span", lambda text: None)
    assert check(text)[0] == "whole"


def test_only_the_piece_that_holds_the_alias_span_may_replay_aliases() -> None:
    paths = "".join(f"  /p{i}:\n    get:\n      operationId: op{i}\n      responses: {{}}\n" for i in range(3000))
    schemas = "".join(f"    S{i}:\n      type: object\n      required: [a]\n" for i in range(3000))
    text = "openapi: 3.0.3\npaths:\n" + paths + "components:\n  schemas:\n" + schemas
    text = text.replace("    S1000:\n      type: object\n      required: [a]", "    S1000:\n      type: object\n      required: &req [a]", 1)
    text = text.replace("    S1040:\n      type: object\n      required: [a]", "    S1040:\n      type: object\n      required: *req", 1)
    text = text.replace("    S1090:\n      type: object\n      required: [a]", "    S1090:\n      type: object\n      required: *req", 1)
    load = Counting()
    data = D._load_in_pieces(text, load, {}.setdefault, {})
    assert same(data, whole(text)) and load.calls > 10
    assert len(load.with_aliases) == 1
    (aliased,) = load.with_aliases
    assert "&req" in aliased and aliased.count("*req") == 2 and len(aliased) < len(text) / 20


def test_an_alias_bomb_in_a_large_file_is_refused(tmp_path: Path) -> None:
    """The alias budget holds for a file large enough to be parsed in pieces."""
    bomb = ["x-lol:", '  l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    bomb += [f"  l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10)]
    paths = "".join(f"  /p{i}:\n    get:\n      responses: {{}}\n" for i in range(2000))
    text = "openapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\npaths:\n" + paths + "\n".join(bomb) + "\n" + paths.replace("/p", "/q")
    assert len(text) > 4 * D._SPLIT_ABOVE
    with pytest.raises(InputError, match="(?i)alias"):
        D.parse("laughs.yaml", text.encode())


def _non_ascii_spec(n: int = 1500) -> str:
    # 'à' is C3 A0 in UTF-8 and U+0085 is C2 85: in the byte view those bytes are a no-break
    # space and a next-line character, which Python's str methods take for whitespace and breaks.
    entries = "".join(
        f"  /p{i}:\n    get:\n      summary: \"café à 😀 \u0085 {i}\"\n      operationId: op{i}\n      responses: {{}}\n"
        for i in range(n)
    )
    return "openapi: 3.0.3\ninfo:\n  title: ключ\n  version: '1'\npaths:\n  /é:\n    get: {responses: {}}\n" + entries


def test_a_large_non_ascii_file_is_parsed_from_its_byte_view(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its pieces are decoded one at a time: the decoded text of the whole file (two bytes a
    character here, four with the emoji) is never made, and the data is the same."""
    text = _non_ascii_spec()
    seen: list[int] = []
    real = yaml_rs.loads

    def spy(piece: str, **kw: Any) -> Any:
        seen.append(len(piece))
        return real(piece, **kw)

    def no_decode(name: str, raw: bytes) -> str:
        raise AssertionError("the whole text was decoded")

    monkeypatch.setattr(yaml_rs, "loads", spy)
    monkeypatch.setattr(D, "decode", no_decode)
    doc = D.parse("big.yaml", text.encode())
    assert len(seen) > 3 and max(seen) < len(text) / 2
    assert same(doc.data, whole(text)) and doc.data["info"]["title"] == "ключ"
    assert doc.text == D.byte_view(text)
    assert doc.locate("/paths/~1p7/get/summary").line == text.split("\n").index("  /p7:") + 3


def test_errors_in_a_large_non_ascii_file_are_placed_in_characters() -> None:
    text = _non_ascii_spec()
    broken = text.replace("      operationId: op700\n", "      operationId: [é, op700\n", 1)
    with pytest.raises(InputError) as err:
        D.parse("big.yaml", broken.encode())
    assert err.value.line is not None and err.value.line > broken.count("\n", 0, broken.index("[é, op700"))
    bad_bytes = text.encode().replace("op900\n".encode(), b"op\xff900\n", 1)
    with pytest.raises(InputError) as err:
        D.parse("big.yaml", bad_bytes)
    assert "UTF-8" in err.value.message and err.value.line == text.split("\n").index("      operationId: op900") + 1


@pytest.mark.skipif(not SPECS.is_dir(), reason="needs ../shared/specs (the real specs) beside the repository")
@pytest.mark.parametrize("name", ["stripe/old-4d2f301.yaml", "openai/old-5162af9.yaml"])
def test_real_non_ascii_specs_read_from_the_byte_view_as_from_the_text(name: str) -> None:
    raw = (SPECS / name).read_bytes()
    assert not raw.isascii()
    doc = D.parse(name, raw)
    assert doc.text == raw.decode("latin-1")
    assert same(doc.data, whole(raw.decode("utf-8")))
