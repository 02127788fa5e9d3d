"""The ``lakehouse-appkit`` command line (alias ``appkit``).

Each command group lives in its own module and registers itself on
:data:`appkit_web.cli.app.app` when imported here; command groups of other
installed packages join through the ``lakehouse_appkit.commands`` entry points
(``workspace`` comes from ``appkit_testing`` that way).
"""

from appkit_web.cli import audit as _audit  # noqa: F401  (registers `audit`)
from appkit_web.cli import create as _create  # noqa: F401  (registers `create`)
from appkit_web.cli import db as _db  # noqa: F401  (registers `db`)
from appkit_web.cli import deploy as _deploy  # noqa: F401  (registers `deploy`)
from appkit_web.cli import genie as _genie  # noqa: F401  (registers `genie`)
from appkit_web.cli import init as _init  # noqa: F401  (registers `init`)
from appkit_web.cli import jobs as _jobs  # noqa: F401  (registers `jobs`)
from appkit_web.cli import model as _model  # noqa: F401  (registers `model`)
from appkit_web.cli import oauth as _oauth  # noqa: F401  (registers `oauth`)
from appkit_web.cli import run as _run  # noqa: F401  (registers `run`)
from appkit_web.cli import runs as _runs  # noqa: F401  (registers `runs`)
from appkit_web.cli import secrets as _secrets  # noqa: F401  (registers `secrets`)
from appkit_web.cli import sql as _sql  # noqa: F401  (registers `sql`)
from appkit_web.cli import uc as _uc  # noqa: F401  (registers `uc`)
from appkit_web.cli import vector as _vector  # noqa: F401  (registers `vector`)
from appkit_web.cli.app import app, main
from appkit_web.cli.plugins import add_plugin_commands

add_plugin_commands(app)

__all__ = ["app", "main"]
