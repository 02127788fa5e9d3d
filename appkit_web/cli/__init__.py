"""The ``lakehouse-appkit`` command line (alias ``appkit``)."""

from appkit_web.cli.app import app, main

__all__ = ["app", "main"]
