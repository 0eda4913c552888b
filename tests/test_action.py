"""The GitHub Action (action.yml) run in a simulated workflow.

No runner is involved: this file reads action.yml, builds a throwaway git repository (an
"origin" with a base commit on main and the pull request's head on a branch, and a shallow
clone of the head as the workspace, like actions/checkout's default), sets the variables and
files a runner gives a job (GITHUB_WORKSPACE, GITHUB_EVENT_PATH with the event payload,
GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP, ...) and runs the composite steps in order
the way the runner does: each `run:` script verbatim with `bash --noprofile --norc -eo pipefail`
in the workspace, its `env:` and `if:` evaluated by a small evaluator of the `${{ }}`
expressions action.yml uses, its GITHUB_OUTPUT read back into `steps.<id>.outputs`, and the
steps after a failing one skipped. `uses:` steps (the optional SARIF upload) are not run; the
test records whether they would have run and with what.

The one step not run verbatim by default is the install step (`pip install
"$GITHUB_ACTION_PATH"` into a fresh virtual environment): it needs the package index and a
wheel build, tens of seconds even with pip's cache warm. The simulation gives its two outputs instead, pointing at the
apiguard this test suite runs with, which is this checkout (`pip install -e`), so the code
under test is what the install step would install. APIGUARD_TEST_ACTION_INSTALL=1 runs the
install step for real too (test_install_step_for_real).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

import apiguard

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
BASE_SPEC = ROOT / "fixtures" / "reports" / "old.yaml"
SARIF_SCHEMA = ROOT / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "sarif-2.1.0.json"
IN_CI = bool(os.environ.get("CI"))
SPEC = "api/openapi.yaml"  # where the spec lives in the simulated repository


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if IN_CI:
            pytest.fail(f"{tool} is not installed; the action test needs it in CI")
        pytest.skip(f"{tool} is not installed: the action's steps are bash scripts calling git")
    return path


@pytest.fixture(autouse=True)
def _tools() -> None:
    _need("git")
    _need("bash")


def load_action() -> dict[str, Any]:
    return YAML(typ="safe").load(ACTION.read_text(encoding="utf-8"))


# --- the expressions -------------------------------------------------------------------------
# Only what action.yml uses: context paths (inputs.x, github.event.a.b, steps.id.outputs.x),
# 'string' literals, true/false/null, ==, !=, &&, || and parentheses. Anything else (a function
# such as always(), an index, a number) raises, so a new kind of expression in action.yml fails
# this test instead of being evaluated wrongly.

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^']|'')*')
    | (?P<op>==|!=|&&|\|\||\(|\))
    | (?P<path>[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)
    )""",
    re.X,
)


def _tokens(text: str) -> list[tuple[str, Any]]:
    out, pos, text = [], 0, text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"expression not understood by the test's evaluator: {text!r} at {pos}")
        pos = m.end()
        if m.group("string") is not None:
            out.append(("value", m.group("string")[1:-1].replace("''", "'")))
        elif m.group("op") is not None:
            out.append(("op", m.group("op")))
        else:
            out.append(("path", m.group("path")))
    return out


def _truthy(value: Any) -> bool:
    return value not in (None, False, "", 0)


def _equal(a: Any, b: Any) -> bool:
    # GitHub compares strings case-insensitively; other kinds as they are here.
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()
    return a == b


def evaluate(text: str, ctx: dict[str, Any]) -> Any:
    tokens = _tokens(text)
    pos = 0

    def peek() -> tuple[str, Any] | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> tuple[str, Any]:
        nonlocal pos
        if pos >= len(tokens):
            raise ValueError(f"expression ends early: {text!r}")
        pos += 1
        return tokens[pos - 1]

    def lookup(path: str) -> Any:
        head, *rest = path.split(".")
        if head in ("true", "false", "null") and not rest:
            return {"true": True, "false": False, "null": None}[head]
        if head not in ctx:
            raise ValueError(f"context {head!r} is not simulated (in {text!r})")
        node = ctx[head]
        for key in rest:
            node = node.get(key) if isinstance(node, dict) else None
        return node

    def primary() -> Any:
        kind, value = take()
        if kind == "value":
            return value
        if kind == "path":
            if peek() == ("op", "("):
                raise ValueError(f"function calls are not simulated: {value}() in {text!r}")
            return lookup(value)
        if value == "(":
            inner = either()
            if take() != ("op", ")"):
                raise ValueError(f"unbalanced parentheses in {text!r}")
            return inner
        raise ValueError(f"unexpected {value!r} in {text!r}")

    def comparison() -> Any:
        left = primary()
        if peek() in (("op", "=="), ("op", "!=")):
            op = take()[1]
            same = _equal(left, primary())
            return same if op == "==" else not same
        return left

    def both() -> Any:
        left = comparison()
        while peek() == ("op", "&&"):
            take()
            right = comparison()
            left = right if _truthy(left) else left
        return left

    def either() -> Any:
        left = both()
        while peek() == ("op", "||"):
            take()
            right = both()
            left = left if _truthy(left) else right
        return left

    result = either()
    if pos != len(tokens):
        raise ValueError(f"trailing tokens in {text!r}")
    return result


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)


def interpolate(text: str, ctx: dict[str, Any]) -> str:
    return _EXPRESSION.sub(lambda m: _as_text(evaluate(m.group(1), ctx)), str(text))


def condition(text: str, ctx: dict[str, Any]) -> bool:
    text = str(text).strip()
    whole = _EXPRESSION.fullmatch(text)
    return _truthy(evaluate(whole.group(1) if whole else text, ctx))


def test_evaluator_understands_the_expressions_it_needs() -> None:
    ctx = {"inputs": {"a": "X", "fail-on": "never"}, "steps": {"s": {"outputs": {"o": "true"}}}, "github": {"event": {}}}
    assert evaluate("inputs.a == 'x'", ctx) is True  # case-insensitive, like GitHub
    assert evaluate("inputs.fail-on != 'error' && steps.s.outputs.o == 'true'", ctx) is True
    assert evaluate("github.event.pull_request.base.sha", ctx) is None
    assert evaluate("github.event.pull_request.base.sha || 'it''s'", ctx) == "it's"
    assert interpolate("a ${{ inputs.a }} b ${{ github.event.before }}.", ctx) == "a X b ."
    with pytest.raises(ValueError):
        evaluate("always()", ctx)
    with pytest.raises(ValueError):
        evaluate("matrix.os == 'x'", ctx)


# --- the simulated runner --------------------------------------------------------------------


@dataclass
class Step:
    key: str
    status: str  # success, failure, skipped, or would-run for a `uses:` step
    code: int = 0
    outputs: dict[str, str] = field(default_factory=dict)
    stdout: str = ""
    stderr: str = ""
    with_: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    steps: dict[str, Step]
    outputs: dict[str, str]
    summary: str
    workspace: Path

    @property
    def failed(self) -> Step | None:
        return next((s for s in self.steps.values() if s.status == "failure"), None)

    @property
    def log(self) -> str:
        return "".join(s.stdout + s.stderr for s in self.steps.values())


def _read_outputs(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT's two forms: name=value, and name<<DELIMITER ... DELIMITER."""
    out: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            while lines[i] != delimiter:
                value.append(lines[i])
                i += 1
            i += 1
            out[name] = "\n".join(value)
        else:
            name, _, value = line.partition("=")
            out[name] = value
    return out


def _base_env() -> dict[str, str]:
    """The test's environment without anything a real CI run, a git hook or a runner may have
    set: the simulated runner sets its own GITHUB_* and RUNNER_* values below."""
    drop = ("GITHUB_", "RUNNER_", "INPUT_", "ACTIONS_", "GIT_", "STATE_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    for name in ("CI", "FORCE_COLOR", "NO_COLOR", "CLICOLOR_FORCE"):
        env.pop(name, None)
    # The python and apiguard of this test run come first, as an installed action's would.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    # Git reads no user or system configuration (signing, hooks, default branch names).
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_AUTHOR_NAME="apiguard test",
        GIT_AUTHOR_EMAIL="test@example.com",
        GIT_COMMITTER_NAME="apiguard test",
        GIT_COMMITTER_EMAIL="test@example.com",
        GIT_TERMINAL_PROMPT="0",
    )
    return env


def _simulated_install() -> dict[str, str]:
    """What the install step outputs, for the apiguard this test runs with (see the docstring)."""
    bin_dir = Path(sys.executable).parent
    exe = bin_dir / ("apiguard.exe" if os.name == "nt" else "apiguard")
    assert exe.exists(), f"{exe} missing: install apiguard with `pip install -e .` before running the tests"
    return {"apiguard": str(exe), "python": sys.executable}


def run_action(
    workspace: Path,
    tmp: Path,
    inputs: dict[str, str],
    event_name: str,
    event: dict[str, Any],
    real_install: bool = False,
) -> Outcome:
    action = load_action()
    # Inputs not given take their defaults; a required one missing is '' (GitHub only warns).
    values = {name: _as_text(spec.get("default", "")) for name, spec in action["inputs"].items()}
    unknown = set(inputs) - set(values)
    assert not unknown, f"not inputs of action.yml: {unknown}"
    values.update(inputs)
    runner_temp = tmp / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    event_path = tmp / "event.json"
    event_path.write_text(json.dumps(event), encoding="utf-8")
    env = _base_env()
    env.update(
        CI="true",
        GITHUB_ACTIONS="true",
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_ACTION_PATH=str(ROOT),
        GITHUB_EVENT_NAME=event_name,
        GITHUB_EVENT_PATH=str(event_path),
        GITHUB_REPOSITORY="example/petstore",
        GITHUB_SHA=_git(workspace, "rev-parse", "HEAD"),
        RUNNER_TEMP=str(runner_temp),
        RUNNER_OS="Linux",
    )
    ctx: dict[str, Any] = {"inputs": values, "github": {"event_name": event_name, "event": event}, "steps": {}}
    steps: dict[str, Step] = {}
    summary = ""
    failed = False
    for n, step in enumerate(action["runs"]["steps"]):
        key = step.get("id") or f"step{n}"
        if failed or ("if" in step and not condition(step["if"], ctx)):
            steps[key] = Step(key, "skipped")
            ctx["steps"][key] = {"outputs": {}, "outcome": "skipped"}
            continue
        if "uses" in step:
            with_ = {k: interpolate(v, ctx) for k, v in (step.get("with") or {}).items()}
            steps[key] = Step(key, "would-run", with_=with_)
            ctx["steps"][key] = {"outputs": {}, "outcome": "success"}
            continue
        assert step.get("shell") == "bash", f"step {key}: the simulation runs bash steps only"
        if key == "install" and not real_install:
            steps[key] = Step(key, "success", outputs=_simulated_install())
            ctx["steps"][key] = {"outputs": steps[key].outputs, "outcome": "success"}
            continue
        step_env = dict(env)
        for name, value in (step.get("env") or {}).items():
            step_env[name] = interpolate(value, ctx)
        names = ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV", "GITHUB_PATH")
        files = {name: runner_temp / f"{key}.{name.lower()}" for name in names}
        for name, path in files.items():
            path.write_text("", encoding="utf-8")
            step_env[name] = str(path)
        script = runner_temp / f"{key}.sh"
        script.write_text(step["run"], encoding="utf-8")
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        outputs = _read_outputs(files["GITHUB_OUTPUT"])
        summary += files["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8")
        # The action keeps to its own files: it sets no job-wide variables or PATH entries.
        assert files["GITHUB_ENV"].read_text() == "" and files["GITHUB_PATH"].read_text() == "", key
        status = "success" if proc.returncode == 0 else "failure"
        steps[key] = Step(key, status, proc.returncode, outputs, proc.stdout, proc.stderr)
        ctx["steps"][key] = {"outputs": outputs, "outcome": status}
        failed = status == "failure"
    outputs = {name: interpolate(spec["value"], ctx) for name, spec in (action.get("outputs") or {}).items()}
    return Outcome(steps, outputs, summary, workspace)


# --- the simulated repository ----------------------------------------------------------------


def _git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, env=_base_env(), capture_output=True, text=True)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout.strip()


def _yaml() -> YAML:
    yaml = YAML()  # round trip: the head spec keeps the base spec's layout
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _dump(doc: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        _yaml().dump(doc, fh)


def breaking(doc: Any) -> None:
    del doc["paths"]["/pets/{petId}"]["delete"]  # DELETE /pets/{petId} removed


def additive(doc: Any) -> None:
    doc["paths"]["/pets"]["post"] = {
        "operationId": "createPet",
        "tags": ["pets"],
        "responses": {"201": {"description": "Created"}},
    }


@dataclass
class Repo:
    origin: Path
    workspace: Path
    base: str
    head: str


def make_repo(tmp: Path, change: Any, files: dict[str, Any] | None = None) -> Repo:
    """origin: the base commit on main, the head commit on a branch; the workspace: a
    depth-1 clone of the head, which lacks the base commit as a pull request checkout does.
    `change` edits the spec at SPEC; `files` maps further paths to a text (or None: delete)."""
    origin = tmp / "origin"
    origin.mkdir(parents=True)
    _git(origin, "init", "-q")
    _git(origin, "symbolic-ref", "HEAD", "refs/heads/main")
    _git(origin, "config", "uploadpack.allowAnySHA1InWant", "true")
    (origin / "api").mkdir()
    shutil.copyfile(BASE_SPEC, origin / SPEC)
    _git(origin, "add", "-A")
    _git(origin, "commit", "-q", "-m", "base")
    base = _git(origin, "rev-parse", "HEAD")
    _git(origin, "checkout", "-q", "-b", "feature")
    if change is not None:
        doc = _yaml().load((origin / SPEC).read_text(encoding="utf-8"))
        change(doc)
        _dump(doc, origin / SPEC)
    for rel, text in (files or {}).items():
        if text is None:
            (origin / rel).unlink()
        else:
            (origin / rel).parent.mkdir(parents=True, exist_ok=True)
            (origin / rel).write_text(text, encoding="utf-8")
    _git(origin, "add", "-A")
    _git(origin, "commit", "-q", "--allow-empty", "-m", "head")
    head = _git(origin, "rev-parse", "HEAD")
    workspace = tmp / "workspace"
    _git(tmp, "clone", "-q", "--depth=1", "--no-tags", "--branch", "feature", origin.as_uri(), str(workspace))
    return Repo(origin, workspace, base, head)


def pull_request(repo: Repo) -> dict[str, Any]:
    return {
        "action": "synchronize",
        "number": 7,
        "pull_request": {
            "number": 7,
            "base": {"ref": "main", "sha": repo.base},
            "head": {"ref": "feature", "sha": repo.head},
        },
    }


def run_pr(repo: Repo, tmp: Path, inputs: dict[str, str]) -> Outcome:
    return run_action(repo.workspace, tmp, inputs, "pull_request", pull_request(repo))


def check_pr(tmp: Path, change: Any, real_install: bool = False, **inputs: str) -> tuple[Repo, Outcome]:
    repo = make_repo(tmp, change)
    inputs.setdefault("specs", SPEC)
    outcome = run_action(repo.workspace, tmp, inputs, "pull_request", pull_request(repo), real_install=real_install)
    return repo, outcome


def _explain(outcome: Outcome) -> str:
    return "\n".join(f"--- {s.key}: {s.status} ({s.code})\n{s.stdout}{s.stderr}" for s in outcome.steps.values())


# --- the workflow runs -----------------------------------------------------------------------


def test_breaking_pull_request_fails_with_summary_sarif_and_outputs(tmp_path: Path) -> None:
    repo, outcome = check_pr(tmp_path, breaking)
    why = _explain(outcome)
    steps = outcome.steps
    # The shallow checkout lacked the base: the base step fetched it.
    assert "git fetch --no-tags --depth=1 origin" in steps["base"].stdout, why
    assert steps["base"].outputs["base"] == repo.base
    assert _git(repo.workspace, "cat-file", "-t", repo.base) == "commit"
    # apiguard ran and reported; the gate failed the job.
    assert steps["run"].status == "success", why
    assert outcome.failed is steps["gate"] and steps["gate"].code != 0, why
    assert "::error title=apiguard::findings at or above fail-on: error (" in steps["gate"].stdout
    assert int(outcome.outputs["breaking"]) >= 1
    assert outcome.outputs["semver"] == "major"
    assert int(outcome.outputs["warnings"]) >= 0
    # Annotations in the log, on the work-tree file.
    assert f"::error file={SPEC},line=" in steps["run"].stdout, why
    assert "operation-removed-without-deprecation" in steps["run"].stdout
    # The job summary names the breaking change.
    assert "## apiguard check" in outcome.summary
    assert "operation-removed-without-deprecation" in outcome.summary
    assert "DELETE /pets/{petId}" in outcome.summary
    assert "**This check fails** (fail on: error)" in outcome.summary
    # A SARIF file at the default path, with the breaking change among its results.
    sarif_path = repo.workspace / "apiguard.sarif"
    assert outcome.outputs["sarif"] == "apiguard.sarif"
    sarif = json.loads(sarif_path.read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert any(r["ruleId"] == "operation-removed-without-deprecation" and r["level"] == "error" for r in results)
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in results for loc in r.get("locations", [])}
    assert SPEC in uris
    if SARIF_SCHEMA.exists():
        import jsonschema

        errors = list(jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).iter_errors(sarif))
        assert not errors, errors[0].message
    # The JSON report is where the outputs came from.
    report = json.loads(Path(outcome.outputs["report"]).read_text(encoding="utf-8"))
    assert report["command"] == "check" and report["summary"]["exitCode"] == 1
    assert report["summary"]["counts"]["error"] == int(outcome.outputs["breaking"])
    # Nothing uploaded unless asked.
    assert steps["upload-sarif"].status == "skipped"


def test_additive_pull_request_passes(tmp_path: Path) -> None:
    _, outcome = check_pr(tmp_path, additive)
    why = _explain(outcome)
    assert outcome.failed is None, why
    assert outcome.outputs["breaking"] == "0"
    assert outcome.outputs["semver"] == "minor"
    assert "operation-added" in outcome.summary
    assert "**This check passes** (fail on: error)" in outcome.summary
    assert "nothing at or above fail-on: error (" in outcome.steps["gate"].stdout


def test_fail_on_never_passes_a_breaking_pull_request(tmp_path: Path) -> None:
    _, outcome = check_pr(tmp_path, breaking, **{"fail-on": "never"})
    assert outcome.failed is None, _explain(outcome)
    assert int(outcome.outputs["breaking"]) >= 1
    assert outcome.outputs["semver"] == "major"
    assert "(fail on: never)" in outcome.summary


def test_fail_on_warning_fails_on_lint_warnings(tmp_path: Path) -> None:
    # The additive change breaks nothing, but the spec lacks error responses (lint warnings).
    _, outcome = check_pr(tmp_path, additive, **{"fail-on": "warning"})
    assert outcome.failed is outcome.steps["gate"], _explain(outcome)
    assert outcome.outputs["breaking"] == "0" and int(outcome.outputs["warnings"]) >= 1


def test_lint_false_reports_only_the_changes(tmp_path: Path) -> None:
    _, outcome = check_pr(tmp_path, breaking, lint="false")
    report = json.loads(Path(outcome.outputs["report"]).read_text(encoding="utf-8"))
    assert report["command"] == "diff"
    rules = {f["rule"] for run in report["runs"] for f in run["findings"]}
    assert "operation-removed-without-deprecation" in rules
    assert not rules & {"error-responses-documented", "rate-limit-429-missing"}
    assert outcome.failed is outcome.steps["gate"]


def test_push_compares_with_the_previous_commit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, breaking)
    event = {"before": repo.base, "after": repo.head, "ref": "refs/heads/feature"}
    outcome = run_action(repo.workspace, tmp_path, {"specs": SPEC}, "push", event)
    assert outcome.steps["base"].outputs["base"] == repo.base, _explain(outcome)
    assert outcome.outputs["semver"] == "major"
    assert outcome.failed is outcome.steps["gate"]


def test_first_push_lints_only(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, breaking)
    event = {"before": "0" * 40, "after": repo.head, "ref": "refs/heads/feature", "created": True}
    outcome = run_action(repo.workspace, tmp_path, {"specs": SPEC}, "push", event)
    why = _explain(outcome)
    assert outcome.steps["base"].outputs["base"] == "", why
    assert "linted, not compared" in outcome.steps["base"].stdout
    report = json.loads(Path(outcome.outputs["report"]).read_text(encoding="utf-8"))
    assert report["command"] == "lint"
    assert outcome.outputs["semver"] == ""  # no base, no version bump
    assert outcome.failed is None, why  # the spec has lint warnings only


def test_explicit_base_input_wins_over_the_event(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, breaking)
    event = pull_request(repo)
    event["pull_request"]["base"]["sha"] = repo.head  # would compare the head with itself
    outcome = run_action(repo.workspace, tmp_path, {"specs": SPEC, "base": "main"}, "pull_request", event)
    assert outcome.steps["base"].outputs["base"] == repo.base, _explain(outcome)
    assert outcome.outputs["semver"] == "major"


def test_unfetchable_base_fails_with_a_clear_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, breaking)
    outcome = run_pr(repo, tmp_path, {"specs": SPEC, "base": "no-such-branch"})
    assert outcome.failed is outcome.steps["base"], _explain(outcome)
    assert "::error title=apiguard::cannot find the base revision no-such-branch" in outcome.steps["base"].stdout
    assert outcome.steps["run"].status == "skipped" and outcome.summary == ""


def test_bad_spec_fails_the_run_step_with_apiguard_message(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, None, files={SPEC: "openapi: 3.0.3\npaths: [unclosed\n"})
    outcome = run_pr(repo, tmp_path, {"specs": SPEC})
    run = outcome.steps["run"]
    assert outcome.failed is run and run.code == 2, _explain(outcome)
    assert f"{SPEC}:" in run.stderr and "error:" in run.stderr  # apiguard's located message, in the log
    assert "::error title=apiguard::apiguard check failed (exit status 2): " in run.stdout  # and as an annotation
    assert outcome.steps["gate"].status == "skipped"
    assert outcome.summary == "" and outcome.outputs["breaking"] == ""


def test_specs_that_match_nothing_fail(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, additive)
    for event_name, event in [("pull_request", pull_request(repo)), ("workflow_dispatch", {})]:
        outcome = run_action(repo.workspace, tmp_path, {"specs": "apis/*.yaml"}, event_name, event)
        run = outcome.steps["run"]
        assert outcome.failed is run, (event_name, _explain(outcome))
        assert "apis/*.yaml" in run.stdout + run.stderr and outcome.outputs["breaking"] == ""
        assert outcome.summary == ""


def test_invalid_inputs_are_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, additive)
    for inputs, message in [
        ({"specs": SPEC, "fail-on": "sometimes"}, "fail-on is 'sometimes'"),
        ({"specs": SPEC, "lint": "maybe"}, "lint is 'maybe'"),
        ({"specs": " \n "}, "the 'specs' input is empty"),
        ({"specs": SPEC, "sarif": "a.sarif\nfailed=false"}, "the 'sarif' input holds a control character"),
    ]:
        outcome = run_action(repo.workspace, tmp_path, inputs, "pull_request", pull_request(repo))
        assert outcome.failed is outcome.steps["run"], (inputs, _explain(outcome))
        assert message in outcome.steps["run"].stdout


def test_inputs_cannot_inject_shell_or_workflow_commands(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, additive)
    marker = tmp_path / "pwned"
    hostile = f'$(touch {marker}) `touch {marker}` ";touch {marker};"'
    outcome = run_pr(repo, tmp_path, {"specs": f"{SPEC}\n{hostile}"})
    assert not marker.exists()
    assert outcome.failed is outcome.steps["run"], _explain(outcome)  # the odd "paths" do not exist
    outcome = run_action(repo.workspace, tmp_path, {"specs": SPEC, "base": f"main;touch {marker}"}, "pull_request", {})
    assert not marker.exists()
    assert outcome.failed is outcome.steps["base"]
    # apiguard's messages quote what they were given: they reach the log with workflow
    # commands stopped, and the annotation made from them is escaped.
    outcome = run_pr(repo, tmp_path, {"specs": SPEC, "config": "x\n::warning::injected"})
    run = outcome.steps["run"]
    assert outcome.failed is run and run.code == 2, _explain(outcome)
    assert "\n::warning::injected" not in run.stdout
    stopped = re.fullmatch(r"::stop-commands::(\S+)\n(.*)\n::\1::\n", run.stderr, re.S)
    assert stopped and "::warning::injected" in stopped.group(2), run.stderr


def test_upload_step_runs_only_when_asked(tmp_path: Path) -> None:
    _, outcome = check_pr(tmp_path, additive, **{"upload-sarif": "true"})
    upload = outcome.steps["upload-sarif"]
    assert upload.status == "would-run", _explain(outcome)
    assert upload.with_["sarif_file"] == "apiguard.sarif"
    assert (outcome.workspace / upload.with_["sarif_file"]).is_file()


def test_sarif_input_moves_the_report(tmp_path: Path) -> None:
    _, outcome = check_pr(tmp_path, additive, sarif="reports/api/apiguard.sarif")
    assert outcome.failed is None, _explain(outcome)
    assert json.loads((outcome.workspace / "reports/api/apiguard.sarif").read_text())["version"] == "2.1.0"
    assert not (outcome.workspace / "apiguard.sarif").exists()


def test_several_specs_and_globs_in_one_report(tmp_path: Path) -> None:
    """Multi-spec base mode: each spec against its own base; a new spec is additive, a
    deleted one an error. Globs are passed to apiguard unexpanded."""
    other = BASE_SPEC.read_text(encoding="utf-8").replace("Reports demo", "Second API")
    repo = make_repo(tmp_path, additive, files={"api/admin/openapi.yaml": other})
    outcome = run_pr(repo, tmp_path, {"specs": "api/openapi.yaml\n  api/admin/*.yaml"})
    why = _explain(outcome)
    assert outcome.steps["run"].status == "success", why
    report = json.loads(Path(outcome.outputs["report"]).read_text(encoding="utf-8"))
    assert sorted(r["spec"] for r in report["runs"]) == ["api/admin/openapi.yaml", "api/openapi.yaml"]
    assert outcome.outputs["breaking"] == "0" and outcome.outputs["semver"] == "minor"


def test_a_deleted_spec_is_a_breaking_change(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, None, files={SPEC: None})
    outcome = run_pr(repo, tmp_path, {"specs": "api/*.yaml"})
    assert outcome.failed is outcome.steps["gate"], _explain(outcome)
    assert "spec-removed" in outcome.summary
    assert outcome.outputs["breaking"] == "1" and outcome.outputs["semver"] == "major"


def test_configuration_file_is_found_or_named(tmp_path: Path) -> None:
    # Found: .apiguard.yaml at the repository root sets fail-on, unless the input says otherwise.
    repo = make_repo(tmp_path / "found", breaking, files={".apiguard.yaml": "fail-on: never\n"})
    outcome = run_pr(repo, tmp_path / "found", {"specs": SPEC})
    assert outcome.failed is None, _explain(outcome)
    assert outcome.outputs["breaking"] == "1" and outcome.steps["run"].outputs["fail-on"] == "never"
    outcome = run_pr(repo, tmp_path / "found", {"specs": SPEC, "fail-on": "error"})
    assert outcome.failed is outcome.steps["gate"], _explain(outcome)
    # Named: the config input, a file apiguard would not find on its own.
    rules = "rules:\n  operation-removed-without-deprecation: warning\n"
    repo = make_repo(tmp_path / "named", breaking, files={"ci/apiguard.yaml": rules})
    outcome = run_pr(repo, tmp_path / "named", {"specs": SPEC, "config": "ci/apiguard.yaml"})
    assert outcome.failed is None, _explain(outcome)
    assert outcome.outputs["breaking"] == "0" and "--config ci/apiguard.yaml" in outcome.steps["run"].stdout


@pytest.mark.skipif(
    not os.environ.get("APIGUARD_TEST_ACTION_INSTALL"),
    reason="set APIGUARD_TEST_ACTION_INSTALL=1 to run the install step for real (package index, ~20 s)",
)
def test_install_step_for_real(tmp_path: Path) -> None:
    _, outcome = check_pr(tmp_path, breaking, real_install=True)
    install = outcome.steps["install"]
    assert install.status == "success", _explain(outcome)
    assert Path(install.outputs["apiguard"]).is_file()
    assert str(tmp_path) in install.outputs["apiguard"]  # its own virtual environment in RUNNER_TEMP
    assert f"apiguard {apiguard.__version__}" in install.stdout
    assert outcome.outputs["semver"] == "major" and outcome.failed is outcome.steps["gate"]


# --- action.yml itself -----------------------------------------------------------------------


def test_no_expression_inside_any_run_script() -> None:
    for step in load_action()["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], f"step {step.get('id')}: pass values through env:, not ${{{{ }}}} in the script"


def test_every_input_reaches_a_step_through_env() -> None:
    action = load_action()
    env_text = "\n".join(str(v) for step in action["runs"]["steps"] for v in (step.get("env") or {}).values())
    for name in action["inputs"]:
        assert f"inputs.{name} }}}}" in env_text, f"input {name} is not passed to any step's env:"


def test_steps_are_bash_or_the_one_upload() -> None:
    steps = load_action()["runs"]["steps"]
    assert load_action()["runs"]["using"] == "composite"
    uses = [s for s in steps if "uses" in s]
    assert [s["uses"] for s in uses] == ["github/codeql-action/upload-sarif@v3"]
    assert "upload" in uses[0]["if"]  # conditional: nothing is uploaded by default
    assert all(s.get("shell") == "bash" for s in steps if "uses" not in s)
    install = next(s for s in steps if s.get("id") == "install")
    assert 'pip install --quiet --disable-pip-version-check "$GITHUB_ACTION_PATH"' in install["run"]


def test_inputs_and_outputs_are_documented() -> None:
    action = load_action()
    doc = (ROOT / "docs" / "github-action.md").read_text(encoding="utf-8")
    for kind in ("inputs", "outputs"):
        for name, spec in action[kind].items():
            assert spec.get("description"), f"{kind} {name} has no description"
            assert f"`{name}`" in doc, f"docs/github-action.md does not explain {kind[:-1]} {name}"
