"""Check that apiguard's fast source map agrees with ruamel.yaml on every pointer of real specs.

Usage: python bench/agreement.py [FILE ...]   (default: every spec file in ../shared/specs)

For each file it parses the text with ruamel.yaml's round-trip loader (slow, exact), walks every
node, and compares the 1-based line and column ruamel reports for each JSON Pointer (keys of
mappings, items of lists) with `Document.locate`, and the values apiguard parsed with ruamel's.
Prints one line per file and exits 1 on any disagreement.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Iterator

from ruamel.yaml import YAML

from apiguard.document import Document, parse
from apiguard.model import escape_token

SPECS = Path(__file__).resolve().parents[2] / "shared" / "specs"


def ruamel_positions(node: Any, pointer: str = "") -> Iterator[tuple[str, int, int]]:
    """Every (pointer, line, column) ruamel knows, 1-based."""
    if isinstance(node, dict):
        for key in node:
            ptr = pointer + "/" + escape_token(str(key).lower() if isinstance(key, bool) else str(key))
            line, col = node.lc.key(key)
            yield ptr, line + 1, col + 1
            yield from ruamel_positions(node[key], ptr)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            ptr = f"{pointer}/{i}"
            line, col = node.lc.item(i)
            yield ptr, line + 1, col + 1
            yield from ruamel_positions(item, ptr)


def plain(node: Any) -> Any:
    """ruamel's round-trip types reduced to plain data, for a value comparison."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return str(node)


def compare_file(path: Path) -> tuple[int, list[str], float]:
    raw = path.read_bytes()
    doc: Document = parse(str(path), raw)
    yaml = YAML(typ="rt")
    # YAML 1.2 has no timestamp type: keep dates as the strings they are written as.
    ctor = yaml.constructor
    ctor.add_constructor("tag:yaml.org,2002:timestamp", type(ctor).construct_yaml_str)
    root = yaml.load(raw.decode("utf-8-sig"))
    problems: list[str] = []
    if plain(root) != plain(doc.data):
        problems.append("values differ from ruamel.yaml")
    count = 0
    t0 = time.perf_counter()
    for ptr, line, col in ruamel_positions(root):
        count += 1
        loc = doc.locate(ptr)
        if (loc.line, loc.column) != (line, col):
            problems.append(f"{ptr}: apiguard {loc.line}:{loc.column}, ruamel {line}:{col}")
    locator = doc._locator_for()
    if getattr(locator, "_fallback", None) is not None:
        problems.append("FALLBACK: the fast path gave up and ruamel.yaml placed the rest")
    return count, problems, time.perf_counter() - t0


def spec_files() -> list[Path]:
    files = []
    for p in sorted(SPECS.rglob("*")):
        if p.suffix in (".yaml", ".yml", ".json") and p.is_file():
            files.append(p)
    return files


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or spec_files()
    bad = 0
    total = 0
    for path in files:
        count, problems, secs = compare_file(path)
        total += count
        status = "ok" if not problems else f"{len(problems)} DIFFER"
        if problems or len(files) < 50:
            print(f"{status:>10}  {count:>8} pointers  {secs:6.2f}s  {path}")
        for p in problems[:5]:
            print("            ", p)
        bad += bool(problems)
    print(f"{len(files)} files, {total} pointers, {bad} files with differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
