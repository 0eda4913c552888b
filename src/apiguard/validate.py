"""Validation of a spec against the OpenAPI specification, with every problem located.

The default (`fast`) checks the root document against the official OpenAPI JSON Schema of its
version (the copies shipped by openapi-spec-validator) with the Rust validator jsonschema-rs,
which takes milliseconds on a 4 MB spec, then runs the cheap semantic checks that
openapi-spec-validator also makes (unique operationIds, path template parameters declared).
`full` runs openapi-spec-validator itself, slower but complete; `off` skips validation.
Two steps: `structure` (the schema check, on the files as loaded) and `findings` (the semantic
checks, on the normalized spec, and every problem located).
"""

from __future__ import annotations

import json
from functools import lru_cache
import importlib.util
from pathlib import Path
from typing import Any, Iterator

from .model import Finding, Level, Where, fingerprint, join_pointer
from .normalize import path_key, template_names
from .resolve import Bundle
from .spec import Spec

RULE = "spec-invalid"
_SCHEMA_DIRS = {"2.0": "v2.0", "3.0": "v3.0", "3.1": "v3.1"}
MAX_PROBLEMS = 200


@lru_cache(maxsize=None)
def _validator(family: str) -> Any:
    import jsonschema_rs

    # The official schemas as openapi-spec-validator ships them, found without importing that
    # package (its import alone costs 140 ms; the fast mode needs only the files).
    spec_ = importlib.util.find_spec("openapi_spec_validator")
    if spec_ is None or not spec_.submodule_search_locations:
        raise RuntimeError("openapi-spec-validator is not installed")
    folder = Path(list(spec_.submodule_search_locations)[0]) / "resources" / "schemas" / _SCHEMA_DIRS[family]
    schema = json.loads((folder / "schema.json").read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(schema)


def _string_keys(value: Any) -> Any:
    """YAML allows `200:` as an integer key; JSON Schema validators need string keys."""
    if isinstance(value, dict):
        return {str(k): _string_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_string_keys(v) for v in value]
    return value


def structure(spec: Spec, data: Any, mode: str = "fast") -> list[tuple[str, Where, str]]:
    """What the OpenAPI schema says of the root document `data`: (pointer in the document
    validated, where that really is, message). Needs only the loaded files, so the loader runs
    it before normalization: a multi-file spec's bundle is gone again when the model is built
    and takes no memory beside it (DigitalOcean: 1 MiB)."""
    if mode == "off":
        return []
    root_key = spec.resolver.root_key
    bundled: Bundle | None = None
    if len(spec.resolver.documents) > 1 and spec.family != "2.0":
        # A multi-file spec is valid when its bundled form is: `$ref`s to other files may stand
        # where OpenAPI allows none (an operation, a description), as bundlers accept.
        bundled = Bundle(spec.resolver)
        data = bundled.data
    problems: list[tuple[str, str]] = []
    if mode == "full":
        problems.extend(_full(data, spec))
    else:
        validator = _validator(spec.family)
        try:
            errors = validator.iter_errors(data)
            errors = list(_take(errors, MAX_PROBLEMS))
        except ValueError:
            errors = list(_take(validator.iter_errors(_string_keys(data)), MAX_PROBLEMS))
        for err in errors:
            pointer = join_pointer([str(t) for t in err.instance_path])
            problems.append((pointer, _describe(err)))
    return [(pointer, bundled.origin(pointer) if bundled else Where(root_key, pointer), message) for pointer, message in problems]


def findings(spec: Spec, structural: list[tuple[str, Where, str]], mode: str = "fast", level: Level = Level.ERROR) -> list[Finding]:
    """The findings of a normalized spec: its `structure` problems, the semantic checks and the
    references inside examples that point at nothing, each located."""
    if mode == "off":
        return []
    root_key = spec.resolver.root_key
    problems = structural + [(pointer, Where(root_key, pointer), message) for pointer, message in _semantic(spec)]
    out = [
        Finding(rule=RULE, level=level, message=message, location=spec.locate(where), fingerprint=fingerprint(RULE, where.pointer, message))
        for where, message in spec.resolver.dangling
    ]
    seen = set()
    for pointer, where, message in problems:
        if (pointer, message) in seen:
            continue
        seen.add((pointer, message))
        out.append(
            Finding(rule=RULE, level=level, message=message, location=spec.locate(where), fingerprint=fingerprint(RULE, pointer, message))
        )
    return out


def _take(it: Iterator[Any], n: int) -> Iterator[Any]:
    for i, item in enumerate(it):
        if i >= n:
            return
        yield item


def _describe(err: Any) -> str:
    """The validator's message without the offending instance quoted in full."""
    message = str(err.message)
    try:
        shown = json.dumps(err.instance, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        shown = ""
    if shown and message.startswith(shown) and len(shown) > 40:
        kind = type(err.instance).__name__.replace("dict", "object").replace("list", "array")
        message = f"this {kind}" + message[len(shown):]
    return _short(message)


def _short(message: str) -> str:
    # jsonschema messages quote the whole offending instance; a 4 MB object is not a message.
    if len(message) > 300:
        message = message[:297] + "..."
    return message


def _semantic(spec: Spec) -> Iterator[tuple[str, str]]:
    paths = spec.root.value.get("paths")
    if isinstance(paths, dict):
        shapes: dict[str, str] = {}
        for path in paths:
            key = path_key(str(path))
            if key in shapes:
                yield (
                    join_pointer(["paths", str(path)]),
                    f"paths {shapes[key]} and {path} differ only in parameter names: they are one endpoint, declared twice",
                )
            else:
                shapes[key] = str(path)
    seen_ids: dict[str, str] = {}
    for op in spec.operations.values():
        op_id = op.operation_id
        if op.node.where.doc != spec.resolver.root_key:
            continue
        if op_id:
            if op_id in seen_ids:
                yield (
                    op.node.where.pointer + "/operationId",
                    f"operationId {op_id!r} is used by {seen_ids[op_id]} and {op.label}; operationIds must be unique",
                )
            else:
                seen_ids[op_id] = op.label
        declared = {name for (loc, name) in op.parameters if loc == "path"}
        for name in template_names(op.path):
            if name not in declared:
                yield (
                    op.node.where.pointer,
                    f"{op.label}: path parameter {{{name}}} is in the path template but not declared as a parameter",
                )


def _full(data: Any, spec: Spec) -> Iterator[tuple[str, str]]:
    from openapi_spec_validator import OpenAPIV2SpecValidator, OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    cls = {"2.0": OpenAPIV2SpecValidator, "3.0": OpenAPIV30SpecValidator, "3.1": OpenAPIV31SpecValidator}[spec.family]
    try:
        for i, err in enumerate(cls(_string_keys(data)).iter_errors()):
            if i >= MAX_PROBLEMS:
                break
            path = getattr(err, "absolute_path", None) or getattr(err, "path", None) or []
            yield join_pointer([str(t) for t in path]), _short(getattr(err, "message", str(err)))
    except Exception:
        # openapi-spec-validator follows references its own way and gives up on some bundled
        # multi-file specs (a cycle across files stays a reference); that is apiguard's limit,
        # not a problem of the spec, so the structural checks of the fast mode stand in.
        fast = _validator(spec.family)
        for err in _take(fast.iter_errors(_string_keys(data)), MAX_PROBLEMS):
            yield join_pointer([str(t) for t in err.instance_path]), _describe(err)


def check_family(version: Any) -> str | None:
    """The version family of an `openapi`/`swagger` value, or None when unknown."""
    text = str(version)
    if text == "2.0":
        return "2.0"
    if text.startswith("3.0"):
        return "3.0"
    if text.startswith("3.1"):
        return "3.1"
    return None

