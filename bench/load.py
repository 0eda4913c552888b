"""Loading benchmark: apiguard's load of each real spec against the bare-parser floor.

Usage: python bench/load.py [--repeat N] [SPEC ...]   (default: every spec in ../shared/specs)

For each spec it prints, measured in the same run on the same bytes:
  floor   the bare parse of the same bytes into dicts: `json.loads` for JSON (`orjson` is shown
          too), `yaml-rs` for YAML; for a multi-file spec, every file that apiguard reads
  load    apiguard.load_spec: parse + resolve + normalize + validate (fast mode), best of N
  ratio   load / floor (the targets: GitHub JSON <= 3x json.loads, Stripe YAML <= 3x yaml-rs)
  locate  then locating every operation and every response (source map, built lazily)
  ratio+  (load + locate) / floor
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


def _time(fn, *args) -> float:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


def _files_read(spec_path: Path) -> list[Path]:
    from apiguard import load_spec

    spec = load_spec(str(spec_path), _opts("off"))
    folder = spec_path.parent
    return [folder / key for key in spec.documents]


def _opts(mode: str):  # type: ignore[no-untyped-def]
    from apiguard.loader import LoadOptions

    return LoadOptions(validate=mode)


def _load(path: Path, mode: str = "fast"):  # type: ignore[no-untyped-def]
    from apiguard import load_spec

    return load_spec(str(path), _opts(mode))


def _locate(spec) -> int:  # type: ignore[no-untyped-def]
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
        _locate(_load(path))
        out["peak_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base_rss) / 1024
        return out
    files = _files_read(path) if path.name.startswith("DigitalOcean") else [path]
    if mode == "peak-floor":
        base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        _floor_parse(files)
        out["peak_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base_rss) / 1024
        return out
    # timings: interleave floor and load runs so machine noise hits both alike
    import orjson

    floors, orj, loads, locates = [], [], [], []
    for _ in range(repeat):
        if len(files) == 1 and path.suffix == ".json":
            raw = path.read_bytes()
            floors.append(_time(json.loads, raw))
            orj.append(_time(orjson.loads, raw))
        else:
            floors.append(_time(_floor_parse, files))
        t = time.perf_counter()
        spec = _load(path)
        loads.append(time.perf_counter() - t)
        t = time.perf_counter()
        out["located"] = _locate(spec)
        locates.append(time.perf_counter() - t)
    out["floor_s"] = min(floors)
    out["orjson_s"] = min(orj) if orj else float("nan")
    out["load_s"] = min(loads)
    out["locate_s"] = min(locates)
    out["full_s"] = _time(_load, path, "full")
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
    header = (
        f"{'spec':<52} {'MB':>4} {'files':>5} {'floor s':>7} {'orjson':>6} {'load s':>6} {'ratio':>6} "
        f"{'locate':>6} {'ratio+':>6} {'full s':>6} {'peak MB':>7} {'fpeak':>6}"
    )
    print(header)
    print("-" * len(header))
    for path in specs:
        t = run_worker(path, "time", args.repeat)
        if "error" in t:
            print(f"{str(path.relative_to(SPECS) if path.is_relative_to(SPECS) else path):<52} ERROR {t['error']}")
            continue
        pl = run_worker(path, "peak-load", 1)
        pf = run_worker(path, "peak-floor", 1)
        name = str(path.relative_to(SPECS)) if path.is_relative_to(SPECS) else str(path)
        if len(name) > 52:
            name = "..." + name[-49:]
        print(
            f"{name:<52} {t['bytes'] / 1e6:>4.1f} {int(t['files']):>5} {t['floor_s']:>7.3f} {t['orjson_s']:>6.3f} "
            f"{t['load_s']:>6.3f} {t['load_s'] / t['floor_s']:>5.1f}x {t['locate_s']:>6.3f} "
            f"{(t['load_s'] + t['locate_s']) / t['floor_s']:>5.1f}x {t['full_s']:>6.2f} "
            f"{pl.get('peak_mb', float('nan')):>7.1f} {pf.get('peak_mb', float('nan')):>6.1f}"
        )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
