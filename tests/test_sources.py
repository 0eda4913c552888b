"""Tests for where specs come from: git revisions (read without touching the work tree),
standard input and URLs (refused unless --allow-remote), and the usage errors around them."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from apiguard.errors import InputError, UsageError
from apiguard.loader import LoadOptions, load_spec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"
MULTI = FIXTURES / "multi"
SPECS = Path(__file__).resolve().parents[2] / "shared" / "specs"
DO_PREV = SPECS / "digitalocean" / "prev-8c740d3" / "specification"
DO_NEW = SPECS / "digitalocean" / "new-7c1300c" / "specification"
DO_ROOT = "DigitalOcean-public.v2.yaml"
DO_ROOT_PATH = "specification/" + DO_ROOT
DISK_INFO = "resources/sizes/models/disk_info.yml"
# The path item removed from the root file in the work tree (not committed), and the resources
# file only it references, deleted from the work tree.
DO_REMOVED_ITEM = '  /v2/1-clicks/kubernetes:\n    post:\n      $ref: "resources/1-clicks/oneClicks_install_kubernetes.yml"\n\n'
DO_REMOVED_FILE = "resources/1-clicks/oneClicks_install_kubernetes.yml"
DO_REMOVED_OP = "POST /v2/1-clicks/kubernetes"

GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="the `git` executable is not installed")
needs_do_specs = pytest.mark.skipif(
    not ((DO_PREV / DO_ROOT).is_file() and (DO_NEW / DO_ROOT).is_file()),
    reason=f"the shared DigitalOcean specs are not available (expected {DO_PREV} and {DO_NEW})",
)

REMOVED_RULE = "operation-removed-without-deprecation"
URL = "https://example.com/openapi.yaml"

SMALL_SPEC = b"""\
openapi: 3.0.3
info:
  title: Piped
  version: 1.0.0
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        "200":
          description: A list of pets
  /pets/{petId}:
    delete:
      operationId: deletePet
      parameters:
        - name: petId
          in: path
          required: true
          schema:
            type: string
      responses:
        "204":
          description: Deleted
"""


# -- helpers -----------------------------------------------------------------------------------


def _env() -> dict[str, str]:
    """The environment for subprocesses: no inherited GIT_* variables, no colour."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["NO_COLOR"] = "1"
    env.pop("FORCE_COLOR", None)
    return env


def run_cli(*args: str, cwd: Path, input: bytes = b"") -> SimpleNamespace:
    """Run `python -m apiguard ARGS` in `cwd`; stdin is `input` (never the terminal)."""
    proc = subprocess.run(
        [sys.executable, "-m", "apiguard", *args],
        cwd=cwd,
        input=input,
        capture_output=True,
        env=_env(),
        timeout=120,
    )
    return SimpleNamespace(
        code=proc.returncode,
        out=proc.stdout.decode("utf-8", "replace"),
        err=proc.stderr.decode("utf-8", "replace"),
    )


def report_of(result: SimpleNamespace) -> dict[str, Any]:
    assert result.out.strip(), f"no report on stdout; stderr:\n{result.err}"
    return json.loads(result.out)


def init_repo(path: Path) -> Any:
    import git

    repo = git.Repo.init(path)
    with repo.config_writer() as cw:
        cw.set_value("user", "name", "apiguard tests")
        cw.set_value("user", "email", "tests@apiguard.invalid")
        cw.set_value("core", "autocrlf", "false")
        cw.set_value("commit", "gpgsign", "false")
    return repo


def commit_all(repo: Any, message: str) -> Any:
    from git import Actor

    repo.git.add("--all")
    actor = Actor("apiguard tests", "tests@apiguard.invalid")
    return repo.index.commit(message, author=actor, committer=actor)


def git_status(repo_dir: Path) -> str:
    assert GIT is not None
    return subprocess.run(
        [GIT, "status", "--porcelain", "--untracked-files=all"],
        cwd=repo_dir,
        capture_output=True,
        text=True,
        check=True,
        env=_env(),
    ).stdout


def work_tree_state(repo_dir: Path) -> dict[str, tuple[int, int]]:
    """Every file of the work tree (outside .git) with its mtime and size."""
    state: dict[str, tuple[int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(repo_dir):
        if Path(dirpath) == repo_dir and ".git" in dirnames:
            dirnames.remove(".git")
        for name in filenames:
            path = Path(dirpath, name)
            st = path.stat()
            state[path.relative_to(repo_dir).as_posix()] = (st.st_mtime_ns, st.st_size)
    return state


class WorkTreeGuard:
    """Records `git status --porcelain` and every file's mtime, to check nothing changed."""

    def __init__(self, repo_dir: Path) -> None:
        self.repo_dir = repo_dir
        self.status = git_status(repo_dir)
        self.files = work_tree_state(repo_dir)

    def assert_unchanged(self) -> None:
        assert git_status(self.repo_dir) == self.status
        after = work_tree_state(self.repo_dir)
        assert sorted(after) == sorted(self.files), "files appeared in or vanished from the work tree"
        changed = [path for path in self.files if after[path] != self.files[path]]
        assert not changed, f"work-tree files were touched: {changed[:10]}"


def removals(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for run in report["runs"] for f in run["findings"] if f["rule"] == REMOVED_RULE]


# -- 1. git revisions of a real multi-file spec (DigitalOcean, ~2,900 files) --------------------


@pytest.fixture(scope="module")
def do_repo(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """Commit A = prev-8c740d3, commit B = new-7c1300c (only disk_info.yml differs), then a
    work tree with one path item removed from the root and its resources file deleted."""
    repo_dir = tmp_path_factory.mktemp("do-repo")
    repo = init_repo(repo_dir)
    spec_dir = repo_dir / "specification"
    shutil.copytree(DO_PREV, spec_dir)
    commit_all(repo, "A: digitalocean prev-8c740d3")
    shutil.rmtree(spec_dir)
    shutil.copytree(DO_NEW, spec_dir)
    commit_all(repo, "B: digitalocean new-7c1300c")
    assert [c.summary for c in repo.iter_commits("HEAD")] == ["B: digitalocean new-7c1300c", "A: digitalocean prev-8c740d3"]
    changed = repo.git.diff("--name-only", "HEAD~1", "HEAD").splitlines()
    assert changed == ["specification/" + DISK_INFO], changed
    repo.close()

    root = spec_dir / DO_ROOT
    text = root.read_text(encoding="utf-8")
    assert text.count(DO_REMOVED_ITEM) == 1
    root.write_text(text.replace(DO_REMOVED_ITEM, ""), encoding="utf-8")
    (spec_dir / DO_REMOVED_FILE).unlink()
    status = git_status(repo_dir).splitlines()
    assert sorted(status) == sorted([f" M {DO_ROOT_PATH}", f" D specification/{DO_REMOVED_FILE}"]), status
    return SimpleNamespace(dir=repo_dir, spec_dir=spec_dir)


@needs_git
@needs_do_specs
def test_git_revision_reads_the_commit_not_the_work_tree(do_repo: SimpleNamespace) -> None:
    guard = WorkTreeGuard(do_repo.dir)
    spec = load_spec(f"HEAD~1:{DO_ROOT_PATH}", LoadOptions(cwd=do_repo.dir))

    assert len(spec.operations) == 659
    assert spec.name == f"HEAD~1:{DO_ROOT_PATH}"
    for key, doc in spec.documents.items():
        assert doc.name == f"HEAD~1:specification/{key}"
    # The path item and the file deleted from the work tree are read from the commit.
    assert "post /v2/1-clicks/kubernetes" in spec.operations
    assert DO_REMOVED_FILE in spec.documents

    # disk_info.yml is commit A's, not commit B's (which is also the work tree's).
    disk_info = spec.documents[DISK_INFO]
    assert disk_info.name == f"HEAD~1:specification/{DISK_INFO}"
    prev_bytes = (DO_PREV / DISK_INFO).read_bytes()
    assert disk_info.text.encode("latin-1") == prev_bytes  # the text is a byte view
    assert prev_bytes != (do_repo.spec_dir / DISK_INFO).read_bytes()
    assert "remote" in disk_info.data["properties"]["type"]["enum"]

    guard.assert_unchanged()


@needs_git
@needs_do_specs
def test_git_revision_dot_path_is_relative_to_the_current_folder(do_repo: SimpleNamespace) -> None:
    guard = WorkTreeGuard(do_repo.dir)
    spec = load_spec(f"HEAD~1:./{DO_ROOT}", LoadOptions(cwd=do_repo.spec_dir, validate="off"))

    assert len(spec.operations) == 659
    assert spec.name == f"HEAD~1:{DO_ROOT_PATH}"
    assert spec.documents[DISK_INFO].name == f"HEAD~1:specification/{DISK_INFO}"
    assert spec.documents[DISK_INFO].text.encode("latin-1") == (DO_PREV / DISK_INFO).read_bytes()

    # Without "./", REV:path is relative to the repository root, as in `git show`.
    with pytest.raises(InputError) as err:
        load_spec(f"HEAD~1:{DO_ROOT}", LoadOptions(cwd=do_repo.spec_dir))
    assert f"HEAD~1:{DO_ROOT}" in err.value.render()

    guard.assert_unchanged()


@needs_git
@needs_do_specs
def test_diff_base_compares_the_revision_with_the_work_tree(do_repo: SimpleNamespace) -> None:
    guard = WorkTreeGuard(do_repo.dir)
    result = run_cli("diff", "--base", "HEAD", DO_ROOT_PATH, "--format", "json", cwd=do_repo.dir)

    assert result.code == 1, result.err
    report = report_of(result)
    assert [report["runs"][0]["base"], report["runs"][0]["spec"]] == [f"HEAD:{DO_ROOT_PATH}", DO_ROOT_PATH]
    removed = removals(report)
    assert [f["operations"] for f in removed] == [[DO_REMOVED_OP]], removed
    assert removed[0]["level"] == "error"
    assert removed[0]["oldLocation"]["file"].startswith("HEAD:specification/")
    assert DO_REMOVED_OP in removed[0]["message"]

    guard.assert_unchanged()


# -- 2. a small multi-file spec read from git revisions ----------------------------------------


def _multi_repo(tmp_path: Path) -> tuple[Any, Path]:
    repo = init_repo(tmp_path)
    api = tmp_path / "api"
    shutil.copytree(MULTI, api)
    commit_all(repo, "v1")
    return repo, api


@needs_git
def test_refs_resolve_inside_the_same_revision(tmp_path: Path) -> None:
    repo, api = _multi_repo(tmp_path)
    # v2: the shared Id schema gains a format, and GET /pets/{petId} is removed.
    common = api / "schemas" / "common.yaml"
    common.write_text(
        common.read_text(encoding="utf-8").replace("  type: string\n", "  type: string\n  format: uuid\n", 1),
        encoding="utf-8",
    )
    root = api / "openapi.yaml"
    root.write_text(root.read_text(encoding="utf-8").split("  /pets/{petId}:\n")[0], encoding="utf-8")
    commit_all(repo, "v2")
    repo.close()

    # Break the work tree: the referenced files are changed or gone.
    common.unlink()
    (api / "schemas" / "pet.yaml").write_text("Pet:\n  $ref: 'missing.yaml#/Nope'\n", encoding="utf-8")
    root.write_text("not: an openapi document\n", encoding="utf-8")
    with pytest.raises(InputError):
        load_spec("api/openapi.yaml", LoadOptions(cwd=tmp_path))
    guard = WorkTreeGuard(tmp_path)

    old = load_spec("HEAD~1:api/openapi.yaml", LoadOptions(cwd=tmp_path))
    new = load_spec("HEAD:api/openapi.yaml", LoadOptions(cwd=tmp_path))

    assert set(old.documents) == {"openapi.yaml", "schemas/pet.yaml", "schemas/common.yaml"}
    assert set(new.documents) == {"openapi.yaml", "schemas/pet.yaml", "schemas/common.yaml"}
    for name in ("openapi.yaml", "schemas/pet.yaml", "schemas/common.yaml"):
        assert old.documents[name].text == (MULTI / name).read_text(encoding="utf-8")
        assert old.documents[name].name == f"HEAD~1:api/{name}"
        assert new.documents[name].name == f"HEAD:api/{name}"
    assert sorted(old.operations) == ["get /pets", "get /pets/{}"]
    assert sorted(new.operations) == ["get /pets"]

    # Following the refs root -> pet.yaml -> common.yaml lands in each revision's own files.
    for spec, expected in ((old, {"type": "string", "description": "Identifier of a pet."}),
                           (new, {"type": "string", "format": "uuid", "description": "Identifier of a pet."})):
        op = spec.operations["get /pets"]
        items = spec.child(op.node, "responses", "200", "content", "application/json", "schema", "items")
        assert items is not None and items.where.doc == "schemas/pet.yaml"
        pet_id = spec.child(items, "properties", "id")
        assert pet_id is not None
        assert pet_id.where.doc == "schemas/common.yaml"
        assert pet_id.where.pointer == "/Id"
        assert pet_id.value == expected
        assert spec.locate(pet_id.where).file == spec.documents["schemas/common.yaml"].name

    # The same through the command line: two revisions, nothing read from the work tree.
    result = run_cli("diff", "HEAD~1:api/openapi.yaml", "HEAD:api/openapi.yaml", "--format", "json", cwd=tmp_path)
    assert result.code == 1, result.err
    report = report_of(result)
    assert [report["runs"][0]["base"], report["runs"][0]["spec"]] == ["HEAD~1:api/openapi.yaml", "HEAD:api/openapi.yaml"]
    assert [f["operations"] for f in removals(report)] == [["GET /pets/{petId}"]]

    guard.assert_unchanged()


@needs_git
def test_diff_base_from_a_subfolder(tmp_path: Path) -> None:
    _, api = _multi_repo(tmp_path)
    root = api / "openapi.yaml"
    root.write_text(root.read_text(encoding="utf-8").split("  /pets/{petId}:\n")[0], encoding="utf-8")
    guard = WorkTreeGuard(tmp_path)

    result = run_cli("diff", "--base", "HEAD", "openapi.yaml", "--format", "json", cwd=api)
    assert result.code == 1, result.err
    report = report_of(result)
    assert [report["runs"][0]["base"], report["runs"][0]["spec"]] == ["HEAD:api/openapi.yaml", "openapi.yaml"]
    removed = removals(report)
    assert [f["operations"] for f in removed] == [["GET /pets/{petId}"]]
    assert removed[0]["oldLocation"]["file"] == "HEAD:api/openapi.yaml"

    guard.assert_unchanged()


@needs_git
def test_unknown_revision_and_missing_file_are_input_errors(tmp_path: Path) -> None:
    _multi_repo(tmp_path)

    result = run_cli("lint", "no-such-branch:api/openapi.yaml", cwd=tmp_path)
    assert result.code == 2
    assert "unknown git revision" in result.err and "no-such-branch" in result.err
    assert "Traceback" not in result.err

    result = run_cli("lint", "HEAD:api/nope.yaml", cwd=tmp_path)
    assert result.code == 2
    assert "api/nope.yaml" in result.err
    assert "Traceback" not in result.err


# -- 3. standard input -------------------------------------------------------------------------


def test_lint_reads_stdin(tmp_path: Path) -> None:
    result = run_cli("lint", "-", "--format", "json", cwd=tmp_path, input=SMALL_SPEC)
    assert result.code == 0, result.err
    assert report_of(result)["runs"][0]["spec"] == "<stdin>"


def test_lint_stdin_locates_findings_and_errors_in_stdin(tmp_path: Path) -> None:
    # A response without its required description: a validation finding located in stdin.
    invalid = SMALL_SPEC.replace(b'        "200":\n          description: A list of pets\n', b'        "200": {}\n')
    assert invalid != SMALL_SPEC
    result = run_cli("lint", "-", "--format", "json", cwd=tmp_path, input=invalid)
    assert result.code == 1, result.err
    findings = report_of(result)["runs"][0]["findings"]
    assert findings and all(f["location"]["file"] == "<stdin>" for f in findings), findings

    result = run_cli("lint", "-", cwd=tmp_path, input=b"openapi: 3.0.3\ninfo: [\n")
    assert result.code == 2
    assert result.err.startswith("<stdin>:2:"), result.err


def test_stdin_spec_reads_its_refs_from_the_current_folder() -> None:
    result = run_cli("lint", "-", "--format", "json", cwd=MULTI, input=(MULTI / "openapi.yaml").read_bytes())
    # The referenced error schema is not a problem-details envelope: an error-level finding
    # located in the referenced file proves the reference was read from the current folder.
    assert result.code == 1, result.err
    run = report_of(result)["runs"][0]
    assert run["spec"] == "<stdin>"
    located = {(f["rule"], f["location"]["file"]) for f in run["findings"]}
    assert ("error-schema-fields", "schemas/common.yaml") in located, located


def test_diff_old_from_stdin(tmp_path: Path) -> None:
    new = tmp_path / "new.yaml"
    new.write_bytes(SMALL_SPEC.split(b"  /pets/{petId}:\n")[0])
    result = run_cli("diff", "-", "new.yaml", "--format", "json", cwd=tmp_path, input=SMALL_SPEC)
    assert result.code == 1, result.err
    report = report_of(result)
    assert [report["runs"][0]["base"], report["runs"][0]["spec"]] == ["<stdin>", "new.yaml"]
    removed = removals(report)
    assert [f["operations"] for f in removed] == [["DELETE /pets/{petId}"]]
    assert removed[0]["oldLocation"]["file"] == "<stdin>"


def test_diff_both_from_stdin_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("diff", "-", "-", cwd=tmp_path, input=SMALL_SPEC)
    assert result.code == 2
    assert "stdin" in result.err
    assert result.out == ""
    assert "Traceback" not in result.err


# -- 4. URLs: nothing is fetched without --allow-remote -----------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Fail the test on any attempt to open a URL or a connection."""
    calls: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        pytest.fail(f"apiguard tried to use the network: {args!r}")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return calls


def test_url_is_refused_without_allow_remote(tmp_path: Path, no_network: list[Any]) -> None:
    with pytest.raises(UsageError) as err:
        load_spec(URL, LoadOptions(cwd=tmp_path))
    assert "--allow-remote" in err.value.render()
    assert no_network == []


def test_remote_ref_is_refused_without_allow_remote(tmp_path: Path, no_network: list[Any]) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_bytes(
        SMALL_SPEC.replace(
            b"          schema:\n            type: string\n",
            b"          schema:\n            $ref: 'https://example.com/common.yaml#/Id'\n",
        )
    )
    assert b"https://example.com/common.yaml" in spec.read_bytes()
    with pytest.raises(InputError) as err:
        load_spec("openapi.yaml", LoadOptions(cwd=tmp_path))
    rendered = err.value.render()
    assert "--allow-remote" in rendered
    assert rendered.startswith("openapi.yaml:")
    assert no_network == []


def test_cli_url_is_refused_in_process(
    tmp_path: Path, no_network: list[Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from apiguard.cli import app

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        app(["lint", URL], prog_name="apiguard")
    assert exc.value.code == 2
    assert "--allow-remote" in capsys.readouterr().err
    assert no_network == []


def test_cli_url_exits_2_mentioning_allow_remote(tmp_path: Path) -> None:
    result = run_cli("lint", URL, cwd=tmp_path)
    assert result.code == 2
    assert "--allow-remote" in result.err
    assert "cannot fetch" not in result.err
    assert result.out == ""


# -- 5. --base with two specs -------------------------------------------------------------------


def test_base_with_two_specs_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(SMALL_SPEC)
    (tmp_path / "b.yaml").write_bytes(SMALL_SPEC)
    result = run_cli("diff", "--base", "HEAD", "a.yaml", "b.yaml", cwd=tmp_path)
    assert result.code == 2
    assert "--base" in result.err
    assert result.out == ""
    assert "Traceback" not in result.err


# -- 6. a git revision outside any git repository -----------------------------------------------


def _inside_git_repo(path: Path) -> bool:
    return any((p / ".git").exists() for p in (path, *path.parents))


@needs_git
def test_git_revision_outside_a_repository(tmp_path: Path) -> None:
    if _inside_git_repo(tmp_path):
        pytest.skip(f"the temporary folder {tmp_path} is inside a git repository")
    (tmp_path / "openapi.yaml").write_bytes(SMALL_SPEC)

    with pytest.raises(InputError) as err:
        load_spec("HEAD:openapi.yaml", LoadOptions(cwd=tmp_path))
    assert "not inside a git repository" in err.value.message

    for args in (("lint", "HEAD:openapi.yaml"), ("diff", "--base", "HEAD", "openapi.yaml")):
        result = run_cli(*args, cwd=tmp_path)
        assert result.code == 2, (args, result.err)
        assert "not inside a git repository" in result.err, (args, result.err)
        assert "Traceback" not in result.err
        assert result.out == ""


def test_allow_remote_fetches_the_spec_and_its_refs_over_http(tmp_path: Path) -> None:
    """With --allow-remote a URL is read, and its relative `$ref`s from the same server (a
    server on this machine: no test reaches the internet)."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(MULTI))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/openapi.yaml"
        spec = load_spec(url, LoadOptions(cwd=tmp_path, allow_remote=True))
        assert "get /pets/{}" in spec.operations
        assert any(name.endswith("schemas/common.yaml") for name in spec.documents)
        result = run_cli("lint", url, "--allow-remote", "--format", "json", cwd=tmp_path)
        assert result.code == 1, result.err  # the referenced error schema is no problem-details envelope
        assert report_of(result)["runs"][0]["spec"] == url
        missing = run_cli("lint", url.replace("openapi.yaml", "nope.yaml"), "--allow-remote", cwd=tmp_path)
        assert missing.code == 2 and "cannot fetch" in missing.err and "Traceback" not in missing.err
    finally:
        server.shutdown()
        server.server_close()
