"""Shared test helpers: where the fixtures and the real specs are."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SPECS = ROOT.parent / "shared" / "specs"


def need_specs() -> Path:
    """The real specs folder, or skip: CI always has ../shared/specs beside the clone."""
    if not SPECS.is_dir():
        pytest.skip(f"real specs not found at {SPECS} (../shared/specs beside the checkout)")
    return SPECS
