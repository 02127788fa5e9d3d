"""The ``lakehouse-appkit`` command line (alias ``appkit``).

Each command group lives in its own module and registers itself on
:data:`appkit_web.cli.app.app` when imported here.
"""

from appkit_web.cli import run as _run  # noqa: F401  (registers `run`)
from appkit_web.cli.app import app, main

__all__ = ["app", "main"]
