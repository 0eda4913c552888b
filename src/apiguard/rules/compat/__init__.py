"""Compatibility rules: each judges one kind of change between two versions of a spec."""

from . import bodies, endpoints, parameters, responses, schemas, security  # noqa: F401
