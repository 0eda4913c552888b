"""The command line: `apiguard diff`, `lint`, `rules`. Maps options to settings, runs the
pipeline, hands the results to a reporter and returns the exit code (0 clean, 1 findings at or
above --fail-on, 2 usage or input error). The only module besides `report/` that writes to the
terminal."""

from __future__ import annotations

import os
import sys
import tempfile
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from . import __version__
from .errors import ApiguardError, UsageError
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
FAIL_ON = typer.Option(FailOn.error, "--fail-on", help="Exit 1 when a finding at or above this level exists.")
VALIDATE = typer.Option(
    Validate.fast, "--validate", help="fast: OpenAPI JSON Schema + cheap semantic checks; full: openapi-spec-validator; off."
)
NO_VALIDATE = typer.Option(False, "--no-validate", help="Skip validation (same as --validate off).")
ALLOW_REMOTE = typer.Option(False, "--allow-remote", help="Allow reading specs and $refs over http(s).")
ALLOW_OUTSIDE = typer.Option(False, "--allow-outside-root", help="Allow $refs to files outside the spec's folder.")
TODAY = typer.Option(None, "--today", help="Judge sunset dates as of this day (YYYY-MM-DD), for reproducible results.")
MIN_NOTICE = typer.Option(365, "--min-notice-days", min=0, help="Minimum days between deprecation and sunset.")
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


def _fail_level(fail_on: FailOn) -> Optional[Level]:
    return None if fail_on is FailOn.never else Level.parse(fail_on.value)


def _load_options(validate: Validate, no_validate: bool, allow_remote: bool, allow_outside: bool, level: Level):  # type: ignore[no-untyped-def]
    from .loader import LoadOptions

    return LoadOptions(
        validate="off" if no_validate else validate.value,
        allow_remote=allow_remote,
        allow_outside_root=allow_outside,
        validation_level=level,
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
    import yaml_rs

    out: dict = {}  # type: ignore[type-arg]
    for item in values or []:
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


def _rule_docs() -> dict:  # type: ignore[type-arg]
    from .catalog import load_catalog

    return {rid: entry.meta for rid, entry in load_catalog().items()}


def _rule_ids(kind: str) -> tuple[str, ...]:
    from .registry import load_rules

    ids = [r.id for r in load_rules().values() if r.kind == kind]
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
    from .model import Finding, Location, fingerprint
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


@app.command()
def diff(
    specs: List[str] = typer.Argument(
        ..., help="OLD NEW (each a path, '-' or REV:path); with --base, one or more work-tree paths or quoted globs.", show_default=False
    ),
    base: Optional[str] = BASE,
    format: Format = FORMAT,
    output: Optional[List[str]] = OUTPUT,
    quiet: bool = QUIET,
    fail_on: FailOn = FAIL_ON,
    validate: Validate = VALIDATE,
    no_validate: bool = NO_VALIDATE,
    allow_remote: bool = ALLOW_REMOTE,
    allow_outside_root: bool = ALLOW_OUTSIDE,
    today: Optional[str] = TODAY,
    min_notice_days: int = MIN_NOTICE,
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

    def body() -> int:
        from .engine import compare
        from .loader import load_spec
        from .report import Report, Run, find_root

        day = _parse_today(today)
        runs = []
        for old_arg, new_arg in _spec_pairs(specs, base, "diff"):
            if new_arg is None:
                runs.append(_removed_run(old_arg, base))
                continue
            new = load_spec(new_arg, _load_options(validate, no_validate, allow_remote, allow_outside_root, Level.ERROR))
            if old_arg is None:  # a new spec: all of it is an addition
                runs.append(Run(new.name, list(new.problems), semver="minor", rules=_rule_ids("compat")))
                continue
            # Problems of the old version are known debt, not news: report them as information.
            old = load_spec(old_arg, _load_options(validate, no_validate, allow_remote, allow_outside_root, Level.INFO))
            result = compare(old, new, today=day, min_notice_days=min_notice_days, check_version=check_version)
            runs.append(Run(new.name, result.findings, base=old.name, changes=result.changes, semver=result.semver, rules=_rule_ids("compat")))
        report = Report("diff", runs, fail_on=_fail_level(fail_on), rules=_rule_docs(), root=find_root())
        return _emit(report, format, output, quiet)

    _run(body)


@app.command()
def lint(
    specs: List[str] = typer.Argument(..., help="One or more specs: paths, globs, '-' or REV:path.", show_default=False),
    format: Format = FORMAT,
    output: Optional[List[str]] = OUTPUT,
    quiet: bool = QUIET,
    fail_on: FailOn = FAIL_ON,
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

    def body() -> int:
        from .engine import check_options
        from .engine import lint as run_lint
        from .loader import load_spec
        from .report import Report, Run, find_root

        from .engine import sort_findings

        options = check_options(_parse_rule_options(option))
        day = _parse_today(today)
        rulesets = _load_rulesets(ruleset)
        runs, docs = [], _rule_docs()
        for arg in _expand(specs):
            spec = load_spec(arg, _load_options(validate, no_validate, allow_remote, allow_outside_root, Level.ERROR))
            custom, metas, ids = _custom(rulesets, spec)
            docs.update(metas)
            findings = sort_findings(run_lint(spec, today=day, options=options) + custom)
            runs.append(Run(spec.name, findings, rules=tuple(sorted(_rule_ids("lint") + ids))))
        report = Report("lint", runs, fail_on=_fail_level(fail_on), rules=docs, root=find_root())
        return _emit(report, format, output, quiet)

    _run(body)


@app.command()
def check(
    specs: List[str] = typer.Argument(
        ..., help="OLD NEW; with --base, one or more work-tree paths or quoted globs.", show_default=False
    ),
    base: Optional[str] = BASE,
    format: Format = FORMAT,
    output: Optional[List[str]] = OUTPUT,
    quiet: bool = QUIET,
    fail_on: FailOn = FAIL_ON,
    validate: Validate = VALIDATE,
    no_validate: bool = NO_VALIDATE,
    allow_remote: bool = ALLOW_REMOTE,
    allow_outside_root: bool = ALLOW_OUTSIDE,
    today: Optional[str] = TODAY,
    min_notice_days: int = MIN_NOTICE,
    option: Optional[List[str]] = RULE_OPTION,
    ruleset: Optional[List[str]] = RULESET,
) -> None:
    """Diff and lint in one run: what the GitHub Action and the pre-commit hook call.

    Examples:

      apiguard check --base origin/main openapi.yaml

      apiguard check old.yaml new.yaml --format github -o sarif=apiguard.sarif -o markdown=summary.md
    """

    def body() -> int:
        from .engine import check_options, compare, sort_findings
        from .engine import lint as run_lint
        from .loader import load_spec
        from .report import Report, Run, find_root

        options = check_options(_parse_rule_options(option))
        day = _parse_today(today)
        rulesets = _load_rulesets(ruleset)
        docs = _rule_docs()
        runs = []
        for old_arg, new_arg in _spec_pairs(specs, base, "check"):
            if new_arg is None:
                runs.append(_removed_run(old_arg, base))
                continue
            new = load_spec(new_arg, _load_options(validate, no_validate, allow_remote, allow_outside_root, Level.ERROR))
            if old_arg is None:  # a new spec: nothing to compare, everything to lint
                result = None
            else:
                old = load_spec(old_arg, _load_options(validate, no_validate, allow_remote, allow_outside_root, Level.INFO))
                result = compare(old, new, today=day, min_notice_days=min_notice_days)
            # Validation problems of the new spec are already among the diff's findings.
            linted = run_lint(new, today=day, options=options)
            if result is not None:
                linted = [f for f in linted if f.rule != "spec-invalid"]
            custom, metas, ids = _custom(rulesets, new)
            docs.update(metas)
            runs.append(
                Run(
                    new.name,
                    sort_findings((result.findings if result else []) + linted + custom),
                    base=old.name if result is not None else None,
                    changes=result.changes if result is not None else [],
                    semver=result.semver if result is not None else "minor",
                    rules=tuple(sorted(_rule_ids("compat") + _rule_ids("lint") + ids)),
                )
            )
        report = Report("check", runs, fail_on=_fail_level(fail_on), rules=docs, root=find_root())
        return _emit(report, format, output, quiet)

    _run(body)


class ChangelogFormat(str, Enum):
    markdown = "markdown"
    text = "text"


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
def schema(name: str = typer.Argument(..., metavar="NAME", help="json: the JSON report format.")) -> None:
    """Print a JSON Schema that ships with apiguard.

    Examples:

      apiguard schema json > apiguard-report.schema.json
    """

    def body() -> int:
        from importlib.resources import files

        known = {"json": "report.schema.json", "ruleset": "ruleset.schema.json"}
        available = {k: v for k, v in known.items() if files("apiguard.schemas").joinpath(v).is_file()}
        if name not in available:
            raise UsageError(f"no schema named {name!r}", hint="known: " + ", ".join(sorted(available)))
        sys.stdout.write(files("apiguard.schemas").joinpath(available[name]).read_text(encoding="utf-8"))
        return 0

    _run(body)


@app.command()
def rules(rule_id: Optional[str] = typer.Argument(None, metavar="[ID]", help="Explain one rule.")) -> None:
    """List the rules, or explain one.

    Examples:

      apiguard rules

      apiguard rules operation-removed-without-deprecation
    """

    def body() -> int:
        from .catalog import load_catalog

        catalog = load_catalog()
        if rule_id is None:
            width = max(len(r) for r in catalog)
            for rid, entry in sorted(catalog.items(), key=lambda kv: (kv[1].meta.kind, kv[0])):
                typer.echo(f"{rid:<{width}}  {entry.meta.level.label:<7}  {entry.meta.kind:<6}  {entry.meta.summary}")
            return 0
        entry = catalog.get(rule_id)
        if entry is None:
            close = [r for r in catalog if rule_id in r or r in rule_id]
            raise UsageError(
                f"unknown rule {rule_id!r}",
                hint=("did you mean " + ", ".join(close[:3]) + "?") if close else "run `apiguard rules` to list them",
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


def run() -> None:
    """The process entry point (console script and `python -m apiguard`): `main()`, then an
    immediate exit. A run is short and allocates no reference cycles worth collecting, so the
    cyclic garbage collector is off (about 5% of a large lint), and the interpreter's teardown,
    which would free every node of the loaded specs one by one (about 80 ms on the GitHub spec),
    is skipped once every output is flushed; files are already written and closed by then."""
    import gc

    gc.disable()
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
