"""Lint rules: each judges one spec on its own, grouped by family."""

from . import basics, deprecation, errors, ratelimits, webhooks  # noqa: F401
