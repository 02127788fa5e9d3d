"""The emulated workspace as one object: every area's backend, the engine, faults, stats.

:class:`Workspace` composes the areas; each area keeps its own state and
``reset()``. Adding an area means adding its backend here and its
``routes`` function to :data:`AREAS`; no other area changes.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from appkit_testing.workspace.apps.backend import AppsBackend
from appkit_testing.workspace.catalog import browse
from appkit_testing.workspace.catalog.grants import GrantsBackend, Securable
from appkit_testing.workspace.catalog.objects import CatalogObjects
from appkit_testing.workspace.connections.backend import ConnectionsBackend
from appkit_testing.workspace.control.faults import FaultInjector, FaultPlan
from appkit_testing.workspace.control.stats import ServedStats, StatementRecord
from appkit_testing.workspace.engine import SqlEngine, embedded_engine
from appkit_testing.workspace.errors import not_found, permission_denied
from appkit_testing.workspace.files.backend import WorkspaceFilesBackend
from appkit_testing.workspace.genie.backend import GenieBackend, workspace_statements
from appkit_testing.workspace.identity.backend import (
    ADMINS_GROUP,
    ALL_USERS_GROUP,
    Identity,
    IdentityBackend,
    PrincipalSpec,
)
from appkit_testing.workspace.jobs.backend import JobsBackend
from appkit_testing.workspace.lakeview.backend import LakeviewBackend
from appkit_testing.workspace.mlflow.backend import MlflowBackend
from appkit_testing.workspace.routing import Route
from appkit_testing.workspace.samples.catalog import NAME as SAMPLES
from appkit_testing.workspace.samples.catalog import samples_file
from appkit_testing.workspace.secrets.backend import SecretsBackend
from appkit_testing.workspace.serving.backend import ServingBackend
from appkit_testing.workspace.statements.backend import Statement, StatementsBackend
from appkit_testing.workspace.statements.execution import StatementRunner
from appkit_testing.workspace.statements.sessions import SessionsBackend
from appkit_testing.workspace.storage.backend import StorageBackend
from appkit_testing.workspace.vector.backend import VectorSearchBackend, workspace_sources
from appkit_testing.workspace.warehouses.backend import WarehouseBackend

ADMIN_NAME = "admin@example.com"
DEFAULT_CHUNK_BYTES = 2 * 1024 * 1024


class Workspace:
    """All state of one emulated workspace.

    ``engine_factory`` builds the SQL engine (again on ``reset()`` when
    ``data_dir`` is None, so an in-memory workspace starts empty); with a
    ``data_dir`` the tables persist across resets and restarts.
    """

    def __init__(
        self,
        *,
        data_dir: Path | None = None,
        principals: Iterable[PrincipalSpec] = (),
        admin_token: str | None = None,
        faults: FaultPlan | None = None,
        engine_factory: Callable[[Path | None], SqlEngine] = embedded_engine,
        clock: Callable[[], float] = time.time,
        chunk_bytes: int = DEFAULT_CHUNK_BYTES,
        workspace_id: str = "1234567890123456",
        warehouse_id: str = "emu0123456789abc",
        account_id: str = "7e3a1c55-0000-4000-8000-00000000e001",
        samples: bool = True,
    ) -> None:
        self.data_dir = data_dir
        self.clock = clock
        self.chunk_bytes = chunk_bytes
        self.workspace_id = workspace_id
        self.account_id = account_id
        self.warehouse_id = warehouse_id
        self.admin_name = ADMIN_NAME
        self.spill_dir: str | None = None
        self._engine_factory = engine_factory
        self.samples = samples
        self.engine = engine_factory(data_dir)
        self.admin_token = admin_token or "dapi" + secrets.token_hex(16)
        seed = [
            PrincipalSpec(ADMIN_NAME, "user", (ADMINS_GROUP,), "Workspace Admin", self.admin_token),
            *principals,
        ]
        self.identity = IdentityBackend(seed, clock=clock)
        self.grants = GrantsBackend()
        self.catalog_objects = CatalogObjects(clock=clock)
        self.secrets = SecretsBackend(clock=clock)
        self.connections = ConnectionsBackend(clock=clock)
        self.lakeview = LakeviewBackend(clock=clock)
        self.mlflow = MlflowBackend(clock=clock)
        self.jobs = JobsBackend(clock=clock)
        self.serving = ServingBackend(clock=clock)
        self.vector = VectorSearchBackend(*workspace_sources(self), clock=clock)
        self.genie = GenieBackend(*workspace_statements(self), clock=clock)
        self.apps = AppsBackend(clock=clock, workspace_id=workspace_id)
        self.workspace_files = WorkspaceFilesBackend(clock=clock)
        self.storage = StorageBackend(clock=clock)
        self.sessions = SessionsBackend()
        self.warehouse = WarehouseBackend()
        self.stats = ServedStats()
        self._initial_faults = faults or FaultPlan()
        self.faults = FaultInjector(self._initial_faults)
        self.statements = StatementsBackend(
            StatementRunner(self), on_terminal=self._record, clock=clock
        )
        self._install_samples()

    def _install_samples(self) -> None:
        """Attach the read-only ``samples`` catalog; every user may read it."""
        attach = getattr(self.engine, "attach_catalog", None)
        if not self.samples or not callable(attach):
            return
        attach(SAMPLES, samples_file())
        readable = ["USE_CATALOG", "USE_SCHEMA", "SELECT"]
        self.grants.change(Securable("CATALOG", SAMPLES), ALL_USERS_GROUP, readable, [])

    def _record(self, statement: Statement) -> None:
        request = statement.request
        self.stats.record_statement(
            StatementRecord(
                statement.statement_id,
                request.statement,
                tuple((p.name, p.type or "STRING") for p in request.parameters),
                statement.principal.name,
                statement.kind,
                statement.state,
                statement.error.message if statement.error else None,
                int(statement.submitted_at * 1000),
                int(statement.finished_at * 1000) if statement.finished_at else None,
            )
        )

    def reset(self) -> None:
        """Back to the initial state: seed principals (same tokens), no grants, no statements."""
        self.statements.reset()
        for backend in (
            self.identity,
            self.grants,
            self.catalog_objects,
            self.secrets,
            self.connections,
            self.lakeview,
            self.mlflow,
            self.jobs,
            self.serving,
            self.vector,
            self.genie,
            self.apps,
            self.workspace_files,
            self.storage,
            self.sessions,
            self.warehouse,
        ):
            backend.reset()
        self.stats.reset()
        self.faults.configure(self._initial_faults)
        if self.data_dir is None:
            close = getattr(self.engine, "close", None)
            if callable(close):
                close()
            self.engine = self._engine_factory(None)
        self._install_samples()

    def close(self) -> None:
        self.apps.runner.stop_all()
        self.statements.shutdown()
        close = getattr(self.engine, "close", None)
        if callable(close):
            close()

    def routes(self) -> list[Route]:
        from appkit_testing.workspace import AREAS

        out: list[Route] = []
        for area in AREAS:
            out.extend(area(self))
        return out

    def require_securable(self, securable: Securable) -> None:
        """404 with the Unity Catalog code when ``securable`` does not exist."""
        engine = self.engine
        parts = securable.name.split(".")
        if securable.type == "CATALOG":
            if securable.name not in browse.catalog_names(engine):
                raise not_found(
                    "CATALOG_DOES_NOT_EXIST", f"Catalog '{securable.name}' does not exist."
                )
        elif securable.type == "SCHEMA":
            browse.require_schema(engine, parts[0], parts[1])
        elif securable.type == "TABLE":
            browse.get_table(engine, securable.name)
        elif securable.type == "VOLUME":
            self.catalog_objects.volume(securable.name)
        elif securable.type == "FUNCTION":
            self.catalog_objects.function(securable.name)

    def require_securable_sql(self, securable: Securable) -> None:
        """As :meth:`require_securable`, raising the SQL error classes a statement reports."""
        from appkit_domain.errors import NotFound
        from appkit_testing.workspace.errors import ApiError

        try:
            self.require_securable(securable)
        except ApiError as error:
            kind = {"CATALOG": "CATALOG_NOT_FOUND", "SCHEMA": "SCHEMA_NOT_FOUND"}.get(
                securable.type, "TABLE_OR_VIEW_NOT_FOUND"
            )
            raise NotFound(
                f"[{kind}] The {securable.type.lower()} `{securable.name}` cannot be found.",
                details={"error_class": kind, "sql_state": "42P01"},
            ) from error

    def require_manage(self, identity: Identity, securable: Securable) -> None:
        """Only admins, owners and holders of MANAGE may change grants."""
        if identity.is_admin:
            return
        if self.grants.holds(identity, "MANAGE", securable):
            return
        raise permission_denied(
            f"User does not have MANAGE on {securable.display_type} '{securable.name}'."
        )
