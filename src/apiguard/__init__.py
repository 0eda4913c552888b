"""apiguard: catch breaking changes and governance gaps in OpenAPI specs before they ship.

The curated public API for embedding apiguard in other Python tools: `load_spec` turns a file,
stdin or a git revision into a located, resolved and normalized `Spec`; `compare` diffs two specs
and judges every change; `Finding` and `Level` describe what comes back.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import ApiguardError, InputError
from .model import Finding, Level, Location
from .loader import load_spec
from .spec import Spec
from .engine import compare, lint

__all__ = [
    "__version__",
    "ApiguardError",
    "InputError",
    "Finding",
    "Level",
    "Location",
    "Spec",
    "load_spec",
    "compare",
    "lint",
]
