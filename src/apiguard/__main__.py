"""Entry point for `python -m apiguard`."""

from .cli import main

main()
