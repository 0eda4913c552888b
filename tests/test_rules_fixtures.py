"""Every rule proves itself on its fixtures, and no rule lacks a catalog entry or fixtures.

`fixtures/<rule-id>/<case>/` holds old.yaml + new.yaml (compat rules) or spec.yaml (lint rules)
and expected.yaml (plus, optionally, options.yaml: keyword arguments for `compare` or `lint`, such
as `check_version: true`, `today: 2026-01-31` or `options: {errors: {style: google}}`): the findings of that rule the case must produce, exactly (rule, and where
given operation, line of the new location and line of the old location). Case folders are named
`fires-*` (at least one finding expected) or `ok-*` (none).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from apiguard import compare, lint, load_spec
from apiguard.catalog import load_catalog
from apiguard.loader import LoadOptions
from apiguard.registry import load_rules

from conftest import FIXTURES

RULES = load_rules()
CATALOG = load_catalog()
ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")


# Rules raised by the command around the engine, not by a rule function: their fixtures are
# repository trees or configurations, run by tests/test_monorepo.py and tests/test_config.py.
COMMAND_RULES = {"spec-removed", "suppression-expired"}


def _cases() -> list[tuple[str, Path]]:
    out = []
    for rid in sorted(set(RULES) | set(CATALOG)):
        folder = FIXTURES / rid
        if rid in COMMAND_RULES:
            continue
        for case in sorted(folder.glob("*/")) if folder.is_dir() else []:
            out.append((rid, case))
    return out


@pytest.mark.parametrize("rid,case", _cases(), ids=lambda v: v if isinstance(v, str) else v.name)
def test_fixture(rid: str, case: Path) -> None:
    expected = YAML(typ="safe").load((case / "expected.yaml").read_text()) or []
    assert case.name.startswith(("fires-", "ok-")), case
    assert bool(expected) == case.name.startswith("fires-"), "fires-* cases expect findings, ok-* none"
    opts = LoadOptions(cwd=case)
    options = YAML(typ="safe").load((case / "options.yaml").read_text()) if (case / "options.yaml").exists() else {}
    options = options or {}
    if "today" in options:
        options["today"] = dt.date.fromisoformat(str(options["today"]))
    if (case / "spec.yaml").exists():
        findings = lint(load_spec("spec.yaml", opts), **options)
    else:
        findings = compare(load_spec("old.yaml", opts), load_spec("new.yaml", opts), **(options or {})).findings
    got = [f for f in findings if f.rule == rid]
    assert len(got) == len(expected), [f"{f.rule} {f.location} {f.message}" for f in got]
    for want, f in zip(expected, got):
        assert f.rule == want["rule"]
        assert f.level is CATALOG[rid].meta.level
        if "operation" in want:
            assert want["operation"] in f.operations
        if "line" in want:
            assert f.location is not None and f.location.line == want["line"], f"{f.location} {f.message}"
        if "old_line" in want:
            assert f.old_location is not None and f.old_location.line == want["old_line"]
        assert f.fingerprint


def test_every_rule_has_catalog_entry_and_fixtures() -> None:
    # Raised while loading, or by the command (COMMAND_RULES), not by a registered function.
    validation_rules = {"spec-invalid"} | COMMAND_RULES
    for rid in set(RULES) | validation_rules:
        assert rid in CATALOG, f"rule {rid} has no rules/{rid}.md"
    for rid, entry in CATALOG.items():
        assert ID.match(rid), f"{rid} is not kebab-case"
        assert rid in RULES or rid in validation_rules, f"catalog entry {rid} has no rule function"
        assert entry.path.name == f"{rid}.md"
        assert entry.meta.summary, f"{rid}: no summary"
        assert entry.message, f"{rid}: no message"
        assert "Bad" in entry.body and "Good" in entry.body or "Old" in entry.body, f"{rid}: doc needs an example"
        folder = FIXTURES / rid
        cases = [p.name for p in folder.glob("*/")] if folder.is_dir() else []
        assert any(c.startswith("fires-") for c in cases), f"{rid}: no fixtures/{rid}/fires-* case"
        assert any(c.startswith("ok-") for c in cases), f"{rid}: no fixtures/{rid}/ok-* case"


def test_rule_function_names_match_ids() -> None:
    for rid, rule in RULES.items():
        assert rule.func.__name__ == rid.replace("-", "_")


def test_request_and_response_rules_come_in_mirrored_pairs() -> None:
    """Direction decides: a request-side rule has its response-side twin, or says why not."""
    for rid, entry in CATALOG.items():
        if not rid.startswith(("request-", "response-")):
            continue
        mirror = entry.front.get("mirror")
        reason = entry.front.get("no-mirror")
        assert mirror or reason, f"{rid}: name its `mirror` or give a `no-mirror` reason"
        if mirror:
            assert mirror in CATALOG, f"{rid}: mirror {mirror} is not a rule"
            assert CATALOG[mirror].front.get("mirror") == rid, f"{mirror} does not name {rid} back"


_FORMS = {
    "swagger2": ("no-swagger2", re.compile(r"^swagger:", re.M)),
    "openapi31": ("no-openapi31", re.compile(r"^openapi:\s*['\"]?3\.1", re.M)),
}


@pytest.mark.parametrize("form", sorted(_FORMS))
def test_every_compat_rule_has_a_fixture_in_each_spec_version_or_says_why_not(form: str) -> None:
    """Each compatibility rule fires on a Swagger 2.0 and on an OpenAPI 3.1 form of its case
    (the converter and the 3.1 keywords are where a rule quietly goes blind), unless its catalog
    entry states why the thing it checks does not exist in that version."""
    key, version = _FORMS[form]
    missing, needless = [], []
    for rid, entry in sorted(CATALOG.items()):
        if entry.meta.kind != "compat" or rid in COMMAND_RULES:
            continue
        folder = FIXTURES / rid
        has = any(
            version.search(f.read_text(encoding="utf-8"))
            for case in folder.glob("fires-*/")
            for f in (case / "old.yaml", case / "new.yaml")
            if f.is_file()
        )
        reason = entry.front.get(key)
        if not has and not reason:
            missing.append(rid)
        if has and reason:
            needless.append(rid)
    assert not missing, f"no fires-* case in {form} form and no `{key}:` reason: {missing}"
    assert not needless, f"a `{key}:` reason, yet a fires-* case in that form exists: {needless}"
