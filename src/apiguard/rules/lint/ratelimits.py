"""Lint family: ratelimits (being written)."""
