"""The command line: `apiguard diff`, `lint`, `rules`. Maps options to settings, runs the
pipeline, hands the results to a reporter and returns the exit code (0 clean, 1 findings at or
above --fail-on, 2 usage or input error). The only module besides `report/` that writes to the
terminal."""

from __future__ import annotations

import difflib
from collections import ChainMap
import os
import re
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from . import __version__
from .errors import ApiguardError, InputError, UsageError
from .model import Finding, Level

app = typer.Typer(
    name="apiguard",
    help=(
        "Catch breaking changes and governance gaps in OpenAPI specs before they ship.\n\n"
        "Examples:\n\n"
        "  apiguard diff old.yaml new.yaml\n\n"
        "  apiguard diff --base origin/main openapi.yaml\n\n"
        "  apiguard lint openapi.yaml"
    ),
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    markdown = "markdown"
    github = "github"
    junit = "junit"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


class Validate(str, Enum):
    fast = "fast"
    full = "full"
    off = "off"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"apiguard {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Catch breaking changes and governance gaps in OpenAPI specs before they ship."""


# Options shared by the commands -----------------------------------------------------------
FORMAT = typer.Option(Format.text, "--format", "-f", help="Report format for stdout (or for a plain --output FILE).")
OUTPUT = typer.Option(
    None,
    "--output",
    "-o",
    help="Write a report to a file, atomically. FILE uses --format; FORMAT=FILE picks the format "
    "(repeatable: -o sarif=apiguard.sarif -o markdown=summary.md). Stdout keeps the --format report unless a plain FILE takes it.",
)
QUIET = typer.Option(False, "--quiet", "-q", help="Text format: print only the summary line.")
FAIL_ON = typer.Option(
    None, "--fail-on", help="Exit 1 when a finding at or above this level exists [default: the config's fail-on, else error]."
)
CONFIG = typer.Option(
    None,
    "--config",
    help="The configuration file (.apiguard.yaml or a pyproject.toml with [tool.apiguard]); "
    "by default the nearest one above the first spec, up to the repository root.",
    show_default=False,
)
VALIDATE = typer.Option(
    Validate.fast, "--validate", help="fast: OpenAPI JSON Schema + cheap semantic checks; full: openapi-spec-validator; off."
)
NO_VALIDATE = typer.Option(False, "--no-validate", help="Skip validation (same as --validate off).")
ALLOW_REMOTE = typer.Option(False, "--allow-remote", help="Allow reading specs and $refs over http(s).")
ALLOW_OUTSIDE = typer.Option(False, "--allow-outside-root", help="Allow $refs to files outside the spec's folder.")
TODAY = typer.Option(None, "--today", help="Judge sunset dates as of this day (YYYY-MM-DD), for reproducible results.")
MIN_NOTICE = typer.Option(
    None, "--min-notice-days", min=0, help="Minimum days between deprecation and sunset [default: the config's, else 365]."
)
BASE = typer.Option(
    None,
    "--base",
    help="Compare each spec (paths or quoted globs) with its own version at this git revision; "
    "specs new since then are additions, specs deleted since then are errors.",
)
RULESET = typer.Option(
    None,
    "--ruleset",
    help="A custom ruleset file (YAML or JSON, Spectral-style `rules`; repeatable). See docs/custom-rules.md.",
)
RULE_OPTION = typer.Option(
    None,
    "--option",
    help="A lint option as FAMILY.KEY=VALUE (repeatable; VALUE is read as YAML), e.g. --option errors.style=google.",
)


def _color() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def _write(text: str, output: Path) -> None:
    """Write a whole report or nothing: a temporary file beside the target, then a rename."""
    import tempfile

    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"cannot write {output}: folder {folder} does not exist", hint="create the folder first")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=folder)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror}", hint="check the folder's permissions") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        if output.exists():
            # Keep the target's permissions (a step summary file, a checked-in report).
            os.chmod(tmp, output.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, output)
    except BaseException:
        # Never leave a half-written report behind.
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _targets(fmt: Format, outputs: Optional[List[str]]) -> tuple[list[tuple[str, Path]], bool]:
    """Parse the --output values into (format, file) pairs; the flag says whether stdout still
    gets the --format report (it does unless a plain FILE took it)."""
    targets: list[tuple[str, Path]] = []
    stdout = True
    for value in outputs or []:
        head, sep, tail = value.partition("=")
        if sep and head in {f.value for f in Format}:
            if not tail:
                raise UsageError(f"--output {value!r} names no file", hint=f"write --output {head}=FILE")
            targets.append((head, Path(tail)))
        elif sep and re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", head):
            # `sarf=out.sarif` is a mistyped format far more often than a file named so; writing
            # a text report to that file would quietly break the CI upload that expects SARIF.
            known = [f.value for f in Format]
            close = difflib.get_close_matches(head.lower(), known, n=1)
            raise UsageError(
                f"--output {value!r}: {head!r} is not a report format",
                hint=(f"did you mean {close[0]}={tail}? " if close else "")
                + f"formats: {', '.join(known)}; for a file whose name holds '=', write ./{value}",
            )
        else:
            targets.append((fmt.value, Path(value)))
            stdout = False
    files = [str(p) for _, p in targets]
    dupes = sorted({f for f in files if files.count(f) > 1})
    if dupes:
        raise UsageError(f"--output names {dupes[0]} twice", hint="give each report its own file")
    return targets, stdout


def _emit(report, fmt: Format, outputs: Optional[List[str]], quiet: bool) -> int:  # type: ignore[no-untyped-def]
    """Render every requested report first, then write them: a failure leaves no file changed."""
    from .report import render

    targets, to_stdout = _targets(fmt, outputs)
    full = next((str(p) for f, p in targets if f in ("sarif", "json")), None)
    report.full_report = full
    for _, path in targets:
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise UsageError(f"cannot write {path}: folder {folder} does not exist", hint="create the folder first")
    rendered = [(render(f, report), path) for f, path in targets]
    text = render(fmt.value, report, color=_color(), quiet=quiet) if to_stdout else None
    for body, path in rendered:
        _write(body, path)
    if text is not None:
        sys.stdout.write(text)
        sys.stdout.flush()
    return report.exit_code


def _fail_level(fail_on: Optional[FailOn], cfg=None) -> Optional[Level]:  # type: ignore[no-untyped-def]
    value = fail_on.value if fail_on is not None else (cfg.fail_on if cfg is not None and cfg.fail_on else "error")
    return None if value == "never" else Level.parse(value)


def _config(path: Optional[Path], specs: List[str]):  # type: ignore[no-untyped-def]
    """The --config file, or the nearest configuration above the first local spec (or the
    current folder); None when there is none."""
    from .config import find_config, load_config

    if path is not None:
        if not path.is_file():
            raise UsageError(f"--config {path}: no such file", hint="give the path of .apiguard.yaml or pyproject.toml")
        return load_config(path)
    start = Path.cwd()
    for arg in specs:
        if arg == "-" or "://" in arg:
            continue
        candidate = Path(re.split(r"[*?\[]", arg, maxsplit=1)[0] or ".")
        if candidate.exists():
            start = candidate
            break
    found = find_config(start)
    return load_config(found) if found is not None else None


def _options(cfg, cli: dict) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """Lint options, checked: the configuration's, with --option winning key by key."""
    from .engine import check_options

    merged: dict = {}  # type: ignore[type-arg]
    if cfg is not None:
        try:
            check_options(cfg.options)
        except UsageError as exc:
            at = cfg.options_at
            raise InputError(exc.message, file=str(cfg.path), line=at.line if at else None, hint=exc.hint) from None
        for family, values in cfg.options.items():
            merged[family] = dict(values)
        if cfg.min_notice_days is not None:
            merged.setdefault("deprecation", {}).setdefault("min-notice-days", cfg.min_notice_days)
    for family, values in cli.items():
        merged.setdefault(family, {}).update(values)
    return check_options(merged)


def _notice_days(cli: Optional[int], cfg) -> int:  # type: ignore[no-untyped-def]
    if cli is not None:
        return cli
    if cfg is not None and cfg.min_notice_days is not None:
        return int(cfg.min_notice_days)
    return 365


def _apply_policy(cfg, runs: list, today) -> list:  # type: ignore[no-untyped-def,type-arg]
    """The configuration applied to every run, plus a run for expired suppressions."""
    import datetime as dt

    from .report import Run

    if cfg is None:
        return runs
    day = today or dt.date.today()
    families = _families()
    for run in runs:
        run.findings, hidden = cfg.apply(run.findings, families, today=day)
        run.suppressed += hidden
    expired = cfg.expired(day)
    if expired:
        runs.append(Run(str(cfg.path), expired, rules=("suppression-expired",)))
    return runs


def _families() -> dict:  # type: ignore[type-arg]
    from .catalog import load_catalog

    return {rid: str(e.front.get("family") or e.meta.area or "") for rid, e in load_catalog().items()}


def _load_options(validate: Validate, no_validate: bool, allow_remote: bool, allow_outside: bool, level: Level, last: bool = False):  # type: ignore[no-untyped-def]
    from .loader import LoadOptions

    return LoadOptions(
        validate="off" if no_validate else validate.value,
        allow_remote=allow_remote,
        allow_outside_root=allow_outside,
        validation_level=level,
        last=last,
    )


def _parse_today(value: Optional[str]):  # type: ignore[no-untyped-def]
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--today {value!r} is not a date", hint="write it as YYYY-MM-DD, e.g. --today 2026-01-31") from None


def _parse_rule_options(values: Optional[List[str]]) -> dict:  # type: ignore[type-arg]
    """--option FAMILY.KEY=VALUE pairs into {family: {key: value}}; VALUE is read as YAML."""
    out: dict = {}  # type: ignore[type-arg]
    if not values:
        return out
    import yaml_rs

    for item in values:
        name, sep, raw = item.partition("=")
        family, dot, key = name.partition(".")
        if not sep or not dot or not family or not key:
            raise UsageError(f"--option {item!r} is not FAMILY.KEY=VALUE", hint="e.g. --option errors.style=google")
        try:
            value = yaml_rs.loads(raw, parse_datetime=False) if raw.strip() else ""
        except Exception:
            value = raw
        out.setdefault(family, {})[key] = value
    return out


def _pair(specs: List[str], base: Optional[str], command: str) -> tuple[str, str]:
    if base is not None:
        if len(specs) != 1:
            raise UsageError(
                "with --base, give exactly one spec (the working-tree file)", hint=f"apiguard {command} --base origin/main openapi.yaml"
            )
        new_arg = specs[0]
        rel = new_arg if new_arg.startswith(("./", "../")) else "./" + new_arg
        return f"{base}:{rel}", new_arg
    if len(specs) != 2:
        raise UsageError(
            f"{command} needs two specs, OLD and NEW; got {len(specs)}",
            hint=f"apiguard {command} old.yaml new.yaml (or --base REV new.yaml)",
        )
    if specs[0] == "-" and specs[1] == "-":
        raise UsageError("only one of OLD and NEW can be read from stdin")
    return specs[0], specs[1]


def _expand(specs: List[str]) -> List[str]:
    """Spec arguments with globs expanded (quoted globs reach us unexpanded)."""
    import glob

    out: List[str] = []
    for arg in specs:
        if any(c in arg for c in "*?[") and not os.path.exists(arg) and ":" not in arg:
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                raise UsageError(f"{arg}: the pattern matches no file", hint="check the pattern; quote it so the shell leaves ** to apiguard")
            out.extend(m for m in matches if os.path.isfile(m))
        else:
            out.append(arg)
    return out


def _load_rulesets(paths: Optional[List[str]]) -> list:  # type: ignore[type-arg]
    """Load every --ruleset before any spec; their notes go to stderr. A custom rule may not
    reuse a built-in rule's ID or another ruleset's, so every finding names one rule."""
    if not paths:
        return []
    from .ruleset import load_ruleset

    rulesets, seen = [], set(_rule_docs())
    for path in paths or ():
        ruleset = load_ruleset(path)
        for note in ruleset.warnings:
            typer.echo(f"{path}: note: {note}", err=True)
        for rule in ruleset.rules:
            if rule.id in seen:
                raise UsageError(
                    f"{path}: custom rule {rule.id!r} has the ID of another rule",
                    hint="rename the custom rule; `apiguard rules` lists the built-in IDs",
                )
            seen.add(rule.id)
        rulesets.append(ruleset)
    return rulesets


def _custom(rulesets: list, spec) -> tuple[list, dict, tuple]:  # type: ignore[no-untyped-def,type-arg]
    """The findings of every custom ruleset on one spec, their rules' metadata and IDs."""
    findings, metas = [], {}
    for ruleset in rulesets:
        findings += ruleset.run(spec)
        for rule in ruleset.rules:
            if rule.level is not None:
                metas[rule.id] = rule.meta
    return findings, metas, tuple(sorted(metas))


def _custom_docs(rulesets: list) -> dict:  # type: ignore[type-arg]
    return {rule.id: rule.meta for ruleset in rulesets for rule in ruleset.rules if rule.level is not None}


def _rule_docs():  # type: ignore[no-untyped-def]
    from .catalog import RuleDocs, load_catalog

    return RuleDocs(load_catalog())


def _rule_ids(kind: str) -> tuple[str, ...]:
    from .registry import load_rules

    ids = [r.id for r in load_rules(kind).values()]
    if kind == "lint":
        ids.append("spec-invalid")
    return tuple(sorted(ids))


def _run(body) -> None:  # type: ignore[no-untyped-def]
    """Run a command body; user errors become a located message and exit 2, never a traceback."""
    try:
        code = body()
    except ApiguardError as exc:
        typer.echo(exc.render(), err=True)
        raise typer.Exit(2) from None
    except RecursionError:
        typer.echo("error: the document is nested too deeply to process", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    raise typer.Exit(code)


def _spec_pairs(specs: List[str], base: Optional[str], command: str) -> list:  # type: ignore[type-arg]
    """(old argument or None, new argument or None) per spec: OLD NEW as given, or with --base
    every path and glob paired with its own version at the revision."""
    if base is None:
        return [_pair(specs, base, command)]
    from .sources import base_pairs

    pairs = [(p.old, p.new) for p in base_pairs(base, list(specs))]
    if not pairs:
        typer.echo(f"note: no spec matched {' '.join(specs)} in the work tree or at {base}", err=True)
    return pairs


def _removed_run(old_arg: str, base: str):  # type: ignore[no-untyped-def]
    """A spec that exists at the base revision and no longer in the work tree."""
    from .model import Location, fingerprint
    from .report import Run

    rev, _, rel = old_arg.partition(":")
    shown = _git_display(old_arg)
    message = (
        f"The spec {rel[2:] if rel.startswith('./') else rel} existed at {rev} and was deleted: every operation it "
        "described is gone for the clients that use them; keep the file (deprecate its operations first) or restore it."
    )
    finding = Finding(
        rule="spec-removed",
        level=Level.ERROR,
        message=message,
        location=Location(shown, 1, 1, ""),
        old_location=Location(shown, 1, 1, ""),
        fingerprint=fingerprint("spec-removed", shown.partition(":")[2]),
    )
    # Named by its work-tree path, which no longer exists; the finding points into the base.
    return Run(rel[2:] if rel.startswith("./") else rel, [finding], base=shown, semver="major", rules=("spec-removed",))


def _git_display(arg: str) -> str:
    """`REV:./path` as the report names git files: `REV:path-from-the-repository-root`."""
    from .sources import SourceOptions, git_source

    rev, _, rel = arg.partition(":")
    source = git_source(rev, rel, SourceOptions())
    return source.display(source.root_key)


def _collect(kind: str, specs: List[str], base: Optional[str], settings: dict) -> list:  # type: ignore[type-arg]
    """Load, diff and lint for one command: one Run per spec, with the spec's own inline
    `x-apiguard-ignore` lists applied. `kind` is diff, lint or check. Several specs are spread
    over the machine's cores (forked workers, one spec each); one spec runs here."""
    items: list = _expand(specs) if kind == "lint" else _spec_pairs(specs, base, kind)  # type: ignore[type-arg]
    workers = min(os.cpu_count() or 1, len(items), 8)
    if workers < 2 or "-" in specs or os.environ.get("APIGUARD_JOBS") == "1":
        return [_collect_one(kind, item, base, settings) for item in items]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _JOB
    _JOB = (kind, items, base, settings)
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            results = list(pool.map(_job, range(len(items))))
    finally:
        _JOB = None
    runs = []
    for result in results:
        if isinstance(result, tuple):  # a user error in a worker: raise it here, located as it was
            cls, message, where = result
            raise cls(message, **where)
        runs.append(result)
    return runs


_JOB = None  # what forked workers run: (kind, items, base, settings), set just before forking


def _job(index: int):  # type: ignore[no-untyped-def]
    kind, items, base, settings = _JOB  # type: ignore[misc]
    try:
        return _collect_one(kind, items[index], base, settings)
    except ApiguardError as exc:
        # Exceptions with keyword-only fields do not survive pickling: send the parts instead.
        where = {"file": exc.file, "line": exc.line, "column": exc.column, "hint": exc.hint}
        return (type(exc), exc.message, where)


def _unchanged(old_arg: str, new_arg: str) -> bool:
    from .sources import unchanged_self_contained

    return unchanged_self_contained(old_arg, new_arg)


def _broken_at_base_too(exc, old_arg: str, load_opts) -> bool:  # type: ignore[no-untyped-def]
    from .loader import load_spec

    try:
        load_spec(old_arg, load_opts(Level.INFO))
    except InputError as old_exc:
        return (old_exc.message, old_exc.line, old_exc.column) == (exc.message, exc.line, exc.column)
    return False


def _inline_filtered(findings: list, specs: list) -> tuple[list, int]:  # type: ignore[type-arg]
    """The findings no `x-apiguard-ignore` of `specs` hides, and how many it hid."""
    from .config import inline_ignores, inline_suppressed

    ignores = inline_ignores(specs)
    kept = [f for f in findings if not inline_suppressed(f, ignores)]
    return kept, len(findings) - len(kept)


def _collect_one(kind: str, item, base: Optional[str], settings: dict):  # type: ignore[no-untyped-def,type-arg]
    from .engine import compare, sort_findings
    from .engine import lint as run_lint
    from .loader import load_spec
    from .report import Run

    load_opts = settings["load"]
    day, rulesets = settings["today"], settings["rulesets"]
    compat = _rule_ids("compat")
    lint_ids = _rule_ids("lint") if kind != "diff" else ()
    if kind == "lint":
        spec = load_spec(item, load_opts(Level.ERROR, last=True))
        custom, _, ids = _custom(rulesets, spec)
        findings = run_lint(spec, today=day, options=settings["options"]) + custom
        kept, hidden = _inline_filtered(findings, [spec])
        return Run(spec.name, sort_findings(kept), rules=tuple(sorted(lint_ids + ids)), suppressed=hidden)
    old_arg, new_arg = item
    if new_arg is None:
        return _removed_run(old_arg, base)
    unchanged = base is not None and old_arg is not None and _unchanged(old_arg, new_arg)
    if unchanged and kind == "diff":
        # The same bytes at the base and no other file involved: nothing changed, and whatever
        # was wrong with it before is not news. The pre-commit hook checks every spec on every
        # commit; this keeps the specs a commit does not touch free.
        return Run(new_arg, [], base=_git_display(old_arg), semver="none", rules=compat)
    base_name = _git_display(old_arg) if unchanged else None
    if unchanged:
        old_arg = None  # check: lint the spec as usual, but there is nothing to compare
    try:
        # The last spec an item loads empties the tables that share values between specs once
        # its files are read (see LoadOptions.last): the new version, then the old one.
        new = load_spec(new_arg, load_opts(Level.ERROR, last=old_arg is None))
    except InputError as exc:
        if base is None or old_arg is None or not _broken_at_base_too(exc, old_arg, load_opts):
            raise
        # Not news: the spec could not be read at the base either, the same way. The hook and
        # the Action must not block every change to a repository over an old broken file.
        typer.echo(f"note: {new_arg} skipped: it fails to load at {base} too ({exc.message})", err=True)
        return Run(new_arg, [], base=_git_display(old_arg), semver="none", rules=compat if kind == "diff" else tuple(sorted(compat + lint_ids)))
    old = result = None
    if old_arg is not None:
        # Problems of the old version are known debt, not news: report them as information.
        old = load_spec(old_arg, load_opts(Level.INFO, last=True))
        result = compare(old, new, today=day, min_notice_days=settings["notice"], check_version=settings["check_version"])
    # A new spec is all addition: nothing to compare, its validity still reported.
    findings = result.findings if result is not None else list(new.problems)
    ids: tuple[str, ...] = compat
    if kind == "check":
        # The new spec's validation problems are already among the diff's findings.
        linted = [f for f in run_lint(new, today=day, options=settings["options"]) if f.rule != "spec-invalid"]
        custom, _, custom_ids = _custom(rulesets, new)
        findings = findings + linted + custom
        ids = tuple(sorted(compat + lint_ids + custom_ids))
    kept, hidden = _inline_filtered(findings, [new, old])
    return Run(
        new.name,
        sort_findings(kept),
        suppressed=hidden,
        base=old.name if old is not None else base_name,
        semver=result.semver if result is not None else ("none" if unchanged else "minor"),
        rules=ids,
    )


def _command(kind: str, specs: List[str], base: Optional[str], a: dict) -> int:  # type: ignore[type-arg]
    """The body every reporting command shares: configuration, collection, policy, report."""
    from .report import Report, find_root

    cfg = _config(a["config"], specs)
    day = _parse_today(a["today"])
    options = _options(cfg, _parse_rule_options(a.get("option")))
    rulesets = _load_rulesets(list(cfg.rulesets if cfg is not None else []) + list(a.get("ruleset") or []))
    docs = ChainMap(_custom_docs(rulesets), _rule_docs())  # a custom rule's ID wins
    if cfg is not None:
        cfg.check_names(set(docs), set(_families().values()))
    v = (a["validate"], a["no_validate"], a["allow_remote"], a["allow_outside_root"])
    settings = {
        "load": lambda level, last=False: _load_options(*v, level, last),
        "today": day,
        "rulesets": rulesets,
        "options": options,
        "notice": _notice_days(a.get("min_notice_days"), cfg),
        "check_version": a.get("check_version", False),
    }
    runs = _apply_policy(cfg, _collect(kind, specs, base, settings), day)
    report = Report(kind, runs, fail_on=_fail_level(a["fail_on"], cfg), rules=docs, root=find_root())
    return _emit(report, a["format"], a["output"], a["quiet"])


@app.command()
def diff(
    specs: List[str] = typer.Argument(
        ..., help="OLD NEW (each a path, '-' or REV:path); with --base, one or more work-tree paths or quoted globs.", show_default=False
    ),
    base: Optional[str] = BASE,
    format: Format = FORMAT,
    output: Optional[List[str]] = OUTPUT,
    quiet: bool = QUIET,
    config: Optional[Path] = CONFIG,
    fail_on: Optional[FailOn] = FAIL_ON,
    validate: Validate = VALIDATE,
    no_validate: bool = NO_VALIDATE,
    allow_remote: bool = ALLOW_REMOTE,
    allow_outside_root: bool = ALLOW_OUTSIDE,
    today: Optional[str] = TODAY,
    min_notice_days: Optional[int] = MIN_NOTICE,
    check_version: bool = typer.Option(
        False, "--check-version", help="Require info.version to move at least as far as the changes need (semver)."
    ),
) -> None:
    """Compare two versions of a spec and report what breaks clients.

    Examples:

      apiguard diff examples/petstore-v1.yaml examples/petstore-v2.yaml

      apiguard diff origin/main:openapi.yaml openapi.yaml

      apiguard diff --base origin/main openapi.yaml -o sarif=apiguard.sarif -o markdown=summary.md

      apiguard diff --base origin/main 'specs/**/openapi.yaml'
    """

    args = dict(locals())
    _run(lambda: _command("diff", specs, base, args))



@app.command()
def lint(
    specs: List[str] = typer.Argument(..., help="One or more specs: paths, globs, '-' or REV:path.", show_default=False),
    format: Format = FORMAT,
    output: Optional[List[str]] = OUTPUT,
    quiet: bool = QUIET,
    config: Optional[Path] = CONFIG,
    fail_on: Optional[FailOn] = FAIL_ON,
    validate: Validate = VALIDATE,
    no_validate: bool = NO_VALIDATE,
    allow_remote: bool = ALLOW_REMOTE,
    allow_outside_root: bool = ALLOW_OUTSIDE,
    today: Optional[str] = TODAY,
    option: Optional[List[str]] = RULE_OPTION,
    ruleset: Optional[List[str]] = RULESET,
) -> None:
    """Check one or more specs on their own: validity and the governance rules.

    Examples:

      apiguard lint openapi.yaml

      apiguard lint 'specs/**/openapi.yaml' --format sarif -o apiguard.sarif

      apiguard lint openapi.yaml --option errors.style=google --option rate-limits.style=legacy

      apiguard lint openapi.yaml --ruleset house-rules.yaml
    """

    args = dict(locals())
    _run(lambda: _command("lint", specs, None, args))



@app.command()
def check(
    specs: List[str] = typer.Argument(
        ..., help="OLD NEW; with --base, one or more work-tree paths or quoted globs.", show_default=False
    ),
    base: Optional[str] = BASE,
    format: Format = FORMAT,
    output: Optional[List[str]] = OUTPUT,
    quiet: bool = QUIET,
    config: Optional[Path] = CONFIG,
    fail_on: Optional[FailOn] = FAIL_ON,
    validate: Validate = VALIDATE,
    no_validate: bool = NO_VALIDATE,
    allow_remote: bool = ALLOW_REMOTE,
    allow_outside_root: bool = ALLOW_OUTSIDE,
    today: Optional[str] = TODAY,
    min_notice_days: Optional[int] = MIN_NOTICE,
    option: Optional[List[str]] = RULE_OPTION,
    ruleset: Optional[List[str]] = RULESET,
) -> None:
    """Diff and lint in one run: what the GitHub Action and the pre-commit hook call.

    Examples:

      apiguard check --base origin/main openapi.yaml

      apiguard check old.yaml new.yaml --format github -o sarif=apiguard.sarif -o markdown=summary.md
    """

    args = dict(locals())
    _run(lambda: _command("check", specs, base, args))



class ChangelogFormat(str, Enum):
    markdown = "markdown"
    text = "text"


@app.command()
def baseline(
    specs: List[str] = typer.Argument(
        ..., help="OLD NEW; with --base, one or more work-tree paths or quoted globs.", show_default=False
    ),
    base: Optional[str] = BASE,
    output: Optional[Path] = typer.Option(
        None,
        "--output",
        "-o",
        help="The YAML configuration to add the suppressions to [default: the configuration in use if it is YAML, else ./.apiguard.yaml].",
    ),
    reason: str = typer.Option("", "--reason", help="The reason written into every suppression [default: 'baseline DATE: ...']."),
    expires: Optional[str] = typer.Option(None, "--expires", help="YYYY-MM-DD: the suppressions stop working after this day."),
    config: Optional[Path] = CONFIG,
    validate: Validate = VALIDATE,
    no_validate: bool = NO_VALIDATE,
    allow_remote: bool = ALLOW_REMOTE,
    allow_outside_root: bool = ALLOW_OUTSIDE,
    today: Optional[str] = TODAY,
    min_notice_days: Optional[int] = MIN_NOTICE,
    option: Optional[List[str]] = RULE_OPTION,
    ruleset: Optional[List[str]] = RULESET,
) -> None:
    """Accept today's findings: write a suppression for each finding `check` reports now, so a
    legacy API adopts apiguard and only new problems block. Existing keys and comments of the
    configuration are kept; findings already suppressed are not added twice.

    Examples:

      apiguard baseline --base origin/main openapi.yaml

      apiguard baseline old.yaml new.yaml -o .apiguard.yaml --expires 2027-06-30 --reason "PLAT-412: legacy envelope"
    """

    def body() -> int:
        import datetime as dt
        import io

        from ruamel.yaml import YAML

        cfg = _config(config, specs)
        day = _parse_today(today) or dt.date.today()
        if expires is not None:
            try:
                dt.date.fromisoformat(expires)
            except ValueError:
                raise UsageError(f"--expires {expires!r} is not a date", hint="write YYYY-MM-DD") from None
        target = output
        if target is None:
            target = cfg.path if cfg is not None and cfg.path is not None and cfg.path.name != "pyproject.toml" else Path(".apiguard.yaml")
        if target.name == "pyproject.toml" or target.suffix == ".toml":
            raise UsageError("the baseline is written as YAML", hint="write it to .apiguard.yaml (-o .apiguard.yaml); a .apiguard.yaml is read before pyproject.toml")
        v = (validate, no_validate, allow_remote, allow_outside_root)
        rulesets = _load_rulesets(list(cfg.rulesets if cfg is not None else []) + list(ruleset or []))
        if cfg is not None:
            cfg.check_names(set(_rule_docs()) | set(_custom_docs(rulesets)), set(_families().values()))
        settings = {
            "load": lambda level, last=False: _load_options(*v, level, last),
            "today": day,
            "rulesets": rulesets,
            "options": _options(cfg, _parse_rule_options(option)),
            "notice": _notice_days(min_notice_days, cfg),
            "check_version": False,
        }
        runs = _apply_policy(cfg, _collect("check", specs, base, settings), day)
        folder = (target.parent if str(target.parent) else Path(".")).resolve()
        entries, seen = [], set()
        for run in runs:
            for f in run.findings:
                if f.rule == "suppression-expired":
                    continue
                entry = _suppression_for(f, run.spec, folder, reason or f"baseline {day.isoformat()}: accepted when adopting apiguard", expires)
                key = (entry["rule"], entry.get("pointer"), entry.get("file"), entry.get("operation"))
                if key not in seen:
                    seen.add(key)
                    entries.append(entry)
        yaml = YAML()
        yaml.preserve_quotes = True
        yaml.width = 4096
        doc = None
        if target.exists():
            from .config import load_config

            load_config(target)  # a broken file is reported at its line before we touch it
            doc = yaml.load(target.read_text(encoding="utf-8"))
        if doc is None:
            doc = {}
        existing = doc.get("suppressions")
        if existing is None:
            doc["suppressions"] = existing = []
        for entry in entries:
            existing.append(entry)
        buf = io.StringIO()
        yaml.dump(doc, buf)
        _write(buf.getvalue(), target)
        typer.echo(f"{target}: {len(entries)} suppression{'s' if len(entries) != 1 else ''} added", err=True)
        return 0

    _run(body)


def _suppression_for(f, spec: str, folder: Path, reason: str, expires: Optional[str]) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """The narrowest suppression that matches one finding: its rule, the node it is about (the
    removed node for a removal) and the file that node is in (a multi-file spec's findings sit
    in many files), relative to the configuration's folder."""
    entry: dict = {"rule": f.rule}  # type: ignore[type-arg]
    loc = f.old_location if f.old_location is not None and f.location is not None and f.location.pointer != f.old_location.pointer else f.location
    if loc is not None and loc.pointer:
        entry["pointer"] = loc.pointer
    elif len(f.operations) == 1:
        entry["operation"] = f.operations[0]
    where = loc.file if loc is not None else spec
    name = where.partition(":")[2] if ":" in where and not Path(where).exists() else where
    try:
        entry["file"] = (Path.cwd() / name).resolve().relative_to(folder).as_posix()
    except ValueError:
        entry["file"] = Path(name).as_posix()
    entry["reason"] = reason
    if expires:
        entry["expires"] = expires
    return entry


@app.command()
def changelog(
    specs: List[str] = typer.Argument(..., help="OLD NEW, or just NEW with --base.", show_default=False),
    base: Optional[str] = BASE,
    format: ChangelogFormat = typer.Option(ChangelogFormat.markdown, "--format", "-f", help="markdown or text."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the changelog to this file (atomically)."),
    validate: Validate = VALIDATE,
    no_validate: bool = NO_VALIDATE,
    allow_remote: bool = ALLOW_REMOTE,
    allow_outside_root: bool = ALLOW_OUTSIDE,
    today: Optional[str] = TODAY,
) -> None:
    """Release notes: every change between two versions, additive ones included, grouped by tag
    and operation, breaking changes marked.

    Examples:

      apiguard changelog examples/petstore-v1.yaml examples/petstore-v2.yaml

      apiguard changelog --base v1.4.0 openapi.yaml -o CHANGELOG-api.md
    """

    def body() -> int:
        from .engine import changelog as build
        from .loader import load_spec
        from .report.changelog import render_changelog

        old_arg, new_arg = _pair(specs, base, "changelog")
        old = load_spec(old_arg, _load_options(validate, no_validate, allow_remote, allow_outside_root, Level.INFO))
        new = load_spec(new_arg, _load_options(validate, no_validate, allow_remote, allow_outside_root, Level.INFO))
        log = build(old, new, today=_parse_today(today))
        text = render_changelog(log, markdown=format is ChangelogFormat.markdown)
        if output is not None:
            _write(text, output)
        else:
            sys.stdout.write(text)
        return 0

    _run(body)


@app.command()
def schema(
    name: str = typer.Argument(..., metavar="NAME", help="json (the JSON report), ruleset (custom rulesets) or config (.apiguard.yaml)."),
) -> None:
    """Print a JSON Schema that ships with apiguard.

    Examples:

      apiguard schema json > apiguard-report.schema.json

      apiguard schema config
    """

    def body() -> int:
        from importlib.resources import files

        known = {"json": "report.schema.json", "ruleset": "ruleset.schema.json", "config": "config.schema.json"}
        available = {k: v for k, v in known.items() if files("apiguard.schemas").joinpath(v).is_file()}
        if name not in available:
            raise UsageError(f"no schema named {name!r}", hint="known: " + ", ".join(sorted(available)))
        sys.stdout.write(files("apiguard.schemas").joinpath(available[name]).read_text(encoding="utf-8"))
        return 0

    _run(body)


def _reference(catalog: dict) -> str:  # type: ignore[type-arg]
    """The rule reference: an index table per kind and family, then every rule's documentation,
    generated from rules/*.md so it never drifts (tests/test_docs.py compares docs/rules.md)."""
    kinds = {"compat": "Compatibility rules (diff)", "lint": "Governance rules (lint)"}
    out = [
        "# Rule reference",
        "",
        "Generated from `rules/*.md` by `apiguard rules --markdown`; do not edit by hand.",
        "Levels are the defaults; change them per rule in the configuration (`rules:`).",
        "",
    ]
    groups: dict = {}  # type: ignore[type-arg]
    for rid, entry in catalog.items():
        family = str(entry.front.get("family") or entry.meta.area or "other")
        groups.setdefault(entry.meta.kind, {}).setdefault(family, []).append(rid)
    for kind in sorted(groups, key=lambda k: list(kinds).index(k) if k in kinds else 9):
        out += [f"## {kinds.get(kind, kind)}", ""]
        for family in sorted(groups[kind]):
            out += [f"### {family}", "", "| rule | level | what it reports |", "| --- | --- | --- |"]
            for rid in sorted(groups[kind][family]):
                meta = catalog[rid].meta
                out.append(f"| [`{rid}`](#{rid}) | {meta.level.label} | {meta.summary.replace('|', chr(92) + '|')} |")
            out.append("")
    out += ["## Every rule", ""]
    for rid in sorted(catalog):
        entry = catalog[rid]
        out += [f"### {rid}", "", f"*{entry.meta.level.label}, {entry.meta.kind}.* {entry.meta.summary}", "", entry.body.strip(), ""]
    return "\n".join(out)


@app.command()
def rules(
    rule_id: Optional[str] = typer.Argument(None, metavar="[ID]", help="Explain one rule."),
    markdown: bool = typer.Option(False, "--markdown", help="Print the whole rule reference as Markdown (docs/rules.md)."),
) -> None:
    """List the rules, or explain one.

    Examples:

      apiguard rules

      apiguard rules operation-removed-without-deprecation

      apiguard rules --markdown > docs/rules.md
    """

    def body() -> int:
        from .catalog import load_catalog, suggestions

        catalog = load_catalog()
        if markdown:
            sys.stdout.write(_reference(catalog))
            return 0
        if rule_id is None:
            width = max(len(r) for r in catalog)
            for rid, entry in sorted(catalog.items(), key=lambda kv: (kv[1].meta.kind, kv[0])):
                typer.echo(f"{rid:<{width}}  {entry.meta.level.label:<7}  {entry.meta.kind:<6}  {entry.meta.summary}")
            return 0
        entry = catalog.get(rule_id)
        if entry is None:
            shown = suggestions(rule_id, catalog)
            raise UsageError(
                f"unknown rule {rule_id!r}",
                hint=f"did you mean {shown}?" if shown else "run `apiguard rules` to list them",
            )
        typer.echo(f"{entry.meta.id} ({entry.meta.level.label}, {entry.meta.kind})\n\n{entry.meta.summary}\n\n{entry.body}")
        return 0

    _run(body)


def main() -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
    try:
        code = app(prog_name="apiguard", standalone_mode=False)
    except typer.Abort:
        sys.exit(130)
    except Exception as exc:
        # Click's usage errors (typer re-exports or vendors click, by version): same shape,
        # `format_message()` and an `exit_code`. Anything else is a bug and keeps its traceback.
        if not hasattr(exc, "format_message") or not hasattr(exc, "exit_code"):
            raise
        if type(exc).__name__ == "NoArgsIsHelpError":
            typer.echo(exc.format_message(), err=True)
            sys.exit(2)
        ctx = getattr(exc, "ctx", None)
        command = ctx.command_path if ctx is not None else "apiguard"
        typer.echo(f"error: {exc.format_message()}\n  hint: run `{command} --help` for the options and examples", err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


def _tune_allocators() -> None:
    """Keep the allocators from holding on to freed memory (measured in bench/diff.py).

    glibc: by default, freeing a large block (a spec's text, a big dict's table) raises the size
    below which malloc serves from its heap and keeps freed memory there, up to 32 MB; later
    small objects come from Python's own arenas and cannot reuse it. Setting the trim threshold
    once fixes both thresholds at their defaults: large blocks are mapped and unmapped, and a
    freed heap top is returned. The GitHub nine-months pair peaks at 67 MiB instead of 75.

    mimalloc, which the YAML parser (yaml-rs) links: it commits its arenas eagerly and returns
    freed pages only after a delay, so a parse's working memory (about 35 MiB for one 3 MB
    Stripe YAML file) stays resident while the next file is parsed and diffed. Committing on
    demand and returning pages at once takes the Stripe YAML pairs from 116 MiB to 88. Both
    options are read from the environment when yaml-rs is loaded, so they are set before any
    import of it; a value the user set wins. No measurable cost in time either way."""
    os.environ.setdefault("MIMALLOC_ARENA_EAGER_COMMIT", "0")
    os.environ.setdefault("MIMALLOC_PURGE_DELAY", "0")
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    m_trim_threshold = -1
    mallopt(m_trim_threshold, 4 << 20)


def run() -> None:
    """The process entry point (console script and `python -m apiguard`): `main()`, then an
    immediate exit. A run is short and allocates no reference cycles worth collecting, so the
    cyclic garbage collector is off (about 5% of a large lint), and the interpreter's teardown,
    which would free every node of the loaded specs one by one (about 80 ms on the GitHub spec),
    is skipped once every output is flushed; files are already written and closed by then."""
    import gc

    gc.disable()
    _tune_allocators()
    import weakref

    from .document import share_files, share_strings

    share_strings({})  # one string table for the run (see document.share_strings)
    share_files(weakref.WeakValueDictionary())  # and each file parsed once (document.share_files)
    code: int | str | None = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (`| head`) or a closed stream
            pass
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
