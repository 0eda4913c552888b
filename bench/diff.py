"""Diff benchmark: `apiguard diff` on the real pairs, as whole processes, against the floor.

Usage: python bench/diff.py [--repeat N]

For each pair in ../shared/specs it runs, alternately and N times each:
  floor     a Python process that only parses both files (`json` for JSON, `yaml-rs` for YAML;
            for the multi-file DigitalOcean pair, every file apiguard reads)
  apiguard  `python -m apiguard diff OLD NEW --format sarif -o FILE`: load both, validate,
            diff, judge, write the report
and prints the best wall time of each, their ratio, apiguard's peak RSS against the size of
the inputs (`x input`), the same for the RSS above a process that only imports apiguard
(`x above`), and the number of changes and findings. Targets (issue 3): GitHub a day apart
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
]

FLOOR = r"""
import json, sys, yaml_rs
for path in sys.argv[1:]:
    with open(path, "rb") as fh:
        raw = fh.read()
    if path.endswith(".json"):
        json.loads(raw)
    else:
        yaml_rs.loads(raw.decode("utf-8"), parse_datetime=False)
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


def _files(path: Path) -> list[Path]:
    if "digitalocean" not in str(path):
        return [path]
    sys.path.insert(0, str(HERE.parent / "src"))
    from apiguard import load_spec
    from apiguard.loader import LoadOptions

    spec = load_spec(str(path), LoadOptions(validate="off"))
    return [path.parent / key for key in spec.documents]


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
        f"{'x input':>7} {'x above':>7} {'changes':>7} {'findings':>8}"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.sarif"
        for label, old_rel, new_rel in PAIRS:
            old, new = SPECS / old_rel, SPECS / new_rel
            files = _files(old) + _files(new)
            size = sum(f.stat().st_size for f in files)
            floor_cmd = [sys.executable, "-c", FLOOR, *map(str, files)]
            ag_cmd = [sys.executable, "-m", "apiguard", "diff", str(old), str(new), "--format", "sarif", "-o", str(out)]
            floors, runs, peaks = [], [], []
            for _ in range(args.repeat):
                floors.append(_run(floor_cmd, env)[0])
                out.unlink(missing_ok=True)
                t, peak, _ = _run(ag_cmd, env)
                if not out.exists():
                    raise SystemExit(f"{' '.join(ag_cmd)} wrote no report")
                runs.append(t)
                peaks.append(peak)
            report = json.loads(out.read_text())
            changes = _count_changes(old, new)
            peak = max(peaks) * 1024  # bytes
            print(
                f"{label:<28} {size / 1e6:>8.1f} {min(floors):>8.3f} {min(runs):>10.3f} {min(runs) / min(floors):>5.1f}x "
                f"{peak / 1e6:>8.0f} {peak / size:>6.1f}x {(peak - baseline) / size:>7.1f}x "
                f"{changes:>7} {len(report['runs'][0]['results']):>8}"
            )
            sys.stdout.flush()
    return 0


def _count_changes(old: Path, new: Path) -> int:
    sys.path.insert(0, str(HERE.parent / "src"))
    from apiguard import load_spec
    from apiguard.diff import compare
    from apiguard.loader import LoadOptions

    return len(compare(load_spec(str(old), LoadOptions(validate="off")), load_spec(str(new), LoadOptions(validate="off"))))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
