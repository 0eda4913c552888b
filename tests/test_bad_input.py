"""Bad input never produces a traceback: the real CLI, run as a subprocess, must exit 2 with a
located message (`FILE[:LINE[:COL]]: error: WHAT` and a `hint:` line) for every hostile or
broken spec, and must leave no report or temporary file behind.

Small inputs live in fixtures/bad-input/; large or hostile ones (alias bomb, 20,000-deep
nesting, binary bytes, invalid UTF-8) are generated per test into `tmp_path`.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "bad-input"
GOOD = ROOT / "examples" / "petstore-v1.yaml"

DEPTH = 20_000
# Every run gets this long before it counts as a hang (the hostile cases have their own,
# tighter limit in test_hostile_input_finishes_quickly).
HANG_TIMEOUT = 120
QUICK = 10.0

HEAD = 'openapi: 3.0.3\ninfo:\n  title: Hostile\n  version: "1.0"\npaths: {}\n'  # 5 lines


# -- generated inputs --------------------------------------------------------------------------


def _write(name: str, data: bytes | str) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        target = folder / name
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8")

    return make


def _alias_bomb() -> str:
    """Billion laughs: 9 levels of 9 aliases each, 9**10 strings if fully expanded."""
    lines = [HEAD.rstrip("\n"), "x-lol:", '  l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"  l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


BINARY = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 200 + b"\x08\x06\x00\x00\x00\x1f\xf3\xffa"
INVALID_UTF8 = b'openapi: 3.0.3\ninfo:\n  title: Caf\xff au lait\n  version: "1.0"\npaths: {}\n'
ALIAS_BOMB = _alias_bomb()
# Deep nesting starts on line 6, after the five lines of HEAD. Indented block mappings 20,000
# levels deep would be a 200+ MB file, so block style uses compact nested block collections.
DEEP_YAML_BLOCK = HEAD + "x-deep:\n  " + "- " * DEPTH + "leaf\n"  # the dashes are on line 7
DEEP_YAML_BLOCK_WIDE = HEAD + "x-deep:\n  " + "-  " * DEPTH + "leaf\n"  # line 7
DEEP_YAML_BLOCK_KEYS = HEAD + "x-deep:\n  " + "? " * DEPTH + "leaf\n"  # line 7
DEEP_YAML_FLOW = HEAD + "x-deep: " + "[" * DEPTH + "]" * DEPTH + "\n"  # line 6
DEEP_JSON = (
    '{\n  "openapi": "3.0.3",\n  "info": {"title": "Hostile", "version": "1.0"},\n  "paths": {},\n'
    '  "x-note": "the nesting starts on the next line",\n'
    '  "x-deep": ' + "[" * DEPTH + "]" * DEPTH + "\n}\n"
)  # line 6


def _make_folder(folder: Path) -> None:
    (folder / "api.yaml").mkdir()


def _make_option_like(folder: Path) -> None:
    (folder / "-spec.yaml").write_bytes(b"")


def _git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=apiguard tests", "-c", "user.email=tests@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=folder,
        env=_env(),
        check=True,
        capture_output=True,
    )


def _make_repo(folder: Path) -> None:
    shutil.copyfile(GOOD, folder / "openapi.yaml")
    _git(folder, "init", "-q")
    _git(folder, "add", "openapi.yaml")
    _git(folder, "commit", "-q", "-m", "a good spec")


# -- the table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    spec: str  # the argument naming the bad spec, relative to the case folder
    phrase: str  # a regular expression: what is wrong, as stderr must say it
    shows: str  # what stderr must name: the file (or URL, revision:path, option)
    line: Optional[int] = None  # the exact line stderr must give, when the input has one
    located: bool = True  # the message starts with `SHOWS[:LINE[:COL]]: error:`
    make: Optional[Callable[[Path], None]] = None
    options: tuple[str, ...] = ()
    also: tuple[str, ...] = ()  # further substrings stderr must contain
    argv: Optional[tuple[str, ...]] = None  # the whole command line, instead of `lint SPEC`
    diff: bool = False  # also run `apiguard diff GOOD SPEC`
    output: bool = False  # run with `--output report.json` and check nothing is left behind
    needs_git: bool = False
    hostile: bool = False  # must finish in under QUICK seconds


CASES = [
    Case("empty-file", "empty.yaml", r"\bempty\b", "empty.yaml", diff=True, output=True),
    Case("whitespace-only", "whitespace-only.yaml", r"\bempty\b", "whitespace-only.yaml"),
    Case("binary-bytes", "image.yaml", r"binary", "image.yaml", make=_write("image.yaml", BINARY), diff=True, output=True),
    Case(
        "invalid-utf8", "latin1.yaml", r"invalid UTF-8.*0xff", "latin1.yaml", line=3,
        make=_write("latin1.yaml", INVALID_UTF8), diff=True, output=True,
    ),
    Case("yaml-bad-indentation", "bad-indentation.yaml", r"invalid YAML", "bad-indentation.yaml", line=4, diff=True),
    # The trailing comma is on line 5 (`"version": "1.0",`); the brace after it is on line 6.
    Case(
        "json-trailing-comma", "trailing-comma.json", r"invalid JSON", "trailing-comma.json", line=5,
        also=("trailing comma",), diff=True, output=True,
    ),
    # `tags: [` opened on line 4 is still open when the `}` on line 5 comes.
    Case("json-unclosed-bracket", "unclosed-bracket.json", r"invalid JSON", "unclosed-bracket.json", line=5, also=("not closed",)),
    # `{schema:` opened on line 8, column 39 is never closed; the parser trips over line 9.
    Case(
        "yaml-unclosed-flow-mapping", "unclosed-flow-mapping.yaml", r"invalid YAML", "unclosed-flow-mapping.yaml", line=9,
        also=("line 8, column 39 is never closed",),
    ),
    Case("yaml-tab-indentation", "tab-indentation.yaml", r"(?i)tab", "tab-indentation.yaml", line=3),
    Case("yaml-duplicate-key", "duplicate-key.yaml", r"duplicate.*'/pets'", "duplicate-key.yaml", line=11, diff=True),
    # `description` appears on lines 4, 9 and 12 before the duplicate on line 13.
    Case(
        "yaml-duplicate-key-common-name", "duplicate-key-common-name.yaml", r"duplicate.*'description'",
        "duplicate-key-common-name.yaml", line=13,
    ),
    Case("json-duplicate-key", "duplicate-key.json", r"duplicate key 'paths'", "duplicate-key.json", line=5),
    # `"description"` appears on lines 3, 7 and 10 before the duplicate on line 11.
    Case(
        "json-duplicate-key-common-name", "duplicate-key-common-name.json", r"duplicate key 'description'",
        "duplicate-key-common-name.json", line=11,
    ),
    Case("not-openapi-list", "top-level-list.yaml", r"not an OpenAPI document.*list", "top-level-list.yaml", line=1, diff=True),
    Case("not-openapi-mapping", "no-openapi-key.yaml", r"not an OpenAPI document.*no `openapi` or `swagger`", "no-openapi-key.yaml", line=1),
    Case("openapi-4", "openapi-4.yaml", r"unknown openapi version '4\.0\.0'", "openapi-4.yaml", line=4, diff=True),
    Case("swagger-1.2", "swagger-1.2.yaml", r"unknown swagger version '1\.2'", "swagger-1.2.yaml", line=4),
    Case("paths-list", "paths-list.yaml", r"`paths` must be a mapping.*list", "paths-list.yaml", line=5),
    Case(
        "missing-internal-ref", "missing-internal-ref.yaml", r"#/components/schemas/Nope.*points at nothing",
        "missing-internal-ref.yaml", line=14, diff=True, output=True,
    ),
    Case(
        "missing-anchor", "missing-anchor.yaml", r"'#pett' points at nothing: no \$anchor 'pett'",
        "missing-anchor.yaml", line=14, diff=True,
    ),
    Case(
        "missing-external-file", "missing-external-file.yaml", r"other\.yaml#/Pet.*no such file",
        "missing-external-file.yaml", line=14, diff=True,
    ),
    Case(
        "missing-external-pointer", "missing-external-pointer.yaml", r"definitions\.yaml#/Pet.*points at nothing",
        "missing-external-pointer.yaml", line=14,
    ),
    Case(
        "ref-outside-root", "outside-root/openapi.yaml", r"\.\./outside\.yaml#/Pet.*leaves the spec's folder",
        "outside-root/openapi.yaml", line=14, also=("--allow-outside-root",), diff=True,
    ),
    Case(
        "remote-ref", "remote-ref.yaml", r"remote \$ref 'https://example\.com/x\.yaml#/Pet'", "remote-ref.yaml",
        line=14, also=("--allow-remote",), diff=True,
    ),
    Case(
        "spec-is-url", "http://example.com/openapi.yaml", r"is a URL", "http://example.com/openapi.yaml",
        located=False, also=("--allow-remote",), diff=True,
    ),
    Case("yaml-python-tag", "python-tag.yaml", r"(?i)\btag\b", "python-tag.yaml", line=5, diff=True),
    Case(
        "alias-bomb", "laughs.yaml", r"(?i)alias", "laughs.yaml", make=_write("laughs.yaml", ALIAS_BOMB),
        diff=True, output=True, hostile=True,
    ),
    Case(
        "deep-yaml-block", "deep-block.yaml", r"nested too deeply|recursion limit", "deep-block.yaml", line=7,
        make=_write("deep-block.yaml", DEEP_YAML_BLOCK), output=True, hostile=True,
    ),
    Case(
        "deep-yaml-block-wide", "deep-block-wide.yaml", r"nested too deeply|recursion limit", "deep-block-wide.yaml",
        line=7, make=_write("deep-block-wide.yaml", DEEP_YAML_BLOCK_WIDE), hostile=True,
    ),
    Case(
        "deep-yaml-block-keys", "deep-block-keys.yaml", r"nested too deeply|recursion limit|complex key", "deep-block-keys.yaml",
        line=7, make=_write("deep-block-keys.yaml", DEEP_YAML_BLOCK_KEYS), hostile=True,
    ),
    Case(
        "deep-yaml-flow", "deep-flow.yaml", r"nested too deeply|recursion limit", "deep-flow.yaml", line=6,
        make=_write("deep-flow.yaml", DEEP_YAML_FLOW), diff=True, hostile=True,
    ),
    Case(
        "deep-json", "deep.json", r"nested too deeply|recursion limit", "deep.json", line=6,
        make=_write("deep.json", DEEP_JSON), diff=True, output=True, hostile=True,
    ),
    Case(
        "git-unknown-revision", "nosuchrev:openapi.yaml", r"unknown git revision 'nosuchrev'", "nosuchrev:openapi.yaml",
        make=_make_repo, needs_git=True, diff=True,
    ),
    Case(
        "git-missing-path", "HEAD:missing.yaml", r"no file 'missing\.yaml' at revision HEAD", "HEAD:missing.yaml",
        make=_make_repo, needs_git=True,
    ),
    Case("folder-not-file", "api.yaml", r"is a folder, not a file", "api.yaml", make=_make_folder, diff=True),
    Case(
        "unknown-option-diff", "", r"(?i)no such option", "--frobnicate", located=False,
        argv=("diff", "--frobnicate", "a.yaml", "b.yaml"),
    ),
    Case(
        "unknown-option-lint", "", r"(?i)no such option", "--frobnicate", located=False,
        argv=("lint", "--frobnicate", "a.yaml"),
    ),
    # After `--` an argument is an operand even if it starts with '-'. apiguard may read the file
    # (it is empty) or refuse the name and say how to write it (./-spec.yaml); either is exit 2.
    Case(
        "option-like-name-after-dashdash", "", r"\bempty\b|looks like an option.*\n.*hint:.*\./-spec\.yaml",
        "-spec.yaml", located=False, make=_make_option_like, argv=("lint", "--", "-spec.yaml"),
    ),
    Case("option-like-name-dot-slash", "./-spec.yaml", r"\bempty\b", "-spec.yaml", make=_make_option_like),
]


def _params(with_diff: bool) -> list:
    params = []
    for case in CASES:
        params.append(pytest.param(case, "lint", id=case.id if case.argv else f"lint-{case.id}"))
        if with_diff and case.diff:
            params.append(pytest.param(case, "diff", id=f"diff-{case.id}"))
    return params


# -- running -----------------------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "FORCE_COLOR"):
        env.pop(var, None)
    env["NO_COLOR"] = "1"
    # No network: a fetch that slipped through would fail fast instead of reaching the internet.
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env[var] = "http://127.0.0.1:9"
    env.pop("no_proxy", None)
    env.pop("NO_PROXY", None)
    return env


def _prepare(case: Case, tmp_path: Path) -> Path:
    if case.needs_git and shutil.which("git") is None:
        pytest.skip("git is not installed")
    folder = tmp_path / "case"
    shutil.copytree(FIXTURES, folder)
    if case.make is not None:
        case.make(folder)
    return folder


def _argv(case: Case, command: str, output: bool) -> list[str]:
    if case.argv is not None:
        args = list(case.argv)
    elif command == "diff":
        args = ["diff", *case.options, str(GOOD), case.spec]
    else:
        args = ["lint", *case.options, case.spec]
    if output:
        args[1:1] = ["--output", "report.json"]
    return [sys.executable, "-m", "apiguard", *args]


def _run(argv: Sequence[str], cwd: Path, timeout: float = HANG_TIMEOUT) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            argv, cwd=cwd, env=_env(), capture_output=True, text=True, errors="replace", timeout=timeout, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"apiguard hung: no exit within {timeout} s: {' '.join(argv[2:])}")


def _listing(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if ".git" not in p.relative_to(folder).parts}


# -- the tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case, command", _params(with_diff=True))
def test_bad_input_is_a_located_error(case: Case, command: str, tmp_path: Path) -> None:
    folder = _prepare(case, tmp_path)
    before = _listing(folder)
    argv = _argv(case, command, output=case.output)
    proc = _run(argv, folder)
    status = f"exit {proc.returncode}" + (f" (killed by {signal.Signals(-proc.returncode).name})" if proc.returncode < 0 else "")
    shown = f"$ apiguard {' '.join(argv[3:])}\n{status}\n--- stdout\n{proc.stdout[-2000:]}\n--- stderr\n{proc.stderr[-2000:]}"

    assert "Traceback" not in proc.stdout, shown
    assert "Traceback" not in proc.stderr, shown
    assert proc.returncode == 2, shown

    err = proc.stderr
    assert case.shows in err, shown
    if case.located:
        where = re.escape(case.shows) + (rf":{case.line}(?::\d+)?" if case.line is not None else r"(?::\d+){0,2}")
        assert re.search(rf"(?m)^{where}: error: ", err), f"expected `{case.shows}:{case.line or 'LINE'}: error:`\n{shown}"
    assert re.search(case.phrase, err), f"expected /{case.phrase}/ in stderr\n{shown}"
    for text in case.also:
        assert text in err, f"expected {text!r} in stderr\n{shown}"
    assert re.search(r"(?m)^\s*hint: \S", err), f"expected a `hint:` line\n{shown}"

    if case.output:
        after = _listing(folder)
        assert not (folder / "report.json").exists(), shown
        leftovers = sorted(name for name in after - before if "report.json" in name)
        assert not leftovers, f"left behind: {leftovers}\n{shown}"
        assert after == before, f"new files: {sorted(after - before)}\n{shown}"


def test_python_tag_runs_nothing(tmp_path: Path) -> None:
    """Whatever apiguard says about `!!python/object/apply`, it must never run the command."""
    folder = _prepare(next(c for c in CASES if c.id == "yaml-python-tag"), tmp_path)
    proc = _run([sys.executable, "-m", "apiguard", "lint", "python-tag.yaml"], folder)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not (folder / "apiguard-tag-ran").exists()


def test_outside_root_allowed_with_option(tmp_path: Path) -> None:
    """The spec refused for a $ref leaving its folder loads with --allow-outside-root."""
    folder = _prepare(next(c for c in CASES if c.id == "ref-outside-root"), tmp_path)
    for args in (["lint", "--allow-outside-root", "outside-root/openapi.yaml"],
                 ["diff", "--allow-outside-root", str(GOOD), "outside-root/openapi.yaml"]):
        proc = _run([sys.executable, "-m", "apiguard", *args], folder)
        shown = f"$ apiguard {' '.join(args)}\nexit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        assert "Traceback" not in proc.stdout + proc.stderr, shown
        assert proc.returncode in (0, 1), shown
        assert "leaves the spec's folder" not in proc.stderr, shown


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES if c.hostile])
def test_hostile_input_finishes_quickly(case: Case, tmp_path: Path) -> None:
    """Guards against hangs (not a benchmark): each hostile input is dealt with in seconds."""
    folder = _prepare(case, tmp_path)
    argv = _argv(case, "lint", output=False)
    start = time.monotonic()
    try:
        proc = subprocess.run(argv, cwd=folder, env=_env(), capture_output=True, text=True, errors="replace", timeout=QUICK * 3)
    except subprocess.TimeoutExpired:
        pytest.fail(f"apiguard lint {case.spec} did not finish within {QUICK * 3} s")
    elapsed = time.monotonic() - start
    assert elapsed < QUICK, f"apiguard lint {case.spec} took {elapsed:.1f} s (exit {proc.returncode})"
