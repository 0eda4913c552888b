"""Lint family: deprecation (being written)."""
