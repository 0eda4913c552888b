"""`$ref` resolution inside and across the files of one source.

Nothing is inlined: a reference is followed when a walker steps onto it, and the node it lands on
keeps its own identity, a `Where` (file key + JSON Pointer). That gives every finding the file
and line where the referenced node really is, makes recursive schemas cost nothing (a cycle is a
`Where` seen before), and keeps memory at the size of the parsed files. At load time every
`$ref` of every file reached is checked once, so a missing target, a ref that leaves the spec's
folder or a remote ref fails early with its file and line.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from .document import Document, get_child, json_string, parse_file, run_table
from .errors import InputError
from .model import Where, escape_token, split_pointer
from .sources import Source

# Keys whose values are maps of user-chosen names (so a child named `example` or `$ref` is a
# name, not a keyword), and keywords whose values are data, never references.
_NAME_MAPS = frozenset(
    "properties patternProperties definitions schemas $defs paths responses parameters headers "
    "content callbacks webhooks securitySchemes examples links requestBodies dependentSchemas "
    "mapping variables scopes encoding pathItems".split()
)
_DATA_KEYS = frozenset(("example", "examples", "default", "enum", "const"))

_ABSOLUTE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_JSON_REF = re.compile(r'"\$ref"\s*:\s*"((?:[^"\\]|\\.)*)"')

MAX_HOPS = 64


class Resolver:
    """The documents of one spec and the rules for following references between them."""

    def __init__(self, source: Source, root: Document, *, allow_remote: bool = False) -> None:
        self.source = source
        self.allow_remote = allow_remote
        self.documents: dict[str, Document] = {source.root_key: root}
        self.root_key = source.root_key
        # file key -> reference as written there -> target (nested: no key tuple per reference,
        # 16,000 on DigitalOcean). A reference to another file means the same in every file of
        # a folder, so those files share one table for them (DigitalOcean: 1,170 files, 123
        # folders, 8,100 references but 2,600 per folder; 0.2 MiB less for each version);
        # references within the file (`#/...`, or empty) have a table per file.
        self._targets: dict[str, dict[str, Where]] = {}
        self._local_targets: dict[str, dict[str, Where]] = {}
        self._folders: dict[str, dict[str, Where]] = {}
        self._same_target: dict[Where, Where] = run_table("targets")  # one for both versions in a CLI run
        # References inside `examples` whose target is missing: (where, message).
        self.dangling: list[tuple[Where, str]] = []
        # Reference targets are few and hit often (every use of a shared component).
        self._values: dict[Where, Any] = {}
        self._walked: dict[str, dict[str, bool]] = {}
        # JSON Schema identifiers (3.1), indexed on first use: absolute `$id` URI -> schema, and
        # per file, `$anchor` name -> [(schema, pointer of the `$id` resource it belongs to)].
        self._ids: dict[str, Where] | None = None
        self._anchors: dict[str, dict[str, list[tuple[Where, str]]]] = {}

    # -- loading -------------------------------------------------------------------------
    def load_all(self) -> None:
        """Read every file the root reaches and check every reference once."""
        refs_by_doc: dict[str, dict[str, bool]] = {}
        pending = [self.root_key]
        while pending:
            key = pending.pop()
            refs = refs_by_doc[key] = self._candidates(key)
            for ref in list(refs):
                target_key = self._check_ref(key, ref)
                if target_key is not None and target_key not in refs_by_doc and target_key not in pending:
                    pending.append(target_key)
            self.documents[key].release()  # its references are read; see Document.release
        # With every file loaded, the pointers into them can be checked, and an absolute URI
        # told apart: a schema's `$id` in a file loaded by now, or a remote reference.
        for key, refs in refs_by_doc.items():
            for ref in refs:
                if "://" in ref:
                    self._check_remote(key, ref)
                self._check_pointer(key, ref)
        self._walked.clear()  # needed while loading only

    def _candidates(self, key: str) -> dict[str, bool]:
        """The references of a file. For JSON a regex over the text finds them at C speed (a
        `"$ref"` key can only be written one way); a candidate that then fails is checked
        against the exact walk, which skips example data. YAML is walked directly."""
        doc = self.documents[key]
        if "$ref" not in doc.text:
            return {}
        if doc.format != "json":
            return self._real_refs(key)
        out: dict[str, bool] = {}
        for m in _JSON_REF.finditer(doc.text):
            out[json_string(m.group(1))] = False
        return out

    def _real_refs(self, key: str) -> dict[str, bool]:
        hit = self._walked.get(key)
        if hit is None:
            hit = self._walked[key] = _refs_in(self.documents[key].data)
        return hit
    def _fail(self, key: str, ref: str, message: str, hint: str) -> None:
        """Refuse a reference, unless the text that looked like one sits inside example data."""
        if ref in self._real_refs(key):
            raise self._error(key, ref, message, hint)
        return None

    def _error(self, key: str, ref: str, message: str, hint: str) -> InputError:
        doc = self.documents[key]
        pointer = _pointer_of(doc.data, ref)
        loc = doc.locate(pointer + "/$ref" if pointer is not None else "")
        return InputError(message, file=doc.name, line=loc.line, column=loc.column, hint=hint)

    def _check_ref(self, key: str, ref: str) -> str | None:
        file_part, _, _frag = ref.partition("#")
        if not file_part or _ABSOLUTE.match(file_part):
            return None  # the same file, or an absolute URI (see `_check_remote`)
        target = self.source.join(key, urllib.parse.unquote(file_part))
        if (target.startswith("../") or target == "..") and not self.source.allow_outside_root:
            return self._fail(
                key, ref,
                f"$ref {ref!r} leaves the spec's folder",
                "keep referenced files under the root spec's folder, or pass --allow-outside-root",
            )
        if target not in self.documents:
            try:
                raw = self.source.read(target)
            except InputError as exc:
                return self._fail(
                    key, ref, f"$ref {ref!r}: {exc.message} ({exc.file})",
                    "fix the path of the $ref; it is relative to the file that contains it",
                )
            doc = self.documents[target] = parse_file(target, self.source.display(target), raw)
            doc.name_by(self.source, target)
        return target

    def _check_remote(self, key: str, ref: str) -> None:
        file_part = ref.partition("#")[0]
        if not file_part or not _ABSOLUTE.match(file_part) or self.allow_remote:
            return
        if file_part in self._identifiers():
            return  # a schema of the spec declares it as its `$id`
        self._fail(
            key, ref,
            f"remote $ref {ref!r}: apiguard fetches nothing from the network by default",
            "vendor the file next to the spec and use a relative $ref, or pass --allow-remote",
        )

    def _check_pointer(self, key: str, ref: str) -> None:
        try:
            self.resolve_ref(ref, Where(key, ""))
        except _Dangling as exc:
            real = self._real_refs(key)
            if ref not in real:
                return  # not a reference: text inside example data
            if real[ref]:
                # An Example Object that points at nothing loses an illustration, not part of
                # the contract: a validation finding, not a refusal to read the spec.
                pointer = _pointer_of(self.documents[key].data, ref)
                self.dangling.append((Where(key, (pointer or "") + "/$ref"), f"$ref {ref!r} points at nothing: {exc.args[0]}"))
                return
            raise self._error(
                key, ref,
                f"$ref {ref!r} points at nothing: {exc.args[0]}",
                "fix the pointer after '#', or add the missing definition",
            ) from None

    # -- following references -------------------------------------------------------------
    def resolve_ref(self, ref: str, at: Where) -> Where:
        tables = self._local_targets if not ref or ref[0] == "#" else self._targets
        known = tables.get(at.doc)
        if known is None:
            if tables is self._targets:
                known = self._folders.setdefault(self.source.join(at.doc, "."), {})
            else:
                known = {}
            tables[at.doc] = known
        cached = known.get(ref)
        if cached is not None:
            return cached
        file_part, _, frag = ref.partition("#")
        base = ""  # the pointer of the schema resource the fragment is read in
        if file_part and _ABSOLUTE.match(file_part):
            named = self._identifiers().get(file_part)
            if named is None:
                raise _Dangling(f"remote document {file_part} is not loaded")
            doc_key, base = named.doc, named.pointer
        elif file_part:
            doc_key = self.source.join(at.doc, urllib.parse.unquote(file_part))
        else:
            doc_key = at.doc
        pointer = urllib.parse.unquote(frag)
        doc = self.documents.get(doc_key)
        if doc is None:
            raise _Dangling(f"file {doc_key} is not loaded")
        if pointer and not pointer.startswith("/"):
            # A plain name: a JSON Schema `$anchor`, in the resource named, or else in the
            # resource around the reference.
            target = self._anchor(doc_key, pointer, base if file_part else at.pointer, exact=bool(file_part))
            if target is None:
                raise _Dangling(f"no $anchor {pointer!r} in {doc.name} (a fragment that is no anchor must be a JSON Pointer, starting with '/')")
            if len(self._index(doc_key)[pointer]) == 1:  # else the answer depends on where the $ref is
                known[ref] = target
            return target
        node = self.get(Where(doc_key, base)) if base else doc.data
        walked = "#"
        for token in split_pointer(pointer):
            try:
                node = get_child(node, token)
            except (KeyError, IndexError, TypeError):
                raise _Dangling(f"no {token!r} under {walked} in {doc.name}") from None
            walked += "/" + escape_token(token)
        # One object per target: DigitalOcean's 1,500 files write the same reference thousands
        # of times, from different files (8,100 targets, 1 MiB per version of the spec).
        target = Where(doc_key, base + pointer)
        target = known[ref] = self._same_target.setdefault(target, target)
        return target

    # -- JSON Schema identifiers ------------------------------------------------------------
    def _identifiers(self) -> dict[str, Where]:
        """Every absolute `$id` of every loaded file (without a trailing `#`)."""
        if self._ids is None:
            self._ids = {}
            for key in self.documents:
                self._index(key)
        return self._ids

    def _index(self, key: str) -> dict[str, list[tuple[Where, str]]]:
        hit = self._anchors.get(key)
        if hit is not None:
            return hit
        anchors: dict[str, list[tuple[Where, str]]] = {}
        self._anchors[key] = anchors
        doc = self.documents[key]
        if not doc.mentions("$id") and not doc.mentions("$anchor"):
            return anchors  # the text says so without a walk (and a released one is not read)
        ids = self._ids if self._ids is not None else {}
        # (value, pointer, base URI, pointer of the resource); data keywords and extensions are
        # not schemas, so an `$id` inside an example names nothing.
        stack: list[tuple[Any, str, str, str]] = [(doc.data, "", "", "")]
        while stack:
            value, pointer, base, resource = stack.pop()
            if type(value) is dict:
                ident = value.get("$id")
                if isinstance(ident, str) and ident:
                    uri = urllib.parse.urljoin(base, ident) if base else ident
                    uri = uri.rstrip("#")
                    if _ABSOLUTE.match(uri):
                        base, resource = uri, pointer
                        ids.setdefault(uri, Where(key, pointer))
                name = value.get("$anchor")
                if isinstance(name, str) and name:
                    anchors.setdefault(name, []).append((Where(key, pointer), resource))
                for k, child in value.items():
                    if (type(child) is dict or type(child) is list) and k.__class__ is str and k not in _DATA_KEYS and not k.startswith("x-"):
                        stack.append((child, pointer + "/" + escape_token(k), base, resource))
            else:
                for i, child in enumerate(value):
                    if type(child) is dict or type(child) is list:
                        stack.append((child, f"{pointer}/{i}", base, resource))
        return anchors

    def _anchor(self, doc_key: str, name: str, near: str, *, exact: bool) -> Where | None:
        """The schema with `$anchor: name` in `doc_key`: in the resource at pointer `near` when
        `exact`, else in the innermost resource around `near`, else the file's only one."""
        self._identifiers()
        found = self._index(doc_key).get(name) or []
        if exact:
            return next((w for w, resource in found if resource == near), None)
        around = [(len(resource), w) for w, resource in found if near == resource or near.startswith(resource + "/") or not resource]
        if around:
            return max(around, key=lambda item: item[0])[1]
        return found[0][0] if len(found) == 1 else None

    def forget(self) -> None:
        """Drop cached targets: the documents' data was rewritten (Swagger 2.0 conversion)."""
        self._targets.clear()
        self._local_targets.clear()
        self._folders.clear()
        self._values.clear()
        self._ids = None
        self._anchors.clear()

    def get(self, where: Where) -> Any:
        hit = self._values.get(where)
        if hit is None:
            hit = self.documents[where.doc].data
            for token in split_pointer(where.pointer):
                hit = get_child(hit, token)
            self._values[where] = hit
        return hit

    def deref(self, value: Any, where: Where) -> tuple[Any, Where]:
        """Follow `$ref`s from `value` (found at `where`) to the node they land on."""
        hops = 0
        while isinstance(value, dict) and isinstance(value.get("$ref"), str):
            hops += 1
            if hops > MAX_HOPS:
                doc = self.documents[where.doc]
                loc = doc.locate(where.pointer)
                raise InputError(
                    "a chain of $ref never reaches a definition (circular references)",
                    file=loc.file, line=loc.line, column=loc.column,
                    hint="make one of the referenced nodes a real definition",
                )
            try:
                where = self.resolve_ref(value["$ref"], where)
            except _Dangling as exc:
                loc = self.documents[where.doc].locate(where.pointer)
                raise InputError(
                    f"$ref {value['$ref']!r} points at nothing: {exc.args[0]}",
                    file=loc.file, line=loc.line, column=loc.column,
                ) from None
            value = self.get(where)
        return value, where


class _Dangling(Exception):
    pass


class Bundle:
    """The root document with every reference into another file inlined, for validators that
    read one document. References within the root stay references; a reference that would
    recurse into itself is left as written. An inlined file is copied once and shared by every
    place that references it; `origin` maps a pointer of the bundle back to where it really is.

    No table of inlined places is kept for `origin` (DigitalOcean's has 8,400, whose pointers
    took 1 MiB for each version): a pointer is rare (a validation problem) and retraced through
    the files, following the references the bundle inlined."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.root_key = resolver.root_key
        self._copies: dict[Where, Any] = {}
        self._busy: set[Where] = set()
        self.data = _Expansion(self, Where(self.root_key, "")).copy(resolver.documents[self.root_key].data)

    def _followed(self, value: Any, at: Where) -> Where | None:
        """Where `value`, standing at `at`, leads when the bundle follows it: a reference that
        names another file, or any reference inside an inlined file (its "#/..." points into
        that file, not the root); None for anything else. Raises _Dangling for a reference that
        leads nowhere."""
        ref = value.get("$ref") if type(value) is dict else None
        if ref.__class__ is not str or (ref.startswith("#") and at.doc == self.root_key):
            return None
        return self.resolver.resolve_ref(ref, at)

    def _target_copy(self, target: Where) -> Any:
        hit = self._copies.get(target)
        if hit is None:
            self._busy.add(target)
            hit = _Expansion(self, target).copy(self.resolver.get(target))
            self._busy.discard(target)
            self._copies[target] = hit
        return hit

    def origin(self, pointer: str) -> Where:
        """Where a pointer of the bundled document really is."""
        at = Where(self.root_key, "")
        node = self.resolver.documents[self.root_key].data
        tokens = split_pointer(pointer)
        for i, token in enumerate(tokens):
            for _ in range(MAX_HOPS):
                try:
                    target = self._followed(node, at)
                except _Dangling:
                    break
                if target is None or target.doc == self.root_key:
                    break  # not inlined: a reference into the root stays one
                value = self.resolver.get(target)
                if token in node and not (type(value) is dict and token in value):
                    break  # the reference itself (one left as written: it would recurse)
                at, node = target, value
            try:
                node = get_child(node, token)
            except (KeyError, IndexError, TypeError):
                return Where(at.doc, at.pointer + "".join("/" + escape_token(t) for t in tokens[i:]))
            at = at.child(token)
        return at


class _Expansion:
    """The copy of one file (or the root) for a `Bundle`. A class rather than a recursive
    closure: a closure refers to itself, a cycle that the CLI, which runs without the cyclic
    GC, would keep with everything it reaches (the whole bundle) until the process ends."""

    def __init__(self, bundle: Bundle, owner: Where) -> None:
        self.bundle, self.owner = bundle, owner

    def copy(self, value: Any) -> Any:
        kind = type(value)
        if kind is dict:
            bundle = self.bundle
            try:
                target = bundle._followed(value, self.owner)
            except _Dangling:
                return value
            if target is not None:
                if target.doc == bundle.root_key:
                    local = "#" + target.pointer
                    return value if value["$ref"] == local else {**value, "$ref": local}
                if target in bundle._busy:
                    return value
                return bundle._target_copy(target)
            entries: Any = value.items()
        elif kind is list:
            entries = enumerate(value)
        else:
            return value
        # Copied on write: a mapping or list with nothing to inline below it is the file's own
        # object, so the bundle costs only the containers on the way to a reference.
        out = None
        copy = self.copy
        for k, v in entries:
            if type(v) is dict or type(v) is list:
                c = copy(v)
                if c is not v:
                    if out is None:
                        out = kind(value)
                    out[k] = c
        return value if out is None else out


def _walk_refs(root: Any) -> Any:
    """Yield (ref, pointer-builder) for every reference in `root`, skipping example data and
    extensions; pointers are only built when asked for (on errors), so the walk stays cheap."""
    # (value, parent entry, key, children-are-names, inside an `examples` map)
    stack: list[tuple[Any, Any, str, bool, bool]] = [(root, None, "", False, False)]
    pop, push = stack.pop, stack.append
    while stack:
        entry = pop()
        value, _, _, names, in_examples = entry
        if type(value) is dict:
            ref = value.get("$ref")
            # Under a names map a string `$ref` still is a reference (to the whole map): a
            # property named "$ref" would hold a schema, never a string.
            if ref.__class__ is str:
                yield ref, entry
            for key, child in value.items():
                if type(child) is not dict and type(child) is not list:
                    continue
                if names:
                    push((child, entry, key, False, in_examples))
                    continue
                if key.__class__ is str:
                    if key in _DATA_KEYS and key != "examples":
                        continue
                    if key.startswith("x-") or (in_examples and key == "value"):
                        continue
                push((child, entry, key, key in _NAME_MAPS, key == "examples"))
        elif type(value) is list:
            for i, child in enumerate(value):
                if type(child) is dict or type(child) is list:
                    push((child, entry, i, False, in_examples))


def _refs_in(root: Any) -> dict[str, bool]:
    """Every reference in `root`, each with whether it occurs only inside `examples` maps.

    The same walk as `_walk_refs` without the parent links (only errors need pointers): this
    runs over every node of every file at load time, so it is kept lean."""
    out: dict[str, bool] = {}
    get = out.get
    # (container, children-are-names, inside an `examples` map)
    stack: list[tuple[Any, bool, bool]] = [(root, False, False)]
    pop, push = stack.pop, stack.append
    dict_, list_, str_ = dict, list, str
    names_maps, data_keys = _NAME_MAPS, _DATA_KEYS
    while stack:
        value, names, in_examples = pop()
        if type(value) is dict_:
            ref = value.get("$ref")
            if ref.__class__ is str_:
                out[ref] = get(ref, True) and in_examples
            for key, child in value.items():
                t = type(child)
                if t is not dict_ and t is not list_:
                    continue
                if names:
                    push((child, False, in_examples))
                elif key.__class__ is str_:
                    if key in data_keys:
                        if key == "examples":
                            push((child, True, True))
                    elif key[:2] == "x-" or (in_examples and key == "value"):
                        continue
                    else:
                        push((child, key in names_maps, False if not in_examples else in_examples))
                else:
                    push((child, False, in_examples))
        else:
            for child in value:
                t = type(child)
                if t is dict_ or t is list_:
                    push((child, False, in_examples))
    return out


def _pointer_of(root: Any, wanted: str) -> str | None:
    """The pointer of the first node that holds `$ref: wanted` (for error messages)."""
    for ref, entry in _walk_refs(root):
        if ref == wanted:
            tokens = []
            while entry[1] is not None:
                tokens.append(escape_token(str(entry[2])))
                entry = entry[1]
            return "".join("/" + t for t in reversed(tokens))
    return None
