"""`load_spec`: from a command-line argument to a located, resolved, normalized, validated Spec.

This is the only place the stages of loading are wired together: source -> document ->
resolve -> Swagger 2.0 conversion -> validate's schema check -> normalize -> validate's
findings (the schema check reads only the files, and runs before the model is built so that
its memory is free again by then).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import normalize
from .document import Document, forget_shared, parse_file, real_text
from .errors import InputError
from .model import Level
from .resolve import Resolver
from .sources import Source, SourceOptions, open_source
from .spec import Spec
from .validate import check_family, findings, structure


@dataclass
class LoadOptions:
    validate: str = "fast"  # fast, full or off
    allow_remote: bool = False
    allow_outside_root: bool = False
    cwd: Path = field(default_factory=Path.cwd)
    validation_level: Level = Level.ERROR
    # The last spec this process loads: once its files are read, the tables that share values
    # between specs are emptied (see document.forget_shared).
    last: bool = False


def load_spec(source: str | Source, options: LoadOptions | None = None) -> Spec:
    """Load an OpenAPI 3.x or Swagger 2.0 spec from a path, `-` (stdin), `REV:path` (git) or,
    with `allow_remote`, a URL. Raises `InputError` with file, line and a fix hint on bad input.

    >>> spec = load_spec("examples/petstore-v1.yaml")          # doctest: +SKIP
    >>> sorted(spec.operations)                                  # doctest: +SKIP
    ['get /pets', 'get /pets/{}', 'post /pets']
    """
    options = options or LoadOptions()
    if isinstance(source, str):
        source = open_source(
            source,
            SourceOptions(
                allow_remote=options.allow_remote, allow_outside_root=options.allow_outside_root, cwd=options.cwd
            ),
        )
    root_name = source.display(source.root_key)
    doc = parse_file(source.root_key, root_name, source.read(source.root_key))
    doc.name_by(source, source.root_key)
    data = doc.data
    family, version = _check_top_level(doc)
    resolver = Resolver(source, doc, allow_remote=options.allow_remote)
    resolver.load_all()
    if options.last:
        forget_shared()
    original = data
    if family == "2.0":
        from .swagger2 import convert_swagger2

        doc.data, doc.origins = convert_swagger2(data)
        resolver.forget()
    spec = Spec(name=root_name, version=version, family=family, resolver=resolver)
    structural = structure(spec, original, options.validate)  # before the model: see structure
    normalize.build(spec)
    spec.problems = findings(spec, structural, options.validate, options.validation_level)
    return spec


def _check_top_level(doc: Document) -> tuple[str, str]:
    data = doc.data
    hint = "an OpenAPI document is a mapping with `openapi: 3.x.y` (or `swagger: '2.0'`), `info` and `paths`"
    if not isinstance(data, dict):
        raise InputError(
            f"not an OpenAPI document: the top level is {_kind(data)}, not a mapping", file=doc.name, line=1, hint=hint
        )
    key = "openapi" if "openapi" in data else "swagger" if "swagger" in data else None
    if key is None:
        raise InputError("not an OpenAPI document: it has no `openapi` or `swagger` key", file=doc.name, line=1, hint=hint)
    version = _scalar_text(doc, "/" + key, data[key])
    family = check_family(version)
    if family is None or (key == "swagger") != (family == "2.0"):
        loc = doc.locate("/" + key)
        raise InputError(
            f"unknown {key} version {version!r}",
            file=doc.name,
            line=loc.line,
            column=loc.column,
            hint="apiguard reads swagger: '2.0' and openapi: 3.0.x or 3.1.x; quote the version so YAML keeps it a string",
        )
    if "paths" in data and data["paths"] is not None and not isinstance(data["paths"], dict):
        loc = doc.locate("/paths")
        raise InputError(
            f"`paths` must be a mapping from path templates to path items, not {_kind(data['paths'])}",
            file=doc.name,
            line=loc.line,
            column=loc.column,
            hint="write paths as `/pets: {get: ...}`",
        )
    info = data.get("info")
    if isinstance(info, dict) and "version" in info and not isinstance(info["version"], str):
        info["version"] = _scalar_text(doc, "/info/version", info["version"])
    return family, version


def _scalar_text(doc: Document, pointer: str, value: Any) -> str:
    """A scalar as written: YAML reads `openapi: 3.0` and `version: 1.10` as numbers."""
    if isinstance(value, str):
        return value
    loc = doc.locate(pointer)
    text = doc.text
    start = 0
    for _ in range(loc.line - 1):  # the start of the located line, without splitting the file
        start = text.find("\n", start) + 1
    end = text.find("\n", start)
    line = real_text(text[start : end if end >= 0 else len(text)])
    m = re.match(r"""\s*["']?[^:"']+["']?\s*:\s*["']?([^"'#,}\s]+)""", line[loc.column - 1 :])
    return m.group(1) if m else str(value)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "empty"
    return f"a {type(value).__name__}"
