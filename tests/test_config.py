"""Configuration: discovery, validation with located errors, and what it does to findings
(levels, select/ignore, suppressions with reasons and expiry dates, inline x-apiguard-ignore)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import ROOT

TODAY = "2026-12-02"
EXAMPLES = ROOT / "examples"

SPEC = """\
openapi: 3.0.3
info: {title: Pets, version: 1.0.0}
servers: [{url: "https://api.example.com"}]
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        "200": {description: The pets.}
  /internal/health:
    get:
      operationId: health
      responses:
        "200": {description: Up.}
"""


def apiguard(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CI", "GITHUB_ACTIONS")}
    return subprocess.run([sys.executable, "-m", "apiguard", *args], cwd=cwd, capture_output=True, text=True, env=env)


def findings(proc: subprocess.CompletedProcess[str]) -> list[dict]:
    assert proc.returncode in (0, 1), proc.stderr
    return [f for run in json.loads(proc.stdout)["runs"] for f in run["findings"]]


def rules_of(proc: subprocess.CompletedProcess[str]) -> list[tuple[str, tuple[str, ...]]]:
    return sorted((f["rule"], tuple(f["operations"])) for f in findings(proc))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()  # the repository root: discovery stops here
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "openapi.yaml").write_text(SPEC, encoding="utf-8")
    return tmp_path


def lint(project: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return apiguard(project, "lint", "api/openapi.yaml", "--format", "json", "--today", TODAY, *extra)


# -- discovery ---------------------------------------------------------------------------------


def test_yaml_config_is_found_above_the_spec_and_pyproject_is_read(project: Path) -> None:
    plain = rules_of(lint(project))
    assert ("rate-limit-429-missing", ("GET /pets",)) in plain
    (project / ".apiguard.yaml").write_text("rules:\n  rate-limit-429-missing: off\n", encoding="utf-8")
    assert all(r != "rate-limit-429-missing" for r, _ in rules_of(lint(project)))
    (project / ".apiguard.yaml").unlink()
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.apiguard.rules]\nrate-limit-429-missing = "off"\n', encoding="utf-8")
    assert all(r != "rate-limit-429-missing" for r, _ in rules_of(lint(project)))


def test_discovery_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / ".apiguard.yaml").write_text("rules:\n  rate-limit-429-missing: off\n", encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "openapi.yaml").write_text(SPEC, encoding="utf-8")
    proc = apiguard(repo, "lint", "openapi.yaml", "--format", "json")
    assert any(r == "rate-limit-429-missing" for r, _ in rules_of(proc))


def test_explicit_config_wins_and_a_missing_one_is_a_usage_error(project: Path) -> None:
    (project / "strict.yaml").write_text("fail-on: warning\n", encoding="utf-8")
    assert lint(project).returncode == 0  # warnings only
    assert lint(project, "--config", "strict.yaml").returncode == 1
    assert lint(project, "--config", "strict.yaml", "--fail-on", "never").returncode == 0  # the flag wins
    proc = lint(project, "--config", "nope.yaml")
    assert proc.returncode == 2 and "nope.yaml" in proc.stderr


# -- validation, located ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,line,words",
    [
        ("fail-on: error\nfial-on: warning\n", 2, "fial-on"),
        ("rules:\n  operation-removed: loud\n", 2, "loud"),
        ("suppressions:\n  - rule: x\n    operation: GET /a\n", 2, "reason"),
        ("suppressions:\n  - rule: x\n    reason: because we said so\n", 2, "at least one of operation, pointer or file"),
        ("suppressions:\n  - {rule: x, operation: '*', reason: why not, expires: 2026-13-40}\n", 2, "expires"),
        ("options:\n  errors:\n    style: shouty\n", 1, "shouty"),
        ("options:\n  nosuchfamily: {a: 1}\n", 1, "nosuchfamily"),
        ("fail-on: error\nselect: [rate-limits, erors]\n", 2, "'erors' names no rule or family"),
        ("ignore:\n  - webhook-*\n  - ratelimit-*\n", 3, "'ratelimit-*' names no rule"),
        ("rules:\n  rate-limit-429-mising: off\n", 2, "did you mean"),
        ("suppressions:\n  - {rule: error-schema-feilds, operation: '*', reason: typo here}\n", 2, "error-schema-feilds"),
    ],
)
def test_bad_config_is_a_located_error(project: Path, text: str, line: int, words: str) -> None:
    (project / ".apiguard.yaml").write_text(text, encoding="utf-8")
    proc = lint(project)
    assert proc.returncode == 2, proc.stdout
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert f".apiguard.yaml:{line}:" in proc.stderr, proc.stderr
    assert words in proc.stderr, proc.stderr


def test_a_config_error_names_the_file_as_the_specs_are_named(project: Path) -> None:
    """Relative to the working folder, like every other path in a report, and with every rule
    that starts with the mistyped name offered."""
    (project / ".apiguard.yaml").write_text("rules:\n  operation-remov: off\n", encoding="utf-8")
    proc = lint(project)
    assert proc.returncode == 2
    assert proc.stderr.startswith(".apiguard.yaml:2:3: error:"), proc.stderr
    assert "operation-removed-without-deprecation" in proc.stderr


def test_bad_pyproject_config_names_its_line(project: Path) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.apiguard]\nfail-on = "error"\nselekt = ["errors"]\n', encoding="utf-8")
    proc = lint(project)
    assert proc.returncode == 2 and "pyproject.toml:6:" in proc.stderr and "selekt" in proc.stderr, proc.stderr


# -- levels, select, ignore, options -------------------------------------------------------------


def test_levels_by_id_glob_and_family_with_the_most_specific_winning(project: Path) -> None:
    cfg = project / ".apiguard.yaml"
    cfg.write_text("rules:\n  rate-limits: error\n  rate-limit-headers-*: info\n  rate-limit-429-missing: {level: warning}\n", encoding="utf-8")
    got = {(f["rule"], f["level"]) for f in findings(lint(project))}
    assert ("rate-limit-429-missing", "warning") in got
    assert ("rate-limit-headers-missing", "info") in got
    assert lint(project).returncode == 0
    cfg.write_text("rules:\n  rate-limits: error\n", encoding="utf-8")
    assert lint(project).returncode == 1


def test_select_and_ignore(project: Path) -> None:
    (project / ".apiguard.yaml").write_text("select: [rate-limits]\nignore: [rate-limit-headers-missing]\n", encoding="utf-8")
    assert {r for r, _ in rules_of(lint(project))} == {"rate-limit-429-missing"}


def test_options_come_from_the_config_and_the_flag_wins(project: Path) -> None:
    spec = project / "api" / "openapi.yaml"
    spec.write_text(
        SPEC.replace('        "200": {description: The pets.}\n', '        "200":\n          description: The pets.\n          headers:\n            X-RateLimit-Limit: {schema: {type: integer}}\n            X-RateLimit-Remaining: {schema: {type: integer}}\n            X-RateLimit-Reset: {schema: {type: integer}}\n', 1),
        encoding="utf-8",
    )
    (project / ".apiguard.yaml").write_text("options:\n  rate-limits: {style: ietf}\n", encoding="utf-8")
    strict = [ops for r, ops in rules_of(lint(project)) if r == "rate-limit-headers-missing"]
    assert ("GET /pets",) in strict  # legacy headers do not satisfy the ietf style
    loose = [ops for r, ops in rules_of(lint(project, "--option", "rate-limits.style=either")) if r == "rate-limit-headers-missing"]
    assert ("GET /pets",) not in loose


# -- suppressions ----------------------------------------------------------------------------


def test_suppressions_by_operation_glob_pointer_and_file(project: Path) -> None:
    cfg = project / ".apiguard.yaml"
    cfg.write_text(
        "suppressions:\n"
        "  - {rule: rate-limit-*, operation: '* /internal/*', reason: not exposed to integrators}\n"
        "  - {rule: error-responses-documented, pointer: /paths/~1pets, reason: errors documented in v2}\n",
        encoding="utf-8",
    )
    got = rules_of(lint(project))
    assert not any(ops == ("GET /internal/health",) and r.startswith("rate-limit-") for r, ops in got)
    assert ("rate-limit-429-missing", ("GET /pets",)) in got
    assert ("error-responses-documented", ("GET /pets",)) not in got
    assert ("error-responses-documented", ("GET /internal/health",)) in got
    cfg.write_text("suppressions:\n  - {rule: '*', file: 'api/*.yaml', reason: 'legacy API, frozen'}\n", encoding="utf-8")
    assert rules_of(lint(project)) == []


def _run_fixture(case: Path, tmp_path: Path) -> tuple[list[dict], dict]:
    work = tmp_path / case.name
    shutil.copytree(case, work)
    (work / ".git").mkdir()
    expected = YAML(typ="safe").load((case / "expected.yaml").read_text(encoding="utf-8"))
    proc = apiguard(work, "lint", "spec.yaml", "--format", "json", "--today", str(expected["today"]))
    return findings(proc), expected


@pytest.mark.parametrize("case", sorted((ROOT / "fixtures" / "suppression-expired").glob("*/")), ids=lambda c: c.name)
def test_suppression_expired_fixtures(case: Path, tmp_path: Path) -> None:
    got, expected = _run_fixture(case, tmp_path)
    for want in expected.get("present", []):
        match = [f for f in got if f["rule"] == want["rule"] and Path(f["location"]["file"]).name == want["file"]]
        assert match, (want, got)
        if "line" in want:
            assert match[0]["location"]["line"] == want["line"]
    for rule in expected.get("absent", []):
        assert all(f["rule"] != rule for f in got), rule


# -- inline x-apiguard-ignore -----------------------------------------------------------------


def test_inline_ignore_covers_the_node_and_everything_below(project: Path) -> None:
    spec = project / "api" / "openapi.yaml"
    spec.write_text(SPEC.replace("  /internal/health:\n", "  /internal/health:\n    x-apiguard-ignore: [rate-limit-*, error-responses-documented]\n"), encoding="utf-8")
    got = rules_of(lint(project))
    assert not any(ops == ("GET /internal/health",) for _, ops in got), got
    assert ("rate-limit-429-missing", ("GET /pets",)) in got


def test_inline_ignore_in_the_old_version_covers_a_removal(tmp_path: Path) -> None:
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    old.write_text(SPEC.replace("  /internal/health:\n    get:\n", "  /internal/health:\n    get:\n      x-apiguard-ignore: [operation-removed-without-deprecation]\n"), encoding="utf-8")
    new.write_text(SPEC.split("  /internal/health:")[0], encoding="utf-8")
    proc = apiguard(tmp_path, "diff", "old.yaml", "new.yaml", "--format", "json")
    assert proc.returncode == 0 and findings(proc) == [] and json.loads(proc.stdout)["summary"]["suppressed"] == 1
    old.write_text(SPEC, encoding="utf-8")
    proc = apiguard(tmp_path, "diff", "old.yaml", "new.yaml", "--format", "json")
    assert proc.returncode == 1 and [f["rule"] for f in findings(proc)] == ["operation-removed-without-deprecation"]


def test_config_rulesets_are_relative_to_the_config(project: Path) -> None:
    (project / "rules").mkdir()
    shutil.copy(ROOT / "fixtures" / "rulesets" / "fires-casing" / "ruleset.yaml", project / "rules" / "house.yaml")
    (project / ".apiguard.yaml").write_text("rulesets: [rules/house.yaml]\n", encoding="utf-8")
    spec = project / "api" / "openapi.yaml"
    spec.write_text(SPEC.replace("operationId: listPets", "operationId: list_pets2"), encoding="utf-8")
    assert any(r.startswith("house-") for r, _ in rules_of(apiguard(project / "api", "lint", "openapi.yaml", "--format", "json")))


# -- baseline --------------------------------------------------------------------------------


def test_baseline_accepts_todays_findings_and_new_breakage_still_fails(project: Path) -> None:
    shutil.copy(EXAMPLES / "petstore-v1.yaml", project / "v1.yaml")
    shutil.copy(EXAMPLES / "petstore-v2.yaml", project / "v2.yaml")
    cfg = project / ".apiguard.yaml"
    cfg.write_text("# house rules\nfail-on: warning  # strict\n", encoding="utf-8")
    assert apiguard(project, "check", "v1.yaml", "v2.yaml").returncode == 1
    proc = apiguard(project, "baseline", "v1.yaml", "v2.yaml", "--expires", "2027-06-30", "--reason", "PLAT-1: legacy")
    assert proc.returncode == 0, proc.stderr
    text = cfg.read_text(encoding="utf-8")
    assert text.startswith("# house rules\nfail-on: warning  # strict\n")  # comments and keys kept
    entries = YAML(typ="safe").load(text)["suppressions"]
    assert entries and all(e["reason"] == "PLAT-1: legacy" and str(e["expires"]) == "2027-06-30" for e in entries)
    assert {"rule": "operation-removed-without-deprecation", "pointer": "/paths/~1pets~1{petId}/delete"}.items() <= entries[0].items()
    after = apiguard(project, "check", "v1.yaml", "v2.yaml", "--format", "json")
    assert after.returncode == 0 and findings(after) == []
    # The report says how much the baseline hides, so accepted debt stays visible.
    assert json.loads(after.stdout)["summary"]["suppressed"] == len(entries)
    said = apiguard(project, "check", "v1.yaml", "v2.yaml").stdout
    assert f"0 findings: 0 errors, 0 warnings, 0 infos ({len(entries)} more suppressed by the configuration or x-apiguard-ignore)" in said, said
    # Running it again adds nothing; a further breaking change is not covered.
    assert "0 suppressions added" in apiguard(project, "baseline", "v1.yaml", "v2.yaml").stderr
    v3 = (project / "v2.yaml").read_text(encoding="utf-8").replace("    post:", "    x-was-post: true\n    put:", 1)
    (project / "v3.yaml").write_text(v3, encoding="utf-8")
    worse = apiguard(project, "check", "v1.yaml", "v3.yaml", "--format", "json")
    assert worse.returncode == 1
    assert any(f["rule"].startswith("operation-removed") and f["operations"] == ["POST /pets"] for f in findings(worse))


def test_baseline_refuses_toml_and_bad_dates(project: Path) -> None:
    shutil.copy(EXAMPLES / "petstore-v1.yaml", project / "v1.yaml")
    proc = apiguard(project, "baseline", "v1.yaml", "v1.yaml", "-o", "pyproject.toml")
    assert proc.returncode == 2 and "YAML" in proc.stderr
    proc = apiguard(project, "baseline", "v1.yaml", "v1.yaml", "--expires", "soon")
    assert proc.returncode == 2 and "soon" in proc.stderr
    assert not (project / ".apiguard.yaml").exists()


def test_baseline_of_a_multi_file_spec_names_the_file_each_finding_is_in(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    shutil.copytree(ROOT / "fixtures" / "sources" / "multi", tmp_path / "api")
    before = apiguard(tmp_path, "check", "api/openapi.yaml", "api/openapi.yaml", "--format", "json")
    assert any(f["location"]["file"] == "api/schemas/common.yaml" for f in findings(before))
    proc = apiguard(tmp_path, "baseline", "api/openapi.yaml", "api/openapi.yaml")
    assert proc.returncode == 0, proc.stderr
    entries = YAML(typ="safe").load((tmp_path / ".apiguard.yaml").read_text(encoding="utf-8"))["suppressions"]
    assert {"rule": "error-schema-fields", "file": "api/schemas/common.yaml"}.items() <= next(e for e in entries if e["rule"] == "error-schema-fields").items()
    after = apiguard(tmp_path, "check", "api/openapi.yaml", "api/openapi.yaml", "--format", "json")
    assert after.returncode == 0 and findings(after) == []


def test_inline_ignore_works_in_swagger_2(tmp_path: Path) -> None:
    spec = tmp_path / "swagger.yaml"
    spec.write_text(
        "swagger: '2.0'\ninfo: {title: S, version: '1'}\nhost: api.example.com\npaths:\n"
        "  /a:\n    get:\n      x-apiguard-ignore: [rate-limit-*]\n      responses:\n        '200': {description: ok}\n"
        "  /b:\n    get:\n      responses:\n        '200': {description: ok}\n",
        encoding="utf-8",
    )
    (tmp_path / ".git").mkdir()
    got = rules_of(apiguard(tmp_path, "lint", "swagger.yaml", "--format", "json"))
    assert ("rate-limit-429-missing", ("GET /b",)) in got
    assert not any(r.startswith("rate-limit-") and ops == ("GET /a",) for r, ops in got), got
