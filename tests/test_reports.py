"""Every report format: golden files, SARIF checked by its schema and by Microsoft's SARIF
Multitool, stable fingerprints, the exit-code matrix, colour handling, and the caps of the
formats GitHub limits (comment size, annotations per step).

Golden files live in tests/golden; after a deliberate change of a format, rewrite them with
`APIGUARD_UPDATE_GOLDEN=1 python -m pytest tests/test_reports.py` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from apiguard import __version__
from apiguard.model import Finding, Level, Location
from apiguard.report import Report, Run
from apiguard.report.github import CAP, render_github
from apiguard.report.markdown import LIMIT, render_markdown

from conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"
PAIR = ROOT / "fixtures" / "reports"
OLD, NEW = "fixtures/reports/old.yaml", "fixtures/reports/new.yaml"
UPDATE = bool(os.environ.get("APIGUARD_UPDATE_GOLDEN"))
MULTITOOL_DIR = ROOT / "node_modules" / "@microsoft" / "sarif-multitool-linux"
MULTITOOL = Path(os.environ.get("APIGUARD_SARIF_MULTITOOL", MULTITOOL_DIR / "Sarif.Multitool"))
SARIF_SCHEMA = MULTITOOL_DIR / "sarif-2.1.0.json"
IN_CI = bool(os.environ.get("CI"))
FORMATS = {"text": "txt", "json": "json", "sarif": "sarif", "markdown": "md", "github": "github.txt", "junit": "junit.xml"}


def run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the CLI with the colour and CI variables of the caller removed, then `env` added."""
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CI", "GITHUB_ACTIONS", "TERM")}
    base.update(env or {})
    return subprocess.run([sys.executable, "-m", "apiguard", *args], cwd=cwd, capture_output=True, text=True, env=base)


def normalise(text: str) -> str:
    """Remove what legitimately varies between machines and releases: the version, the root."""
    text = text.replace(f'"version": "{__version__}"', '"version": "VERSION"')
    text = text.replace(f'"semanticVersion": "{__version__}"', '"semanticVersion": "VERSION"')
    return re.sub(r'"uri": "file://[^"]*"', '"uri": "file:///ROOT/"', text)


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    text = normalise(text)
    if UPDATE or not path.exists():
        if not UPDATE and IN_CI:
            pytest.fail(f"golden file {path} is missing; create it with APIGUARD_UPDATE_GOLDEN=1")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def need_multitool() -> None:
    if not MULTITOOL.exists():
        if IN_CI:
            pytest.fail(f"SARIF Multitool missing at {MULTITOOL}: .ci/run installs it with npm")
        pytest.skip("SARIF Multitool not installed (npm install @microsoft/sarif-multitool)")


# Golden files ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def diff_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One diff run writes every format at once, as the GitHub Action does."""
    out = tmp_path_factory.mktemp("reports")
    args = ["diff", OLD, NEW, "--today", "2026-11-22"]
    for fmt in FORMATS:
        if fmt != "text":
            args += ["-o", f"{fmt}={out / ('report.' + FORMATS[fmt])}"]
    proc = run(*args)
    assert proc.returncode == 1, proc.stderr
    texts = {"text": proc.stdout}
    for fmt in FORMATS:
        if fmt != "text":
            texts[fmt] = (out / ("report." + FORMATS[fmt])).read_text(encoding="utf-8")
    return texts


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_diff_report_matches_golden_file(diff_reports: dict[str, str], fmt: str) -> None:
    golden(f"diff.{FORMATS[fmt]}", diff_reports[fmt])


def test_the_fixture_pair_yields_every_level(diff_reports: dict[str, str]) -> None:
    doc = json.loads(diff_reports["json"])
    assert all(doc["summary"]["counts"][lvl] > 0 for lvl in ("error", "warning", "info")), doc["summary"]


@pytest.mark.parametrize("fmt", ["markdown", "text"])
def test_changelog_matches_golden_file(fmt: str) -> None:
    proc = run("changelog", OLD, NEW, "--format", fmt)
    assert proc.returncode == 0, proc.stderr
    golden(f"changelog.{'md' if fmt == 'markdown' else 'txt'}", proc.stdout)


def test_changelog_lists_additions_and_marks_breaking_first() -> None:
    text = run("changelog", OLD, NEW).stdout
    assert "POST /pets was added" in text and "new optional query parameter status" in text
    assert text.index("## admin") < text.index("## pets") < text.index("## Shared schemas")
    assert "**Breaking:** DELETE /pets/{petId} was removed" in text
    assert "(affects GET /pets, GET /pets/{petId})" in text


# JSON -----------------------------------------------------------------------------------------
def test_json_report_follows_its_shipped_schema(diff_reports: dict[str, str]) -> None:
    proc = run("schema", "json")
    assert proc.returncode == 0, proc.stderr
    schema = json.loads(proc.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(json.loads(diff_reports["json"]))
    lint = run("lint", NEW, "fixtures/reports/old.json", "--format", "json")
    doc = json.loads(lint.stdout)
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert [r["spec"] for r in doc["runs"]] == [NEW, "fixtures/reports/old.json"]


def test_unknown_schema_name_is_a_usage_error() -> None:
    proc = run("schema", "nope")
    assert proc.returncode == 2 and "no schema named 'nope'" in proc.stderr and "Traceback" not in proc.stderr


# SARIF ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sarif_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """SARIF from diff and from lint, on YAML and on JSON specs."""
    out = tmp_path_factory.mktemp("sarif")
    cases = {
        "diff-yaml": ["diff", OLD, NEW],
        "diff-json": ["diff", "fixtures/reports/old.json", "fixtures/reports/new.json"],
        "lint-yaml": ["lint", NEW, "fixtures/servers-declared/fires-no-servers/spec.yaml"],
        "lint-json": ["lint", "fixtures/reports/new.json"],
        "check-yaml": ["check", OLD, NEW],
        "lint-custom": ["lint", "fixtures/rulesets/fires-casing/spec.yaml", "--ruleset", "fixtures/rulesets/fires-casing/ruleset.yaml"],
    }
    files = {}
    for name, args in cases.items():
        path = out / f"{name}.sarif"
        proc = run(*args, "--format", "sarif", "-o", str(path), "--fail-on", "never")
        assert proc.returncode == 0, proc.stderr
        files[name] = path
    return files


def test_sarif_validates_against_the_sarif_schema(sarif_files: dict[str, Path]) -> None:
    if not SARIF_SCHEMA.exists():
        if IN_CI:
            pytest.fail(f"{SARIF_SCHEMA} missing: .ci/run installs @microsoft/sarif-multitool")
        pytest.skip("the SARIF 2.1.0 schema ships with @microsoft/sarif-multitool (npm); not installed")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    for name, path in sarif_files.items():
        errors = sorted(validator.iter_errors(json.loads(path.read_text())), key=str)
        assert not errors, f"{name}: {errors[0].message} at {list(errors[0].absolute_path)}"


def test_sarif_passes_the_multitool_with_github_rules(sarif_files: dict[str, Path], tmp_path: Path) -> None:
    need_multitool()
    out = tmp_path / "validation.sarif"
    proc = subprocess.run(
        [str(MULTITOOL), "validate", "--rule-kind", "Sarif;Gh", *map(str, sarif_files.values()), "-o", str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    log = json.loads(out.read_text(encoding="utf-8-sig"))
    problems = [
        f"{r.get('level', 'warning')} {r['ruleId']}: {r['message'].get('text') or r['message'].get('arguments')}"
        for run_ in log["runs"]
        for r in run_.get("results", [])
        if r.get("level", "warning") in ("error", "warning")
    ]
    assert problems == []
    # The files did hold results for the validator to look at.
    assert sum(len(json.loads(p.read_text())["runs"][0]["results"]) for p in sarif_files.values()) >= 10


def test_sarif_results_carry_what_github_needs(sarif_files: dict[str, Path]) -> None:
    doc = json.loads(sarif_files["diff-yaml"].read_text())
    (run_,) = doc["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "apiguard" and driver["version"] == __version__ and driver["informationUri"].startswith("https://")
    ids = [r["id"] for r in driver["rules"]]
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
        assert rule["helpUri"].endswith(f"/rules/{rule['id']}.md")
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    removed = next(r for r in run_["results"] if r["ruleId"] == "operation-removed-without-deprecation")
    assert ids[removed["ruleIndex"]] == removed["ruleId"] and removed["level"] == "error"
    physical = removed["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": NEW, "uriBaseId": "%SRCROOT%"}
    assert physical["region"]["startLine"] == 43 and physical["region"]["startColumn"] >= 1
    assert removed["locations"][0]["logicalLocations"][0]["name"] == "DELETE /pets/{petId}"
    related = removed["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"] == OLD and related["region"]["startLine"] == 44
    assert removed["partialFingerprints"]["apiguard/v1"]
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file:///")


def test_sarif_paths_are_relative_to_the_repository_root_from_any_folder(tmp_path: Path) -> None:
    """Run from a subfolder of the repository: the URIs still start at the repository root."""
    out = tmp_path / "r.sarif"
    proc = run("diff", "old.yaml", "new.yaml", "-f", "sarif", "-o", str(out), cwd=PAIR)
    assert proc.returncode == 1, proc.stderr
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in json.loads(out.read_text())["runs"][0]["results"]}
    assert uris == {NEW}


def test_fingerprints_survive_shifted_lines_and_comments(tmp_path: Path) -> None:
    def prints(folder: Path) -> dict[str, tuple[str, int]]:
        out = folder / "r.sarif"
        proc = run("diff", str(folder / "old.yaml"), str(folder / "new.yaml"), "-f", "sarif", "-o", str(out))
        assert proc.returncode == 1, proc.stderr
        results = json.loads(out.read_text())["runs"][0]["results"]
        return {
            r["partialFingerprints"]["apiguard/v1"]: (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in results
        }

    shifted = tmp_path / "shifted"
    shifted.mkdir()
    for name in ("old.yaml", "new.yaml"):
        text = (PAIR / name).read_text()
        # Blank lines and comments above everything, and a comment inside the paths.
        text = "# header comment\n\n\n" + text.replace("paths:\n", "paths:\n  # a note about paths\n\n", 1)
        (shifted / name).write_text(text)
    same = tmp_path / "same"
    shutil.copytree(PAIR, same)
    before, after = prints(same), prints(shifted)
    assert before.keys() == after.keys() and len(before) == 6
    assert all(after[k][1] > before[k][1] for k in before), "the lines did move"
    assert all(after[k][0] == before[k][0] for k in before)


# Exit codes -----------------------------------------------------------------------------------
LEVEL_PAIRS = {
    "none": (NEW, NEW),
    "info": ("fixtures/operation-added/fires-new-operation/old.yaml", "fixtures/operation-added/fires-new-operation/new.yaml"),
    "warning": ("fixtures/operation-id-changed/fires-renamed/old.yaml", "fixtures/operation-id-changed/fires-renamed/new.yaml"),
    "error": (OLD, NEW),
}
RANK = {"none": 0, "info": 1, "warning": 2, "error": 3}


@pytest.mark.parametrize("worst", list(LEVEL_PAIRS))
def test_exit_code_matrix(worst: str, tmp_path: Path) -> None:
    old, new = LEVEL_PAIRS[worst]
    for fail_on in ("error", "warning", "info", "never"):
        out = tmp_path / f"{fail_on}.json"
        proc = run("diff", old, new, "--fail-on", fail_on, "-o", f"json={out}", "-q")
        doc = json.loads(out.read_text())
        found = [lvl for lvl, n in doc["summary"]["counts"].items() if n]
        assert max((RANK[l] for l in found), default=0) == RANK[worst], (worst, doc["summary"])
        expected = 0 if fail_on == "never" else int(RANK[worst] >= RANK[fail_on])
        assert proc.returncode == expected, (worst, fail_on, proc.stdout, proc.stderr)
        assert doc["summary"]["exitCode"] == expected


# Text -----------------------------------------------------------------------------------------
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_text_colour_follows_no_color_and_force_color() -> None:
    plain = run("diff", OLD, NEW).stdout
    assert not ANSI.search(plain), "not a terminal: plain text"
    forced = run("diff", OLD, NEW, env={"FORCE_COLOR": "1"}).stdout
    assert ANSI.search(forced) and ANSI.sub("", forced) == plain
    both = run("diff", OLD, NEW, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    assert both == plain, "NO_COLOR wins"
    ci = run("diff", OLD, NEW, env={"CI": "true", "GITHUB_ACTIONS": "true", "TERM": "xterm-256color"}).stdout
    assert ci == plain


def test_text_groups_by_operation_breaking_first_and_quiet_prints_the_summary() -> None:
    text = run("diff", OLD, NEW).stdout
    groups = [line for line in text.splitlines() if line and not line.startswith(" ")]
    assert groups[0] == "DELETE /pets/{petId}"
    assert "operation-removed-without-deprecation  fixtures/reports/new.yaml:43:3" in text
    assert text.rstrip().endswith("6 findings: 1 error, 3 warnings, 2 infos. Required version bump: major.")
    quiet = run("diff", OLD, NEW, "--quiet")
    assert quiet.stdout == "6 findings: 1 error, 3 warnings, 2 infos. Required version bump: major.\n"
    assert quiet.returncode == 1


# Several outputs, atomic writes -----------------------------------------------------------------
def test_one_run_writes_several_formats_and_keeps_stdout(tmp_path: Path) -> None:
    proc = run("check", OLD, NEW, "-f", "github", "-o", f"sarif={tmp_path / 'a.sarif'}", "-o", f"markdown={tmp_path / 'summary.md'}")
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("::error ") and "apiguard check:" in proc.stdout
    assert json.loads((tmp_path / "a.sarif").read_text())["version"] == "2.1.0"
    assert (tmp_path / "summary.md").read_text().startswith("## apiguard check")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.sarif", "summary.md"]


def test_a_plain_output_file_takes_stdout(tmp_path: Path) -> None:
    proc = run("diff", OLD, NEW, "-f", "junit", "-o", str(tmp_path / "junit.xml"))
    assert proc.stdout == "" and ET.parse(tmp_path / "junit.xml").getroot().tag == "testsuites"


def test_no_output_is_written_when_one_target_is_impossible(tmp_path: Path) -> None:
    proc = run("diff", OLD, NEW, "-o", f"sarif={tmp_path / 'ok.sarif'}", "-o", f"json={tmp_path / 'missing' / 'r.json'}")
    assert proc.returncode == 2 and "does not exist" in proc.stderr and "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_output_naming_one_file_twice_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "r.txt"
    proc = run("diff", OLD, NEW, "-o", f"sarif={target}", "-o", f"json={target}")
    assert proc.returncode == 2 and "twice" in proc.stderr



def test_a_mistyped_output_format_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    """`-o sarf=out.sarif` once wrote a text report to a file named `sarf=out.sarif`, and a CI
    upload expecting SARIF broke later with no clue why."""
    proc = run("diff", OLD, NEW, "-o", f"sarf={tmp_path / 'out.sarif'}")
    assert proc.returncode == 2 and "'sarf' is not a report format" in proc.stderr
    assert "did you mean sarif=" in proc.stderr and "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_file_whose_name_holds_an_equals_sign_is_written_when_given_as_a_path(tmp_path: Path) -> None:
    proc = run("diff", OLD, NEW, "-f", "json", "-o", str(tmp_path / "a=b.json"))
    assert proc.returncode == 1, proc.stderr
    assert json.loads((tmp_path / "a=b.json").read_text())

# Caps of GitHub-facing formats ------------------------------------------------------------------
def synthetic(n_errors: int, n_warnings: int, n_infos: int = 0, *, message: str = "something changed") -> Report:
    findings = []
    for level, n in ((Level.ERROR, n_errors), (Level.WARNING, n_warnings), (Level.INFO, n_infos)):
        for i in range(n):
            findings.append(
                Finding(
                    rule=f"{level.label}-rule",
                    level=level,
                    message=f"{message} #{i}",
                    location=Location(str(Path.cwd() / "specs/a,b:c.yaml"), i + 1, 3, f"/paths/p{i}"),
                    operations=(f"GET /things/{i}",),
                    fingerprint=f"{level.label}{i}",
                )
            )
    return Report("diff", [Run("specs/a,b:c.yaml", findings, base="old.yaml", semver="major")], root=Path.cwd())


def test_markdown_stays_under_the_comment_limit_with_a_truncation_note() -> None:
    report = synthetic(1500, 1500, 1500, message="a long message " * 8)
    text = render_markdown(report)
    assert len(text) <= LIMIT
    assert "**Truncated:**" in text and "of 4500 findings are not shown" in text
    assert text.index("### Breaking changes (1500)") < text.index("**Truncated:**")
    small = render_markdown(synthetic(2, 1, 1))
    assert "Truncated" not in small and "<details>" in small and "### Breaking changes (2)" in small


def test_markdown_escapes_table_cells() -> None:
    text = render_markdown(synthetic(1, 0, message="a | b <script>\nnext"))
    row = next(line for line in text.splitlines() if line.startswith("| `error-rule`"))
    assert "a \\| b &lt;script> next #0" in row and row.count(" | ") == 3


def test_github_annotations_are_capped_per_level_with_a_final_notice() -> None:
    text = render_github(synthetic(25, 15, 3))
    lines = text.splitlines()
    assert sum(l.startswith("::error ") for l in lines) == CAP
    assert sum(l.startswith("::warning ") for l in lines) == CAP
    assert sum(l.startswith("::notice file=") for l in lines) == 3
    assert "::group::apiguard: 20 more findings" in lines
    assert any(l.startswith("::notice title=apiguard::20 of 43 findings are not shown") for l in lines)
    first = lines[0]
    # Property values escape ':' and ',' (the file name holds both); the message escapes newlines.
    assert first.startswith("::error file=specs/a%2Cb%3Ac.yaml,line=1,col=3,title=apiguard error-rule (GET /things/0)::")


def test_github_message_escaping() -> None:
    text = render_github(synthetic(1, 0, message="50% off\nnext line"))
    assert text.splitlines()[0].endswith("::50%25 off%0Anext line #0")


def test_junit_has_a_suite_per_spec_and_fails_per_fail_on(tmp_path: Path) -> None:
    out = tmp_path / "j.xml"
    proc = run("lint", NEW, "fixtures/servers-declared/fires-no-servers/spec.yaml", "-o", f"junit={out}", "--fail-on", "warning")
    root = ET.parse(out).getroot()
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [NEW, "fixtures/servers-declared/fires-no-servers/spec.yaml"]
    bare = suites[1]
    failing = [c for c in bare.findall("testcase") if c.find("failure") is not None]
    assert any(c.get("classname") == "servers-declared" for c in failing)
    assert int(bare.get("failures")) == len(failing) and int(bare.get("tests")) == len(bare.findall("testcase"))
    assert any(c.get("name") == "no findings" for c in bare.findall("testcase"))
    assert proc.returncode == 1
    # With --fail-on never nothing fails, and the findings are kept as output.
    run("lint", "fixtures/servers-declared/fires-no-servers/spec.yaml", "-o", f"junit={out}", "--fail-on", "never")
    root = ET.parse(out).getroot()
    assert root.get("failures") == "0" and "servers-declared" in ET.tostring(root, encoding="unicode")


# -- custom rulesets through the command line ----------------------------------------------------

CASING = "fixtures/rulesets/fires-casing"


def test_lint_and_check_run_custom_rulesets_with_the_built_in_rules(tmp_path: Path) -> None:
    proc = run("lint", f"{CASING}/spec.yaml", "--ruleset", f"{CASING}/ruleset.yaml", "--format", "json", "--fail-on", "never")
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)["runs"][0]["findings"]
    rules = {f["rule"] for f in found}
    assert "house-operation-ids-snake-no-digits" in rules and "rate-limit-429-missing" in rules, rules
    # check: the same custom rules run on the new version, beside the diff.
    proc = run("check", f"{CASING}/spec.yaml", f"{CASING}/spec.yaml", "--ruleset", f"{CASING}/ruleset.yaml", "--format", "json", "--fail-on", "never")
    assert proc.returncode == 0, proc.stderr
    assert "house-property-names-camel" in {f["rule"] for f in json.loads(proc.stdout)["runs"][0]["findings"]}


def test_custom_rules_get_sarif_descriptors_without_a_made_up_help_link(sarif_files: dict[str, Path]) -> None:
    driver = json.loads(sarif_files["lint-custom"].read_text())["runs"][0]["tool"]["driver"]
    by_id = {r["id"]: r for r in driver["rules"]}
    house = by_id["house-property-names-camel"]
    assert house["shortDescription"]["text"] == "Property names are camelCase."
    assert "helpUri" not in house and "custom" in house["properties"]["tags"]
    assert by_id["rate-limit-429-missing"]["helpUri"].endswith("/rules/rate-limit-429-missing.md")


def test_a_broken_or_clashing_ruleset_is_a_located_usage_error(tmp_path: Path) -> None:
    proc = run("lint", NEW, "--ruleset", "fixtures/rulesets/error-unknown-function/ruleset.yaml")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "fixtures/rulesets/error-unknown-function/ruleset.yaml:" in proc.stderr, proc.stderr
    copy = tmp_path / "again.yaml"
    shutil.copy(ROOT / CASING / "ruleset.yaml", copy)
    proc = run("lint", NEW, "--ruleset", f"{CASING}/ruleset.yaml", "--ruleset", str(copy), "-o", str(tmp_path / "out.json"))
    assert proc.returncode == 2 and "has the ID of another rule" in proc.stderr, proc.stderr
    assert not (tmp_path / "out.json").exists()


def test_the_readme_ruleset_example_works(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("### Custom rules", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    ruleset = tmp_path / "house.yaml"
    ruleset.write_text(block, encoding="utf-8")
    spec = tmp_path / "spec.yaml"
    spec.write_text((ROOT / NEW).read_text(encoding="utf-8").replace("operationId: listPets", "operationId: list_pets"), encoding="utf-8")
    proc = run("lint", str(spec), "--ruleset", str(ruleset), "--format", "json", "--fail-on", "never")
    assert proc.returncode == 0, proc.stderr
    house = [f for f in json.loads(proc.stdout)["runs"][0]["findings"] if f["rule"] == "house-operation-ids-camel"]
    assert [(f["location"]["line"], f["level"]) for f in house] == [(10, "warning")]


def test_a_long_text_report_closes_with_its_most_frequent_rules() -> None:
    from apiguard.report.text import BREAKDOWN_FROM, render_text

    long = render_text(synthetic(15, 12, 3))
    assert BREAKDOWN_FROM < 30
    block = long.split("Most frequent rules", 1)[1].splitlines()[1:4]
    assert [line.split() for line in block] == [["15", "error", "error-rule"], ["12", "warning", "warning-rule"], ["3", "info", "info-rule"]]
    assert long.rstrip().endswith("30 findings: 15 errors, 12 warnings, 3 infos. Required version bump: major.")
    assert "Most frequent rules" not in render_text(synthetic(2, 1, 1))
    assert "Most frequent rules" not in render_text(synthetic(15, 12, 3), quiet=True)


def test_messages_name_a_few_values_and_count_the_rest() -> None:
    from apiguard.rules.compat._common import SHOWN_VALUES, show

    values = [f"v{i}" for i in range(SHOWN_VALUES + 5)]
    assert show(values) == ", ".join(values[:SHOWN_VALUES]) + ", and 5 more"
    assert show(values[:2]) == "v0, v1" and show([]) == "nothing"
