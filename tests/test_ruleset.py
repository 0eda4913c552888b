"""Custom rulesets (Spectral-style YAML rules): every fixture case, the casing types, the
JSONPath rewriting, and load errors placed on the line of the offending key.

`fixtures/rulesets/<case>/` holds ruleset.yaml and expected.yaml, plus spec.yaml (and any file
it references) for `fires-*` and `ok-*` cases. For those, expected.yaml lists the findings in
report order (rule, line, level, message, operations, and file when not spec.yaml); `ok-*`
cases expect none. For `error-*` cases it gives the load error's text and line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from apiguard import load_spec
from apiguard.errors import InputError
from apiguard.loader import LoadOptions
from apiguard.model import Level
from apiguard.ruleset import (
    CASING_TYPES,
    casing_pattern,
    compile_jsonpath,
    compile_regex,
    js_truthy,
    load_ruleset,
    translate_jsonpath,
)

from conftest import FIXTURES, need_specs

CASES = FIXTURES / "rulesets"


def _cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.is_dir())


def _load(text: str, tmp_path: Path, name: str = "ruleset.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_ruleset(path)


def _spec(text: str, tmp_path: Path):
    (tmp_path / "spec.yaml").write_text(text, encoding="utf-8")
    return load_spec("spec.yaml", LoadOptions(cwd=tmp_path))


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.name)
def test_case(case: Path) -> None:
    expected = YAML(typ="safe").load((case / "expected.yaml").read_text(encoding="utf-8"))
    assert case.name.startswith(("fires-", "ok-", "error-")), case
    if case.name.startswith("error-"):
        with pytest.raises(InputError) as info:
            load_ruleset(case / "ruleset.yaml")
        err = info.value
        assert err.message == expected["error"]
        assert err.line == expected["line"]
        assert err.file == str(case / "ruleset.yaml")
        assert err.hint or "hint" not in expected
        return
    expected = expected or []
    assert bool(expected) == case.name.startswith("fires-"), "fires-* cases expect findings, ok-* none"
    ruleset = load_ruleset(case / "ruleset.yaml")
    findings = ruleset.run(load_spec("spec.yaml", LoadOptions(cwd=case)))
    got = [
        {
            "rule": f.rule,
            "line": f.location.line,
            **({"file": f.location.file} if f.location.file != "spec.yaml" else {}),
            "level": f.level.label,
            "message": f.message,
            **({"operations": list(f.operations)} if f.operations else {}),
        }
        for f in findings
    ]
    assert got == expected


def test_every_function_fires_and_stays_quiet() -> None:
    fires: set[str] = set()
    quiet: set[str] = set()
    for case in _cases():
        if case.name.startswith("error-"):
            continue
        ruleset = load_ruleset(case / "ruleset.yaml")
        used = {t.function for r in ruleset.rules for t in r.then}
        (fires if case.name.startswith("fires-") else quiet).update(used)
    from apiguard.ruleset import FUNCTIONS

    assert set(FUNCTIONS) <= fires
    assert set(FUNCTIONS) <= quiet


# -- casing ------------------------------------------------------------------------------------

CASING = {
    "flat": (["pet", "pet2", "p"], ["Pet", "petName", "pet_name", "pet-name", "2pet", ""]),
    "camel": (["pet", "petName", "petId2", "aB", "pet2Name", "getHttpResponse"], ["PetName", "pet_name", "getHTTPResponse", "petID", "pet-name", "2pet"]),
    "pascal": (["Pet", "PetName", "Pet2", "AB"], ["petName", "Pet_Name", "PETName", "Pet-Name"]),
    "kebab": (["pet", "pet-name", "pet-name-2"], ["Pet-name", "pet_name", "pet--name", "-pet", "pet-"]),
    "cobol": (["PET", "PET-NAME", "PET-2"], ["Pet-Name", "PET_NAME", "pet-name"]),
    "snake": (["pet", "pet_name", "pet_2"], ["Pet_name", "pet-name", "pet__name", "petName"]),
    "macro": (["PET", "PET_NAME", "HTTP_2"], ["Pet_Name", "PET-NAME", "pet_name"]),
}


@pytest.mark.parametrize("kind", CASING_TYPES)
def test_casing_types(kind: str) -> None:
    good, bad = CASING[kind]
    regex = casing_pattern(kind)
    for name in good:
        assert regex.match(name), (kind, name)
    for name in bad:
        assert not regex.match(name), (kind, name)


def test_casing_digits_and_separators() -> None:
    assert casing_pattern("camel").match("pet2")
    assert not casing_pattern("camel", disallow_digits=True).match("pet2")
    assert not casing_pattern("macro", disallow_digits=True).match("HTTP_2")
    header = casing_pattern("pascal", separator="-")
    assert header.match("X-Rate-Limit") and header.match("Etag") and header.match("X-RateLimit-Limit")
    assert not header.match("x-rate-limit") and not header.match("X--Rate")
    path = casing_pattern("camel", separator="/", allow_leading=True)
    assert path.match("/pets/petOwners") and path.match("pets")
    assert not path.match("/pets/pet_owners") and not path.match("//pets")
    assert not casing_pattern("camel", separator="/").match("/pets")
    dotted = casing_pattern("snake", separator=".")
    assert dotted.match("a_b.c_d") and not dotted.match("a_b..c")


def test_casing_function_skips_what_is_not_a_name(tmp_path: Path) -> None:
    ruleset = _load(
        """
rules:
  leading-separator-alone:
    given: "$.paths[*]~"
    then: {function: casing, functionOptions: {type: kebab, separator: {char: "/", allowLeading: true}}}
  numbers-are-no-names:
    given: "$.info.x-count"
    then: {function: casing, functionOptions: {type: camel}}
""",
        tmp_path,
    )
    spec = _spec("openapi: 3.0.3\ninfo: {title: T, version: '1', x-count: 2}\npaths:\n  /: {}\n  /pet-owners: {}\n", tmp_path)
    assert ruleset.run(spec) == []


# -- JSONPath ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spectral,rfc",
    [
        ("$.paths[*][get,put]", "$.paths[*]['get', 'put']"),
        ("$..parameters[?(@.in === 'query')]", "$..parameters[?(@.in == 'query')]"),
        ("$.paths[*][?(@property !== 'parameters')]", "$.paths[*][?(# != 'parameters')]"),
        ("$.info.x-logo", "$.info['x-logo']"),
        ("$..x-internal", "$..['x-internal']"),
        ("$.paths./pets.get", "$.paths['/pets'].get"),
        ("$..responses[400,'default']", "$..responses[400, 'default']"),
        ("$[?(@root.openapi)]", "$[?($.openapi)]"),
        ("$.paths[*][*].parameters[?(@.name =~ /^[a-z]+$/)]", "$.paths[*][*].parameters[?(@.name =~ /^[a-z]+$/)]"),
        ("$..['it''s']", "$..['it''s']"),
    ],
)
def test_translate_jsonpath(spectral: str, rfc: str) -> None:
    text, parents, key = translate_jsonpath(spectral)
    assert (text, parents, key) == (rfc, 0, False)


def test_translate_suffixes() -> None:
    assert translate_jsonpath("$.paths[*]~") == ("$.paths[*]", 0, True)
    assert translate_jsonpath("$.paths.~") == ("$.paths.*", 0, True)
    assert translate_jsonpath("$..enum^") == ("$..enum", 1, False)
    assert translate_jsonpath("$..enum^^~") == ("$..enum", 2, True)


@pytest.mark.parametrize(
    "path,problem",
    [
        ("$..[?(@.name.match(/^x/))]", "JavaScript"),
        ("$..[?(@.tags.length > 2)]", "length(@.x)"),
        ("$..[(@.length-1)]", "script expressions"),
        ("$..[?(@parent.type)]", "@parent"),
        ("$.a~.b", "may only end"),
        ("$.paths[", "never closed"),
    ],
)
def test_translate_refuses_javascript(path: str, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        translate_jsonpath(path)


def test_descent_visits_each_real_node_once(tmp_path: Path) -> None:
    """`$..` over the resolved view sees a shared schema once, and reports it once with every
    operation that reaches it, even through a recursive reference."""
    ruleset = _load(
        """
rules:
  objects-described:
    given: "$..[?(@.type == 'object')]"
    then: {field: description, function: truthy}
""",
        tmp_path,
    )
    spec = _spec(
        """openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /a:
    get:
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Node'}}}}
  /b:
    get:
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Node'}}}}
components:
  schemas:
    Node:
      type: object
      properties:
        children: {type: array, items: {$ref: '#/components/schemas/Node'}}
""",
        tmp_path,
    )
    findings = ruleset.run(spec)
    assert [(f.location.line, f.operations) for f in findings] == [(14, ("GET /a", "GET /b"))]


def test_compile_jsonpath_keeps_unions() -> None:
    assert compile_jsonpath("$.a | $.b") is not None


# -- functions ---------------------------------------------------------------------------------


def test_javascript_truthiness() -> None:
    assert [js_truthy(v) for v in ([], {}, "x", 1, -1.5, True)] == [True] * 6
    assert [js_truthy(v) for v in ("", 0, 0.0, None, False, float("nan"))] == [False] * 6


def test_regex_literals() -> None:
    assert compile_regex("/^pet/i").search("Pets")
    assert not compile_regex("^pet").search("Pets")
    assert compile_regex("(?<word>pet)s").search("pets").group("word") == "pet"
    assert compile_regex("/a.b/s").search("a\nb")
    with pytest.raises(ValueError):
        compile_regex("/x/q")


def test_enumeration_compares_like_javascript(tmp_path: Path) -> None:
    ruleset = _load(
        """
rules:
  flags:
    given: "$.info.x-flags[*]"
    then: {function: enumeration, functionOptions: {values: [1, "yes"]}}
""",
        tmp_path,
    )
    spec = _spec('openapi: 3.0.3\ninfo: {title: T, version: "1", x-flags: [true, 1, 1.0, "yes", "1"]}\npaths: {}\n', tmp_path)
    assert [f.message for f in ruleset.run(spec)] == [
        'true must be one of the allowed values: 1, "yes"',
        '"1" must be one of the allowed values: 1, "yes"',
    ]


def test_value_and_path_placeholders(tmp_path: Path) -> None:
    ruleset = _load(
        """
rules:
  titles:
    message: "{{path}} = {{value}} / {{property}} / {{description}} / {{error}}"
    description: Titles are short.
    given: "$.info"
    then: {field: title, function: length, functionOptions: {max: 3}}
""",
        tmp_path,
    )
    spec = _spec('openapi: 3.0.3\ninfo: {title: Petstore, version: "1"}\npaths: {}\n', tmp_path)
    [finding] = ruleset.run(spec)
    assert finding.message == (
        '#/info/title = Petstore / title / Titles are short. / "title" property must be at most 3 characters long (it is 8)'
    )
    assert finding.level is Level.WARNING  # Spectral's default severity is warn


def test_field_on_a_scalar_checks_the_scalar(tmp_path: Path) -> None:
    """As in Spectral: `field` only applies to mappings and lists; a path-item member that is a
    string (a summary) is checked as it is, so `$.paths[*][*]` rules stay quiet on it."""
    ruleset = _load(
        """
rules:
  described:
    given: "$.paths[*][*]"
    then: {field: description, function: truthy}
""",
        tmp_path,
    )
    spec = _spec(
        "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    summary: A.\n    get:\n      description: d\n      responses: {'200': {description: ok}}\n",
        tmp_path,
    )
    assert ruleset.run(spec) == []


def test_dotted_field_through_a_reference(tmp_path: Path) -> None:
    """A field path that passes a `$ref` ends where the value is written; a missing end is
    placed at its nearest existing node, and the schema error inside it at the failing part."""
    ruleset = _load(
        """
rules:
  not-found-described:
    given: "$.paths[*][*]"
    then: {field: responses.404.description, function: pattern, functionOptions: {match: "^[A-Z]"}}
  not-found-headers:
    given: "$.paths[*][*]"
    then: {field: responses.404.headers, function: defined}
  not-found-shape:
    given: "$.paths[*][*]"
    then:
      field: responses.404
      function: schema
      functionOptions: {schema: {properties: {content: {required: [application/problem+json]}}}}
""",
        tmp_path,
    )
    spec = _spec(
        """openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /a:
    get:
      responses:
        '404': {$ref: '#/components/responses/NotFound'}
components:
  responses:
    NotFound:
      description: not found
      content:
        application/json: {}
""",
        tmp_path,
    )
    got = {f.rule: (f.location.line, f.fingerprint) for f in ruleset.run(spec)}
    assert {rule: line for rule, (line, _) in got.items()} == {
        "not-found-described": 11, "not-found-headers": 10, "not-found-shape": 12,
    }


def test_fingerprints_survive_line_shifts(tmp_path: Path) -> None:
    ruleset = _load("rules:\n  summaries:\n    given: \"$.paths[*][*]\"\n    then: {field: summary, function: truthy}\n", tmp_path)
    body = "paths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\n"
    first = ruleset.run(_spec("openapi: 3.0.3\ninfo: {title: T, version: '1'}\n" + body, tmp_path))
    second = ruleset.run(_spec("openapi: 3.0.3\ninfo:\n  title: T\n\n  version: '1'\n" + body, tmp_path))
    assert first[0].location.line != second[0].location.line
    assert first[0].fingerprint == second[0].fingerprint


def test_off_rules_and_formats_and_timings(tmp_path: Path) -> None:
    ruleset = _load(
        """
rules:
  silenced:
    severity: off
    given: "$"
    then: {field: nothing, function: truthy}
  swagger-only:
    formats: [oas2]
    given: "$"
    then: {field: nothing, function: truthy}
  openapi-31-only:
    formats: [oas3_1]
    given: "$"
    then: {field: nothing, function: truthy}
  runs:
    severity: 3
    given: "$"
    then: {field: nothing, function: truthy}
""",
        tmp_path,
    )
    assert [r.level for r in ruleset.rules] == [None, Level.WARNING, Level.WARNING, Level.INFO]
    timings: dict[str, float] = {}
    findings = ruleset.run(_spec("openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\n", tmp_path), timings)
    assert [f.rule for f in findings] == ["runs"]
    assert set(timings) == {"runs"}
    assert ruleset.rules[3].meta.level is Level.INFO and ruleset.rules[3].meta.kind == "lint"


def test_spectral_extends_is_ignored_with_warnings() -> None:
    ruleset = load_ruleset(CASES / "fires-spectral-ruleset" / "ruleset.yaml")
    assert len(ruleset.warnings) == 3
    assert "spectral:oas" in ruleset.warnings[0]
    assert [r.id for r in ruleset.rules] == [
        "acme-operation-summary", "acme-path-params-camel", "acme-no-http-verbs", "acme-responses-json",
    ]
    assert ruleset.rules[0].documentation_url == "https://example.com/api-style#acme-operation-summary"


# -- located load errors ---------------------------------------------------------------------


def test_json_ruleset_errors_are_located(tmp_path: Path) -> None:
    text = json.dumps(
        {"rules": {"ok-rule": {"given": "$", "then": {"field": "info", "function": "truthy"}},
                   "bad-rule": {"given": "$", "then": {"field": "info", "function": "pattern", "functionOptions": {"match": "[a-"}}}}},
        indent=2,
    )
    with pytest.raises(InputError) as info:
        _load(text, tmp_path, "rules.json")
    assert info.value.line == text.splitlines().index('          "match": "[a-"') + 1
    assert "regular expression" in info.value.message


def test_first_problem_in_the_file_is_reported(tmp_path: Path) -> None:
    text = """rules:
  first:
    given: "$"
    then: {function: truthy, bogus: 1}
  second:
    severity: loud
    given: "$"
    then: {function: truthy}
"""
    with pytest.raises(InputError) as info:
        _load(text, tmp_path)
    assert info.value.line == 4
    assert "unknown key 'bogus'" in info.value.message and "1 more problem" in info.value.message


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the ruleset"):
        load_ruleset(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="empty"):
        _load("\n\n", tmp_path)
    with pytest.raises(InputError) as info:
        _load("rules:\n  a:\n    given: \"$\"\n    then: {function: truthy}\n  b: [\n", tmp_path)
    assert info.value.line is not None


def test_alias_cycle_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="refers to itself"):
        _load('aliases:\n  A: ["#A.x"]\nrules:\n  r:\n    given: "#A"\n    then: {function: truthy}\n', tmp_path)


# -- the real world ---------------------------------------------------------------------------


def test_descent_rules_on_the_github_spec(tmp_path: Path) -> None:
    spec_path = need_specs() / "github" / "new-1cf3739.json"
    ruleset = _load(
        """
rules:
  gh-props-snake:
    given: "$..properties[*]~"
    then: {function: casing, functionOptions: {type: snake}}
  gh-query-params-described:
    given: "$..parameters[?(@.in == 'query')]"
    then: {field: description, function: truthy}
""",
        tmp_path,
    )
    findings = ruleset.run(load_spec(str(spec_path)))
    assert findings and {f.rule for f in findings} == {"gh-props-snake", "gh-query-params-described"}
    assert all(f.location and f.location.line > 1 for f in findings)
    assert len({(f.rule, f.fingerprint) for f in findings}) == len(findings)
