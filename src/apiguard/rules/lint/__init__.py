"""Lint rules: each judges one spec on its own."""

from . import basics  # noqa: F401
