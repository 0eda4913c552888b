"""Lint benchmark: `apiguard lint` on every real spec, against Redocly and Spectral in the same run.

Usage: python bench/lint.py [--repeat N] [--no-spectral] [--only NAME]

For each spec in ../shared/specs it runs, as whole processes:
  apiguard  `python -m apiguard lint FILE --format json -o TMP --fail-on never`
            (load, validate, every lint rule, write the report), best of N runs
  redocly   `redocly lint FILE --format json` with its recommended ruleset (once)
  spectral  `spectral lint FILE -r RULESET -f json` with a ruleset extending spectral:oas (once)
and prints the wall times, the ratios apiguard/redocly and apiguard/spectral, apiguard's peak
RSS, and apiguard's findings per lint family. The peers come from `npm install @redocly/cli
@stoplight/spectral-cli` in the repository (node_modules/ is not committed); a missing peer is
reported as such, not timed. Target (issue 5): apiguard on the GitHub spec in at most a fifth of
Redocly's time.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SPECS = REPO.parent / "shared" / "specs"
BIN = REPO / "node_modules" / ".bin"

SPEC_FILES = [
    ("github", "github/new-1cf3739.json"),
    ("github yaml", "github/new-1cf3739.converted.yaml"),
    ("stripe", "stripe/new-e0123a3.yaml"),
    ("openai", "openai/new-f85dbe2.yaml"),
    ("digitalocean", "digitalocean/new-7c1300c/specification/DigitalOcean-public.v2.yaml"),
    ("jira (2.0)", "misc/jira-7.6.1-4c18c8f.json"),
    ("twilio (2.0)", "misc/twilio-2010-04-01-swagger2-4c18c8f.yaml"),
    ("trello (2.0)", "misc/trello-1.0-swagger2-4c18c8f.yaml"),
    ("stackexchange", "misc/stackexchange-2.0-4c18c8f.yaml"),
    ("museum (3.1)", "misc/redocly-museum-v3.1-2770b2b.yaml"),
    ("webhook example (3.1)", "misc/oai-webhook-example-v3.1-fad4c13.yaml"),
    ("petstore expanded", "misc/oai-petstore-expanded-v3.0-fad4c13.yaml"),
]


def _run(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, int, int, str]:
    """Wall seconds, the child's own peak RSS in KiB (os.wait4), exit status and stderr."""
    t = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    return elapsed, usage.ru_maxrss, proc.returncode, text


def _families() -> dict[str, str]:
    sys.path.insert(0, str(REPO / "src"))
    from apiguard.catalog import load_catalog

    return {rid: str(e.front.get("family") or e.meta.area or "other") for rid, e in load_catalog().items() if e.meta.kind == "lint"}


def _peer(name: str, spec: Path, env: dict[str, str], ruleset: Path) -> str:
    if name == "redocly":
        exe = BIN / "redocly"
        cmd = [str(exe), "lint", str(spec), "--format", "json"]
    else:
        exe = BIN / "spectral"
        cmd = [str(exe), "lint", str(spec), "-r", str(ruleset), "-f", "json", "--quiet"]
    if not exe.exists():
        return "not installed"
    seconds, _, code, err = _run(cmd, env, cwd=ruleset.parent)
    # Both exit 1 when they report problems; anything else is a failure to run.
    return f"{seconds:.2f} s" if code in (0, 1) else f"failed ({code}): {err.strip().splitlines()[-1:]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="apiguard runs per spec (best is kept)")
    parser.add_argument("--no-spectral", action="store_true", help="skip Spectral (about 80 s on GitHub)")
    parser.add_argument("--no-peers", action="store_true", help="time apiguard only")
    parser.add_argument("--only", help="run only specs whose label contains this text")
    args = parser.parse_args()
    if not SPECS.is_dir():
        print(f"{SPECS} not found: the real specs live in ../shared/specs beside the repository", file=sys.stderr)
        return 2
    families = _families()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "REDOCLY_TELEMETRY": "off", "NO_COLOR": "1"}
    env.pop("CI", None)
    # An installed apiguard has its bytecode cached (pip compiles it); a PYTHONDONTWRITEBYTECODE
    # inherited from the shell would make every run recompile the sources instead.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        ruleset = Path(tmp) / ".spectral.yaml"
        ruleset.write_text('extends: ["spectral:oas"]\n', encoding="utf-8")
        out = Path(tmp) / "report.json"
        for label, rel in SPEC_FILES:
            if args.only and args.only not in label:
                continue
            spec = SPECS / rel
            if not spec.exists():
                print(f"skip {label}: {spec} missing")
                continue
            best, peak = float("inf"), 0
            for _ in range(args.repeat):
                cmd = [sys.executable, "-m", "apiguard", "lint", str(spec), "--format", "json", "-o", str(out), "--fail-on", "never"]
                seconds, rss, code, err = _run(cmd, env)
                if code != 0:
                    print(f"apiguard failed on {label} ({code}):\n{err}", file=sys.stderr)
                    return 1
                best, peak = min(best, seconds), max(peak, rss)
            findings = json.loads(out.read_text(encoding="utf-8"))["runs"][0]["findings"]
            per_family: collections.Counter[str] = collections.Counter(families.get(f["rule"], "validation" if f["rule"] == "spec-invalid" else "?") for f in findings)
            redocly = spectral = "-"
            if not args.no_peers:
                redocly = _peer("redocly", spec, env, ruleset)
                if not args.no_spectral:
                    spectral = _peer("spectral", spec, env, ruleset)
            size = sum(p.stat().st_size for p in spec.parent.rglob("*") if p.is_file()) if "digitalocean" in rel else spec.stat().st_size
            rows.append((label, size, best, peak, redocly, spectral, len(findings), per_family))
            print(_row(rows[-1]), flush=True)
    print()
    print("findings per family:")
    names = sorted({f for r in rows for f in r[7]})
    print(f"  {'spec':24} " + " ".join(f"{n[:12]:>12}" for n in names))
    for r in rows:
        print(f"  {r[0]:24} " + " ".join(f"{r[7].get(n, 0):>12}" for n in names))
    return 0


def _ratio(ours: float, theirs: str) -> str:
    if not theirs.endswith(" s"):
        return ""
    return f" (x{ours / float(theirs[:-2]):.2f})"


def _row(r: tuple) -> str:  # type: ignore[type-arg]
    label, size, best, peak, redocly, spectral, n, _ = r
    return (
        f"{label:24} {size / 1e6:5.1f} MB  apiguard {best:6.2f} s, {peak / 1024:5.0f} MiB peak"
        f"  | redocly {redocly}{_ratio(best, redocly)}  | spectral {spectral}{_ratio(best, spectral)}  | {n} findings"
    )


if __name__ == "__main__":
    raise SystemExit(main())
