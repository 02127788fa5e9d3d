"""An emulated Databricks workspace ("moto for Databricks").

A local HTTP server speaking the REST subset the toolkit uses: Statement
Execution, SQL warehouses, Unity Catalog (with grants), secrets, jobs, Apps,
workspace files, SCIM identity,
OAuth M2M and host metadata, backed by the embedded local engine. The official
``databricks-sdk`` ``WorkspaceClient`` works against it unmodified.

Each API area is a subpackage with a backend (pure state, ``reset()``) and a
``responses`` module whose ``routes(workspace)`` returns its route table;
:data:`AREAS` lists them.

    from appkit_testing.workspace import start_in_thread
    emulator = start_in_thread()           # port 0: a free port
    client = emulator.client()             # WorkspaceClient(host, admin token, auth_type="pat")
    bob = emulator.add_principal("bob@example.com", groups=["analysts"])
    emulator.set_faults({"http_429": 0.1, "seed": 7})
    emulator.stop()
"""

from __future__ import annotations

from appkit_testing.workspace.apps import responses as _apps
from appkit_testing.workspace.catalog import changes as _catalog_changes
from appkit_testing.workspace.catalog import permissions as _permissions
from appkit_testing.workspace.catalog import responses as _catalog
from appkit_testing.workspace.clusters import responses as _clusters
from appkit_testing.workspace.connections import responses as _connections
from appkit_testing.workspace.control import responses as _control
from appkit_testing.workspace.control.faults import FaultPlan
from appkit_testing.workspace.files import responses as _files
from appkit_testing.workspace.genie import responses as _genie
from appkit_testing.workspace.identity import responses as _identity
from appkit_testing.workspace.identity import scim as _scim
from appkit_testing.workspace.identity.backend import PrincipalSpec
from appkit_testing.workspace.jobs import responses as _jobs
from appkit_testing.workspace.lakeview import responses as _lakeview
from appkit_testing.workspace.mlflow import responses as _mlflow
from appkit_testing.workspace.secrets import responses as _secrets
from appkit_testing.workspace.serving import responses as _serving
from appkit_testing.workspace.statements import history as _history
from appkit_testing.workspace.statements import responses as _statements
from appkit_testing.workspace.statements import sessions as _sessions
from appkit_testing.workspace.storage import dbfs as _dbfs
from appkit_testing.workspace.storage import volumes as _volumes
from appkit_testing.workspace.vector import responses as _vector
from appkit_testing.workspace.warehouses import responses as _warehouses

AREAS = (
    _identity.routes,
    _scim.routes,
    _statements.routes,
    _history.routes,
    _sessions.routes,
    _warehouses.routes,
    _catalog.routes,
    _connections.routes,
    _lakeview.routes,
    _mlflow.routes,
    _catalog_changes.routes,
    _permissions.routes,
    _secrets.routes,
    _jobs.routes,
    _clusters.routes,
    _serving.routes,
    _vector.routes,
    _genie.routes,
    _apps.routes,
    _files.routes,
    _dbfs.routes,
    _volumes.routes,
    _control.routes,
)

from appkit_testing.workspace.runner import EmulatedWorkspace, start_in_thread  # noqa: E402
from appkit_testing.workspace.state import Workspace  # noqa: E402

__all__ = [
    "AREAS",
    "EmulatedWorkspace",
    "FaultPlan",
    "PrincipalSpec",
    "Workspace",
    "start_in_thread",
]
