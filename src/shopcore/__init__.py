"""shopcore: a hexagonal e-commerce backend you can import, serve over HTTP or drive from a CLI."""

from shopcore.library import App

__all__ = ["App"]
__version__ = "0.1.0"
