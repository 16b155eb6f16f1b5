"""The `shopcore` command line: one module per command group, sharing `context`."""

from shopcore.entrypoints.cli.main import main

__all__ = ["main"]
