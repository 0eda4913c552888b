"""Lint family: webhooks (being written)."""
