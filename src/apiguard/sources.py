"""Where the bytes of a spec come from: a file, standard input, a git revision or (opt-in) a URL.

A `Source` serves the root document and every file its relative `$ref`s reach, from the same
place: files beside the root on disk, blobs of the same commit for `REV:path` (read with
gitpython, never touching the work tree). Files are named by keys, POSIX paths relative to the
root document's folder; a key that climbs out of that folder is refused unless allowed.
"""

from __future__ import annotations

import os
import posixpath
import re
import sys
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .document import run_table
from .errors import InputError, UsageError


class Source:
    """Reads the root spec and its siblings. Subclasses fill in `_read` and `display`."""

    kind = "file"
    rereadable = True  # reading a file again gives its bytes again, at no cost worth naming

    def __init__(self, root_key: str, *, allow_outside_root: bool = False) -> None:
        self.root_key = root_key
        self.allow_outside_root = allow_outside_root
        self._keys: dict[str, str] = run_table("strings")

    def read(self, key: str) -> bytes:
        return self._read(key)

    def _read(self, key: str) -> bytes:  # pragma: no cover - interface
        raise NotImplementedError

    def display(self, key: str) -> str:  # pragma: no cover - interface
        raise NotImplementedError

    def join(self, base_key: str, ref_path: str) -> str:
        """The key of `ref_path` written inside the file `base_key`."""
        # One string per key: every reference to a file makes its key again (11,000 times on
        # DigitalOcean). Not sys.intern: growing the interpreter's table to hold them all costs
        # more (0.9 MiB) than the copies it saves; the run's table (document.run_table) does not.
        key = posixpath.normpath(posixpath.join(posixpath.dirname(base_key), ref_path))
        return self._keys.setdefault(key, key)


class FileSource(Source):
    def __init__(self, path: Path, shown: str, **kw: bool) -> None:
        super().__init__(path.name, **kw)
        self.folder = path.parent
        self.shown_folder = os.path.dirname(shown)

    def _read(self, key: str) -> bytes:
        target = self.folder / key
        if target.is_dir():
            raise InputError(
                "is a folder, not a file",
                file=self.display(key),
                hint="name the spec file inside it, e.g. openapi.yaml",
            )
        try:
            return target.read_bytes()
        except FileNotFoundError:
            raise InputError("no such file", file=self.display(key), hint="check the path and its spelling") from None
        except PermissionError:
            raise InputError("permission denied", file=self.display(key), hint="make the file readable") from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", file=self.display(key)) from None

    def display(self, key: str) -> str:
        shown = posixpath.join(self.shown_folder.replace(os.sep, "/"), key) if self.shown_folder else key
        return posixpath.normpath(shown)


class StdinSource(Source):
    kind = "stdin"

    def __init__(self, data: bytes, **kw: bool) -> None:
        super().__init__("<stdin>", **kw)
        self.data = data

    def _read(self, key: str) -> bytes:
        if key == self.root_key:
            return self.data
        # Relative refs of a piped spec are read from the current folder.
        path = Path(key)
        try:
            return path.read_bytes()
        except OSError:
            raise InputError("no such file (a $ref of the spec read from stdin)", file=key) from None

    def join(self, base_key: str, ref_path: str) -> str:
        if base_key == self.root_key:
            key = posixpath.normpath(ref_path)
            return self._keys.setdefault(key, key)  # one string per key, as in Source.join
        return super().join(base_key, ref_path)

    def display(self, key: str) -> str:
        return key


class GitSource(Source):
    kind = "git"

    def __init__(self, repo: object, rev: str, path: str, **kw: bool) -> None:
        super().__init__(posixpath.basename(path), **kw)
        self.repo = repo
        self.rev = rev
        self.folder = posixpath.dirname(path)
        self._commit = None

    def _tree_path(self, key: str) -> str:
        return posixpath.normpath(posixpath.join(self.folder, key)) if self.folder else key

    def _read(self, key: str) -> bytes:
        import git

        commit = self._resolve_commit()
        path = self._tree_path(key)
        try:
            obj = commit.tree / path
        except KeyError:
            raise InputError(
                f"no file {path!r} at revision {self.rev}",
                file=self.display(key),
                hint=f"list what is there with `git ls-tree -r --name-only {self.rev}`",
            ) from None
        if not isinstance(obj, git.Blob):
            raise InputError(
                "is a folder at that revision, not a file", file=self.display(key), hint="name the spec file inside it"
            )
        return obj.data_stream.read()

    def _resolve_commit(self):  # type: ignore[no-untyped-def]
        if self._commit is None:
            try:
                self._commit = self.repo.commit(self.rev)  # type: ignore[attr-defined]
            except Exception:
                raise InputError(
                    f"unknown git revision {self.rev!r}",
                    file=f"{self.rev}:{self._tree_path(self.root_key)}",
                    hint="fetch it first (`git fetch origin`) or check the name with `git rev-parse`",
                ) from None
        return self._commit

    def display(self, key: str) -> str:
        return f"{self.rev}:{self._tree_path(key)}"


class UrlSource(Source):
    kind = "url"
    rereadable = False  # a second request: never made just to place a finding

    def __init__(self, url: str, **kw: bool) -> None:
        parsed = urllib.parse.urlsplit(url)
        super().__init__(posixpath.basename(parsed.path) or "index", **kw)
        self.base = url.rsplit("/", 1)[0] + "/"

    def _read(self, key: str) -> bytes:
        url = urllib.parse.urljoin(self.base, key)
        try:
            # Imported here, only with --allow-remote: it costs a tenth of a small run to import.
            # (A plain `import urllib.request` would make `urllib` local to this function.)
            from urllib import request

            with request.urlopen(url, timeout=30) as resp:  # noqa: S310 - user opted in
                return resp.read()
        except Exception as exc:
            raise InputError(f"cannot fetch: {exc}", file=url) from None

    def display(self, key: str) -> str:
        return urllib.parse.urljoin(self.base, key)


@dataclass
class SourceOptions:
    allow_remote: bool = False
    allow_outside_root: bool = False
    cwd: Path = field(default_factory=Path.cwd)


def open_source(arg: str, options: SourceOptions | None = None) -> Source:
    """Turn a command-line argument into a Source: a path, `-`, `REV:path` or (opted in) a URL."""
    options = options or SourceOptions()
    kw = {"allow_outside_root": options.allow_outside_root}
    if arg == "-":
        return StdinSource(sys.stdin.buffer.read(), **kw)
    if arg.startswith("-"):
        raise UsageError(
            f"{arg!r} looks like an option, not a spec",
            hint="run `apiguard --help` for the options; to name a file that starts with '-', write ./" + arg,
        )
    if "://" in arg:
        scheme = arg.split("://", 1)[0].lower()
        if scheme in ("http", "https"):
            if not options.allow_remote:
                raise UsageError(
                    f"{arg} is a URL and apiguard fetches nothing from the network by default",
                    hint="download the spec, or pass --allow-remote to fetch it",
                )
            return UrlSource(arg, **kw)
        raise UsageError(f"unsupported URL scheme {scheme!r}", hint="use a file path, '-', REV:path or an http(s) URL")
    path = options.cwd / arg
    if path.exists():
        if path.is_dir():
            raise InputError(
                "is a folder, not a file", file=arg, hint="name the spec file inside it, e.g. " + arg.rstrip("/") + "/openapi.yaml"
            )
        return FileSource(path, arg, **kw)
    if ":" in arg and not (len(arg) > 1 and arg[1] == ":" and arg[0].isalpha()):
        rev, _, rel = arg.partition(":")
        return git_source(rev, rel, options)
    raise InputError("no such file", file=arg, hint="check the path, or use REV:path to read it from git")


def _open_repo(cwd: Path, what: str, file: str):  # type: ignore[no-untyped-def]
    """The git repository holding `cwd`, or an InputError saying `what` needs one."""
    import git

    try:
        return git.Repo(cwd, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise InputError(
            f"{what} names a git revision, but {cwd} is not inside a git repository",
            file=file,
            hint="run apiguard inside the repository, or give a file path",
        ) from None


def git_source(rev: str, rel: str, options: SourceOptions) -> GitSource:
    repo = _open_repo(options.cwd, f"{rev}:{rel}", f"{rev}:{rel}")
    # As in `git show`: REV:path is relative to the repository root, REV:./path to the
    # current folder.
    top = Path(repo.working_tree_dir or options.cwd).resolve()
    cwd = options.cwd.resolve()
    rel_clean = rel
    if rel.startswith(("./", "../")):
        prefix = cwd.relative_to(top).as_posix() if cwd.is_relative_to(top) else ""
        rel_clean = posixpath.normpath(posixpath.join(prefix, rel))
    rel_clean = rel_clean.lstrip("/")
    if not rel_clean:
        raise UsageError(f"{rev}: names no file", hint="write REV:path, e.g. origin/main:openapi.yaml")
    return GitSource(repo, rev, rel_clean, allow_outside_root=options.allow_outside_root)


# -- pairing the work tree with a git revision (--base with several specs or globs) -------------


@dataclass
class BasePair:
    """One spec under `--base REV`: `old` is the `REV:./path` argument when the file exists at
    REV, `new` the work-tree path when it exists there; `path` is the name as the user sees it."""

    path: str
    old: str | None
    new: str | None


def _glob_regex(pattern: str) -> "re.Pattern[str]":
    """A glob as a regex over `/`-separated paths, with `**` spanning folders, as glob.glob with
    recursive=True reads it (Python 3.11 has no glob.translate)."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end]
                out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z")


def is_glob(arg: str) -> bool:
    return any(c in arg for c in "*?[")


def base_pairs(rev: str, args: list[str], options: SourceOptions | None = None) -> list[BasePair]:
    """Every spec that `args` (paths or globs, relative to the current folder) name in the work
    tree or at `rev`, paired by path. A glob is matched against the files git tracks (in the
    index) and the files at `rev`, so a spec deleted since `rev` is found too; a plain path is
    taken as it is, and one that exists in neither place is an input error."""
    options = options or SourceOptions()
    repo = _open_repo(options.cwd, f"--base {rev}", str(options.cwd))
    try:
        commit = repo.commit(rev)
    except Exception:
        raise InputError(
            f"unknown git revision {rev!r}",
            file=f"{rev}:",
            hint="fetch it first (`git fetch origin`) or check the name with `git rev-parse`",
        ) from None
    top = Path(repo.working_tree_dir or options.cwd).resolve()
    cwd = options.cwd.resolve()
    prefix = cwd.relative_to(top).as_posix() if cwd.is_relative_to(top) else ""
    prefix = "" if prefix == "." else prefix
    at_rev: list[str] | None = None  # cwd-relative paths of the blobs at rev, listed on demand

    def below(paths: Iterable[str]) -> list[str]:
        """Repository-root paths under the current folder, made relative to it."""
        if not prefix:
            return list(paths)
        return [p[len(prefix) + 1 :] for p in paths if p.startswith(prefix + "/")]

    def rev_files() -> list[str]:
        nonlocal at_rev
        if at_rev is None:
            at_rev = below(item.path for item in commit.tree.traverse() if getattr(item, "type", "") == "blob")
        return at_rev

    def exists_at_rev(rel: str) -> bool:
        full = posixpath.normpath(posixpath.join(prefix, rel)) if prefix else posixpath.normpath(rel)
        try:
            return (commit.tree / full).type == "blob"
        except KeyError:
            return False

    tracked: list[str] | None = None  # cwd-relative paths in git's index, listed on demand

    def index_files() -> list[str]:
        # Globs match what git tracks (the index: staged new files included), not whatever lies
        # in the folder: untracked drafts, ignored build output and node_modules stay out, and
        # the index is listed at once instead of walking every folder.
        nonlocal tracked
        if tracked is None:
            tracked = below(path for path, _stage in repo.index.entries)
        return tracked

    found: dict[str, tuple[bool, bool]] = {}
    for arg in args:
        if arg == "-" or "://" in arg:
            raise UsageError(f"with --base, {arg!r} cannot be compared with a revision", hint="give work-tree paths or globs")
        if is_glob(arg) and not (options.cwd / arg).exists():
            pattern = posixpath.normpath(arg[2:] if arg.startswith("./") else arg)
            regex = _glob_regex(pattern)
            here = [p for p in index_files() if regex.match(p)]
            there = [p for p in rev_files() if regex.match(p)]
            for p in here:
                if (options.cwd / p).is_file():
                    found[p] = (found.get(p, (False, False))[0], True)
            for p in there:
                old, new = found.get(p, (False, False))
                found[p] = (True, new or (options.cwd / p).is_file())
            continue
        rel = posixpath.normpath(arg[2:] if arg.startswith("./") else arg)
        in_tree = (options.cwd / rel).is_file()
        in_rev = exists_at_rev(rel)
        if (options.cwd / rel).is_dir():
            raise InputError("is a folder, not a file", file=arg, hint="name the spec file inside it, or use a glob such as 'specs/**/openapi.yaml'")
        if not in_tree and not in_rev:
            raise InputError(f"no such file in the work tree or at {rev}", file=arg, hint="check the path")
        found[rel] = (in_rev, in_tree)
    pairs = []
    for path in sorted(found):
        in_rev, in_tree = found[path]
        pairs.append(BasePair(path, f"{rev}:./{path}" if in_rev else None, path if in_tree else None))
    return pairs


# A `$ref` whose value is not a local `#...` fragment (JSON, or YAML quoted, unquoted or on the
# next line). A false match only costs the fast path below, never a wrong answer.
_EXTERNAL_REF = re.compile(rb"""\$ref['"]?\s*:\s*(?:"(?!#)|'(?!#)|[^'"\s#])""")


def unchanged_self_contained(old_arg: str, new_arg: str, options: SourceOptions | None = None) -> bool:
    """True when the work-tree spec `new_arg` has exactly the bytes of `old_arg` (`REV:./path`)
    and refers to no other file: then both versions are one spec and need no loading at all."""
    options = options or SourceOptions()
    try:
        new_bytes = (options.cwd / new_arg).read_bytes()
    except OSError:
        return False
    if _EXTERNAL_REF.search(new_bytes):
        return False
    rev, _, rel = old_arg.partition(":")
    try:
        source = git_source(rev, rel, options)
        return source.read(source.root_key) == new_bytes
    except InputError:
        return False
