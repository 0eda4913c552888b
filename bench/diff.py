"""Diff benchmark: `apiguard diff` on the real pairs, as whole processes, against the floor.

Usage: python bench/diff.py [--repeat N]

For each pair in ../shared/specs it runs, alternately and N times each:
  floor     a Python process that only parses both files and keeps them (`json` for JSON,
            `yaml-rs` for YAML; for the multi-file DigitalOcean pair, every file apiguard reads)
  apiguard  `python -m apiguard diff OLD NEW --format sarif -o FILE`: load both, validate,
            diff, judge, write the report
and prints the best wall time of each, their ratio, apiguard's peak RSS against the size of
the inputs (`x input`), the same for the RSS above a process that only imports apiguard
(`x above`), the floor's own peak (`floor MB`) and apiguard's peak against it (`x floor`), and
the number of changes and findings. Targets (issue 3): GitHub a day apart
<= 8x, nine months apart <= 10x, Stripe YAML <= 8x; peak memory < 10x the input size.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPECS = HERE.parent.parent / "shared" / "specs"
DO_ROOT = "specification/DigitalOcean-public.v2.yaml"

PAIRS = [
    ("github a day apart", "github/prev-d4f05e0.json", "github/new-1cf3739.json"),
    ("github nine months apart", "github/old-4cf46ad.json", "github/new-1cf3739.json"),
    ("stripe json, small change", "stripe/prev-fc5a2b9.json", "stripe/new-e0123a3.json"),
    ("stripe yaml, small change", "stripe/prev-fc5a2b9.yaml", "stripe/new-e0123a3.yaml"),
    ("stripe yaml, three months", "stripe/old-4d2f301.yaml", "stripe/new-e0123a3.yaml"),
    ("openai, three months", "openai/old-5162af9.yaml", "openai/new-f85dbe2.yaml"),
    ("digitalocean multi-file", f"digitalocean/prev-8c740d3/{DO_ROOT}", f"digitalocean/new-7c1300c/{DO_ROOT}"),
    # Not among the pairs issue 3 names: DigitalOcean three months apart (165 findings).
    ("digitalocean, three months", f"digitalocean/old-b236aea/{DO_ROOT}", f"digitalocean/new-7c1300c/{DO_ROOT}"),
]

FLOOR = r"""
import json, sys, yaml_rs
kept = []  # a diff needs both versions at once: the floor keeps every parsed file too
for path in sys.argv[1:]:
    with open(path, "rb") as fh:
        raw = fh.read()
    if path.endswith(".json"):
        kept.append(json.loads(raw))
    else:
        kept.append(yaml_rs.loads(raw.decode("utf-8"), parse_datetime=False))
"""


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in KiB and exit status of one child process."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err[-500:]}")
    return elapsed, usage.ru_maxrss, proc.returncode


# Facts about a pair (the files it reads, the changes it has) come from a child process: this
# process must stay small. A child's peak RSS as the kernel reports it (ru_maxrss) includes the
# memory of the parent it was forked from, so a parent that had loaded specs itself would inflate
# every figure measured after that.
_FACTS = r"""
import json, sys
from apiguard import load_spec
from apiguard.diff import compare
from apiguard.loader import LoadOptions
off = LoadOptions(validate="off")
old, new = load_spec(sys.argv[1], off), load_spec(sys.argv[2], off)
print(json.dumps({"files": [sorted(s.documents) for s in (old, new)], "changes": len(compare(old, new))}))
"""


def _facts(old: Path, new: Path, env: dict[str, str]) -> tuple[list[Path], int]:
    out = subprocess.run([sys.executable, "-c", _FACTS, str(old), str(new)], env=env, capture_output=True, text=True, check=True)
    facts = json.loads(out.stdout)
    files = [old.parent / key for key in facts["files"][0]] + [new.parent / key for key in facts["files"][1]]
    return files, facts["changes"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if not SPECS.is_dir():
        print(f"no specs: {SPECS} is absent", file=sys.stderr)
        return 2
    env = dict(os.environ)
    # An installed apiguard has its bytecode cached (pip compiles it); a PYTHONDONTWRITEBYTECODE
    # inherited from the shell would make every run recompile the sources instead.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(HERE.parent / "src") + os.pathsep + env.get("PYTHONPATH", "")
    # What the interpreter and apiguard's imports cost before any spec is read.
    baseline = _run([sys.executable, "-c", "import apiguard.cli, apiguard.engine, apiguard.diff"], env)[1] * 1024
    print(f"interpreter + imports: {baseline / 1e6:.0f} MB peak RSS")
    header = (
        f"{'pair':<28} {'input MB':>8} {'floor s':>8} {'apiguard s':>10} {'ratio':>6} {'peak MB':>8} "
        f"{'x input':>7} {'x above':>7} {'floor MB':>8} {'x floor':>7} {'changes':>7} {'findings':>8}"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.sarif"
        for label, old_rel, new_rel in PAIRS:
            old, new = SPECS / old_rel, SPECS / new_rel
            files, changes = _facts(old, new, env)
            size = sum(f.stat().st_size for f in files)
            floor_cmd = [sys.executable, "-c", FLOOR, *map(str, files)]
            ag_cmd = [sys.executable, "-m", "apiguard", "diff", str(old), str(new), "--format", "sarif", "-o", str(out)]
            floors, runs, peaks, floor_peaks = [], [], [], []
            for _ in range(args.repeat):
                ft, fpeak, _ = _run(floor_cmd, env)
                floors.append(ft)
                floor_peaks.append(fpeak * 1024)
                out.unlink(missing_ok=True)
                t, peak, _ = _run(ag_cmd, env)
                if not out.exists():
                    raise SystemExit(f"{' '.join(ag_cmd)} wrote no report")
                runs.append(t)
                peaks.append(peak)
            report = json.loads(out.read_text())
            peak = max(peaks) * 1024  # bytes
            print(
                f"{label:<28} {size / 1e6:>8.1f} {min(floors):>8.3f} {min(runs):>10.3f} {min(runs) / min(floors):>5.1f}x "
                f"{peak / 1e6:>8.0f} {peak / size:>6.1f}x {(peak - baseline) / size:>7.1f}x "
                f"{max(floor_peaks) / 1e6:>8.0f} {peak / max(floor_peaks):>6.1f}x "
                f"{changes:>7} {len(report['runs'][0]['results']):>8}"
            )
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
