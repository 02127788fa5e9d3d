"""The ``lakehouse-appkit`` command line (alias ``appkit``).

Each command group lives in its own module, named in
:data:`appkit_web.cli.app.COMMAND_MODULES` and imported the first time the
command is used (add a row there for a new group; importing it here would
load it, and databricks-sdk, on every start); command groups of other
installed packages join through the ``lakehouse_appkit.commands`` entry
points (``workspace`` comes from ``appkit_testing`` that way).
"""

from appkit_web.cli.app import app, main

__all__ = ["app", "main"]
