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
FORMAT = typer.Option(Format.text, "--format", "-f", help="Report format.")
OUTPUT = typer.Option(None, "--output", "-o", help="Write the report to this file (atomically) instead of stdout.")
FAIL_ON = typer.Option(FailOn.error, "--fail-on", help="Exit 1 when a finding at or above this level exists.")
VALIDATE = typer.Option(
    Validate.fast, "--validate", help="fast: OpenAPI JSON Schema + cheap semantic checks; full: openapi-spec-validator; off."
)
NO_VALIDATE = typer.Option(False, "--no-validate", help="Skip validation (same as --validate off).")
ALLOW_REMOTE = typer.Option(False, "--allow-remote", help="Allow reading specs and $refs over http(s).")
ALLOW_OUTSIDE = typer.Option(False, "--allow-outside-root", help="Allow $refs to files outside the spec's folder.")


def _color(output: Optional[Path]) -> bool:
    if output is not None:
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def _write(text: str, output: Optional[Path]) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"cannot write {output}: folder {folder} does not exist", hint="create the folder first")
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, output)
    except BaseException:
        # Never leave a half-written report behind.
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _exit_code(findings: list[Finding], fail_on: FailOn) -> int:
    if fail_on is FailOn.never:
        return 0
    threshold = Level.parse(fail_on.value)
    return 1 if any(f.level >= threshold for f in findings) else 0


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


@app.command()
def diff(
    specs: List[str] = typer.Argument(..., help="OLD NEW, or just NEW with --base. Each is a path, '-' or REV:path.", show_default=False),
    base: Optional[str] = typer.Option(None, "--base", help="Compare the file at this git revision against the working tree."),
    format: Format = FORMAT,
    output: Optional[Path] = OUTPUT,
    fail_on: FailOn = FAIL_ON,
    validate: Validate = VALIDATE,
    no_validate: bool = NO_VALIDATE,
    allow_remote: bool = ALLOW_REMOTE,
    allow_outside_root: bool = ALLOW_OUTSIDE,
    today: Optional[str] = typer.Option(
        None, "--today", help="Judge sunset dates as of this day (YYYY-MM-DD), for reproducible results."
    ),
    min_notice_days: int = typer.Option(365, "--min-notice-days", min=0, help="Minimum days between deprecation and sunset."),
    check_version: bool = typer.Option(
        False, "--check-version", help="Require info.version to move at least as far as the changes need (semver)."
    ),
) -> None:
    """Compare two versions of a spec and report what breaks clients.

    Examples:

      apiguard diff examples/petstore-v1.yaml examples/petstore-v2.yaml

      apiguard diff origin/main:openapi.yaml openapi.yaml

      apiguard diff --base origin/main openapi.yaml --format json -o report.json
    """

    def body() -> int:
        from .engine import compare
        from .loader import load_spec
        from .report import Report, render

        if base is not None:
            if len(specs) != 1:
                raise UsageError("with --base, give exactly one spec (the working-tree file)", hint="apiguard diff --base origin/main openapi.yaml")
            new_arg = specs[0]
            rel = new_arg if new_arg.startswith(("./", "../")) else "./" + new_arg
            old_arg = f"{base}:{rel}"
        else:
            if len(specs) != 2:
                raise UsageError(f"diff needs two specs, OLD and NEW; got {len(specs)}", hint="apiguard diff old.yaml new.yaml (or --base REV new.yaml)")
            old_arg, new_arg = specs
        if old_arg == "-" and new_arg == "-":
            raise UsageError("only one of OLD and NEW can be read from stdin")
        # Problems of the old version are known debt, not news: report them as warnings at most.
        old = load_spec(old_arg, _load_options(validate, no_validate, allow_remote, allow_outside_root, Level.INFO))
        new = load_spec(new_arg, _load_options(validate, no_validate, allow_remote, allow_outside_root, Level.ERROR))
        result = compare(old, new, today=_parse_today(today), min_notice_days=min_notice_days, check_version=check_version)
        report = Report("diff", [old.name, new.name], result.findings, result.semver, result.counts())
        _write(render(format.value, report, color=_color(output)), output)
        return _exit_code(result.findings, fail_on)

    _run(body)


@app.command()
def lint(
    specs: List[str] = typer.Argument(..., help="One or more specs: paths, '-' or REV:path.", show_default=False),
    format: Format = FORMAT,
    output: Optional[Path] = OUTPUT,
    fail_on: FailOn = FAIL_ON,
    validate: Validate = VALIDATE,
    no_validate: bool = NO_VALIDATE,
    allow_remote: bool = ALLOW_REMOTE,
    allow_outside_root: bool = ALLOW_OUTSIDE,
) -> None:
    """Check one or more specs on their own: validity and the governance rules.

    Examples:

      apiguard lint openapi.yaml

      apiguard lint api/*.yaml --format json
    """

    def body() -> int:
        from .engine import lint as run_lint
        from .loader import load_spec
        from .report import Report

        findings: list[Finding] = []
        names = []
        for arg in specs:
            spec = load_spec(arg, _load_options(validate, no_validate, allow_remote, allow_outside_root, Level.ERROR))
            names.append(spec.name)
            findings.extend(run_lint(spec))
        counts = {lvl.label: sum(1 for f in findings if f.level is lvl) for lvl in sorted(Level, reverse=True)}
        from .report import render

        report = Report("lint", names, findings, None, counts)
        _write(render(format.value, report, color=_color(output)), output)
        return _exit_code(findings, fail_on)

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


if __name__ == "__main__":  # pragma: no cover
    main()
