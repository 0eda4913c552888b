"""`--base REV` with several specs and globs: each spec paired with its own version at REV.

The cases are repository trees in fixtures/spec-removed/*/: `base/` is committed, then replaced
by `head/` in the work tree, and `expected.yaml` names the rules that fire per spec.
"""

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

CASES = sorted((ROOT / "fixtures" / "spec-removed").glob("*/"))
GLOB = "specs/**/openapi.yaml"

needs_git = pytest.mark.skipif(shutil.which("git") is None and not os.environ.get("CI"), reason="git is not installed")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def make_repo(tmp: Path, case: Path) -> Path:
    repo = tmp / "repo"
    shutil.copytree(case / "base", repo)
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "t@example.com")
    git(repo, "config", "user.name", "t")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    shutil.rmtree(repo / "specs")
    shutil.copytree(case / "head" / "specs", repo / "specs")
    git(repo, "add", "-A")  # staged, as in a commit under way: globs match what git tracks
    return repo


def apiguard(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CI", "GITHUB_ACTIONS")}
    return subprocess.run([sys.executable, "-m", "apiguard", *args], cwd=cwd, capture_output=True, text=True, env=env)


@needs_git
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_spec_is_compared_with_its_own_base(tmp_path: Path, case: Path) -> None:
    expected = YAML(typ="safe").load((case / "expected.yaml").read_text(encoding="utf-8"))
    repo = make_repo(tmp_path, case)
    proc = apiguard(repo, "diff", "--base", "HEAD", GLOB, "--format", "json")
    assert proc.returncode == expected["exit"], proc.stderr
    report = json.loads(proc.stdout)
    got = {}
    for run in report["runs"]:
        name = run["spec"].partition(":")[2] if run["spec"].startswith("HEAD:") else run["spec"]
        got[name] = sorted({f["rule"] for f in run["findings"]})
    assert got == {k: sorted(v) for k, v in expected["specs"].items()}
    assert report["summary"]["semver"] == expected["semver"]


@needs_git
def test_deleted_spec_is_an_error_located_at_the_base_revision(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ROOT / "fixtures" / "spec-removed" / "fires-deleted-spec")
    proc = apiguard(repo, "check", "--base", "HEAD", GLOB, "--format", "json")
    assert proc.returncode == 1, proc.stderr
    runs = {r["spec"]: r for r in json.loads(proc.stdout)["runs"]}
    assert runs["specs/billing/openapi.yaml"]["base"] == "HEAD:specs/billing/openapi.yaml"
    removed = runs["specs/billing/openapi.yaml"]["findings"]
    assert [(f["rule"], f["level"], f["location"]["line"]) for f in removed] == [("spec-removed", "error", 1)]
    assert "specs/billing/openapi.yaml" in removed[0]["message"]
    # check lints the new spec too, and diffs none of it (nothing to compare with).
    orders = runs["specs/orders/openapi.yaml"]
    assert orders["base"] is None and orders["semver"] == "minor"
    assert {f["rule"] for f in orders["findings"]} >= {"rate-limit-429-missing"}
    # The text report names the deleted file and the removed operation.
    text = apiguard(repo, "diff", "--base", "HEAD", GLOB).stdout
    assert "spec-removed" in text and "GET /pets/{petId}" in text


@needs_git
def test_paths_and_globs_mix_and_a_path_in_neither_place_is_an_input_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ROOT / "fixtures" / "spec-removed" / "ok-new-spec")
    proc = apiguard(repo, "diff", "--base", "HEAD", "specs/pets/openapi.yaml", "specs/orders/*.yaml", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["runs"]) == 2
    proc = apiguard(repo, "diff", "--base", "HEAD", "specs/nope/openapi.yaml")
    assert proc.returncode == 2 and "specs/nope/openapi.yaml" in proc.stderr and "Traceback" not in proc.stderr
    # A glob that matches nothing anywhere is not an error: there is nothing to break.
    proc = apiguard(repo, "diff", "--base", "HEAD", "nothing/**/*.yaml")
    assert proc.returncode == 0 and "no spec matched" in proc.stderr
    # From a subfolder, globs are relative to it and the base files still pair up.
    proc = apiguard(repo / "specs", "diff", "--base", "HEAD", "**/openapi.yaml", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert sorted(r["spec"] for r in json.loads(proc.stdout)["runs"]) == ["orders/openapi.yaml", "pets/openapi.yaml"]


def test_several_specs_run_in_parallel_give_the_same_report_as_one_at_a_time(tmp_path: Path) -> None:
    specs = ["examples/petstore-v1.yaml", "examples/petstore-v2.yaml", "fixtures/reports/new.yaml", "fixtures/reports/old.json"]
    parallel = apiguard(ROOT, "lint", *specs, "--format", "json")
    env_one = {**os.environ, "APIGUARD_JOBS": "1"}
    env_one.pop("CI", None)
    serial = subprocess.run([sys.executable, "-m", "apiguard", "lint", *specs, "--format", "json"], cwd=ROOT, capture_output=True, text=True, env=env_one)
    assert parallel.returncode == serial.returncode == 0, parallel.stderr + serial.stderr
    assert json.loads(parallel.stdout) == json.loads(serial.stdout)
    assert [r["spec"] for r in json.loads(parallel.stdout)["runs"]] == specs


def test_an_input_error_in_a_worker_is_reported_located(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: 3.0.3\ninfo: [\n", encoding="utf-8")
    proc = apiguard(ROOT, "lint", "examples/petstore-v1.yaml", str(bad), "examples/petstore-v2.yaml")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(f"{bad}:2:") and "Traceback" not in proc.stderr, proc.stderr


@needs_git
def test_globs_match_tracked_files_and_old_breakage_is_not_news(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ROOT / "fixtures" / "spec-removed" / "ok-new-spec")
    (repo / "specs" / "broken").mkdir()
    # The `$ref` to another file (in a comment, so the file still fails to parse) keeps it off
    # the unchanged-file fast path: it is loaded, fails at both revisions alike, and is skipped.
    (repo / "specs" / "broken" / "openapi.yaml").write_text("openapi: 3.0.3\n# $ref: 'parts.yaml'\ninfo: [\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a broken spec lands")
    # An untracked draft is not part of any commit: the glob leaves it alone.
    (repo / "specs" / "draft").mkdir()
    (repo / "specs" / "draft" / "openapi.yaml").write_text("garbage: [\n", encoding="utf-8")
    proc = apiguard(repo, "diff", "--base", "HEAD", GLOB, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "specs/broken/openapi.yaml skipped: it fails to load at HEAD too" in proc.stderr
    assert "draft" not in proc.stdout
    # Breaking it differently is news, and an input error.
    (repo / "specs" / "broken" / "openapi.yaml").write_text("openapi: 3.0.3\n# $ref: 'parts.yaml'\npaths: {\n", encoding="utf-8")
    proc = apiguard(repo, "diff", "--base", "HEAD", GLOB)
    assert proc.returncode == 2 and "specs/broken/openapi.yaml:" in proc.stderr
    # An explicit path is taken as given, tracked or not.
    proc = apiguard(repo, "diff", "--base", "HEAD", "specs/draft/openapi.yaml")
    assert proc.returncode == 2 and "specs/draft/openapi.yaml:1:" in proc.stderr


@needs_git
def test_unchanged_self_contained_specs_are_not_reloaded_and_old_problems_are_not_news(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, ROOT / "fixtures" / "spec-removed" / "ok-new-spec")
    # A committed spec that is invalid (a path parameter never declared) and stays as it is.
    (repo / "specs" / "legacy").mkdir()
    (repo / "specs" / "legacy" / "openapi.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: L, version: '1'}\npaths:\n  /a/{id}:\n    get:\n      responses:\n        '200': {description: ok}\n",
        encoding="utf-8",
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "legacy spec")
    proc = apiguard(repo, "diff", "--base", "HEAD", GLOB, "--format", "json")
    assert proc.returncode == 0, proc.stdout
    runs = {r["spec"]: r for r in json.loads(proc.stdout)["runs"]}
    legacy = runs["specs/legacy/openapi.yaml"]
    assert legacy["findings"] == [] and legacy["semver"] == "none" and legacy["base"] == "HEAD:specs/legacy/openapi.yaml"
    # check still lints it (its problems are reported there), as an unchanged spec, not a new one.
    proc = apiguard(repo, "check", "--base", "HEAD", "specs/legacy/openapi.yaml", "--format", "json")
    run = json.loads(proc.stdout)["runs"][0]
    assert run["base"] == "HEAD:specs/legacy/openapi.yaml" and run["semver"] == "none"
    assert "spec-invalid" in {f["rule"] for f in run["findings"]}
    # Once edited, it is compared (and its problems are those of the new version).
    (repo / "specs" / "legacy" / "openapi.yaml").write_text(
        (repo / "specs" / "legacy" / "openapi.yaml").read_text(encoding="utf-8") + "    post:\n      responses:\n        '200': {description: ok}\n",
        encoding="utf-8",
    )
    proc = apiguard(repo, "diff", "--base", "HEAD", "specs/legacy/openapi.yaml", "--format", "json")
    rules = {f["rule"] for f in json.loads(proc.stdout)["runs"][0]["findings"]}
    assert "operation-added" in rules and "spec-invalid" in rules


@pytest.mark.parametrize(
    "text,external",
    [
        (b'{"$ref": "#/components/schemas/Pet"}', False),
        (b"schema:\n  $ref: '#/components/schemas/Pet'\n", False),
        (b'schema: {$ref: "#/x"}\n', False),
        (b'{"$ref": "pet.json"}', True),
        (b"schema:\n  $ref: schemas/pet.yaml\n", True),
        (b"schema:\n  $ref: './pet.yaml#/Pet'\n", True),
        (b"schema:\n  $ref:\n    pet.yaml\n", True),
        (b"description: no references at all\n", False),
    ],
)
def test_the_fast_path_spots_references_to_other_files(text: bytes, external: bool) -> None:
    from apiguard.sources import _EXTERNAL_REF

    assert bool(_EXTERNAL_REF.search(text)) is external


def test_parallel_workers_parse_yaml_after_the_parent_did(tmp_path: Path) -> None:
    """The parent parses YAML before forking (the configuration, a ruleset); the workers must
    not wait on the parent's YAML thread, which they do not have (this used to hang)."""
    (tmp_path / ".git").mkdir()
    (tmp_path / ".apiguard.yaml").write_text("rules:\n  component-unused: off\n", encoding="utf-8")
    specs = []
    for name in ("a", "b", "c"):
        spec = tmp_path / f"{name}.yaml"
        shutil.copy(ROOT / "examples" / "petstore-v2.yaml", spec)
        specs.append(spec.name)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "APIGUARD_JOBS")}
    cmd = [sys.executable, "-m", "apiguard", "lint", *specs, "--ruleset", str(ROOT / CASING_RULESET), "--format", "json"]
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert [r["spec"] for r in json.loads(proc.stdout)["runs"]] == specs


CASING_RULESET = "fixtures/rulesets/fires-casing/ruleset.yaml"
