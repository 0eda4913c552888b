"""The command line as users meet it: exit codes, formats, output files, help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import apiguard

from conftest import ROOT

EXAMPLES = ROOT / "examples"


def run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "apiguard", *args], cwd=cwd, capture_output=True, text=True, env=full_env)


def test_version() -> None:
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"apiguard {apiguard.__version__}"


def test_readme_example_pair() -> None:
    proc = run("diff", "examples/petstore-v1.yaml", "examples/petstore-v2.yaml", env={"NO_COLOR": "1"})
    assert proc.returncode == 1, proc.stderr
    assert "operation-removed-without-deprecation" in proc.stdout
    assert "examples/petstore-v2.yaml:34:3" in proc.stdout
    assert "operation-added" in proc.stdout
    assert "Required version bump: major" in proc.stdout
    assert "\x1b[" not in proc.stdout  # not a terminal, NO_COLOR: plain text


def test_force_color_gives_ansi_and_no_color_wins() -> None:
    args = ("diff", "examples/petstore-v1.yaml", "examples/petstore-v2.yaml")
    colored = run(*args, env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\x1b[" in colored.stdout
    plain = run(*args, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[" not in plain.stdout


@pytest.mark.parametrize(
    "fail_on,expected",
    [("error", 1), ("warning", 1), ("info", 1), ("never", 0)],
)
def test_fail_on_with_an_error_finding(fail_on: str, expected: int) -> None:
    proc = run("diff", "examples/petstore-v1.yaml", "examples/petstore-v2.yaml", "--fail-on", fail_on)
    assert proc.returncode == expected


@pytest.mark.parametrize("fail_on,expected", [("error", 0), ("warning", 0), ("info", 1), ("never", 0)])
def test_fail_on_with_only_info_findings(fail_on: str, expected: int) -> None:
    case = ROOT / "fixtures" / "operation-added" / "fires-new-operation"
    proc = run("diff", str(case / "old.yaml"), str(case / "new.yaml"), "--fail-on", fail_on)
    assert proc.returncode == expected, proc.stdout + proc.stderr


def test_json_report_to_a_file_is_complete(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = run("diff", "examples/petstore-v1.yaml", "examples/petstore-v2.yaml", "--format", "json", "--output", str(out))
    assert proc.returncode == 1 and proc.stdout == ""
    doc = json.loads(out.read_text())
    assert doc["version"] == 1 and doc["command"] == "diff"
    assert doc["summary"]["counts"]["error"] == 1 and doc["summary"]["semver"] == "major"
    (run_,) = doc["runs"]
    rules = {f["rule"] for f in run_["findings"]}
    assert rules == {"operation-removed-without-deprecation", "operation-added"}
    removed = next(f for f in run_["findings"] if f["rule"] == "operation-removed-without-deprecation")
    assert removed["oldLocation"]["line"] == 48 and removed["location"]["line"] == 34
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_output_into_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    proc = run("diff", "examples/petstore-v1.yaml", "examples/petstore-v2.yaml", "-o", str(tmp_path / "no" / "r.json"))
    assert proc.returncode == 2 and "does not exist" in proc.stderr and "Traceback" not in proc.stderr


def test_lint_several_specs_and_the_same_spec_twice_is_quiet() -> None:
    proc = run("lint", "examples/petstore-v1.yaml", "examples/petstore-v2.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = run("diff", "examples/petstore-v1.yaml", "examples/petstore-v1.yaml")
    assert proc.returncode == 0 and "0 findings" in proc.stdout


def test_rules_lists_and_explains() -> None:
    proc = run("rules")
    assert proc.returncode == 0
    assert "operation-removed-without-deprecation" in proc.stdout and "error" in proc.stdout
    one = run("rules", "operation-added")
    assert one.returncode == 0 and "Adding is the safe way" in one.stdout
    unknown = run("rules", "operation-remove")
    assert unknown.returncode == 2 and "did you mean" in unknown.stderr
    # Every rule that starts with what was typed is offered before look-alikes.
    prefix = run("rules", "operation-removed")
    for rid in ("operation-removed-after-sunset", "operation-removed-before-sunset", "operation-removed-without-deprecation"):
        assert rid in prefix.stderr
    typo = run("rules", "respons-enum-value-removd")
    assert "did you mean response-enum-value-removed" in typo.stderr


@pytest.mark.parametrize("command", ["diff", "lint", "rules"])
def test_every_command_help_has_an_example(command: str) -> None:
    proc = run(command, "--help")
    assert proc.returncode == 0
    assert "Examples:" in proc.stdout and "apiguard " + command in proc.stdout


def test_public_api() -> None:
    for name in ("load_spec", "compare", "lint", "Finding", "Level", "InputError"):
        assert hasattr(apiguard, name)
    old = apiguard.load_spec(str(EXAMPLES / "petstore-v1.yaml"))
    new = apiguard.load_spec(str(EXAMPLES / "petstore-v2.yaml"))
    result = apiguard.compare(old, new)
    assert result.semver == "major"
    assert [f.level for f in result.findings] == [apiguard.Level.ERROR, apiguard.Level.INFO]
    # The example documents no errors and no rate limits: the governance pack says so, once per
    # operation and rule, and never at error level (the spec itself is valid).
    findings = apiguard.lint(new)
    assert {f.rule for f in findings} == {"error-responses-documented", "rate-limit-429-missing", "rate-limit-headers-missing"}
    assert len(findings) == 12 and {f.level for f in findings} == {apiguard.Level.WARNING}


def test_a_diff_run_imports_no_lint_rule_module() -> None:
    """A diff judges changes with the compat rules only: the lint pack's modules (and what
    they import) would only add to its memory."""
    script = (
        "import sys\n"
        "from apiguard.cli import main\n"
        f"sys.argv = ['apiguard', 'diff', {str(EXAMPLES / 'petstore-v1.yaml')!r}, {str(EXAMPLES / 'petstore-v2.yaml')!r}, '--format', 'json']\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
        "print('LINT', sorted(m for m in sys.modules if m.startswith('apiguard.rules.lint')), code, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    last = proc.stderr.strip().splitlines()[-1]
    assert last == "LINT [] 1", proc.stderr[-2000:]
