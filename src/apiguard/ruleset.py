"""Custom lint rules as data: Spectral-style YAML or JSON rulesets, loaded, checked and run.

This module owns the ruleset file format (the core of Spectral's: `rules` with `given` JSONPath
selectors and `then` core functions, plus `aliases`, `formats`, `resolved` and message
placeholders), its validation against `schemas/ruleset.schema.json` with every problem located
on its line, and the evaluation of each rule over a loaded `Spec`. JSONPath is python-jsonpath's
RFC 9535 dialect, with the Spectral spellings that teams use most rewritten into it. Rules run on
the document as written (for Swagger 2.0 too, not on apiguard's 3.x conversion); with
`resolved: true`, the default, they see through `$ref`s by way of a lazy read-only view that
follows each reference when it is stepped on, expands a recursive one once, and remembers where
every node really is, so a finding points at the line a person wrote and a shared component
is reported once, with every operation that reaches it.
"""

from __future__ import annotations

import json
import math
import re
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import jsonpath
import jsonschema
from jsonpath.filter import FilterQuery
from jsonpath.match import JSONPathMatch
from jsonpath.segments import JSONPathRecursiveDescentSegment
from jsonpath.serialize import canonical_string

from .document import Document, get_child, parse
from .errors import InputError
from .model import Finding, Level, Location, RuleMeta, Where, escape_token, fingerprint, split_pointer
from .spec import Spec

__all__ = ["CustomRule", "Ruleset", "Then", "Given", "load_ruleset", "FUNCTIONS", "casing_pattern"]

SCHEMA_FILE = Path(__file__).resolve().parent / "schemas" / "ruleset.schema.json"

# The core functions this module implements; Spectral's others are named in load errors.
FUNCTIONS = (
    "alphabetical", "casing", "defined", "enumeration", "falsy", "length", "pattern", "schema",
    "truthy", "undefined", "xor",
)
_SPECTRAL_ONLY_FUNCTIONS = {
    "schemaPath": "validate the field with `schema` and a schema written in the rule instead",
    "unreferencedReusableObject": "apiguard's built-in rule component-unused reports unreferenced components",
    "typedEnum": "use `schema` with a schema that states the type of the enum values",
    "or": "split the rule in two, or use `schema` with `anyOf` and `required`",
}
_SEVERITIES: dict[Any, Level | None] = {
    "error": Level.ERROR, 0: Level.ERROR,
    "warn": Level.WARNING, "warning": Level.WARNING, 1: Level.WARNING,
    "info": Level.INFO, 2: Level.INFO,
    "hint": Level.INFO, 3: Level.INFO,  # apiguard has no level below info
    "off": None, -1: None,
}
_FORMATS_OF_FAMILY = {
    "2.0": frozenset({"oas2"}),
    "3.0": frozenset({"oas3", "oas3_0", "oas3.0"}),
    "3.1": frozenset({"oas3", "oas3_1", "oas3.1"}),
}
# Spectral formats for other kinds of documents: accepted, and never this spec's.
_OTHER_FORMATS = frozenset(
    "asyncapi2 asyncapi3 arazzo1_0 json-schema json-schema-loose json-schema-draft4 "
    "json-schema-draft6 json-schema-draft7 json-schema-2019-09 json-schema-2020-12 jsonSchema "
    "jsonSchemaLoose jsonSchemaDraft4 jsonSchemaDraft6 jsonSchemaDraft7 jsonSchemaDraft2019_09 "
    "jsonSchemaDraft2020_12".split()
)
KNOWN_FORMATS = frozenset().union(*_FORMATS_OF_FAMILY.values()) | _OTHER_FORMATS
_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_PLACEHOLDERS = ("error", "description", "path", "property", "value")
_EXTENDS_IGNORED = "spectral:oas"


class _Missing:
    """The value of a field that is not there (JavaScript's `undefined`)."""

    _instance: "_Missing | None" = None

    def __new__(cls) -> "_Missing":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "undefined"


MISSING: Any = _Missing()


# ----------------------------------------------------------------------------------------------
# The rule model


@dataclass(frozen=True)
class Given:
    """One `given` selector: the JSONPath as written, compiled, and what to take of each match."""

    text: str
    path: Any  # a compiled python-jsonpath query
    parents: int = 0  # JSONPath-Plus `^` suffixes: step up this many levels from each match
    key: bool = False  # JSONPath-Plus `~` suffix: the property name of each match, not its value
    formats: frozenset[str] | None = None  # from a scoped alias: only for these formats


@dataclass(frozen=True)
class Then:
    """One `then` entry: where to look in each match (`field`) and the check to run there."""

    function: str
    options: Any
    check: Callable[[Any], list[tuple[str, tuple[str, ...]]]]
    field: str | None = None
    field_tokens: tuple[str, ...] = ()  # a dotted field, split
    field_path: Any = None  # a field that is itself a JSONPath (starts with `$`), compiled


@dataclass(frozen=True)
class CustomRule:
    """A rule from a ruleset file. `level` is None for a rule that is switched off."""

    id: str
    level: Level | None
    description: str
    message: str
    source: str
    given: tuple[Given, ...] = ()
    then: tuple[Then, ...] = ()
    formats: frozenset[str] | None = None
    resolved: bool = True
    documentation_url: str = ""
    location: Location | None = None  # where the rule is defined in the ruleset file

    @property
    def meta(self) -> RuleMeta:
        """What a report needs to describe the rule (a SARIF rule descriptor, `apiguard rules`)."""
        return RuleMeta(
            id=self.id,
            level=self.level or Level.INFO,
            kind="lint",
            summary=self.description or self.id,
            area="custom",
            doc=f"Custom rule from {self.source}.",
            help_uri=self.documentation_url,
        )

    def applies_to(self, spec: Spec) -> bool:
        return self.formats is None or bool(self.formats & _FORMATS_OF_FAMILY.get(spec.family, frozenset()))


@dataclass
class Ruleset:
    """A loaded ruleset: its rules in file order, and notes for the user (ignored settings)."""

    path: str
    rules: list[CustomRule] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def run(self, spec: Spec, timings: dict[str, float] | None = None) -> list[Finding]:
        """Evaluate every rule that is on and applies to the spec's format. With `timings`,
        the seconds each rule took are added to it, keyed by rule ID."""
        run = _Run(spec)
        merged: dict[tuple[str, str, str, str], Finding] = {}
        for rule in self.rules:
            if rule.level is None or not rule.applies_to(spec):
                continue
            started = time.perf_counter()
            for finding in run.evaluate(rule):
                key = (finding.rule, finding.location.file if finding.location else "", finding.fingerprint, finding.message)
                prior = merged.get(key)
                if prior is None:
                    merged[key] = finding
            if timings is not None:
                timings[rule.id] = timings.get(rule.id, 0.0) + time.perf_counter() - started
        findings = list(merged.values())
        findings.sort(
            key=lambda f: (f.location.file, f.location.line, f.location.column, f.rule, f.message) if f.location else ("", 0, 0, f.rule, f.message)
        )
        return findings


# ----------------------------------------------------------------------------------------------
# Loading


def load_ruleset(path: str | Path) -> Ruleset:
    """Read, validate and compile a ruleset file (YAML or JSON). Every problem raises
    `InputError` with the file, the line of the offending key and a hint."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read the ruleset: {exc.strerror or exc}",
            file=name,
            hint="check the path of the ruleset file (YAML or JSON with a `rules` mapping)",
        ) from None
    if not raw.strip():
        raise InputError("the ruleset file is empty", file=name, hint="a ruleset is a mapping with a `rules` key")
    doc = parse(name, raw)
    return _Loader(doc).load()


class _Loader:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.data = doc.data
        self.warnings: list[str] = []
        self.aliases: dict[str, list[tuple[frozenset[str] | None, str]]] = {}

    def fail(self, pointer: str, message: str, hint: str | None = None) -> InputError:
        loc = self.doc.locate(pointer)
        return InputError(message, file=self.doc.name, line=loc.line, column=loc.column, hint=hint)

    def load(self) -> Ruleset:
        data = self.data
        if not isinstance(data, dict):
            raise InputError(
                "a ruleset must be a mapping with a `rules` key", file=self.doc.name, line=1,
                hint="start the file with `rules:` and one entry per rule ID",
            )
        self._unsupported_top_level(data)
        extends = self._extends(data.get("extends"))
        self._validate_schema()
        base_url = data.get("documentationUrl", "")
        ruleset_formats = self._formats(data.get("formats"), "/formats")
        self._load_aliases(data.get("aliases") or {})
        rules: list[CustomRule] = []
        catalog = _builtin_ids()
        for rid, body in data["rules"].items():
            rid = str(rid)
            ptr = "/rules/" + escape_token(rid)
            if not isinstance(body, dict):
                # Spectral's shorthand: `rule-id: off` or `rule-id: warn` adjusts an inherited rule.
                if not extends:
                    raise self.fail(
                        ptr,
                        f"rule {rid!r} only sets a severity, and this ruleset extends no other ruleset",
                        "a rule needs `given` and `then`; the short form `rule-id: off` only adjusts a rule of an extended ruleset",
                    )
                self.warnings.append(f"rule {rid!r} adjusts a rule of {_EXTENDS_IGNORED}, which apiguard does not run: ignored")
                continue
            if not _RULE_ID.match(rid):
                raise self.fail(
                    ptr,
                    f"rule ID {rid!r} is not kebab-case",
                    "use lower-case letters, digits and `-` (also `_` or `.`), starting with a letter or digit, e.g. `operation-summary-period`",
                )
            if rid in catalog:
                raise self.fail(
                    ptr,
                    f"rule ID {rid!r} is the ID of a built-in apiguard rule",
                    "give the custom rule its own name, e.g. with your team's prefix; to change the built-in rule's level use the apiguard config",
                )
            rules.append(self._rule(rid, ptr, body, base_url, ruleset_formats))
        return Ruleset(path=self.doc.name, rules=rules, warnings=self.warnings)

    # -- top level -------------------------------------------------------------------------
    def _unsupported_top_level(self, data: dict[str, Any]) -> None:
        if "functions" in data or "functionsDir" in data:
            key = "functions" if "functions" in data else "functionsDir"
            raise self.fail(
                "/" + key,
                "custom JavaScript functions cannot be run by apiguard",
                "express the check with a core function (pattern, schema, casing, ...) or write a Python lint rule; "
                "the supported functions are " + ", ".join(FUNCTIONS),
            )
        if "overrides" in data:
            raise self.fail(
                "/overrides",
                "`overrides` (per-file rule settings) is not supported",
                "use apiguard's suppressions in .apiguard.yaml or [tool.apiguard] to silence findings in some files",
            )
        if "except" in data:
            raise self.fail(
                "/except", "`except` is not supported", "use apiguard's suppressions in .apiguard.yaml or [tool.apiguard]"
            )

    def _extends(self, value: Any) -> bool:
        if value is None:
            return False
        entries = value if isinstance(value, list) else [value]
        for i, entry in enumerate(entries):
            ptr = "/extends" if not isinstance(value, list) else f"/extends/{i}"
            name = entry[0] if isinstance(entry, list) and entry else entry
            if name != _EXTENDS_IGNORED:
                raise self.fail(
                    ptr,
                    f"`extends: {name}` cannot be followed: apiguard runs only the rules written in this file",
                    "copy the rules you need from the extended ruleset into this file; apiguard's built-in lint "
                    f"pack covers validation (only `extends: {_EXTENDS_IGNORED}` is accepted, and ignored)",
                )
        self.warnings.append(
            f"`extends: {_EXTENDS_IGNORED}` is ignored: apiguard validates specs itself and runs only the rules written in this ruleset"
        )
        return True

    def _validate_schema(self) -> None:
        validator = _schema_validator()
        errors = list(validator.iter_errors(self.data))
        if not errors:
            return
        placed = [(self._error_place(e), e) for e in errors]
        placed.sort(key=lambda p: (p[0][1].line, p[0][1].column, -len(p[0][0])))
        (pointer, loc), err = placed[0]
        message, hint = self._explain(err, pointer)
        more = len({p[0][0] for p in placed}) - 1
        if more > 0:
            message += f" (and {more} more problem{'s' if more > 1 else ''} in this file)"
        raise InputError(message, file=self.doc.name, line=loc.line, column=loc.column, hint=hint)

    def _error_place(self, err: jsonschema.ValidationError) -> tuple[str, Location]:
        tokens = [str(t) for t in err.absolute_path]
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            extra = _extra_keys(err)
            if extra:
                tokens.append(str(extra[0]))
        pointer = "".join("/" + escape_token(t) for t in tokens)
        return pointer, self.doc.locate(pointer)

    def _explain(self, err: jsonschema.ValidationError, pointer: str) -> tuple[str, str | None]:
        tokens = split_pointer(pointer)
        where = _describe_place(tokens)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            extra = _extra_keys(err)
            allowed = sorted((err.schema.get("properties") or {}).keys())
            hint = "allowed here: " + ", ".join(allowed) if allowed else None
            if len(tokens) >= 2 and tokens[-2] == "functionOptions":
                return f"unknown option {extra[0]!r} in {_describe_place(tokens[:-1])}", hint
            return f"unknown key {extra[0]!r} in {_describe_place(tokens[:-1])}", hint
        if err.validator == "required":
            missing = [k for k in err.validator_value if isinstance(err.instance, dict) and k not in err.instance]
            key = missing[0] if missing else err.validator_value[0]
            hint = {
                "given": "`given` is a JSONPath (or a list of them) selecting the nodes to check, e.g. \"$.paths[*][*]\"",
                "then": "`then` names the function to run on each selected node, e.g. `then: {field: summary, function: truthy}`",
                "function": "name one of the core functions: " + ", ".join(FUNCTIONS),
                "functionOptions": "this function needs options; see docs/custom-rules.md",
                "rules": "a ruleset is a mapping with a `rules` key",
            }.get(key)
            return f"{where} needs `{key}`", hint
        if err.validator == "enum" and tokens[-1:] == ["function"]:
            fn = err.instance
            hint = _SPECTRAL_ONLY_FUNCTIONS.get(str(fn))
            if hint is None:
                hint = "custom JavaScript functions cannot run in apiguard; the core functions are " + ", ".join(FUNCTIONS)
            return f"unknown function {fn!r}", hint
        if err.validator == "enum" and (tokens[-1:] == ["severity"] or (len(tokens) == 2 and tokens[0] == "rules")):
            return (
                f"unknown severity {err.instance!r} in {_describe_place(tokens[:-1] if tokens[-1:] == ['severity'] else tokens)}",
                "use error, warn (or warning), info, hint or off; Spectral's 0..3 also work",
            )
        if err.validator == "enum":
            allowed = ", ".join(str(v) for v in err.validator_value)
            return f"{where}: {err.instance!r} is not one of {allowed}", None
        if err.validator == "type":
            expected = err.validator_value
            expected = " or ".join(expected) if isinstance(expected, list) else expected
            return f"{where} must be {_article(expected)}, not {_json_kind(err.instance)}", None
        return f"{where}: {err.message}", None

    def _formats(self, value: Any, pointer: str) -> frozenset[str] | None:
        if value is None:
            return None
        for i, name in enumerate(value):
            if name not in KNOWN_FORMATS:
                raise self.fail(
                    f"{pointer}/{i}",
                    f"unknown format {name!r}",
                    "OpenAPI formats are oas2, oas3, oas3_0 and oas3_1",
                )
        return frozenset(value)

    def _load_aliases(self, aliases: dict[str, Any]) -> None:
        for name, value in aliases.items():
            ptr = "/aliases/" + escape_token(str(name))
            entries: list[tuple[frozenset[str] | None, str]] = []
            if isinstance(value, str):
                entries.append((None, value))
            elif isinstance(value, list):
                entries.extend((None, v) for v in value)
            else:  # a scoped alias: targets per format
                for i, target in enumerate(value.get("targets") or []):
                    formats = self._formats(target.get("formats"), f"{ptr}/targets/{i}/formats")
                    given = target.get("given")
                    for g in given if isinstance(given, list) else [given]:
                        entries.append((formats, g))
            for _, text in entries:
                if not isinstance(text, str) or not text.strip().startswith(("$", "#")):
                    raise self.fail(ptr, f"alias {name!r} must be JSONPath strings starting with `$`", None)
            self.aliases[str(name)] = entries

    # -- one rule --------------------------------------------------------------------------
    def _rule(self, rid: str, ptr: str, body: dict[str, Any], base_url: str, ruleset_formats: frozenset[str] | None) -> CustomRule:
        level = _SEVERITIES[body.get("severity", "warn")]
        message = body.get("message", "")
        if message:
            for m in _PLACEHOLDER.finditer(message):
                if m.group(1) not in _PLACEHOLDERS:
                    raise self.fail(
                        ptr + "/message",
                        f"unknown placeholder {m.group(0)} in the message of rule {rid!r}",
                        "placeholders are " + ", ".join("{{" + p + "}}" for p in _PLACEHOLDERS),
                    )
        given_raw = body["given"]
        givens: list[Given] = []
        for i, text in enumerate(given_raw if isinstance(given_raw, list) else [given_raw]):
            gptr = ptr + "/given" + (f"/{i}" if isinstance(given_raw, list) else "")
            givens.extend(self._given(text, gptr, rid))
        then_raw = body["then"]
        thens = [
            self._then(t, ptr + "/then" + (f"/{i}" if isinstance(then_raw, list) else ""), rid)
            for i, t in enumerate(then_raw if isinstance(then_raw, list) else [then_raw])
        ]
        formats = self._formats(body.get("formats"), ptr + "/formats") if "formats" in body else ruleset_formats
        url = body.get("documentationUrl") or (f"{base_url}#{rid}" if base_url else "")
        return CustomRule(
            id=rid,
            level=level,
            description=str(body.get("description", "")).strip(),
            message=message,
            source=self.doc.name,
            given=tuple(givens),
            then=tuple(thens),
            formats=formats,
            resolved=body.get("resolved", True),
            documentation_url=url,
            location=self.doc.locate(ptr),
        )

    def _given(self, text: str, ptr: str, rid: str, _seen: tuple[str, ...] = ()) -> list[Given]:
        text = text.strip()
        if text.startswith("#"):
            m = re.match(r"#([A-Za-z0-9_-]+)", text)
            name = m.group(1) if m else ""
            if name not in self.aliases:
                raise self.fail(
                    ptr, f"unknown alias {text.split('.')[0]!r} in rule {rid!r}",
                    "define it under `aliases:` at the top of the ruleset" if not self.aliases else "known aliases: " + ", ".join(sorted(self.aliases)),
                )
            if name in _seen:
                raise self.fail(ptr, f"alias {name!r} refers to itself", None)
            rest = text[m.end():]
            out: list[Given] = []
            for formats, target in self.aliases[name]:
                for g in self._given(target + rest, ptr, rid, _seen + (name,)):
                    scoped = g.formats if formats is None else (formats if g.formats is None else g.formats & formats)
                    out.append(Given(g.text, g.path, g.parents, g.key, scoped))
            return out
        if not text.startswith("$"):
            raise self.fail(
                ptr,
                f"`given` of rule {rid!r} must be a JSONPath starting with `$` (or an alias `#Name`), not {text!r}",
                "e.g. \"$.paths[*][get,put,post,delete]\"",
            )
        try:
            translated, parents, key = translate_jsonpath(text)
            compiled = compile_jsonpath(translated)
        except (ValueError, jsonpath.JSONPathError) as exc:
            raise self.fail(ptr, f"`given` of rule {rid!r} is not a JSONPath apiguard can run: {_jsonpath_problem(exc)}", _JSONPATH_HINT) from None
        return [Given(text, compiled, parents, key)]

    def _then(self, then: dict[str, Any], ptr: str, rid: str) -> Then:
        fn = then["function"]
        options = then.get("functionOptions")
        fld = then.get("field")
        tokens: tuple[str, ...] = ()
        fpath = None
        if fld is not None and fld != "@key":
            if fld == "$" or fld.startswith(("$.", "$[")):
                try:
                    translated, parents, key = translate_jsonpath(fld)
                    if parents or key:
                        raise ValueError("`^` and `~` are not supported in `field`")
                    fpath = compile_jsonpath(translated)
                except (ValueError, jsonpath.JSONPathError) as exc:
                    raise self.fail(ptr + "/field", f"`field` of rule {rid!r} is not a JSONPath apiguard can run: {_jsonpath_problem(exc)}", _JSONPATH_HINT) from None
            else:
                tokens = tuple(_field_tokens(fld))
        check = self._function(fn, options, ptr + "/functionOptions", rid)
        return Then(function=fn, options=options, check=check, field=fld, field_tokens=tokens, field_path=fpath)

    def _function(self, fn: str, options: Any, ptr: str, rid: str) -> Callable[[Any], list[tuple[str, tuple[str, ...]]]]:
        options = options or {}
        if fn == "pattern":
            checks = []
            for key in ("match", "notMatch"):
                if key in options:
                    try:
                        checks.append((key, options[key], compile_regex(options[key])))
                    except (re.error, ValueError) as exc:
                        raise self.fail(f"{ptr}/{key}", f"`{key}` of rule {rid!r} is not a regular expression Python can compile: {exc}",
                                        "apiguard uses Python's `re`: write named groups as (?P<name>...), and no \\p{...} classes") from None
            return lambda value: fn_pattern(value, checks)
        if fn == "casing":
            sep = options.get("separator") or {}
            regex = casing_pattern(options["type"], bool(options.get("disallowDigits")), sep.get("char"), bool(sep.get("allowLeading")))
            return lambda value: fn_casing(value, options["type"], regex, sep)
        if fn == "schema":
            validator = self._schema_option(options, ptr, rid)
            all_errors = bool(options.get("allErrors"))
            return lambda value: fn_schema(value, validator, all_errors)
        if fn == "enumeration":
            values = list(options["values"])
            return lambda value: fn_enumeration(value, values)
        if fn == "length":
            lo, hi = options.get("min"), options.get("max")
            if lo is not None and hi is not None and lo > hi:
                raise self.fail(ptr, f"`min` ({lo}) is greater than `max` ({hi}) in rule {rid!r}", None)
            return lambda value: fn_length(value, lo, hi)
        if fn == "xor":
            props = [str(p) for p in options["properties"]]
            return lambda value: fn_xor(value, props)
        if fn == "alphabetical":
            keyed_by = options.get("keyedBy")
            return lambda value: fn_alphabetical(value, keyed_by)
        simple = {"truthy": fn_truthy, "falsy": fn_falsy, "defined": fn_defined, "undefined": fn_undefined}
        return simple[fn]

    def _schema_option(self, options: dict[str, Any], ptr: str, rid: str) -> Any:
        schema = options["schema"]
        for ref_ptr, ref in _refs_in_schema(schema, ptr + "/schema"):
            if not ref.startswith("#"):
                raise self.fail(
                    ref_ptr + "/$ref",
                    f"$ref {ref!r} in the schema of rule {rid!r} points outside the schema",
                    "apiguard reads nothing besides the ruleset: put the shared schema under `$defs` in the rule and use `#/$defs/...`",
                )
        dialect = options.get("dialect", "auto")
        cls = _DIALECTS.get(dialect) if dialect != "auto" else jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
        try:
            cls.check_schema(schema)
        except jsonschema.SchemaError as exc:
            inner = "".join("/" + escape_token(str(t)) for t in exc.absolute_path)
            raise self.fail(ptr + "/schema" + inner, f"the schema of rule {rid!r} is not a valid JSON Schema: {exc.message}", None) from None
        return cls(schema, format_checker=cls.FORMAT_CHECKER)


_DIALECTS = {
    "draft4": jsonschema.Draft4Validator,
    "draft6": jsonschema.Draft6Validator,
    "draft7": jsonschema.Draft7Validator,
    "draft2019-09": jsonschema.Draft201909Validator,
    "draft2020-12": jsonschema.Draft202012Validator,
}
_JSONPATH_HINT = (
    "apiguard reads RFC 9535 JSONPath (python-jsonpath) plus Spectral's bare names in brackets, `@property`, "
    "`===`, and a final `~` or `^`; see docs/custom-rules.md"
)


@lru_cache(maxsize=1)
def _schema_validator() -> Any:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _builtin_ids() -> frozenset[str]:
    from .catalog import load_catalog

    ids = set(load_catalog())
    try:
        from .registry import load_rules

        ids |= set(load_rules())
    except Exception:  # the catalog alone is the authority; the registry only adds aliases
        pass
    return frozenset(ids)


def _extra_keys(err: jsonschema.ValidationError) -> list[Any]:
    props = err.schema.get("properties") or {}
    patterns = [re.compile(p) for p in (err.schema.get("patternProperties") or {})]
    return [k for k in err.instance if k not in props and not any(p.search(str(k)) for p in patterns)]


def _describe_place(tokens: list[str]) -> str:
    if not tokens:
        return "the ruleset"
    if tokens[0] == "rules" and len(tokens) >= 2:
        rule = f"rule {tokens[1]!r}"
        rest = tokens[2:]
        if not rest:
            return rule
        if rest[0] == "then":
            if len(rest) > 1 and rest[1].isdigit():
                rest = rest[2:]
                label = "`then` entry"
            else:
                rest = rest[1:]
                label = "`then`"
            return f"{label} of {rule}" if not rest else f"`{'.'.join(rest)}` in {label} of {rule}"
        return f"`{'.'.join(rest)}` of {rule}"
    return "`" + ".".join(tokens) + "`"


def _article(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _refs_in_schema(schema: Any, pointer: str) -> Iterator[tuple[str, str]]:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str):
            yield pointer, ref
        for k, v in schema.items():
            if k not in ("enum", "const", "default", "examples", "example"):
                yield from _refs_in_schema(v, pointer + "/" + escape_token(str(k)))
    elif isinstance(schema, list):
        for i, v in enumerate(schema):
            yield from _refs_in_schema(v, f"{pointer}/{i}")


def _field_tokens(text: str) -> list[str]:
    """`a.b[0]['c.d']` -> ['a', 'b', '0', 'c.d'] (how Spectral splits a dotted field)."""
    tokens: list[str] = []
    for m in re.finditer(r"\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*\"((?:[^\"\\]|\\.)*)\"\s*\]|\[([^\]]*)\]|([^.\[\]]+)", text):
        tokens.append(next(g for g in m.groups() if g is not None))
    return tokens


# ----------------------------------------------------------------------------------------------
# JSONPath: Spectral's spellings rewritten into RFC 9535, compiled by python-jsonpath


class _Environment(jsonpath.JSONPathEnvironment):
    # A resolved view can be deep (a schema reached through several references).
    max_recursion_depth = 400


_ENV = _Environment()
_SHORTHAND = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SLICE_OR_INDEX = re.compile(r"-?\d*(?::-?\d*){0,2}\Z")
_JS_ONLY = re.compile(r"@(parentProperty|parent|path|string|number|boolean|null|object|array|integer|scalar|other|undefined|nonFinite|function)\b")
_JS_METHOD = re.compile(r"\.\s*(match|test|startsWith|endsWith|includes|indexOf|toLowerCase|toUpperCase|trim|some|every|filter)\s*\(")
_JS_LENGTH = re.compile(r"\.length\b(?!\s*\()")


def translate_jsonpath(text: str) -> tuple[str, int, bool]:
    """A Spectral (JSONPath-Plus / nimma) selector as RFC 9535 JSONPath for python-jsonpath.

    Returns the rewritten query, how many JSONPath-Plus `^` (parent) steps follow it and
    whether a final `~` asks for property names. Raises ValueError for what has no RFC 9535
    spelling (script expressions, JavaScript in filters)."""
    s = text.strip()
    parents, key = 0, False
    if s.endswith(".~") and not s.endswith("..~"):
        s, key = s[:-2] + ".*", True  # python-jsonpath's keys selector: the names of the members
    # JSONPath-Plus postfix operators, only at the very end (`.~` is python-jsonpath's own).
    while len(s) > 1 and s[-1] in "~^" and s[-2] != ".":
        if s[-1] == "~":
            if key or parents:
                raise ValueError("`~` must be the last character of the path")
            key = True
        else:
            parents += 1
        s = s[:-1]
    out: list[str] = []
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        if ch == "[":
            end = _bracket_end(s, i)
            inner = s[i + 1 : end]
            if inner.lstrip().startswith("?"):
                out.append("[" + _translate_filter(inner) + "]")
            elif inner.lstrip().startswith("("):
                raise ValueError(f"script expressions like [{inner}] are JavaScript, which apiguard does not run")
            else:
                out.append("[" + ", ".join(_bracket_item(p) for p in _split_top(inner, ",")) + "]")
            i = end + 1
        elif ch == ".":
            dots = 2 if s.startswith("..", i) else 1
            j = i + dots
            if j < n and s[j] in "[":
                out.append(s[i:j])
                i = j
                continue
            k = j
            while k < n and s[k] not in ".[":
                k += 1
            name = s[j:k]
            if "~" in name or "^" in name:
                raise ValueError(f"`~` and `^` may only end the path (in {name!r}); quote a name that holds them: ['{name}']")
            if name == "*" or _SHORTHAND.match(name):
                out.append(s[i:k])
            elif name:
                out.append((".." if dots == 2 else "") + "[" + _quote(name) + "]")
            else:
                out.append(s[i:k])
            i = k
        else:
            out.append(ch)
            i += 1
    return "".join(out), parents, key


def _bracket_end(s: str, start: int) -> int:
    depth = 0
    i = start
    while i < len(s):
        ch = s[i]
        if ch in "'\"":
            i = _string_end(s, i)
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError("a `[` is never closed")


def _string_end(s: str, i: int) -> int:
    quote = s[i]
    j = i + 1
    while j < len(s):
        if s[j] == "\\":
            j += 2
            continue
        if s[j] == quote:
            return j + 1
        j += 1
    raise ValueError("a quoted name is never closed")


def _split_top(s: str, sep: str) -> list[str]:
    parts, depth, start, i = [], 0, 0, 0
    while i < len(s):
        ch = s[i]
        if ch in "'\"":
            i = _string_end(s, i)
            continue
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(s[start:i])
            start = i + 1
        i += 1
    parts.append(s[start:])
    return parts


def _quote(name: str) -> str:
    return "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _bracket_item(item: str) -> str:
    t = item.strip()
    if not t or t == "*" or t[0] in "'\"?" or _SLICE_OR_INDEX.match(t):
        return t
    if t.startswith("("):
        raise ValueError(f"script expressions like ({t[1:-1]}) are JavaScript, which apiguard does not run")
    return _quote(t)  # Spectral's bare names: [get,put] means ['get','put']


def _translate_filter(inner: str) -> str:
    """Rewrite a filter's JavaScript-isms outside its string and regex literals."""
    out: list[str] = []
    i, n = 0, len(inner)
    while i < n:
        ch = inner[i]
        if ch in "'\"":
            j = _string_end(inner, i)
            out.append(inner[i:j])
            i = j
            continue
        if ch == "/" and re.search(r"=~\s*$", "".join(out)):
            j = i + 1
            while j < n and inner[j] != "/":
                j += 2 if inner[j] == "\\" else 1
            j += 1
            while j < n and inner[j].isalpha():
                j += 1
            out.append(inner[i:j])
            i = j
            continue
        if inner.startswith(("===", "!=="), i):
            out.append(inner[i : i + 2])
            i += 3
            continue
        m = _JS_ONLY.match(inner, i)
        if m:
            raise ValueError(f"`@{m.group(1)}` (JSONPath-Plus) is not supported in filters")
        if inner.startswith("@property", i) and not re.match(r"[A-Za-z0-9_]", inner[i + 9 : i + 10]):
            out.append("#")
            i += 9
            continue
        if inner.startswith("@root", i) and not re.match(r"[A-Za-z0-9_]", inner[i + 5 : i + 6]):
            out.append("$")
            i += 5
            continue
        m = _JS_METHOD.match(inner, i)
        if m:
            raise ValueError(
                f"`.{m.group(1)}(...)` is JavaScript; use the RFC 9535 functions match(), search() or length(), or `=~ /regex/`"
            )
        if _JS_LENGTH.match(inner, i):
            raise ValueError("`.length` is JavaScript; use length(@.x) (or @['length'] for a property named length)")
        out.append(ch)
        i += 1
    return "".join(out)


def compile_jsonpath(text: str) -> Any:
    """Compile a (translated) JSONPath; a recursive descent is swapped for one that visits each
    real node once, which keeps `$..` over a resolved view linear in the size of the files."""
    path = _ENV.compile(text)
    for p in _plain_paths(path):
        _tune(p)
    return path


def _tune(path: Any) -> None:
    """Swap in the once-only descent, and let the queries inside filters (`@.x`) match
    without building path text, down through nested filters."""
    path.segments = tuple(
        _DescentOnce(env=s.env, token=s.token, selectors=s.selectors) if type(s) is JSONPathRecursiveDescentSegment else s
        for s in path.segments
    )
    for segment in path.segments:
        for selector in segment.selectors:
            expression = getattr(selector, "expression", None)
            if expression is not None:
                _tune_expression(expression)


def _tune_expression(expression: Any) -> None:
    if isinstance(expression, FilterQuery):
        if type(expression.path) is jsonpath.JSONPath:
            expression.path.__class__ = _FastPath
        if hasattr(expression.path, "segments"):
            _tune(expression.path)
    for child in expression.children():
        _tune_expression(child)


class _FastPath(jsonpath.JSONPath):
    __slots__ = ()

    def finditer(self, data: Any, *, filter_context: Any = None) -> Iterable[JSONPathMatch]:  # type: ignore[override]
        return find(self, data, filter_context)


def _plain_paths(path: Any) -> Iterator[Any]:
    if hasattr(path, "segments"):
        yield path
        return
    yield from _plain_paths(path.path)
    for _, p in path.paths:
        yield from _plain_paths(p)


def _jsonpath_problem(exc: Exception) -> str:
    if isinstance(exc, jsonpath.JSONPathError):
        return str(exc.args[0]) if exc.args else str(exc).splitlines()[0]
    return str(exc)


class _DescentOnce(JSONPathRecursiveDescentSegment):
    """`..` that enters each node of the files once (a resolved view reaches a shared
    component from every place that references it), walking iteratively."""

    def resolve(self, nodes: Iterable[JSONPathMatch]) -> Iterable[JSONPathMatch]:
        seen: set[Any] = set()
        selectors = self.selectors
        for node in nodes:
            for visited in self._walk(node, seen):
                for selector in selectors:
                    yield from selector.resolve(visited)

    def _walk(self, node: JSONPathMatch, seen: set[Any]) -> Iterator[JSONPathMatch]:
        stack = [node]
        while stack:
            current = stack.pop()
            obj = current.obj
            t = type(obj)
            if t is _MapView or t is _SeqView:
                # The common case, kept to plain type checks: every container here is a view.
                if obj.where in seen:
                    continue
                seen.add(obj.where)
                yield current
                children = [current.new_child(v, k) for k, v in obj.containers()]
            else:
                if id(obj) in seen:
                    continue
                seen.add(id(obj))
                yield current
                children = []
                if isinstance(obj, Mapping):
                    children = [current.new_child(v, k) for k, v in obj.items() if isinstance(v, (Mapping, Sequence)) and not isinstance(v, str)]
                elif isinstance(obj, Sequence) and not isinstance(obj, str):
                    children = [current.new_child(v, i) for i, v in enumerate(obj) if isinstance(v, (Mapping, Sequence)) and not isinstance(v, str)]
            stack.extend(reversed(children))  # pre-order, in document order


class _Match(JSONPathMatch):
    """A match whose normalized path text is built only when asked for: `..` over a large spec
    creates a match per node, and rules only need the nodes."""

    __slots__ = ()

    @property  # type: ignore[override]
    def path(self) -> str:
        text = JSONPathMatch.path.__get__(self)  # type: ignore[attr-defined]
        if text is None:
            parent = self.parent
            key = self.parts[-1]
            text = (parent.path if parent is not None else "$") + (
                f"[{canonical_string(key)}]" if isinstance(key, str) else f"[{key}]"
            )
            JSONPathMatch.path.__set__(self, text)  # type: ignore[attr-defined]
        return text

    @path.setter
    def path(self, value: str | None) -> None:
        JSONPathMatch.path.__set__(self, value)  # type: ignore[attr-defined]

    def new_child(self, obj: object, key: int | str) -> "_Match":
        return _Match(
            filter_context=self._filter_context, obj=obj, parent=self, path=None, parts=self.parts + (key,), root=self.root  # type: ignore[arg-type]
        )


def find(path: Any, data: Any, filter_context: Any = None) -> Iterator[JSONPathMatch]:
    """The matches of a compiled query on `data` (a view)."""
    if not hasattr(path, "segments"):  # a union or intersection of queries (python-jsonpath's `|`, `&`)
        yield from path.finditer(data)
        return
    obj = [data] if path.pseudo_root else data
    matches: Iterable[JSONPathMatch] = [_Match(filter_context=filter_context or {}, obj=obj, parent=None, path="$", parts=(), root=data)]
    for segment in path.segments:
        matches = segment.resolve(matches)
    yield from matches


# ----------------------------------------------------------------------------------------------
# Regular expressions in Spectral's spelling

_REGEX_LITERAL = re.compile(r"^/(.+)/([a-z]*)$", re.S)


def compile_regex(text: str) -> re.Pattern[str]:
    """`re` or `/re/flags` (JavaScript flags i, m, s, u; g and y change nothing for a test)."""
    m = _REGEX_LITERAL.match(text)
    flags = 0
    if m:
        text, letters = m.group(1), m.group(2)
        for letter in letters:
            if letter not in "gimsuyd":
                raise ValueError(f"unknown regular expression flag {letter!r}")
            flags |= {"i": re.I, "m": re.M, "s": re.S}.get(letter, 0)
    # JavaScript writes named groups (?<name>...); Python (?P<name>...).
    text = re.sub(r"\(\?<(?![=!])", "(?P<", text)
    return re.compile(text, flags)


# ----------------------------------------------------------------------------------------------
# The core functions: each takes the target value and returns (message, sub-path) results


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness: empty arrays and objects are true, 0, '', null, NaN are not."""
    if value is MISSING or value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    if isinstance(value, str):
        return value != ""
    return True


def fn_truthy(value: Any) -> list[tuple[str, tuple[str, ...]]]:
    return [] if js_truthy(value) else [("{prop}must be truthy", ())]


def fn_falsy(value: Any) -> list[tuple[str, tuple[str, ...]]]:
    return [("{prop}must be falsy", ())] if js_truthy(value) else []


def fn_defined(value: Any) -> list[tuple[str, tuple[str, ...]]]:
    return [("{prop}must be defined", ())] if value is MISSING else []


def fn_undefined(value: Any) -> list[tuple[str, tuple[str, ...]]]:
    return [] if value is MISSING else [("{prop}must be undefined", ())]


def fn_pattern(value: Any, checks: list[tuple[str, str, re.Pattern[str]]]) -> list[tuple[str, tuple[str, ...]]]:
    if not isinstance(value, str):
        return []  # Spectral skips what is not a string
    out = []
    for key, text, regex in checks:
        found = regex.search(value) is not None
        if key == "match" and not found:
            out.append((f"{_show(value)} must match the pattern {_show(text)}", ()))
        elif key == "notMatch" and found:
            out.append((f"{_show(value)} must not match the pattern {_show(text)}", ()))
    return out


def fn_enumeration(value: Any, values: list[Any]) -> list[tuple[str, tuple[str, ...]]]:
    if value is MISSING or isinstance(value, (Mapping, Sequence)) and not isinstance(value, str):
        return []
    if any(_js_equal(value, v) for v in values):
        return []
    return [(f"{_show(value)} must be one of the allowed values: {', '.join(_show(v) for v in values)}", ())]


def _js_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def fn_length(value: Any, lo: float | None, hi: float | None) -> list[tuple[str, tuple[str, ...]]]:
    if isinstance(value, bool) or value is None or value is MISSING:
        return []
    if isinstance(value, (int, float)):
        size = value
        def phrase(bound: str, n: float) -> str:
            return f"{{prop}}must be {bound} {_num(n)} (it is {_num(size)})"
    elif isinstance(value, str):
        size = len(value)
        def phrase(bound: str, n: float) -> str:
            return f"{{prop}}must be {bound} {_num(n)} characters long (it is {size})"
    elif isinstance(value, (Mapping, Sequence)):
        size = len(value)
        unit = "propert" if isinstance(value, Mapping) else "item"
        def phrase(bound: str, n: float) -> str:
            def noun(k: float) -> str:
                return unit + ("y" if unit == "propert" and k == 1 else "ies" if unit == "propert" else "" if k == 1 else "s")
            return f"{{prop}}must have {bound} {_num(n)} {noun(n)} (it has {size})"
    else:
        return []
    out = []
    if lo is not None and size < lo:
        out.append((phrase("at least", lo), ()))
    if hi is not None and size > hi:
        out.append((phrase("at most", hi), ()))
    return out


def _num(x: float) -> str:
    return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)


_CASING_WORDS: dict[str, tuple[str, str, str]] = {
    # type: (first character, rest of the first word, how each following word is written),
    # with D standing for the digit class (dropped under disallowDigits).
    "flat": ("a-z", "a-zD", ""),
    "camel": ("a-z", "a-zD", "[A-ZD](?:[a-zD]+|$)"),
    "pascal": ("A-Z", "a-zD", "[A-ZD](?:[a-zD]+|$)"),
    "kebab": ("a-z", "a-zD", "-[a-zD]+"),
    "cobol": ("A-Z", "A-ZD", "-[A-ZD]+"),
    "snake": ("a-z", "a-zD", "_[a-zD]+"),
    "macro": ("A-Z", "A-ZD", "_[A-ZD]+"),
}
CASING_TYPES = tuple(_CASING_WORDS)


def casing_pattern(kind: str, disallow_digits: bool = False, separator: str | None = None, allow_leading: bool = False) -> re.Pattern[str]:
    """The regular expression a name of casing `kind` must match in full.

    A name is a first word (a letter of the right case, then letters of the first word's case
    and digits) followed by the type's further words; with `separator`, several such names
    joined by that character (and, with `allow_leading`, one in front)."""
    first, rest, more = _CASING_WORDS[kind]
    digits = "" if disallow_digits else "0-9"
    rest = rest.replace("D", digits)
    more = more.replace("D", digits)
    word = f"[{first}][{rest}]*" + (f"(?:{more})*" if more else "")
    if separator is None:
        return re.compile(f"^{word}$")
    sep = "[" + re.escape(separator) + "]"
    lead = f"{sep}?" if allow_leading else ""
    return re.compile(f"^{lead}{word}(?:{sep}{word})*$")


def fn_casing(value: Any, kind: str, regex: re.Pattern[str], sep: dict[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    if not isinstance(value, str) or value == "":
        return []
    if sep.get("allowLeading") and value == sep.get("char"):
        return []
    return [] if regex.match(value) else [(f"{_show(value)} must be {kind} case", ())]


def fn_xor(value: Any, props: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    if not isinstance(value, Mapping):
        return []
    present = [p for p in props if p in value]
    if len(present) == 1:
        return []
    names = ", ".join(_show(p) for p in props)
    if not present:
        return [(f"exactly one of {names} must be defined, and none is", ())]
    return [(f"exactly one of {names} must be defined, not {' and '.join(_show(p) for p in present)}", ())]


def fn_alphabetical(value: Any, keyed_by: str | None) -> list[tuple[str, tuple[str, ...]]]:
    if isinstance(value, Mapping):
        items: list[Any] = list(value.keys())
        labels = list(items)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        items = list(value)
        labels = [str(i) for i in range(len(items))]
    else:
        return []
    if len(items) < 2:
        return []
    if keyed_by is not None:
        keyed = []
        for item in items:
            if not isinstance(item, Mapping):
                return [("{prop}must be a list of objects to sort by " + _show(keyed_by), ())]
            keyed.append(item.get(keyed_by))
        items = keyed
    if not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in items):
        return [("{prop}must hold only strings or numbers to be sorted", ())]
    for i in range(len(items) - 1):
        if _sort_key(items[i]) > _sort_key(items[i + 1]):
            if keyed_by is not None:
                return [(f"{{prop}}must be sorted by {_show(keyed_by)}: {_show(items[i])} must come after {_show(items[i + 1])}", ())]
            return [(f"{_show(items[i])} must come after {_show(items[i + 1])}", (labels[i],))]
    return []


def _sort_key(v: Any) -> tuple[int, Any, str]:
    # Numbers before strings; strings in a case-insensitive order first (as a locale compare
    # mostly does), then by their exact text.
    if isinstance(v, (int, float)):
        return (0, v, "")
    return (1, v.casefold(), v)


def fn_schema(value: Any, validator: Any, all_errors: bool) -> list[tuple[str, tuple[str, ...]]]:
    if value is MISSING:
        return [("{prop}must exist", ())]
    instance = _materialize(value)
    if all_errors:
        errors = sorted(validator.iter_errors(instance), key=lambda e: [str(t) for t in e.absolute_path])
    else:
        best = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        errors = [best] if best is not None else []
    out = []
    for err in errors:
        sub = tuple(str(t) for t in err.absolute_path)
        out.append((_schema_message(err), sub))
    return out


def _schema_message(err: jsonschema.ValidationError) -> str:
    if err.validator == "required":
        missing = [k for k in err.validator_value if isinstance(err.instance, dict) and k not in err.instance]
        return f"{{prop}}must have the property {_show(missing[0] if missing else err.validator_value[0])}"
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        extra = _extra_keys(err)
        if extra:
            return f"{{prop}}must not have the property {_show(extra[0])}"
    if err.validator == "enum":
        return f"{{prop}}must be one of {', '.join(_show(v) for v in err.validator_value)}"
    if err.validator == "type":
        return f"{{prop}}must be {' or '.join(err.validator_value) if isinstance(err.validator_value, list) else err.validator_value}"
    return "{prop}" + err.message


def _show(value: Any) -> str:
    """A value in a message: JSON-style, quoted strings, and short."""
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif value is MISSING:
        text = "undefined"
    else:
        text = _preview(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _preview(value: Any, limit: int = 80) -> str:
    """Compact JSON of a value, stopping early on large containers."""
    if isinstance(value, Mapping):
        parts, size = [], 2
        for k, v in value.items():
            part = json.dumps(str(k), ensure_ascii=False) + ":" + _preview(v, limit)
            parts.append(part)
            size += len(part) + 1
            if size > limit:
                break
        return "{" + ",".join(parts) + "}"
    if isinstance(value, Sequence) and not isinstance(value, str):
        parts, size = [], 2
        for v in value:
            part = _preview(v, limit)
            parts.append(part)
            size += len(part) + 1
            if size > limit:
                break
        return "[" + ",".join(parts) + "]"
    if value is MISSING:
        return "undefined"
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


# ----------------------------------------------------------------------------------------------
# The document as rules see it: a read-only view that may follow `$ref`s


class _Context:
    """The files of one spec as written, and how to follow a reference between them."""

    def __init__(self, spec: Spec, follow: bool) -> None:
        self.spec = spec
        self.follow = follow
        self.resolver = spec.resolver
        self.documents = spec.resolver.documents
        self._targets: dict[tuple[str, str], Where | None] = {}
        self._values: dict[Where, Any] = {}
        self._plain: dict[Where, Any] = {}

    def data(self, doc: str) -> Any:
        # The text as written: for Swagger 2.0 the root's `data` is apiguard's 3.x conversion.
        return self.documents[doc].source_data

    def target(self, ref: str, doc: str) -> Where | None:
        key = (doc, ref)
        if key in self._targets:
            return self._targets[key]
        hit: Where | None = None
        file_part, _, frag = ref.partition("#")
        try:
            if file_part and re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", file_part):
                raise KeyError(ref)  # remote documents are never loaded
            doc_key = self.resolver.source.join(doc, urllib.parse.unquote(file_part)) if file_part else doc
            pointer = urllib.parse.unquote(frag)
            if doc_key in self.documents and (not pointer or pointer.startswith("/")):
                value = self.data(doc_key)
                for token in split_pointer(pointer):
                    value = get_child(value, token)
                hit = Where(doc_key, pointer)
                self._values[hit] = value
        except (KeyError, IndexError, TypeError, ValueError):
            hit = None
        self._targets[key] = hit
        return hit

    def root(self) -> "_View":
        key = self.resolver.root_key
        value = self.data(key)
        return self.wrap(value, Where(key, ""), frozenset())  # type: ignore[return-value]

    def wrap(self, value: Any, where: Where, refs: frozenset[Where]) -> Any:
        t = type(value)
        if t is dict:
            if self.follow:
                ref = value.get("$ref")
                if ref.__class__ is str:
                    return self._follow(value, where, refs)
            return _MapView(value, where, self, refs)
        if t is list:
            return _SeqView(value, where, self, refs)
        return value

    def _follow(self, value: dict[str, Any], where: Where, refs: frozenset[Where]) -> Any:
        hops = 0
        start = (value, where)
        while True:
            target = self.target(value["$ref"], where.doc)
            if target is None or target in refs or hops > 64:
                # Dangling, remote or recursive: the reference stays as written.
                value, where = start
                return _MapView(value, where, self, refs)
            refs = refs | {target}
            value, where = self._values[target], target
            hops += 1
            if not (type(value) is dict and value.get("$ref").__class__ is str):
                return self.wrap(value, where, refs)

    def plain(self, view: Any) -> Any:
        """Plain data for a view (for jsonschema, which wants real dicts and lists): shared
        nodes become shared objects, so a resolved copy costs no more than the files."""
        if not isinstance(view, _View):
            return view
        hit = self._plain.get(view.where)
        if hit is not None:
            return hit
        if isinstance(view, _MapView):
            out: Any = {}
            self._plain[view.where] = out  # a recursive reference meets the same object
            for k, v in view.items():
                out[k] = self.plain(v)
        else:
            out = []
            self._plain[view.where] = out
            out.extend(self.plain(v) for v in view)
        return out


class _View:
    __slots__ = ("raw", "where", "ctx", "refs")

    def __init__(self, raw: Any, where: Where, ctx: _Context, refs: frozenset[Where]) -> None:
        self.raw = raw
        self.where = where
        self.ctx = ctx
        self.refs = refs

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.where.doc}#{self.where.pointer}>"


def _key_text(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


class _MapView(_View, Mapping):
    """A read-only mapping over a dict of the files; string keys even where YAML read `200:`."""

    __slots__ = ()

    def __getitem__(self, key: str) -> Any:
        raw = self.raw
        try:
            value = raw[key]
        except (KeyError, TypeError):
            value = get_child(raw, key) if isinstance(key, str) else raw[key]
        t = type(value)
        if t is dict or t is list:
            return self.ctx.wrap(value, self.where.child(key), self.refs)
        return value

    def __contains__(self, key: object) -> bool:
        if key in self.raw:
            return True
        if isinstance(key, str):
            try:
                get_child(self.raw, key)
                return True
            except KeyError:
                return False
        return False

    def __iter__(self) -> Iterator[str]:
        for k in self.raw:
            yield k if k.__class__ is str else _key_text(k)

    def __len__(self) -> int:
        return len(self.raw)

    def keys(self) -> Any:  # type: ignore[override]
        return list(self)

    def items(self) -> Any:  # type: ignore[override]
        wrap, where, refs = self.ctx.wrap, self.where, self.refs
        for k, v in self.raw.items():
            k = k if k.__class__ is str else _key_text(k)
            t = type(v)
            yield k, (wrap(v, where.child(k), refs) if t is dict or t is list else v)

    def containers(self) -> Iterator[tuple[str, Any]]:
        """(key, view) of the members that are mappings or lists."""
        wrap, where, refs = self.ctx.wrap, self.where, self.refs
        for k, v in self.raw.items():
            t = type(v)
            if t is dict or t is list:
                k = k if k.__class__ is str else _key_text(k)
                yield k, wrap(v, where.child(k), refs)

    def values(self) -> Any:  # type: ignore[override]
        for _, v in self.items():
            yield v

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return len(self) == len(other) and all(k in other and other[k] == v for k, v in self.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class _SeqView(_View, Sequence):
    __slots__ = ()

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self.raw)))]
        if index < 0:
            index += len(self.raw)
        return self.ctx.wrap(self.raw[index], self.where.child(index), self.refs)

    def __len__(self) -> int:
        return len(self.raw)

    def __iter__(self) -> Iterator[Any]:
        wrap, where, refs = self.ctx.wrap, self.where, self.refs
        for i, v in enumerate(self.raw):
            t = type(v)
            yield wrap(v, where.child(i), refs) if t is dict or t is list else v

    def containers(self) -> Iterator[tuple[int, Any]]:
        wrap, where, refs = self.ctx.wrap, self.where, self.refs
        for i, v in enumerate(self.raw):
            t = type(v)
            if t is dict or t is list:
                yield i, wrap(v, where.child(i), refs)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def _materialize(value: Any) -> Any:
    if isinstance(value, _View):
        return value.ctx.plain(value)
    return value


# ----------------------------------------------------------------------------------------------
# Running rules


@dataclass(frozen=True)
class _Target:
    value: Any  # MISSING for a field that is not there
    where: Where  # where the value is (for a missing field: where it would be)
    found: Where  # the nearest existing node (where a missing field is reported)
    key: bool = False  # the target is a property name


class _Run:
    """One spec: its views (raw and resolved), the operations and who reaches what."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self._contexts: dict[bool, _Context] = {}
        self._reach: _Reach | None = None

    def context(self, resolved: bool) -> _Context:
        ctx = self._contexts.get(resolved)
        if ctx is None:
            ctx = self._contexts[resolved] = _Context(self.spec, resolved)
        return ctx

    @property
    def reach(self) -> "_Reach":
        if self._reach is None:
            self._reach = _Reach(self.spec, self.context(True))
        return self._reach

    def evaluate(self, rule: CustomRule) -> Iterator[Finding]:
        ctx = self.context(rule.resolved)
        root = ctx.root()
        family_formats = _FORMATS_OF_FAMILY.get(self.spec.family, frozenset())
        for given in rule.given:
            if given.formats is not None and not (given.formats & family_formats):
                continue
            for match in _matches(given, root):
                for then in rule.then:
                    for target in _targets(match, then):
                        for text, sub in then.check(target.value):
                            yield self._finding(rule, target, text, sub)

    def _finding(self, rule: CustomRule, target: _Target, text: str, sub: tuple[str, ...]) -> Finding:
        where, found, value = target.where, target.found, target.value
        if sub and value is not MISSING:
            found, value, where = _descend(value, where, sub)
        tokens = split_pointer(where.pointer)
        prop = tokens[-1] if tokens else ""
        error = text.replace("{prop}", f"{_show(prop)} property " if prop and not target.key else "")
        if rule.message:
            values = {
                "error": error,
                "description": rule.description,
                "path": self._path_text(where),
                "property": prop,
                "value": "" if value is MISSING else value if isinstance(value, str) else _preview(value),
            }
            message = _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), rule.message).strip()
        else:
            message = rule.description or error
        location = _locate(self.spec, found)
        ident = where.pointer if where.doc == self.spec.resolver.root_key else f"{where.doc}#{where.pointer}"
        return Finding(
            rule=rule.id,
            level=rule.level or Level.INFO,
            message=message,
            location=location,
            operations=self.reach.operations(where),
            fingerprint=fingerprint(rule.id, ident),
            extra=(("ruleset", rule.source),) + ((("help_uri", rule.documentation_url),) if rule.documentation_url else ()),
        )

    def _path_text(self, where: Where) -> str:
        if where.doc == self.spec.resolver.root_key:
            return "#" + where.pointer
        return self.spec.resolver.documents[where.doc].name + "#" + where.pointer


def _matches(given: Given, root: _View) -> Iterator[tuple[Any, Where, bool]]:
    """(value, real place, is-a-property-name) of each node `given` selects."""
    seen: set[tuple[Where, bool]] = set()
    for m in find(given.path, root):
        for _ in range(given.parents):
            if m.parent is None:
                break
            m = m.parent
        if given.key:
            # The name as written in the mapping that holds it: a member that is a `$ref`
            # lands elsewhere, but its key is here.
            parent = m.parent.obj if m.parent is not None else None
            if not isinstance(parent, _View) or not m.parts:
                continue
            name = _key_text(m.parts[-1])
            where = parent.where.child(name)
            item = (name, where, True)
        else:
            where = _where_of(m)
            if where is None:
                continue
            item = (m.obj, where, False)
        if (where, given.key) in seen:
            continue
        seen.add((where, given.key))
        yield item


def _where_of(m: JSONPathMatch) -> Where | None:
    obj = m.obj
    if isinstance(obj, _View):
        return obj.where
    parent = m.parent
    if parent is None or not isinstance(parent.obj, _View) or not m.parts:
        return None
    part = m.parts[-1]
    if isinstance(part, str) and part.startswith(_ENV.keys_selector_token) and isinstance(parent.obj, Mapping) and part[1:] in parent.obj:
        return None  # python-jsonpath's `~` keys selector: write Spectral's final `~` instead
    return parent.obj.where.child(part)


def _targets(match: tuple[Any, Where, bool], then: Then) -> Iterator[_Target]:
    value, where, is_key = match
    if is_key or then.field is None or not isinstance(value, (Mapping, Sequence)) or isinstance(value, str):
        # Without a field, or on a scalar, the function sees the matched value itself.
        yield _Target(value, where, where, is_key)
        return
    if then.field == "@key":
        keys = list(value.keys()) if isinstance(value, Mapping) else [str(i) for i in range(len(value))]
        for k in keys:
            w = where.child(k)
            yield _Target(k, w, w, True)
        return
    if then.field_path is not None:
        found_any = False
        for m in find(then.field_path, value):
            w = _where_of(m)
            if w is None:
                continue
            found_any = True
            yield _Target(m.obj, w, w)
        if not found_any:
            yield _Target(MISSING, where, where)
        return
    found, value, real = _descend(value, where, then.field_tokens)
    yield _Target(value, real, found)


def _child(container: Any, token: str) -> Any:
    if isinstance(container, Mapping):
        return container[token] if token in container else MISSING
    if isinstance(container, Sequence) and not isinstance(container, str):
        if token.isdigit() and int(token) < len(container):
            return container[int(token)]
    return MISSING


def _descend(value: Any, where: Where, tokens: tuple[str, ...]) -> tuple[Where, Any, Where]:
    """Step from `value` (at `where`) along `tokens`, following references: the place of the
    deepest node that exists, the value at the end (MISSING if the walk fell short), and the
    place the end would have (in the file where its parent really is)."""
    for i, token in enumerate(tokens):
        nxt = _child(value, token)
        if nxt is MISSING:
            return where, MISSING, where.child(*tokens[i:])
        value = nxt
        where = nxt.where if isinstance(nxt, _View) else where.child(token)
    return where, value, where


def _locate(spec: Spec, where: Where) -> Location:
    doc = spec.resolver.documents[where.doc]
    if not doc.origins:
        return doc.locate(where.pointer)
    # Swagger 2.0: the pointer is in the text as written, not in apiguard's 3.x conversion,
    # so the origin map that `locate` applies must not be.
    offset = doc._locator_for().offset(split_pointer(where.pointer))
    line, column = doc.position(offset)
    return Location(doc.name, line, column, where.pointer)


class _Reach:
    """Which operations reach a node of the files: the one it lies in, the operations of the
    path item it lies in, or those that reach (through `$ref`s) a component it lies in."""

    # Example data may hold text shaped like a reference; `default` and `enum` are names too.
    _SKIP = frozenset(("example",))

    def __init__(self, spec: Spec, ctx: _Context) -> None:
        self.spec = spec
        self.ctx = ctx
        self.order: dict[str, int] = {}
        self.op_at: dict[Where, str] = {}
        self.item_at: dict[Where, list[str]] = {}
        root = spec.resolver.root_key
        for section, ops in (("paths", spec.operations), ("webhooks", spec.webhooks)):
            for op in ops.values():
                label = op.label
                self.order.setdefault(label, len(self.order))
                literal = Where(root, f"/{section}/{escape_token(op.path)}/{op.method}")
                for w in {literal, op.node.where}:
                    self.op_at[w] = label
                    parent = Where(w.doc, w.pointer.rsplit("/", 1)[0])
                    self.item_at.setdefault(parent, []).append(label)
        self._referrers: dict[Where, list[Where]] | None = None
        self._reach: dict[Where, frozenset[str]] | None = None
        self._cache: dict[Where, tuple[str, ...]] = {}

    def operations(self, where: Where) -> tuple[str, ...]:
        hit = self._cache.get(where)
        if hit is None:
            labels = self._direct(where)
            if labels is None:
                labels = set()
                for w in self._prefixes(where):
                    if w in self.referrers:
                        labels |= self._reaching(w)
            hit = self._cache[where] = tuple(sorted(labels, key=lambda lab: self.order.get(lab, 0)))
        return hit

    def _prefixes(self, where: Where) -> Iterator[Where]:
        pointer = where.pointer
        while True:
            yield Where(where.doc, pointer)
            if not pointer:
                return
            pointer = pointer[: pointer.rfind("/")]

    def _direct(self, where: Where) -> set[str] | None:
        """The operation `where` lies in, else the operations of its path item, else None."""
        prefixes = list(self._prefixes(where))
        for w in prefixes:
            label = self.op_at.get(w)
            if label is not None:
                return {label}
        for w in prefixes:
            labels = self.item_at.get(w)
            if labels is not None:
                return set(labels)
        return None

    def _reaching(self, target: Where) -> frozenset[str]:
        if self._reach is None:
            self._reach = self._solve()
        return self._reach.get(target, frozenset())

    def _solve(self) -> dict[Where, frozenset[str]]:
        """Operations reaching each reference target, for all targets at once: a target is
        reached by the operations its referring places lie in, and by whatever reaches the
        targets those places lie in. References form cycles (recursive schemas), so the
        targets are grouped into strongly connected components (Tarjan, iteratively), which
        come out dependencies first; each group is then one union of sets."""
        referrers = self.referrers
        direct: dict[Where, set[str]] = {}
        parents: dict[Where, list[Where]] = {}
        for target, sites in referrers.items():
            labels: set[str] = set()
            ups: list[Where] = []
            for site in sites:
                hit = self._direct(site)
                if hit is not None:
                    labels |= hit
                else:
                    ups.extend(w for w in self._prefixes(site) if w in referrers)
            direct[target] = labels
            parents[target] = ups
        result: dict[Where, frozenset[str]] = {}
        index: dict[Where, int] = {}
        low: dict[Where, int] = {}
        on_stack: set[Where] = set()
        stack: list[Where] = []
        counter = 0
        for start in referrers:
            if start in index:
                continue
            work: list[tuple[Where, int]] = [(start, 0)]
            while work:
                node, i = work.pop()
                if i == 0:
                    index[node] = low[node] = counter
                    counter += 1
                    stack.append(node)
                    on_stack.add(node)
                ups = parents[node]
                if i < len(ups):
                    work.append((node, i + 1))
                    up = ups[i]
                    if up not in index:
                        work.append((up, 0))
                    elif up in on_stack:
                        low[node] = min(low[node], index[up])
                    continue
                for up in ups:  # children finished: fold their low links in
                    if up in on_stack:
                        low[node] = min(low[node], low[up])
                if low[node] == index[node]:
                    group: list[Where] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    members = set(group)
                    labels = set()
                    for member in group:
                        labels |= direct[member]
                        for up in parents[member]:
                            if up not in members:
                                labels |= result[up]
                    frozen = frozenset(labels)
                    for member in group:
                        result[member] = frozen
        return result

    @property
    def referrers(self) -> dict[Where, list[Where]]:
        """Reference target -> the places (the objects holding `$ref`) that point at it."""
        if self._referrers is None:
            out: dict[Where, list[Where]] = {}
            for doc in self.ctx.documents:
                stack: list[tuple[Any, str]] = [(self.ctx.data(doc), "")]
                while stack:
                    value, pointer = stack.pop()
                    if type(value) is dict:
                        ref = value.get("$ref")
                        if ref.__class__ is str:
                            target = self.ctx.target(ref, doc)
                            if target is not None:
                                out.setdefault(target, []).append(Where(doc, pointer))
                        for k, v in value.items():
                            t = type(v)
                            if (t is dict or t is list) and not (k.__class__ is str and (k in self._SKIP or k[:2] == "x-")):
                                stack.append((v, pointer + "/" + escape_token(_key_text(k))))
                    else:
                        for i, v in enumerate(value):
                            t = type(v)
                            if t is dict or t is list:
                                stack.append((v, f"{pointer}/{i}"))
            self._referrers = out
        return self._referrers
