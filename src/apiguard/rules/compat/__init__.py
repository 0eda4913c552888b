"""Compatibility rules: each judges one kind of change between two versions of a spec."""

from . import endpoints  # noqa: F401
