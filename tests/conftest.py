"""Shared test helpers: where the fixtures and the real specs are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SPECS = ROOT.parent / "shared" / "specs"


def need_specs() -> Path:
    """The real specs folder, or skip: CI always has ../shared/specs beside the clone."""
    if not SPECS.is_dir():
        pytest.skip(f"real specs not found at {SPECS} (../shared/specs beside the checkout)")
    return SPECS


def _pair_surrogates(text: str) -> str:
    return text.encode("utf-16", "surrogatepass").decode("utf-16")


def repair_surrogates(node: Any) -> Any:
    """ruamel's tree with every escaped surrogate pair (JSON's way to write U+10000 and up)
    turned into the character JSON means; keys keep their line/column records."""
    if isinstance(node, dict):
        for key in list(node):
            value = repair_surrogates(node[key])
            if isinstance(key, str) and _pair_surrogates(key) != key:
                line, col = node.lc.key(key)
                index = list(node).index(key)
                del node[key]
                node.insert(index, _pair_surrogates(key), value)
                node.lc.add_kv_line_col(_pair_surrogates(key), [line, col, line, col])
            else:
                node[key] = value
        return node
    if isinstance(node, list):
        for i, item in enumerate(node):
            node[i] = repair_surrogates(item)
        return node
    if isinstance(node, str):
        return _pair_surrogates(node)
    return node
