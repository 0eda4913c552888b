"""Parsing one file into plain Python data plus a source map. The only place positions are computed.

Values come from the fastest correct parser available (the standard `json` C scanner for JSON,
`yaml-rs` for YAML 1.2, a large file in pieces to bound its working memory, see
`_load_in_pieces`), so a 4 MB spec parses in tens of milliseconds. Positions are computed on
demand: `Document.locate(pointer)` walks the text along the pointer, building and caching a
child table for each container it passes through. For JSON that walk uses the C scanner to skip
over sibling values; for YAML it uses the block structure (indentation), which is how real specs
are written. Whenever the YAML fast path meets something it cannot place with certainty (flow
collections, complex keys, a missing key) the document falls back, once, to ruamel.yaml's exact
round-trip parser; `bench/agreement.py` checks that both agree on every pointer of the real specs.
"""

from __future__ import annotations

from array import array
import bisect
import codecs
from itertools import accumulate, chain
import json
import os
import json.decoder
import queue
import json.scanner
import re
import sys
import threading
import weakref
from types import MappingProxyType
from typing import Any, Callable, Iterator, Mapping, MutableMapping

from .errors import InputError
from .model import Location, sha256, split_pointer

# A YAML or JSON document nested deeper than this is rejected before any recursive code sees it:
# real specs stay under 60 levels, and hostile ones (20,000 levels) crash native parsers.
MAX_DEPTH = 500
# Plain substring searches (fast C scans): deep block nesting shows as huge indentation or as
# a long chain of "- - - ..." on one line.
_DEEP_INDENT = "\n" + " " * (2 * MAX_DEPTH)
_DEEP_DASHES = "- " * (MAX_DEPTH // 5)

_WS = re.compile(r"[ \t\n\r]*")
_SPACES = re.compile(r" *")
_RELEASE_UP_TO = 256 << 10  # see Document.release
_NO_ORIGINS: Mapping[str, str] = MappingProxyType({})
_NO_MARKS: frozenset[str] = frozenset()
# Words a document still answers `mentions` for once its text is released, without reading it
# again: later stages walk only the files that mention them (config.inline_ignores the inline
# ignore key; the resolver's index of JSON Schema identifiers `$id` and `$anchor`).
INLINE_IGNORE_KEY = "x-apiguard-ignore"
_WATCHED = (INLINE_IGNORE_KEY, "$id", "$anchor")


def byte_view(text: str) -> str:
    """`text` as its UTF-8 bytes, one character per byte (Latin-1).

    A document's text is kept for the source map only, and kept this way: a single emoji makes
    Python store every character of a 4 MB spec in four bytes (16 MB), while this view always
    costs one byte per byte of the file. Offsets are byte offsets; every syntax character of
    YAML and JSON is ASCII and stays itself, so the locators' patterns work unchanged, and a key
    read from the view is turned back into text by `real_text`."""
    return text if text.isascii() else text.encode("utf-8").decode("latin-1")


def real_text(view: str) -> str:
    """The text a slice of a byte view stands for (a key, a reference, a line)."""
    return view if view.isascii() else view.encode("latin-1").decode("utf-8", "replace")


def json_string(body: str) -> str:
    """The value of a JSON string written in a byte view, without its quotes."""
    body = real_text(body)
    return json.loads('"' + body + '"') if "\\" in body else body


class Document:
    """One parsed file: its display name, its text (as a byte view, see `byte_view`), its data
    and a lazy source map."""

    # Slots: a multi-file spec has a Document per file (3,000 for DigitalOcean's two versions).
    __slots__ = (
        "_name", "_source", "_key", "_text", "_digest", "_marks", "data", "source_data", "format", "_line_starts", "_locator", "origins",
        "__weakref__",
    )

    def __init__(self, name: str, text: str, data: Any, fmt: str, *, view: str | None = None) -> None:
        # Set by normalization when the data was rewritten (Swagger 2.0): maps a pointer prefix
        # of the converted data to the pointer it came from in this file. Shared and empty
        # otherwise.
        self.origins: Mapping[str, str] = _NO_ORIGINS
        self._name: str | None = name
        self._source: Any = None
        self._key = ""
        self._text: str | None = byte_view(text) if view is None else view
        # The SHA-256 of the file's bytes when the text is exactly those bytes (see `release`).
        self._digest: bytes | None = None
        self._marks: frozenset[str] = _NO_MARKS
        self.data = data
        # What the text says, kept for the source map even when `data` is rewritten (Swagger 2.0).
        self.source_data = data
        self.format = fmt
        self._line_starts: array | None = None
        self._locator: _Locator | None = None

    @property
    def name(self) -> str:
        """The file's name as reports show it."""
        return self._name if self._name is not None else self._source.display(self._key)

    def name_by(self, source: Any, key: str) -> None:
        """Name the file by asking `source` for the name of `key` whenever it is shown, rather
        than keeping the string: a multi-file spec has a name per file and version (3,000 on
        DigitalOcean, 0.4 MiB), and only the few with findings are ever shown."""
        self._source, self._key, self._name = source, key, None

    @property
    def text(self) -> str:
        """The byte view of the file (read again for this one use if `release` dropped it)."""
        if self._text is None:
            raw = self._source.read(self._key)
            if sha256(raw).digest() != self._digest:
                raise InputError(
                    "the file changed while apiguard was reading it",
                    file=self.name,
                    hint="run apiguard again once the file is saved",
                )
            return raw.decode("latin-1")
        return self._text

    def mentions(self, word: str) -> bool:
        """Whether the text contains `word`; for a released text, taken before its release
        for the words watched (`_WATCHED`), and read again for any other."""
        if self._text is None and word in _WATCHED:
            return word in self._marks
        return word in self.text

    def release(self) -> None:
        """Drop a small file's text until a finding has to be placed in it; it is read again
        from its source then, and must have the same bytes (SHA-256).

        Once its data is parsed and its references are read, a file's text serves the source
        map only, and few files of a multi-file spec are ever located: DigitalOcean's 1,500
        texts take 1.8 MiB (kept zlib-compressed, 0.8), their digests 0.1. Kept: a text that
        is not the file's bytes as they are (a UTF-16 file, a byte-order mark), a file its
        source does not read again (a URL), and a large text: a single-file spec is located
        in on every finding, and reading 4 MB again at report time would cancel the saving."""
        text = self._text
        if (
            text is not None
            and self._digest is not None
            and self._source is not None
            and self._source.rereadable
            and len(text) <= _RELEASE_UP_TO
            and self._locator is None
        ):
            found = [word for word in _WATCHED if word in text]
            self._marks = frozenset(found) if found else _NO_MARKS
            self._text = None

    def same_file(self, name: str) -> "Document":
        """A Document for the same text and data under another name (see `share_files`)."""
        twin = Document(name, "", self.source_data, self.format, view="")
        twin._text, twin._digest, twin._marks = self._text, self._digest, self._marks
        return twin

    def _unpack(self) -> str:
        if self._text is None:
            self._text = self.text
            _reopened(self)
        return self._text

    def _close(self) -> None:
        """Release the text read again, and what was built from it (see `_reopened`)."""
        self._text = self._locator = self._line_starts = None

    # -- positions -------------------------------------------------------------------------
    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of an offset into the text; the column counts characters."""
        if self._line_starts is None:
            self._line_starts = _line_starts(self._unpack())
        line = bisect.bisect_right(self._line_starts, offset)
        start = self._line_starts[line - 1]
        return line, len(real_text(self._unpack()[start:offset])) + 1

    def source_pointer(self, pointer: str) -> str:
        """The pointer in this file's text that a (possibly converted) data pointer came from:
        the longest prefix of `pointer` (on whole segments) that `origins` knows, substituted."""
        if not self.origins:
            return pointer
        prefix = pointer
        while True:
            hit = self.origins.get(prefix)
            if hit is not None:
                return hit + pointer[len(prefix):]
            if not prefix:
                return pointer
            prefix = prefix[: prefix.rfind("/")]

    def locate(self, pointer: str) -> Location:
        """Where the node at `pointer` starts: the key of a mapping member, the value of an
        item. A pointer that does not exist is placed at its nearest existing ancestor."""
        src = self.source_pointer(pointer)
        offset = self._locator_for().offset(split_pointer(src))
        line, col = self.position(offset)
        return Location(self.name, line, col, pointer)

    def _locator_for(self) -> "_Locator":
        if self._locator is None:
            if self.format == "json":
                self._locator = _JsonLocator(self._unpack(), self.source_data)
            else:
                self._locator = _YamlLocator(self._unpack(), self.source_data)
        return self._locator


# Released documents read again to place findings, oldest first. Placing the findings of a
# large change reads many files again (DigitalOcean three months apart: 65 files, whose texts
# and source maps took 1.2 MiB at the peak), but each one is needed only while its findings are
# placed, and they come file by file: a few stay open, the oldest is released again.
_OPEN_AT_MOST = 16
_open: "weakref.WeakKeyDictionary[Document, None]" = weakref.WeakKeyDictionary()  # keeps none alive


def _reopened(doc: Document) -> None:
    _open[doc] = None
    if len(_open) > _OPEN_AT_MOST:
        oldest = next(iter(_open))
        del _open[oldest]
        oldest._close()


def _line_starts(text: str, chunk: int = 1 << 18) -> array:
    """The offset of every line start, as machine integers (4 bytes each below 2 GB of text,
    not a 36-byte int object). In C: the lengths of the lines, each plus its newline, summed
    up, a slice of the text at a time so the lines never exist as strings all at once."""
    starts = array("i" if len(text) < 1 << 31 else "q", [0])
    base = 0
    n = len(text)
    while base < n:
        end = text.find("\n", min(base + chunk, n))
        end = n if end < 0 else end + 1
        lines = text[base:end].split("\n")
        lines.pop()  # the part after the slice's last newline starts no line inside it
        found = accumulate(map((1).__add__, map(len, lines)), initial=base)
        next(found)  # `initial` repeats the slice's first line start, already listed
        starts.extend(found)
        base = end
    return starts


# ----------------------------------------------------------------------------------------------
# Parsing


_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_NON_ASCII = re.compile("[\x80-\xff]+")


_JSON_START = re.compile(rb"[ \t\r\n]*[{\[]")


class _NotPlain(Exception):
    """A non-ASCII character right after a backslash: only the real text can say what it is."""


def _escape_run(m: re.Match[str]) -> str:
    if m.string[m.start() - 1 : m.start()] == "\\":
        raise _NotPlain
    return json.dumps(m.group().encode("latin-1").decode("utf-8"))[1:-1]


def _parse_json_view(name: str, view: str) -> Any:
    """Parse a JSON byte view without ever holding its real text. In valid JSON every non-ASCII
    character sits inside a string, where a `\\u` escape means the same: written so, the text
    the parser reads stays one byte per character. Raises on anything else (invalid UTF-8 or
    JSON, a duplicate key); the caller then parses the real text for an exact error."""
    return _parse_json(name, view if view.isascii() else _NON_ASCII.sub(_escape_run, view))


def parse(name: str, raw: bytes) -> Document:
    """Decode and parse `raw` (the bytes of file `name`) into a Document, or raise InputError."""
    if not raw.startswith((_UTF8_BOM, *_UTF16_BOMS)) and (
        name.lower().endswith(".json") or _JSON_START.match(raw)
    ):
        view = raw.decode("latin-1")
        try:
            return Document(name, view, _parse_json_view(name, view), "json", view=view)
        except (InputError, UnicodeDecodeError, _NotPlain):
            pass  # read it again below, for the exact error or a YAML reading
    view = _utf8_view(raw) if len(raw) > _SPLIT_ABOVE else None
    if view is not None:
        first = _WS.match(view).end()
        if first < len(view) and view[first] not in "{[":
            # A large YAML file is split and parsed from its byte view; the decoded text (two
            # bytes a character once one character is beyond Latin-1: the Stripe and OpenAI
            # specs) is made only if the file has to be parsed whole.
            return Document(name, view, _parse_yaml(name, view, whole=lambda: real_text(view)), "yaml", view=view)
    text = decode(name, raw)
    first = _WS.match(text).end()  # no copy of a 4 MB string just to look at its start
    if first == len(text) or text.isspace():
        raise InputError(
            "the file is empty",
            file=name,
            hint="point apiguard at an OpenAPI document (YAML or JSON) with an `openapi` or `swagger` key",
        )
    looks_json = name.lower().endswith(".json") or text[first : first + 1] in ("{", "[")
    if looks_json:
        try:
            data = _parse_json(name, text)
            return Document(name, text, data, "json", view=_view_of(raw, text))
        except InputError:
            if name.lower().endswith(".json"):
                raise
            # A YAML file may start with a flow mapping; only then try YAML before giving up.
            try:
                return Document(name, text, _parse_yaml(name, text), "yaml", view=_view_of(raw, text))
            except InputError:
                pass
            raise
    return Document(name, text, _parse_yaml(name, text), "yaml", view=_view_of(raw, text))


def _view_of(raw: bytes, text: str) -> str:
    """The byte view of `text`, decoded from `raw`: made from the bytes, it costs one copy."""
    if text.isascii():
        return text
    if raw.startswith(_UTF16_BOMS):
        return byte_view(text)
    return _utf8_bytes_view(raw)


def _utf8_bytes_view(raw: bytes) -> str:
    """UTF-8 `raw` as a byte view, without its byte-order mark: one copy, none of the bytes."""
    return codecs.latin_1_decode(memoryview(raw)[3:] if raw.startswith(_UTF8_BOM) else raw)[0]


def _utf8_view(raw: bytes) -> str | None:
    """The byte view of `raw` (see `byte_view`) when it is valid UTF-8 text with no byte-order
    mark but UTF-8's, checked a slice at a time so the decoded text never exists; None for
    anything else, which `decode` then reads or reports."""
    if b"\x00" in raw[:8192] or raw.startswith(_UTF16_BOMS):
        return None
    body = memoryview(raw)[3:] if raw.startswith(_UTF8_BOM) else memoryview(raw)
    check = codecs.getincrementaldecoder("utf-8")()
    try:
        for i in range(0, len(body), 1 << 16):
            check.decode(body[i : i + (1 << 16)])
        check.decode(b"", True)
    except UnicodeDecodeError:
        return None
    return _utf8_bytes_view(raw)


def decode(name: str, raw: bytes) -> str:
    if b"\x00" in raw[:8192] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            "the file holds binary data, not YAML or JSON text",
            file=name,
            hint="check the path: this looks like an archive, image or compiled file",
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(f"invalid UTF-16 text: {exc.reason}", file=name) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"invalid UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start} cannot be decoded",
            file=name,
            line=line,
            column=col,
            hint="save the file as UTF-8 (YAML and JSON specs must be Unicode text)",
        ) from None


_intern = sys.intern


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Keys and string values are interned: the old and new versions of a spec share nearly all
    # their strings, and a spec repeats its own ("string", "#/components/schemas/..."): 6 MB
    # less for the GitHub pair, at no measurable cost.
    result = {_intern(k): _intern(v) if type(v) is str else v for k, v in pairs}
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def _json_hook(refs: dict[str, dict[str, str]]) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    """`_no_duplicates`, with a mapping that is only a `$ref` made one object per reference
    string through `refs` (see `share_strings`; the GitHub spec writes 5,500 of them, 900
    different ones)."""

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if len(pairs) == 1:
            key, value = pairs[0]
            if key == "$ref" and type(value) is str:
                leaf = refs.get(value)
                if leaf is None:
                    value = _intern(value)
                    leaf = refs[value] = {_intern(key): value}
                return leaf
        return _no_duplicates(pairs)

    return hook


def _parse_json(name: str, text: str) -> Any:
    # The C scanner counts nesting against the interpreter's recursion limit: lowering the limit
    # for the parse rejects over-deep documents exactly, at no cost to normal ones.
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_stack_depth() + MAX_DEPTH + 20)
    try:
        return json.loads(text, object_pairs_hook=_json_hook(run_table("ref leaves")))
    except _DuplicateKey as exc:
        line, col = _duplicate_position(text, exc.args[0])
        raise InputError(
            f"duplicate key {exc.args[0]!r} in a JSON object",
            file=name,
            line=line,
            column=col,
            hint="each key may appear once per object; remove or rename one of them",
        ) from None
    except json.JSONDecodeError as exc:
        line, col = exc.lineno, exc.colno
        if exc.msg.startswith(("Expecting property name", "Expecting value")):
            # After a trailing comma the parser stops at the next token; point at the comma.
            before = text[: exc.pos].rstrip()
            if before.endswith(","):
                line = before.count("\n") + 1
                col = len(before) - (before.rfind("\n") + 1)
        raise InputError(
            f"invalid JSON: {exc.msg}", file=name, line=line, column=col, hint=_json_hint(exc.msg, text, exc.pos)
        ) from None
    except RecursionError:
        line = _deep_json_line(text)
        raise InputError(
            f"the JSON is nested too deeply (more than {MAX_DEPTH} levels)",
            file=name,
            line=line,
            hint="flatten the document; no OpenAPI spec needs this depth",
        ) from None
    finally:
        sys.setrecursionlimit(old_limit)


def _stack_depth() -> int:
    frame = sys._getframe()
    depth = 0
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth


def _deep_json_line(text: str) -> int | None:
    """The line where nesting first passes MAX_DEPTH (error path only)."""
    depth = 0
    for m in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]', text):
        tok = m.group()
        if tok in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return text.count("\n", 0, m.start()) + 1
        elif tok in "]}":
            depth -= 1
    return None


def _duplicate_position(text: str, key: Any) -> tuple[int | None, int | None]:
    """Where the second occurrence of a duplicate key is, found by ruamel.yaml, which names it
    (error path only: slow but exact)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import DuplicateKeyError

    try:
        YAML(typ="rt").load(text)
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        if mark is not None:
            return mark.line + 1, mark.column + 1
    except Exception:
        pass
    return None, None


def _json_hint(msg: str, text: str, pos: int) -> str:
    if msg.startswith(("Expecting property name", "Expecting value")):
        if text[:pos].rstrip().endswith(","):
            return "remove the trailing comma: JSON allows no comma before a closing bracket or brace"
        return "a value or a quoted key is missing at this position"
    if "Expecting ',' delimiter" in msg:
        return "a comma is missing, or a bracket or brace is not closed"
    return "fix the JSON syntax at this position (`python -m json.tool FILE` shows it too)"


_YAML_ERR_POS = re.compile(r"line (\d+), column (\d+)")
# A YAML tag starts a node: `!` or `!!` after `: `, `- `, `? ` or inside a flow collection.
_TAG_NAME = re.compile(r"![^\s,\[\]{}]*")
_CORE_TAGS = frozenset(
    "!!str !!int !!float !!bool !!null !!map !!seq !".split()
    + ["!<tag:yaml.org,2002:%s>" % t for t in ("str", "int", "float", "bool", "null", "map", "seq")]
)

class _Worker:
    """One thread with a large stack that runs one call at a time for the caller, who waits:
    the native YAML parser recurses once per nesting level, and a hostile document must get an
    error, not crash the interpreter's stack. A thread pool from `concurrent.futures` did the
    same, but importing it loads `logging` too, 0.4 MiB in every run for one thread."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], list[Any], Any]] = queue.SimpleQueue()
        old = threading.stack_size()
        threading.stack_size(512 * 1024 * 1024)
        try:  # the size applies to threads started while it is set
            threading.Thread(target=self._serve, name="apiguard-yaml", daemon=True).start()
        finally:
            threading.stack_size(old)

    def _serve(self) -> None:
        while True:
            call, box, done = self._jobs.get()
            try:
                box.append((True, call()))
            except BaseException as exc:  # handed to the caller, who raises it
                box.append((False, exc))
            done.release()

    def run(self, call: Callable[[], Any]) -> Any:
        box: list[tuple[bool, Any]] = []
        done = threading.Lock()
        done.acquire()
        self._jobs.put((call, box, done))
        done.acquire()  # released by the worker once `box` holds the outcome
        ok, value = box[0]
        if not ok:
            raise value
        return value


_yaml_worker: _Worker | None = None


def _forget_yaml_worker() -> None:
    # A forked child (several specs run in parallel) inherits the worker object but not its
    # thread: waiting on it would hang forever. The child starts a worker of its own instead.
    global _yaml_worker
    _yaml_worker = None


os.register_at_fork(after_in_child=_forget_yaml_worker)


def _yaml_thread() -> _Worker:
    global _yaml_worker
    if _yaml_worker is None:
        _yaml_worker = _Worker()
    return _yaml_worker


def _tag_candidate(text: str) -> bool:
    """Whether some `!` in `text` may start a tag. Visits only the `!`s (found at C speed), not
    every character: a 4 MB spec has a few hundred."""
    i = text.find("!")
    while i >= 0:
        j = i - 1
        while j >= 0 and text[j] in " \t":
            j -= 1
        before = text[j] if j >= 0 else "\n"
        spaced = j < i - 1
        if before in "[{," or (spaced and before == ":") or (
            spaced and before in "-?" and (j == 0 or text[j - 1] in " \t\n")
        ):
            m = _TAG_NAME.match(text, i)
            if m and m.group(0) not in _CORE_TAGS:
                return True
        i = text.find("!", i + 1)
    return False


def _check_tags(name: str, text: str) -> None:
    """Refuse YAML tags (yaml-rs drops them silently). Called once the cheap scan
    `_tag_candidate` found a candidate: ruamel.yaml's safe loader, which knows exactly what is
    a tag, decides and places it."""
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import ConstructorError

    try:
        YAML(typ="safe").load(text)
    except ConstructorError as exc:
        mark = exc.problem_mark
        tag = re.search(r"tag:? ?'?([^'\s]+)", str(exc.problem or ""))
        raise InputError(
            f"YAML tag {tag.group(1) if tag else ''} is not allowed".replace("  ", " "),
            file=name,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            hint="remove the tag: OpenAPI documents hold plain data, and apiguard never constructs objects from tags",
        ) from None
    except Exception:
        return  # not a tag problem; the fast parser reports syntax errors with positions


def _parse_yaml(name: str, text: str, whole: Callable[[], str] | None = None) -> Any:
    """The data of YAML `text`. With `whole`, `text` is a byte view (see `byte_view`) and
    `whole()` makes the real text: each piece is decoded on its own, and the whole text only
    for a parse of the whole file or an error report."""
    if whole is None:
        real: Callable[[str], str] = lambda piece: piece  # noqa: E731
        whole = lambda: text  # noqa: E731
    else:
        real = real_text
    deep = text.find(_DEEP_INDENT)
    if deep < 0:
        deep = text.find(_DEEP_DASHES)
    if deep >= 0:
        line = text.count("\n", 0, deep + 1) + 1
        raise InputError(
            f"the YAML is nested too deeply (more than about {MAX_DEPTH} levels)",
            file=name,
            line=line,
            hint="flatten the document; no OpenAPI spec needs this depth",
        )
    if _tag_candidate(text):
        _check_tags(name, whole())
    import yaml_rs

    def load(piece: str, aliases: bool = True) -> Any:
        return yaml_rs.loads(
            real(piece),
            parse_datetime=False,
            duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.Error,
            alias_limits=yaml_rs.AliasLimits(max_total_replayed_events=_ALIAS_EVENTS if aliases else 0, max_replay_stack_depth=64),
        )

    share = (_strings if _strings is not None else {}).setdefault
    refs = run_table("ref leaves")

    def run() -> Any:
        try:
            return _load_in_pieces(text, load, share, refs)
        except (_Whole, yaml_rs.YAMLDecodeError):
            data = load(text)  # the exact error, placed in the whole file, or the data
            # (`load` decodes a byte view's text, which lives only as long as this parse)
        # A large file parsed whole keeps its own strings: sharing them would hold two trees.
        return _shared(data, share, refs) if len(text) <= _SPLIT_ABOVE else data

    try:
        data = _yaml_thread().run(run)
    except yaml_rs.YAMLDecodeError as exc:
        raise _yaml_error(name, whole(), exc) from None
    problem = _shape_problem(data, MAX_DEPTH)
    if problem is not None:
        text = whole()
    if problem == "complex-key":
        m = re.search(r"^[ \t]*(?:- )*\?(?:[ \t]|$)|^[ \t]*(?:- )*[\[{]", text, re.M)
        raise InputError(
            "a mapping key is itself a list or mapping (a YAML complex key)",
            file=name,
            line=text.count("\n", 0, m.start()) + 1 if m else None,
            hint="OpenAPI keys are strings: write the key as a plain or quoted string",
        )
    if problem == "deep":
        lines = text.split("\n")
        worst = max(range(len(lines)), key=lambda i: sum(lines[i].count(c) for c in "-?[{") + len(lines[i]) - len(lines[i].lstrip()))
        raise InputError(
            f"the YAML is nested too deeply (more than {MAX_DEPTH} levels)",
            file=name,
            line=worst + 1,
            hint="flatten the document; no OpenAPI spec needs this depth",
        )
    if isinstance(data, list) and re.search(r"^---", text[3:], re.M):
        raise InputError(
            f"the file holds {len(data)} YAML documents; an OpenAPI spec is one",
            file=name,
            hint="split the file or remove the extra `---` separators",
        )
    return data


# -- parsing a large YAML file in pieces ----------------------------------------------------
# yaml-rs builds its own tree of the whole text before it hands Python the data, and that tree
# takes about ten times the text: 35 MiB for one 3 MB Stripe spec, on top of the data it
# returns. A spec is one big block mapping of block mappings (components, schemas, paths), and
# every entry of a block mapping starts on a line of its own at the mapping's indentation. So
# a large file is parsed entry by entry: a large entry whose value is a block mapping is split
# the same way, and small neighbouring entries are parsed together. The parser's working
# memory is then that of the largest piece, and the data is the same (tests/test_yaml_pieces.py
# compares both readings of every YAML file of the repository and the real specs, split as
# finely as it goes; tests/test_properties.py does so on generated specs). Whatever it cannot be
# sure of is parsed whole: directives or document markers, an entry whose lines are not where a
# block mapping puts them; a parse error or a key found twice sends the whole file to the
# parser again, so errors are reported at their place in the file. Anchors and their aliases
# stay together: the stretch from the first to the last of them is one piece, and every other
# piece must parse without an alias (an alias in one piece cannot see an anchor in another).
_ALIAS_EVENTS = 200_000  # events the aliases of one file may replay (a billion-laughs guard)
_SPLIT_ABOVE = 32_000  # characters: an entry larger than this is parsed in pieces when it can be
_GROUP_UP_TO = 16_000  # characters: neighbouring small entries are parsed together up to this
_ANCHOR_NAME = re.compile(r"&([^\s\[\]{},]+)")
_ALIAS_NAME = re.compile(r"\*([^\s\[\]{},]+)")
_DOC_MARKER = re.compile(r"\n(?:---|\.\.\.|%)")
# A header line `key:` with nothing after it but a comment: the value is on the lines below.
_ENTRY_HEADER = re.compile(r"""(?:[A-Za-z0-9_./$][^:#\n"']*|"[^"\\\n]*"|'[^'\n]*'):[ \t]*(?:#[^\n]*)?\r?""")
_CONTENT_LINE = re.compile(r"^( *)([^ \r\n#])", re.M)
_ENTRY_CHARS = "[A-Za-z0-9_./$\"']"


class _Whole(Exception):
    """The file must be parsed whole (a piece did not parse alone, or parsed to something else)."""


class _Unsplit(Exception):
    """This part must be parsed as one piece."""


def _at_node_start(text: str, i: int) -> bool:
    """Whether the `&` or `*` at `i` stands where a node can start (after whitespace, `,` or
    `:`, or after flow brackets that follow one of those), so it may be an anchor or an alias."""
    i -= 1
    while i >= 0 and text[i] in "[{":
        i -= 1
    return i < 0 or text[i] in " \t\r\n,:"


def _alias_span(text: str) -> tuple[int, int] | None:
    """From the first to the end of the last of the anchors that an alias may name and those
    aliases, or None when there is no such pair: the part of the text that must be parsed in
    one piece, since an alias cannot see an anchor in another piece. Errs towards a wider span
    (an `&` or a `*` in a quoted string looks the same here); one that is too narrow only costs
    a parse of the whole file, because outside this span a piece may use no alias at all."""
    anchors: dict[str, list[int]] = {}
    for m in _ANCHOR_NAME.finditer(text):
        if _at_node_start(text, m.start()):
            anchors.setdefault(m.group(1), []).append(m.start())
    if not anchors:
        return None
    lo, hi = len(text), -1
    for m in _ALIAS_NAME.finditer(text):
        at = anchors.get(m.group(1))
        if at is not None and _at_node_start(text, m.start()):
            lo, hi = min(lo, at[0], m.start()), max(hi, at[-1] + 1, m.end())
    return (lo, hi) if hi >= 0 else None


_PATTERNS: dict[tuple[str, int], re.Pattern[str]] = {}


def _pattern(kind: str, n: int) -> re.Pattern[str]:
    """`entry`: a line starting an entry at indentation n (matched from the newline before it);
    `head`: the same at the position itself; `shallow`: a content line indented less than n."""
    found = _PATTERNS.get((kind, n))
    if found is None:
        source = {
            "entry": r"\n {%d}%s" % (n, _ENTRY_CHARS),
            "head": r" {%d}%s" % (n, _ENTRY_CHARS),
            "shallow": r"\n {0,%d}[^ \r\n#]" % (n - 1),
        }[kind]
        found = _PATTERNS[(kind, n)] = re.compile(source)
    return found


def _load_in_pieces(
    text: str, load: Callable[[str, bool], Any], share: Callable[[str, str], str], refs: dict[str, dict[str, str]]
) -> Any:
    """The data of `text`, parsed in pieces by `load(piece, aliases)`, its strings shared
    through `share` as the pieces come in; raises _Whole when it must be parsed whole. `aliases`
    is true for the one piece that holds the alias span (see `_alias_span`): any other piece
    must parse with no alias, so the pieces together replay no more than the whole file may."""
    start = 0
    if text.startswith("---") and text[3:4] in ("\n", "\r"):
        start = text.find("\n") + 1  # the one document's start marker
    if len(text) - start <= _SPLIT_ABOVE or _DOC_MARKER.search(text, start):
        raise _Whole
    pieces = _Pieces(text, lambda piece, aliases: _shared(load(piece, aliases), share, refs), _alias_span(text))
    try:
        return pieces.mapping(start, len(text), 0)
    except _Unsplit:
        raise _Whole from None


# Equal strings of parsed YAML are made one object. A spec repeats its keys and many values
# (the Stripe spec's 41,700 string values are 7,500 different ones), and yaml-rs makes a new
# object for each: sharing takes 5.6 MiB off each Stripe file, for about 60 ms. The table is
# per file unless `share_strings` set one for the process (the CLI does: a run is short, and the
# two versions it compares, or the 2,900 files of a multi-file spec, share most strings).
#
# The same goes for a mapping that is only a reference, `{$ref: ...}`: DigitalOcean writes
# 9,900 of them in one version, 3,600 different ones (`$ref: ../../shared/responses/
# unauthorized.yml` 659 times), and each is a dict of about 200 bytes. One object per reference
# string takes 1.1 MiB off that spec's peak. Parsed data is never modified (see `share_files`),
# and such a mapping is a leaf: what its reference means is decided by where it stands (the
# file it is in), never by the object, so one object can stand in many places.
_strings: dict[str, str] | None = None
_run_tables: dict[str, dict[Any, Any]] | None = None


def share_strings(table: dict[str, str] | None) -> None:
    """Share the strings of every YAML file parsed from now on through `table` (None: per file),
    and start the run's other tables (see `run_table`). The tables keep every value they have
    seen: for a short process, not a long-running one."""
    global _strings, _run_tables
    _strings = table
    _run_tables = None if table is None else {"strings": table}


def forget_shared() -> None:
    """Empty the run's tables (see `share_strings`, `run_table`, `share_files`) once no further
    file will be parsed: they only find equal values, and the objects found stay where they
    are used. The CLI calls this (through `LoadOptions.last`) once the last spec's files are
    read, before that spec is validated and compared: 0.5 MiB off DigitalOcean's peak."""
    for table in (_run_tables or {}).values():
        table.clear()
    if _files is not None:
        _files.clear()


def run_table(name: str) -> dict[Any, Any]:
    """The run's table `name`, for one object per value of the immutable values every version
    of a spec makes again, so both versions share them: "strings" is the string table (file
    keys go there), "ref leaves" the mappings that are only a `$ref`, "targets" the reference
    targets. Without a run (`share_strings(None)`), a new table for the caller.

    Reference targets have a table of their own: a dict whose keys are all strings stores an
    entry in 16 bytes, not 24, and one table for both kinds had grown to 1.3 MiB on
    DigitalOcean, where the two take 0.5 (16,300 strings, 2,200 targets)."""
    if _run_tables is None:
        return {}
    table = _run_tables.get(name)
    if table is None:
        table = _run_tables[name] = {}
    return table


# Files parsed before, by key (the path relative to the root spec's folder) and size. The CLI
# sets a table for its run: the two versions of a multi-file spec have most files in common
# (DigitalOcean's: all but a few of 1,500), and a file with the same path and the same bytes
# gets the same text and data, parsed once. Nothing modifies parsed data (the one exception,
# loading's `info.version` made a string, gives the same result twice), so sharing it is safe;
# each version still has its own Document, under its own name. The table holds its documents
# weakly: once the specs are done with (before the report is written), so are their files.
_files: MutableMapping[tuple[str, int], Document] | None = None


def share_files(table: MutableMapping[tuple[str, int], Document] | None) -> None:
    """Parse each file once from now on, through `table` (None: no sharing); give it a
    `weakref.WeakValueDictionary` so that it keeps no file alive."""
    global _files
    _files = table


def parse_file(key: str, name: str, raw: bytes) -> Document:
    """`parse(name, raw)`, or the text and data of the file with the same key and bytes parsed
    earlier in this run (see `share_files`; same bytes: same size and SHA-256). The digest is
    kept when the document's text is the file's bytes as they are, so that `release` may drop
    the text and read it again."""
    digest = sha256(raw).digest()
    seen = _files.get((key, len(raw))) if _files is not None else None
    if seen is not None and seen._digest == digest:
        return seen.same_file(name)
    doc = parse(name, raw)
    text = doc._text
    if text is not None and len(text) == len(raw) and not raw.startswith(_UTF8_BOM):
        doc._digest = digest  # the byte view is `raw` read as Latin-1 (see `parse`)
    if _files is not None and seen is None:
        _files[(key, len(raw))] = doc
    return doc


def _shared(node: Any, share: Callable[[str, str], str], refs: dict[str, dict[str, str]], depth: int = 0) -> Any:
    """`node` rebuilt with each string replaced by `share(string, string)`: one object for
    equal strings; and each mapping that is only a `$ref` replaced by the one in `refs` for the
    same string (see `share_strings`). Keys that are not strings stay (True and 1 are equal
    keys, not the same). Below MAX_DEPTH levels the node is left as it is: the depth check that
    comes after the parse reports such a document, and this recursion must not fail first."""
    kind = type(node)
    if kind is str:
        return share(node, node)
    if depth > MAX_DEPTH:
        return node
    depth += 1
    if kind is dict:
        if len(node) == 1:
            ref = node.get("$ref")
            if type(ref) is str:
                leaf = refs.get(ref)
                if leaf is None:
                    ref = share(ref, ref)
                    leaf = refs[ref] = {share("$ref", "$ref"): ref}
                return leaf
        return {share(k, k) if type(k) is str else k: _shared(v, share, refs, depth) for k, v in node.items()}
    if kind is list:
        return [_shared(v, share, refs, depth) for v in node]
    return node


class _Pieces:
    """Splits one text; `span` is the part that must stay in one piece (see `_alias_span`)."""

    def __init__(self, text: str, load: Callable[[str, bool], Any], span: tuple[int, int] | None) -> None:
        self.text, self.load, self.span = text, load, span

    def _touches(self, a: int, b: int) -> bool:
        return self.span is not None and self.span[0] < b and self.span[1] > a

    def _holds(self, a: int, b: int) -> bool:
        return self.span is not None and a <= self.span[0] and self.span[1] <= b

    def mapping(self, start: int, end: int, n: int) -> dict[str, Any]:
        """The block mapping whose entries start at indentation `n` in text[start:end]."""
        text = self.text
        starts = [m.start() + 1 for m in _pattern("entry", n).finditer(text, start, end)]
        if _pattern("head", n).match(text, start, end):
            starts.insert(0, start)
        elif not starts or _CONTENT_LINE.search(text, start, starts[0]):
            raise _Unsplit  # something other than comments before the first entry
        starts.append(end)
        out: dict[str, Any] = {}
        i, last = 0, len(starts) - 1
        while i < last:
            a, b = starts[i], starts[i + 1]
            if b - a > _SPLIT_ABOVE and (self._holds(a, b) or not self._touches(a, b)):
                entry = self._entry(a, b, n)
                if entry is not None:
                    if entry[0] in out:
                        raise _Whole
                    out[entry[0]] = entry[1]
                    i += 1
                    continue
            j = i + 1
            while j < last and starts[j + 1] - a <= _GROUP_UP_TO:
                j += 1
            while j < last and self._touches(a, starts[j]) and self.span[1] > starts[j]:  # type: ignore[index]
                j += 1  # the alias span goes on past this group: it takes the next entry too
            part = self.load(text[a : starts[j]], self._holds(a, starts[j]))
            if type(part) is not dict or not out.keys().isdisjoint(part):
                raise _Whole
            out.update(part)
            i = j
        return out

    def _entry(self, a: int, b: int, n: int) -> tuple[Any, Any] | None:
        """A large entry `key:` whose value is a block mapping on the lines below, as (key,
        value) parsed in pieces; None when it is anything else (it is then parsed as one piece)."""
        text = self.text
        eol = text.find("\n", a, b)
        if eol < 0 or not _ENTRY_HEADER.fullmatch(text, a + n, eol) or self._touches(a, eol + 1):
            return None
        first = _CONTENT_LINE.search(text, eol + 1, b)
        if first is None:
            return None
        inner = len(first.group(1))
        if inner <= n or first.group(2) == "-" or _pattern("shallow", inner).search(text, eol + 1, b):
            return None  # not a block mapping indented under the key, or lines outside its indentation
        head = self.load(text[a + n : eol], False)
        if type(head) is not dict or len(head) != 1:
            raise _Whole
        (key, nothing), = head.items()
        if nothing is not None:
            return None
        try:
            return key, self.mapping(eol + 1, b, inner)
        except _Unsplit:
            return None


_PLAIN_KEYS = frozenset((str, int, float, bool, type(None)))


def _shape_problem(root: Any, limit: int) -> str | None:
    """Why `root` is no JSON-like document, if it is not: a container deeper than `limit`, or
    a mapping key that is itself a collection (YAML's `? [a, b]` complex keys). Walks level by
    level with C-speed iteration, no recursion (about 20 ms on a 3 MB spec)."""
    level = [root]
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return "deep"
        dicts = [v for v in level if type(v) is dict]
        if not _PLAIN_KEYS.issuperset(map(type, chain.from_iterable(dicts))):
            return "complex-key"
        nxt: list[Any] = []
        extend = nxt.extend
        for value in level:
            children = value.values() if type(value) is dict else value
            extend([c for c in children if type(c) is dict or type(c) is list])
        level = nxt
    return None


def _yaml_error(name: str, text: str, exc: Exception) -> InputError:
    msg = str(exc).strip()
    m = _YAML_ERR_POS.search(msg)
    line = int(m.group(1)) if m else None
    col = int(m.group(2)) if m else None
    reason = (msg.splitlines()[-1] if msg else type(exc).__name__).strip()
    low = reason.lower()
    hint = "fix the YAML syntax at this position"
    if "tab" in low:
        hint = "YAML indentation must use spaces, not tabs"
    elif "duplicate" in low:
        hint = "each key may appear once per mapping; remove or rename one of them"
        if line is None:
            line, col = _duplicate_position(text, None)
    elif "recursion" in low or "depth" in low:
        return InputError(
            f"the YAML is nested too deeply ({reason})",
            file=name,
            line=line,
            column=col,
            hint="flatten the document; no OpenAPI spec needs this depth",
        )
    elif "alias" in low or "replay" in low:
        hint = "the document expands aliases too many times (an alias bomb?); write the values out"
    elif "tag" in low:
        hint = "remove the YAML tag: OpenAPI documents hold plain data, never typed objects"
    if line is not None:
        opened = _open_flow(text, line)
        if opened is not None:
            char, at_line, at_col = opened
            closer = "}" if char == "{" else "]"
            kind = "mapping" if char == "{" else "list"
            hint = f"the flow {kind} `{char}` opened at line {at_line}, column {at_col} is never closed: add `{closer}` where it ends"
    return InputError(f"invalid YAML: {reason}", file=name, line=line, column=col, hint=hint)


def _open_flow(text: str, line: int) -> tuple[str, int, int] | None:
    """The innermost `{` or `[` still open at the end of the line before `line` (1-based),
    skipping quoted strings and comments: a syntax error reported further down is very often
    that bracket's missing close. Only the 200 lines before are read."""
    lines = text.split("\n", line)[: line - 1]
    first = max(0, len(lines) - 200)
    stack: list[tuple[str, int, int]] = []
    for n in range(first, len(lines)):
        row, i, quote = lines[n], 0, ""
        while i < len(row):
            c = row[i]
            if quote:
                if c == "\\" and quote == '"':
                    i += 1
                elif c == quote:
                    quote = ""
            elif c in "'\"" and (i == 0 or row[i - 1] in " \t[{,:"):
                quote = c
            elif c == "#" and (i == 0 or row[i - 1] in " \t"):
                break
            elif c in "{[" and (stack or i == 0 or row[i - 1] in " \t[{,:-"):
                stack.append((c, n + 1, i + 1))
            elif c in "}]" and stack:
                stack.pop()
            i += 1
    return stack[-1] if stack else None


class _Locator:
    def offset(self, tokens: list[str]) -> int:  # pragma: no cover - interface
        raise NotImplementedError


_JSON_KEY = re.compile(r'"((?:[^"\\\n]|\\.)*)"[ \t]*:[ \t]*')


_LINE_PATTERNS: dict[int, re.Pattern[str]] = {}


def _lines_at(text: str, start: int, end: int, indent: int) -> Iterator[int]:
    """Offsets of the first character of each line in [start, end) that is indented by exactly
    `indent` spaces and has content. `start` is a line start. The pattern begins with a literal
    newline and spaces, which the regex engine finds at C speed; only real hits reach Python."""
    pad = " " * indent
    if text.startswith(pad, start):
        off = start + indent
        if off < end and text[off] not in " \t\r\n":
            yield off
    pat = _LINE_PATTERNS.get(indent)
    if pat is None:
        pat = _LINE_PATTERNS[indent] = re.compile("\n" + pad + r"(?=[^ \t\r\n])")
    for m in pat.finditer(text, start, end):
        yield m.end()


class _JsonLocator(_Locator):
    """Walks JSON text along a pointer, alongside the parsed data.

    JSON strings cannot span lines, so in pretty-printed JSON every line start is structural:
    a container's members are the lines at one indentation up to its closing bracket, found by
    one regex scan. Each table is checked against the parsed data (same member count); where
    the layout is anything else (minified, hand-aligned) the C scanner walks the container
    instead, skipping sibling values at C speed.
    """

    def __init__(self, text: str, data: Any) -> None:
        self.text = text
        self.data = data
        self._scan: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(json.JSONDecoder())
        self._tables: dict[int, Any] = {}

    def offset(self, tokens: list[str]) -> int:
        text = self.text
        pos = _WS.match(text, 0).end()
        result = pos
        value = self.data
        for token in tokens:
            try:
                child = get_child(value, token)
            except (KeyError, IndexError, TypeError):
                return result
            table = self._table(pos, value)
            if isinstance(table, dict):
                hit = table.get(token)
                if hit is None:
                    return result
                result, pos = hit
            elif isinstance(table, list):
                if not token.isdigit() or int(token) >= len(table):
                    return result
                pos = table[int(token)]
                result = pos
            else:
                return result
            value = child
        return result

    def _table(self, pos: int, value: Any) -> Any:
        table = self._tables.get(pos)
        if table is None:
            table = self._by_lines(pos, value)
            if table is None:
                table = self._by_scanner(pos)
            self._tables[pos] = table
        return table

    def _by_lines(self, pos: int, value: Any) -> Any:
        text = self.text
        nl = text.find("\n", pos)
        if nl < 0 or text[pos + 1 : nl].strip(" \t\r"):
            return None  # members start on the opening line: not this layout
        line_start = text.rfind("\n", 0, pos) + 1
        own = _SPACES.match(text, line_start).end() - line_start
        m = _WS.match(text, nl + 1)
        first = m.end() if m else nl + 1
        inner = first - (text.rfind("\n", 0, first) + 1)
        if inner <= own:
            return None
        # The closing bracket is the first line back at the opening line's indentation.
        closer = "\n" + " " * own + ("}" if text[pos] == "{" else "]")
        end = text.find(closer, nl)
        end = len(text) if end < 0 else end + 1
        if isinstance(value, dict):
            members: dict[str, tuple[int, int]] = {}
            for off in _lines_at(text, nl + 1, end, inner):
                km = _JSON_KEY.match(text, off)
                if km is None:
                    continue
                members.setdefault(json_string(km.group(1)), (off, km.end()))
            return members if len(members) == len(value) else None
        if isinstance(value, list):
            items = [off for off in _lines_at(text, nl + 1, end, inner) if text[off] not in "}]"]
            return items if len(items) == len(value) else None
        return None

    def _by_scanner(self, pos: int) -> Any:
        text, scan = self.text, self._scan
        ch = text[pos : pos + 1]
        if ch == "{":
            members: dict[str, tuple[int, int]] = {}
            i = _WS.match(text, pos + 1).end()
            if text[i : i + 1] != "}":
                while True:
                    _, end = json.decoder.scanstring(text, i + 1)
                    key = json_string(text[i + 1 : end - 1])
                    colon = _WS.match(text, end).end()
                    vstart = _WS.match(text, colon + 1).end()
                    _, vend = scan(text, vstart)
                    members.setdefault(key, (i, vstart))
                    i = _WS.match(text, vend).end()
                    if text[i] == ",":
                        i = _WS.match(text, i + 1).end()
                        continue
                    break
            return members
        if ch == "[":
            items: list[int] = []
            i = _WS.match(text, pos + 1).end()
            if text[i : i + 1] != "]":
                while True:
                    items.append(i)
                    _, vend = scan(text, i)
                    i = _WS.match(text, vend).end()
                    if text[i] == ",":
                        i = _WS.match(text, i + 1).end()
                        continue
                    break
            return items
        return False


# One block-mapping key at the start of a line (after the indentation the caller fixes):
# a double-quoted, single-quoted or plain key, then a colon followed by a space or the line end.
_KEY_BODY = (
    r"(?:\"(?P<dq>(?:[^\"\\\n]|\\.)*)\""
    r"|'(?P<sq>(?:[^'\n]|'')*)'"
    r"|(?P<pl>(?:[^\s\-?:,\[\]{}#&*!|>'\"%@`]|[-?:](?=\S))[^\n]*?))"
    r"[ \t]*:(?=[ \t\r]|$)"
)
# All patterns are ASCII: YAML's white space is spaces, tabs and line breaks, and in a byte view
# the bytes 0x85 and 0xA0 inside a multi-byte character must not read as Unicode white space.
_KEY_INLINE = re.compile(_KEY_BODY, re.M | re.A)
_NEXT_CONTENT = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\n)*([ ]*)(?=\S)", re.A)
_PROPS = re.compile(r"(?:[&!][^\s]*(?:[ \t]+|(?=\r?\n|$)))+", re.A)
_ALIAS = re.compile(r"\*([^\s,\[\]{}]+)", re.A)


def _key_text(m: re.Match[str]) -> str:
    if m.group("dq") is not None:
        try:
            return json_string(m.group("dq"))
        except ValueError:
            return real_text(m.group("dq"))
    if m.group("sq") is not None:
        return real_text(m.group("sq")).replace("''", "'")
    return real_text(m.group("pl").rstrip(" \t"))


class _Unsure(Exception):
    """The fast YAML walk met a construct it does not place with certainty."""


class _YamlLocator(_Locator):
    """Walks block-style YAML along a pointer; falls back to ruamel.yaml when unsure."""

    def __init__(self, text: str, data: Any = None) -> None:
        self.text = text
        self.data = data
        self._tables: dict[tuple[int, int], Any] = {}
        self._fallback: _RuamelLocator | None = None
        self._first_key_at: dict[int, int] = {}
        self._flows: dict[int, Any] = {}

    def offset(self, tokens: list[str]) -> int:
        # A pointer that does not exist lands on its nearest existing ancestor: cut it there,
        # from the parsed data, so a missing key is never taken for a layout the walk missed.
        value = self.data
        for n, token in enumerate(tokens):
            try:
                value = get_child(value, token)
            except (KeyError, IndexError, TypeError):
                tokens = tokens[:n]
                break
        if self._fallback is not None:
            return self._fallback.offset(tokens)
        try:
            return self._fast(tokens)
        except _Unsure:
            self._fallback = _RuamelLocator(self.text)
            return self._fallback.offset(tokens)

    def _fast(self, tokens: list[str]) -> int:
        text = self.text
        m = re.match(r"(?:[ \t]*(?:#[^\n]*)?\r?\n|%[^\n]*\n|---[ \t]*(?:#[^\n]*)?\r?\n)*", text)
        start = m.end() if m else 0
        node = self._node_at(start, len(text), None)
        result = _skip_spaces(text, start)
        for token in tokens:
            if node is None:
                raise _Unsure
            kind, nstart, nend, indent = node
            if kind == "flow":
                table = self._flow_table(nstart)
                if isinstance(table, dict):
                    hit = table.get(token)
                elif token.isdigit() and int(token) < len(table):
                    hit = table[int(token)]
                else:
                    hit = None
                if hit is None:
                    raise _Unsure
                result, node = hit
                continue
            if kind == "map":
                table = self._map_table(nstart, nend, indent)
                hit = table.get(token)
                if hit is None:
                    raise _Unsure
                result, node = hit
                if node and node[0] == "lazy":
                    # Worked out only when first walked into, then kept in the table.
                    node = self._value_node(node[1], node[2], node[3])
                    table[token] = (result, node)
            else:
                table = self._seq_table(nstart, nend, indent)
                if not token.isdigit() or int(token) >= len(table):
                    raise _Unsure
                result, node = table[int(token)]
        return result

    def _flow_table(self, pos: int) -> Any:
        table = self._flows.get(pos)
        if table is None:
            table = self._flows[pos] = _FlowScanner(self.text).table(pos)
        return table

    def _node_at(self, pos: int, end: int, parent_indent: int | None) -> tuple[str, int, int, int] | None:
        """The block collection that starts at the next content line from `pos`, if any."""
        text = self.text
        m = _NEXT_CONTENT.match(text, pos)
        if not m or m.end() >= end:
            return None
        indent = len(m.group(1))
        first = m.end()
        ch = text[first]
        if ch == "-" and (first + 1 >= len(text) or text[first + 1] in " \t\n"):
            if parent_indent is not None and indent < parent_indent:
                return None
            return ("seq", first, end, indent)
        if parent_indent is not None and indent <= parent_indent:
            return None
        if ch in "[{":
            return ("flow", first, end, indent)
        if _KEY_INLINE.match(text, first):
            return ("map", first, end, indent)
        return None  # a multi-line scalar

    def _value_node(self, after: int, end: int, indent: int) -> tuple[str, int, int, int] | None:
        """The value that follows a `key:` or `- ` ending at offset `after`."""
        text = self.text
        i = after
        while i < len(text) and text[i] in " \t":
            i += 1
        props = _PROPS.match(text, i)
        if props:
            i = props.end()
        if i >= len(text) or text[i] in "\r\n#":
            nl = text.find("\n", i)
            if nl < 0:
                return None
            return self._node_at(nl + 1, end, indent)
        ch = text[i]
        if ch in "[{":
            return ("flow", i, end, indent)
        if ch == "*":
            return self._alias_target(i)
        return None

    def _alias_target(self, i: int) -> tuple[str, int, int, int] | None:
        """The node an alias (`*name` at `i`) stands for: the value after its anchor."""
        text = self.text
        m = _ALIAS.match(text, i, i + 200)
        anchor = text.rfind("&" + m.group(1), 0, i) if m else -1
        if anchor < 0:
            return None
        line_start = text.rfind("\n", 0, anchor) + 1
        own = _SPACES.match(text, line_start).end() - line_start
        # The anchored value ends where a line comes back to its key's indentation.
        stop = re.compile(r"\n {0,%d}(?=[^ \r\n])" % own).search(text, anchor)
        return self._value_node(anchor, stop.start() + 1 if stop else len(text), own)

    def _map_table(self, start: int, end: int, indent: int) -> dict[str, tuple[int, Any]]:
        key = (start, indent)
        table = self._tables.get(key)
        if table is not None:
            return table
        text = self.text
        entries: list[tuple[str, int, int]] = []  # key text, key offset, offset after colon
        line_start = text.rfind("\n", 0, start) + 1
        if start - line_start != indent or text[line_start:start].strip(" \t"):
            # The mapping opens inline after "- ": its first key is not at a line start.
            m = _KEY_INLINE.match(text, start)
            if not m:
                raise _Unsure
            entries.append((_key_text(m), self._first_key_at.get(start, start), m.end()))
            search_from = text.find("\n", m.end())
            search_from = len(text) if search_from < 0 else search_from + 1
        else:
            search_from = line_start
        for off in _lines_at(text, search_from, end, indent):
            m = _KEY_INLINE.match(text, off)
            if m is not None:
                entries.append((_key_text(m), off, m.end()))
        table: dict[str, tuple[int, Any]] = {}
        for n, (name, koff, after) in enumerate(entries):
            # A value runs up to the line of the next sibling key.
            vend = entries[n + 1][1] - indent if n + 1 < len(entries) else end
            if name in table:
                raise _Unsure
            table[name] = (koff, ("lazy", after, vend, indent))
        # The table is a plain dict that holds no reference back to the locator: a cycle would
        # keep the locator, its text and the parsed data alive after the run (the CLI runs with
        # the cyclic collector off).
        self._tables[key] = table
        return table

    def _seq_table(self, start: int, end: int, indent: int) -> list[tuple[int, Any]]:
        key = (start, -1 - indent)
        table = self._tables.get(key)
        if table is not None:
            return table
        text = self.text
        line_start = text.rfind("\n", 0, start) + 1
        dashes: list[int] = []
        if start - line_start != indent or text[line_start:start].strip(" \t"):
            dashes.append(start)
            nl = text.find("\n", start)
            search_from = len(text) if nl < 0 else nl + 1
        else:
            search_from = line_start
        dashes.extend(
            off for off in _lines_at(text, search_from, end, indent) if text[off] == "-" and text[off + 1 : off + 2] in (" ", "\t", "\n", "\r", "")
        )
        items = []
        for n, d in enumerate(dashes):
            iend = text.rfind("\n", 0, dashes[n + 1]) + 1 if n + 1 < len(dashes) else end
            items.append(self._item(d, iend, indent))
        self._tables[key] = items
        return items

    def _item(self, dash: int, end: int, indent: int) -> tuple[int, Any]:
        text = self.text
        i = dash + 1
        while i < len(text) and text[i] in " \t":
            i += 1
        start = i  # an item starts at its anchor or tag, as ruamel.yaml places it
        props = _PROPS.match(text, i)
        if props:
            i = props.end()
        if i >= len(text) or text[i] in "\r\n#":
            node = self._value_node(dash + 1, end, indent)
            offset = start if props else (node[1] if node else i)
            return offset, node
        ch = text[i]
        if ch == "*":
            # An alias item stands for its anchored node: placed there, as ruamel.yaml does.
            name = _ALIAS.match(text, i)
            anchor = text.rfind("&" + name.group(1), 0, i) if name else -1
            return (anchor if anchor >= 0 else start), None
        if ch == "-" and (i + 1 >= len(text) or text[i + 1] in " \t\r\n"):
            col = i - (text.rfind("\n", 0, i) + 1)
            return start, ("seq", i, end, col)  # `- - x`: a sequence inside an item
        if ch in "[{":
            return start, ("flow", i, end, indent)
        if ch not in "|>\"'*" and _KEY_INLINE.match(text, i):
            col = i - (text.rfind("\n", 0, i) + 1)
            if start != i:
                self._first_key_at[i] = start  # ruamel places `- &a k: 1`'s key at the anchor
            return start, ("map", i, end, col)
        if ch in "\"'" and _KEY_INLINE.match(text, i):
            col = i - (text.rfind("\n", 0, i) + 1)
            return start, ("map", i, end, col)
        return start, None


_FLOW_WS = re.compile(r"(?:[ \t\r\n]|#[^\n]*)*")
_FLOW_PLAIN = re.compile(r"(?:[^,\[\]{}:#\s]|:(?![\s,\[\]{}])|(?<!\s)#|[ \t]+(?=[^\s,\[\]{}:#])|\s*\n\s*(?=[^\s,\[\]{}:#]))*", re.A)


def _flow_scalar_end(text: str, i: int) -> int:
    """Where a flow scalar starting at `i` ends (quoted or plain)."""
    ch = text[i]
    if ch == "'":
        j = i + 1
        while True:
            j = text.index("'", j)
            if text.startswith("''", j):
                j += 2
                continue
            return j + 1
    if ch == '"':
        j = i + 1
        while True:
            j = text.index('"', j)
            k = j - 1
            slashes = 0
            while text[k] == "\\":
                slashes += 1
                k -= 1
            if slashes % 2 == 0:
                return j + 1
            j += 1
    m = _FLOW_PLAIN.match(text, i)
    return m.end() if m else i


class _FlowScanner:
    """Positions inside a YAML flow collection (`{type: string}`, `[a, b]`)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def table(self, pos: int) -> Any:
        text = self.text
        close = "]" if text[pos] == "[" else "}"
        is_map = close == "}"
        out: Any = {} if is_map else []
        i = _FLOW_WS.match(text, pos + 1).end()
        while i < len(text) and text[i] != close:
            if is_map:
                kend = _flow_scalar_end(text, i)
                key = _unquote_flow(real_text(text[i:kend].strip(" \t\r\n")))
                j = _FLOW_WS.match(text, kend).end()
                if text[j] == ":":
                    vstart = _FLOW_WS.match(text, j + 1).end()
                    node, vend = self._value(vstart)
                else:  # a key with no value
                    node, vend = None, j
                out.setdefault(key, (i, node))
            else:
                node, vend = self._value(i)
                if text[i] not in "[{" and text[_FLOW_WS.match(text, vend).end()] == ":":
                    raise _Unsure  # a single-pair mapping inside a sequence: rare, leave to ruamel
                out.append((i, node))
            i = _FLOW_WS.match(text, vend).end()
            if text[i] == ",":
                i = _FLOW_WS.match(text, i + 1).end()
            elif text[i] != close:
                raise _Unsure
        return out

    def _value(self, i: int) -> tuple[Any, int]:
        text = self.text
        props = _PROPS.match(text, i)
        if props:
            i = props.end()
        if text[i] in "[{":
            return ("flow", i, 0, 0), self.end(i)
        return None, _flow_scalar_end(text, i)

    def end(self, pos: int) -> int:
        """The offset just after the collection that opens at `pos`."""
        text = self.text
        depth = 0
        i = pos
        while i < len(text):
            ch = text[i]
            if ch in "[{":
                depth += 1
                i += 1
            elif ch in "]}":
                depth -= 1
                i += 1
                if depth == 0:
                    return i
            elif ch in "'\"":
                i = _flow_scalar_end(text, i)
            elif ch == "#" and text[i - 1] in " \t\n":
                nl = text.find("\n", i)
                i = len(text) if nl < 0 else nl
            else:
                i += 1
        raise _Unsure


def _unquote_flow(raw: str) -> str:
    if raw.startswith('"'):
        try:
            return json.loads(raw)
        except ValueError:
            return raw[1:-1]
    if raw.startswith("'"):
        return raw[1:-1].replace("''", "'")
    return raw


_ANY_SPACE = re.compile(r"\s*", re.A)


def _skip_spaces(text: str, pos: int) -> int:
    m = _ANY_SPACE.match(text, pos)
    return m.end() if m else pos


class _RuamelLocator(_Locator):
    """The exact, slow path: ruamel.yaml's round-trip loader keeps a line/column per node."""

    def __init__(self, text: str) -> None:
        from ruamel.yaml import YAML

        yaml = YAML(typ="rt")
        yaml.allow_duplicate_keys = True
        self.text = text  # a byte view; ruamel reads the real text and counts characters
        self.root = yaml.load(real_text(text))
        starts = [0]
        starts.extend(m.end() for m in re.finditer("\n", text))
        self._starts = starts

    def _at(self, line: int, col: int) -> int:
        """The byte-view offset of ruamel's (line, character column)."""
        start = self._starts[line]
        end = self.text.find("\n", start)
        row = self.text[start : end if end >= 0 else len(self.text)]
        if row.isascii():
            return start + col
        return start + len(real_text(row)[:col].encode("utf-8"))

    def offset(self, tokens: list[str]) -> int:
        node = self.root
        lc = getattr(node, "lc", None)
        best = self._at(lc.line, lc.col) if lc is not None and lc.line is not None else _skip_spaces(self.text, 0)
        for token in tokens:
            lc = getattr(node, "lc", None)
            if isinstance(node, dict):
                key = _ruamel_key(node, token)
                if key is _MISSING:
                    return best
                if lc is not None:
                    best = self._at(*lc.key(key))
                node = node[key]
            elif isinstance(node, list):
                if not token.isdigit() or int(token) >= len(node):
                    return best
                if lc is not None:
                    best = self._at(*lc.item(int(token)))
                node = node[int(token)]
            else:
                return best
        return best


_MISSING = object()


def _ruamel_key(node: dict, token: str) -> Any:
    if token in node:
        return token
    for key in node:
        if str(key) == token or (isinstance(key, bool) and str(key).lower() == token):
            return key
    return _MISSING


def get_child(container: Any, token: str) -> Any:
    """`container[token]` for a JSON Pointer token: YAML may have given non-string keys (200:)."""
    if isinstance(container, dict):
        if token in container:
            return container[token]
        if token.lstrip("-").isdigit() and int(token) in container:
            return container[int(token)]
        for key in container:
            if not isinstance(key, str) and (str(key) == token or (isinstance(key, bool) and str(key).lower() == token)):
                return container[key]
        raise KeyError(token)
    if isinstance(container, list):
        if not token.isdigit():
            raise KeyError(token)
        return container[int(token)]
    raise KeyError(token)
