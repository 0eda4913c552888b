"""Loading benchmark: apiguard's load of each real spec against the bare-parser floor.

Usage: python bench/load.py [--repeat N] [SPEC ...]   (default: every spec in ../shared/specs)

For each spec it prints, measured in the same run on the same bytes:
  floor   the fastest available Python parser turning the bytes into dicts (`json` or `orjson`,
          whichever is faster, for JSON; `yaml-rs` for YAML; for a multi-file spec, every file
          that apiguard reads)
  load    apiguard.load_spec: parse + resolve + normalize + validate (fast mode), plus locating
          every operation and response (what a report needs), best of N warm runs
  ratio   load / floor (the issue's targets: GitHub JSON <= 3x, Stripe YAML <= 3x)
  full    load with openapi-spec-validator instead (`--validate full`), one run, for scale
  peak    peak RSS of a fresh process that loads the spec, minus the same process before loading
  fpeak   the same for a process that only runs the floor parser
Times are wall-clock seconds on a shared machine: compare the ratios, not the absolutes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPECS = HERE.parent.parent / "shared" / "specs"


def spec_files() -> list[Path]:
    files = []
    for folder in ("github", "stripe", "openai", "misc"):
        files.extend(sorted(p for p in (SPECS / folder).glob("*") if p.suffix in (".json", ".yaml", ".yml")))
    files.extend(sorted((SPECS / "digitalocean").glob("*/specification/DigitalOcean-public.v2.yaml")))
    return files


def _floor_parse(paths: list[Path]) -> None:
    import orjson
    import yaml_rs

    for path in paths:
        raw = path.read_bytes()
        if path.suffix == ".json":
            orjson.loads(raw)
        else:
            yaml_rs.loads(raw.decode("utf-8"), parse_datetime=False)


def _floor_json_best(raw: bytes) -> float:
    import orjson

    best = float("inf")
    for fn in (json.loads, orjson.loads):
        t = time.perf_counter()
        fn(raw)
        best = min(best, time.perf_counter() - t)
    return best


def _files_read(spec_path: Path) -> list[Path]:
    from apiguard import load_spec

    spec = load_spec(str(spec_path), _opts("off"))
    folder = spec_path.parent
    return [folder / key for key in spec.documents]


def _opts(mode: str):  # type: ignore[no-untyped-def]
    from apiguard.loader import LoadOptions

    return LoadOptions(validate=mode)


def _load_and_locate(path: Path, mode: str = "fast") -> int:
    from apiguard import load_spec

    spec = load_spec(str(path), _opts(mode))
    n = 0
    for op in spec.operations.values():
        spec.locate(op.node.where)
        n += 1
        for resp in op.responses.values():
            spec.locate(resp.where)
            n += 1
    return n


def worker(path: Path, mode: str, repeat: int) -> dict[str, float]:
    """Runs in a fresh process: one kind of measurement for one spec."""
    import yaml_rs  # noqa: F401 - imports are not part of any timing

    import apiguard.loader  # noqa: F401
    from apiguard.validate import _validator

    for fam in ("2.0", "3.0", "3.1"):
        _validator(fam)
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out: dict[str, float] = {}
    if mode == "peak-load":
        _load_and_locate(path)
        out["peak_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base_rss) / 1024
        return out
    files = _files_read(path) if path.name.startswith("DigitalOcean") else [path]
    if mode == "peak-floor":
        base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        _floor_parse(files)
        out["peak_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base_rss) / 1024
        return out
    # timings: interleave floor and load runs so machine noise hits both alike
    floors, loads = [], []
    for _ in range(repeat):
        if len(files) == 1 and path.suffix == ".json":
            floors.append(_floor_json_best(path.read_bytes()))
        else:
            t = time.perf_counter()
            _floor_parse(files)
            floors.append(time.perf_counter() - t)
        t = time.perf_counter()
        out["located"] = _load_and_locate(path)
        loads.append(time.perf_counter() - t)
    out["floor_s"] = min(floors)
    out["load_s"] = min(loads)
    t = time.perf_counter()
    _load_and_locate(path, "full")
    out["full_s"] = time.perf_counter() - t
    out["files"] = len(files)
    out["bytes"] = sum(f.stat().st_size for f in files)
    return out


def run_worker(path: Path, mode: str, repeat: int) -> dict[str, float]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(HERE.parent / "src") + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", mode, "--repeat", str(repeat), str(path)],
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}  # type: ignore[dict-item]
    return json.loads(proc.stdout)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("specs", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--worker", choices=("time", "peak-load", "peak-floor"))
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.specs[0], args.worker, args.repeat)))
        return 0
    if not args.specs and not SPECS.is_dir():
        print(f"no specs: {SPECS} is absent", file=sys.stderr)
        return 2
    specs = args.specs or spec_files()
    header = f"{'spec':<58} {'MB':>5} {'files':>5} {'floor s':>8} {'load s':>7} {'ratio':>6} {'full s':>7} {'peak MB':>8} {'fpeak MB':>8}"
    print(header)
    print("-" * len(header))
    for path in specs:
        t = run_worker(path, "time", args.repeat)
        if "error" in t:
            print(f"{str(path.relative_to(SPECS) if path.is_relative_to(SPECS) else path):<58} ERROR {t['error']}")
            continue
        pl = run_worker(path, "peak-load", 1)
        pf = run_worker(path, "peak-floor", 1)
        name = str(path.relative_to(SPECS)) if path.is_relative_to(SPECS) else str(path)
        if len(name) > 58:
            name = "..." + name[-55:]
        print(
            f"{name:<58} {t['bytes'] / 1e6:>5.1f} {int(t['files']):>5} {t['floor_s']:>8.3f} {t['load_s']:>7.3f} "
            f"{t['load_s'] / t['floor_s']:>5.1f}x {t['full_s']:>7.2f} {pl.get('peak_mb', float('nan')):>8.1f} "
            f"{pf.get('peak_mb', float('nan')):>8.1f}"
        )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
