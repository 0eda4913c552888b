"""The hooks in `.pre-commit-hooks.yaml`, run by the real pre-commit tool in temporary git
repositories, the way a user meets them: changes are staged and `git commit` runs the hooks.

How the hooks get installed, and why it is done this way:

- pre-commit installs a hook repository by cloning it at a commit. The checkout under test may
  hold uncommitted work (new files included), and may not be a git repository at all (an
  sdist), so `apiguard_repo` copies its files (what git would not ignore) into a fresh repository
  and commits them once: the hooks always come from the code under test.
- A module-scoped `PRE_COMMIT_HOME` keeps pre-commit's store, so the hook environment (a
  virtualenv with apiguard and its dependencies installed from the package index) is built once,
  in the `store` fixture, and every `git commit` below reuses it.
- `pre-commit try-repo` is the command the hooks' users are told to try first; it always works in
  a throwaway store of its own (it ignores PRE_COMMIT_HOME), so every call builds the environment
  anew (about ten seconds with a warm pip cache). It is used for the breaking-versus-additive
  pair only, two calls; everything else goes through a `.pre-commit-config.yaml` and `git commit`.

Without git or pre-commit the tests skip, except in CI (`CI` set), where they fail.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
EXAMPLES = ROOT / "examples"
INVALID_SPEC = ROOT / "fixtures" / "spec-invalid" / "fires-undeclared-path-parameter" / "spec.yaml"

LINT = "apiguard-lint"
BREAKING = "apiguard-breaking"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
STATUS = re.compile(r"^(?P<name>\S.*?)\.{2,}(?:\((?P<why>[^)]*)\))?(?P<status>Passed|Failed|Skipped)$")
# Variables that would change what git, pre-commit or apiguard print, or which repository git
# works on (set when the tests themselves run inside a git hook).
SCRUB = ("FORCE_COLOR", "CLICOLOR_FORCE", "PY_COLORS", "NO_COLOR", "PRE_COMMIT_COLOR", "SKIP", "PRE_COMMIT_HOME")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require(ok: bool, reason: str) -> None:
    """Skip when a tool is missing on a developer's machine; in CI a missing tool is a failure."""
    if ok:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI is set: the pre-commit hook tests must run there)", pytrace=False)
    pytest.skip(reason)


def load_manifest() -> list[dict]:
    return YAML(typ="safe").load(MANIFEST.read_text(encoding="utf-8"))


def hook(hook_id: str) -> dict:
    (found,) = [h for h in load_manifest() if h["id"] == hook_id]
    return found


def plain(text: str) -> str:
    return ANSI.sub("", text)


# The manifest on its own ------------------------------------------------------------------

SPEC_NAMES = [
    "openapi.yaml",
    "openapi.yml",
    "openapi.json",
    "swagger.yaml",
    "swagger.yml",
    "swagger.json",
    "api/openapi.yaml",
    "services/pets/v2/openapi.json",
    "specs/petstore.openapi.yaml",
    "billing.v1.swagger.json",
    "a/b/orders.openapi.yml",
]
OTHER_NAMES = [
    "openapi.yaml.bak",
    "openapi.txt",
    "docs/openapi.md",
    "myopenapi.yaml",
    "openapi-generator-config.yaml",
    "openapitools.json",
    ".openapi-generator/VERSION",
    "package.json",
    "docker-compose.yml",
    "specs/api.yaml",
    "openapi.yaml/README.md",
]


@pytest.mark.parametrize("name", SPEC_NAMES + OTHER_NAMES)
def test_lint_files_pattern(name: str) -> None:
    # pre-commit matches `files` with re.search against the path from the repository root.
    assert bool(re.search(hook(LINT)["files"], name)) == (name in SPEC_NAMES)


@pytest.mark.parametrize("name", SPEC_NAMES + OTHER_NAMES)
def test_breaking_globs_cover_the_same_names_as_lint(name: str) -> None:
    globs = hook(BREAKING)["args"]
    assert all(g.startswith("**/") and "/" not in g[3:] for g in globs), globs
    base = name.rsplit("/", 1)[-1]
    assert any(fnmatch.fnmatchcase(base, g[3:]) for g in globs) == (name in SPEC_NAMES)


def test_manifest_shape() -> None:
    require(importlib.util.find_spec("pre_commit") is not None, "pre-commit is not installed (pip install -e '.[test]')")
    from pre_commit.clientlib import load_manifest as pre_commit_load_manifest

    hooks = {h["id"]: h for h in pre_commit_load_manifest(str(MANIFEST))}  # pre-commit's own validation
    assert set(hooks) == {LINT, BREAKING}
    assert all(h["language"] == "python" for h in hooks.values())
    assert hooks[LINT]["entry"] == "apiguard lint" and hooks[LINT]["pass_filenames"] is True
    assert hooks[BREAKING]["entry"] == "apiguard diff --base HEAD"
    assert hooks[BREAKING]["pass_filenames"] is False and hooks[BREAKING]["always_run"] is True
    assert hooks[BREAKING]["stages"] == ["pre-commit"]


def doc_with_hooks() -> Path:
    """Where the hooks are documented for users: docs/pre-commit.md, or the README once it is there."""
    for doc in (ROOT / "docs" / "pre-commit.md", ROOT / "README.md"):
        if doc.is_file() and f"id: {BREAKING}" in doc.read_text(encoding="utf-8"):
            return doc
    pytest.fail("no document shows a .pre-commit-config.yaml using the hooks")


def test_documented_configs_are_valid(tmp_path: Path) -> None:
    require(importlib.util.find_spec("pre_commit") is not None, "pre-commit is not installed (pip install -e '.[test]')")
    text = doc_with_hooks().read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "id: apiguard-" in b]
    assert blocks
    head = "repos:\n  - repo: https://github.com/apiguard/apiguard\n    rev: v0.1.0\n    hooks:\n"
    ids: set[str] = set()
    for i, block in enumerate(blocks):
        config = block if block.startswith("repos:") else head + block
        parsed = YAML(typ="safe").load(config)
        ids |= {h["id"] for r in parsed["repos"] for h in r["hooks"]}
        path = tmp_path / f"config-{i}.yaml"
        path.write_text(config, encoding="utf-8")
        proc = subprocess.run([sys.executable, "-m", "pre_commit", "validate-config", str(path)], capture_output=True, text=True)
        assert proc.returncode == 0, f"{config}\n{proc.stdout}{proc.stderr}"
    assert ids == {LINT, BREAKING}


# Running the hooks ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tools() -> None:
    require(shutil.which("git") is not None, "git is not installed")
    require(importlib.util.find_spec("pre_commit") is not None, "pre-commit is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def env(tools: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment every git and pre-commit call gets: no colour however CI is set up, no
    user or system git configuration (signing, hooksPath, templates), and one pre-commit store."""
    home = tmp_path_factory.mktemp("pre-commit-home")
    gitconfig = home / "gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = apiguard tests\n\temail = tests@apiguard.invalid\n"
        "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n",
        encoding="utf-8",
    )
    clean = {k: v for k, v in os.environ.items() if k not in SCRUB and not k.startswith("GIT_")}
    clean.update(
        NO_COLOR="1",
        PRE_COMMIT_COLOR="never",
        TERM="dumb",
        PRE_COMMIT_HOME=str(home / "store"),
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
    )
    return clean


def git(cwd: Path, env: dict[str, str], *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, f"git {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}"
    return proc.stdout


def pre_commit(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # The interpreter running the tests has pre-commit (the [test] extra); calling it through
    # `python -m` does not depend on PATH.
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )


def _checkout_files() -> list[str]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, capture_output=True, check=True,
            env={k: v for k, v in os.environ.items() if not k.startswith("GIT_")},  # this checkout, not a hook's repo
        ).stdout.decode("utf-8")
    except (OSError, subprocess.CalledProcessError):
        return []
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def apiguard_repo(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A one-commit git repository holding the checkout as it is on disk, and that commit."""
    repo = tmp_path_factory.mktemp("apiguard-hooks-repo")
    files = _checkout_files()
    if files:
        for name in files:
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / name, repo / name)
    else:  # not a git checkout: copy the tree without caches and environments
        junk = shutil.ignore_patterns(
            ".git", ".venv", "venv", "node_modules", "__pycache__", "*.pyc", ".hypothesis", ".pytest_cache", "build", "dist", "*.egg-info"
        )
        shutil.copytree(ROOT, repo, ignore=junk, dirs_exist_ok=True)
    assert (repo / ".pre-commit-hooks.yaml").is_file()
    git(repo, env, "init", "-q")
    git(repo, env, "add", "-A")
    git(repo, env, "commit", "-q", "--no-verify", "-m", "apiguard under test")
    return repo, git(repo, env, "rev-parse", "HEAD").strip()


def config_text(apiguard_repo: tuple[Path, str], lint: str = "", breaking: str = "") -> str:
    """A user's .pre-commit-config.yaml using both hooks; `lint`/`breaking` add hook options."""
    path, rev = apiguard_repo
    return (
        "repos:\n"
        f"  - repo: {path.as_posix()}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        f"      - id: {LINT}\n{lint}"
        f"      - id: {BREAKING}\n{breaking}"
    )


@pytest.fixture(scope="module")
def store(env: dict[str, str], apiguard_repo: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> None:
    """Build the hook environment once, up front, so a failure to build it reads as such."""
    scratch = tmp_path_factory.mktemp("warm-up")
    git(scratch, env, "init", "-q")
    (scratch / ".pre-commit-config.yaml").write_text(config_text(apiguard_repo), encoding="utf-8")
    proc = pre_commit(scratch, env, "install-hooks")
    assert proc.returncode == 0, f"building the hook environment failed:\n{proc.stdout}{proc.stderr}"


class Project:
    """A user's repository: one commit with openapi.yaml (the v1 petstore) and a
    .pre-commit-config.yaml, and pre-commit installed as its git pre-commit hook."""

    def __init__(self, path: Path, env: dict[str, str]) -> None:
        self.path = path
        self.env = env

    def write(self, name: str, text: str) -> None:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def git(self, *args: str) -> str:
        return git(self.path, self.env, *args)

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def commit(self, message: str = "change") -> tuple[bool, str]:
        """`git commit` with whatever is staged: whether a commit was made, and what the hooks printed."""
        before = self.head()
        proc = subprocess.run(
            ["git", "commit", "-m", message], cwd=self.path, env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL,
        )
        made = self.head() != before
        assert made == (proc.returncode == 0), proc.stdout
        return made, plain(proc.stdout)


def results(output: str) -> dict[str, tuple[str, str]]:
    """pre-commit's report split per hook: name -> (status, what the hook printed)."""
    found: dict[str, tuple[str, str]] = {}
    name = None
    for line in plain(output).splitlines():
        match = STATUS.match(line)
        if match:
            name = match["name"]
            found[name] = (match["status"], "")
        elif name is not None:
            status, text = found[name]
            found[name] = (status, text + line + "\n")
    return found


def lint_result(output: str) -> tuple[str, str]:
    return results(output)[hook(LINT)["name"]]


def breaking_result(output: str) -> tuple[str, str]:
    return results(output)[hook(BREAKING)["name"]]


V1 = (EXAMPLES / "petstore-v1.yaml").read_text(encoding="utf-8")
V2 = (EXAMPLES / "petstore-v2.yaml").read_text(encoding="utf-8")  # removes DELETE /pets/{petId}: breaking


def additive(spec: str) -> str:
    """The spec with one more operation: a minor, non-breaking change."""
    added = spec.replace(
        "components:\n",
        "  /toys:\n    get:\n      operationId: listToys\n      responses:\n"
        '        "200":\n          description: The toys\ncomponents:\n',
        1,
    )
    assert added != spec
    return added


def new_project(root: Path, env: dict[str, str], config: str) -> Project:
    project = Project(root / "project", env)
    project.path.mkdir()
    project.git("init", "-q")
    project.write(".pre-commit-config.yaml", config)
    project.write("openapi.yaml", V1)
    project.write("README.md", "A service.\n")
    project.git("add", "-A")
    project.git("commit", "-q", "--no-verify", "-m", "v1")
    proc = pre_commit(project.path, env, "install")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return project


@pytest.fixture
def project(tmp_path: Path, env: dict[str, str], apiguard_repo: tuple[Path, str], store: None) -> Project:
    return new_project(tmp_path, env, config_text(apiguard_repo))


def test_breaking_change_fails_the_commit_and_shows_the_finding(project: Project) -> None:
    project.write("openapi.yaml", V2)
    project.git("add", "openapi.yaml")
    made, out = project.commit()
    assert not made, out
    status, text = breaking_result(out)
    assert status == "Failed", out
    assert "operation-removed-without-deprecation" in text
    assert "DELETE /pets/{petId}" in text
    assert "openapi.yaml:34:3" in text
    assert "Required version bump: major" in text
    assert lint_result(out)[0] == "Passed", out  # v2 has warnings only


def test_additive_change_passes(project: Project) -> None:
    project.write("openapi.yaml", additive(V1))
    project.git("add", "openapi.yaml")
    made, out = project.commit()
    assert made, out
    assert breaking_result(out)[0] == "Passed", out
    assert lint_result(out)[0] == "Passed", out


def test_new_spec_passes(project: Project) -> None:
    project.write("services/orders/openapi.yaml", V2)
    project.git("add", "-A")
    made, out = project.commit()
    assert made, out
    assert breaking_result(out)[0] == "Passed", out


def test_deleted_spec_fails_as_spec_removed(project: Project) -> None:
    project.git("rm", "-q", "openapi.yaml")
    made, out = project.commit()
    assert not made, out
    status, text = breaking_result(out)
    assert status == "Failed", out
    assert "spec-removed" in text and "openapi.yaml" in text
    assert lint_result(out)[0] == "Skipped", out  # a deleted file is never handed to a hook


def test_nested_spec_with_compound_extension_is_compared_and_a_deletion_beside_it_reported(
    tmp_path: Path, env: dict[str, str], apiguard_repo: tuple[Path, str], store: None
) -> None:
    project = new_project(tmp_path, env, config_text(apiguard_repo))
    project.write("services/pets/pets.openapi.yaml", V1)
    project.write("services/users/swagger.json", '{"swagger": "2.0", "info": {"title": "U", "version": "1"}, "paths": {}}\n')
    project.git("add", "-A")
    made, out = project.commit("more specs")
    assert made, out
    project.write("services/pets/pets.openapi.yaml", V2)
    project.git("add", "-A")
    project.git("rm", "-q", "services/users/swagger.json")
    made, out = project.commit()
    assert not made, out
    text = breaking_result(out)[1]
    assert "operation-removed-without-deprecation" in text and "services/pets/pets.openapi.yaml" in text
    assert "spec-removed" in text and "services/users/swagger.json" in text


def test_only_the_staged_version_is_judged(project: Project) -> None:
    # pre-commit stashes unstaged changes while the hooks run: a breaking edit that is not staged
    # does not block a commit of an additive one, and is back in the work tree afterwards.
    project.write("openapi.yaml", additive(V1))
    project.git("add", "openapi.yaml")
    project.write("openapi.yaml", V2)
    made, out = project.commit()
    assert made, out
    assert breaking_result(out)[0] == "Passed", out
    assert (project.path / "openapi.yaml").read_text(encoding="utf-8") == V2
    # ...and the other way round: a staged breaking change fails even if the work tree undoes it.
    project.git("add", "openapi.yaml")
    project.write("openapi.yaml", additive(V1))
    made, out = project.commit()
    assert not made, out
    assert "operation-removed-without-deprecation" in breaking_result(out)[1]


def test_commit_without_spec_changes_passes(project: Project) -> None:
    project.write("README.md", "A service, documented.\n")
    project.git("add", "README.md")
    made, out = project.commit()
    assert made, out
    assert breaking_result(out)[0] == "Passed", out  # always_run: it runs, and finds nothing
    assert lint_result(out)[0] == "Skipped", out


def test_lint_fails_on_an_error_finding(project: Project) -> None:
    project.write("api/openapi.yaml", INVALID_SPEC.read_text(encoding="utf-8"))
    project.git("add", "-A")
    made, out = project.commit()
    assert not made, out
    status, text = lint_result(out)
    assert status == "Failed", out
    assert "spec-invalid" in text and "api/openapi.yaml:5:5" in text
    assert "error" in text


def test_lint_passes_on_a_spec_with_warnings_only(project: Project) -> None:
    project.write("api/petstore.openapi.yaml", V2)
    project.git("add", "-A")
    made, out = project.commit()
    assert made, out
    status, text = lint_result(out)
    assert status == "Passed", out


def test_lint_ignores_files_that_are_not_specs(project: Project) -> None:
    project.write("config.yaml", "paths: not an openapi document\n")
    project.git("add", "config.yaml")
    made, out = project.commit()
    assert made, out
    assert lint_result(out)[0] == "Skipped", out


def test_files_and_args_can_be_overridden(
    tmp_path: Path, env: dict[str, str], apiguard_repo: tuple[Path, str], store: None
) -> None:
    # Specs named contract-*.yaml under contracts/: the user points both hooks at them.
    config = config_text(
        apiguard_repo,
        lint="        files: ^contracts/contract-[^/]*\\.yaml$\n        args: [--option, rate-limits.style=legacy]\n",
        breaking="        args: ['contracts/contract-*.yaml', --fail-on, warning]\n",
    )
    project = new_project(tmp_path, env, config)
    project.write("contracts/contract-pets.yaml", V1)
    project.git("add", "-A")
    made, out = project.commit("contracts")
    assert made, out
    assert lint_result(out)[0] == "Passed", out  # linted: matched the user's files pattern

    project.write("contracts/contract-pets.yaml", V2)
    project.write("openapi.yaml", V2)  # a default name, no longer watched by either hook
    project.git("add", "-A")
    made, out = project.commit()
    assert not made, out
    text = breaking_result(out)[1]
    assert "contracts/contract-pets.yaml" in text and "operation-removed-without-deprecation" in text
    assert "openapi.yaml" not in text


@pytest.mark.parametrize(
    "change,passes",
    [pytest.param(lambda: V2, False, id="breaking-fails"), pytest.param(lambda: additive(V1), True, id="additive-passes")],
)
def test_try_repo(tmp_path: Path, env: dict[str, str], apiguard_repo: tuple[Path, str], change, passes: bool) -> None:
    """`pre-commit try-repo REPO` runs every hook of the manifest on what is staged."""
    project = Project(tmp_path / "project", env)
    project.path.mkdir()
    project.git("init", "-q")
    project.write("openapi.yaml", V1)
    project.git("add", "-A")
    project.git("commit", "-q", "-m", "v1")
    project.write("openapi.yaml", change())
    project.git("add", "openapi.yaml")
    path, rev = apiguard_repo
    proc = pre_commit(project.path, env, "try-repo", str(path), "--ref", rev, "--color", "never")
    out = plain(proc.stdout + proc.stderr)
    assert (proc.returncode == 0) == passes, out
    assert lint_result(out)[0] == "Passed", out
    status, text = breaking_result(out)
    if passes:
        assert status == "Passed", out
    else:
        assert status == "Failed", out
        assert "operation-removed-without-deprecation" in text and "DELETE /pets/{petId}" in text
