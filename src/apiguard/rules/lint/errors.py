"""Lint family: errors (being written)."""
