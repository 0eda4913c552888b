"""Entry point for `python -m apiguard`."""

from .cli import run

run()
