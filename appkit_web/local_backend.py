"""The ``local`` backend: the SQL stores over the embedded DuckDB lakehouse under ``APPKIT_DATA_DIR``.

Same provider names as every backend (see :mod:`appkit_web.containers`).
The demo world is seeded idempotently at start-up. The engine has no grant
model, so table privileges come from configuration (the demo grants) and
users' own statements are checked against them;
identities come from the configured directory (the demo users).
"""

from __future__ import annotations

from collections.abc import Iterator

from dependency_injector import containers, providers

from appkit_adapters.local.engine import LocalEngine
from appkit_adapters.sql.governance.store import SqlGovernanceStore
from appkit_adapters.sql.schema import GovernanceSchema
from appkit_adapters.sql.stores import (
    SqlApprovalStore,
    SqlAuditStore,
    SqlChangeStore,
    SqlDqStore,
    SqlGovernedTable,
    SqlOverrideStore,
)
from appkit_adapters.sql.stores.table_versions import SqlTableVersions
from appkit_adapters.sql.warehouse import SqlWarehouse
from appkit_domain.ports.permissions import PermissionChecker
from appkit_domain.principal import Principal
from appkit_web.catalog_browser import BrowserForUser, LocalCatalogBrowser, UserCatalogs
from appkit_web.check_results import WarehouseCheckResults
from appkit_web.containers import (
    GovernedAppContainer,
    app_container,
    app_service_principal,
    demo_users,
)
from appkit_web.identity.configured_directory import DevDirectory
from appkit_web.local_grants import GrantCheckedWarehouse
from appkit_web.sample.metric_source import TableMetricSource
from appkit_web.sample.permissions import ConfiguredPermissions, demo_grants
from appkit_web.sample.seed import SeedReport, seed_demo_world
from appkit_web.settings import Settings
from appkit_web.telemetry import telemetry_from_settings
from appkit_web.telemetry.warehouse import traced, traced_per_user
from appkit_web.user_warehouses import UserWarehouses, WarehouseForUser


def open_engine(settings: Settings) -> Iterator[LocalEngine]:
    """The engine over ``APPKIT_DATA_DIR``, closed at shutdown."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = LocalEngine(settings.data_dir)
    try:
        yield engine
    finally:
        engine.close()


def service_principal_id(settings: Settings) -> str:
    return app_service_principal(settings).id


def engine_warehouse(engine: LocalEngine, principal_id: str) -> SqlWarehouse:
    return engine.warehouse(principal_id)


def as_each_user(engine: LocalEngine, permissions: PermissionChecker) -> WarehouseForUser:
    """Each user's statements run as them and only on tables the configured grants allow."""

    def warehouse(principal: Principal, _token: str | None) -> SqlWarehouse:
        return GrantCheckedWarehouse(engine, principal, permissions)

    return warehouse


def engine_catalogs(engine: LocalEngine) -> BrowserForUser:
    browser = LocalCatalogBrowser(engine)
    return lambda _principal, _token: browser


async def seed_local(warehouse: SqlWarehouse, settings: Settings) -> SeedReport:
    """Start-up: the demo world and the governance tables, created if missing."""
    return await seed_demo_world(
        warehouse, settings.catalog, settings.schema_name, create_catalog=True
    )


class LocalBackend(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    engine = providers.Resource(open_engine, settings)
    telemetry = providers.Singleton(telemetry_from_settings, settings)
    service_principal_id = providers.Callable(service_principal_id, settings)
    warehouse = providers.Singleton(
        traced, providers.Singleton(engine_warehouse, engine, service_principal_id), telemetry
    )
    location = providers.Singleton(
        GovernanceSchema, settings.provided.catalog, settings.provided.schema_name
    )

    governed_table = providers.Singleton(SqlGovernedTable, warehouse)
    table_versions = providers.Singleton(SqlTableVersions, warehouse, governed_table)
    governance_store = providers.Singleton(SqlGovernanceStore, warehouse, location, governed_table)
    audit_store = providers.Singleton(SqlAuditStore, warehouse, location)
    approval_store = providers.Singleton(SqlApprovalStore, warehouse, location)
    override_store = providers.Singleton(SqlOverrideStore, warehouse, location)
    dq_store = providers.Singleton(SqlDqStore, warehouse, location)
    change_store = providers.Singleton(SqlChangeStore, warehouse, location)
    metric_source = providers.Singleton(TableMetricSource, warehouse)
    check_results = providers.Singleton(WarehouseCheckResults, warehouse)
    permissions = providers.Singleton(
        ConfiguredPermissions, providers.Callable(demo_grants, service_principal_id)
    )

    directory = providers.Singleton(DevDirectory, providers.Callable(demo_users, settings))
    dev_directory = directory
    me_lookup: providers.Provider[None] = providers.Object(None)
    notifier: providers.Provider[None] = providers.Object(None)

    user_warehouses = providers.Singleton(
        UserWarehouses,
        providers.Callable(
            traced_per_user, providers.Callable(as_each_user, engine, permissions), telemetry
        ),
        "local",
    )
    user_catalogs = providers.Singleton(
        UserCatalogs, providers.Callable(engine_catalogs, engine), "local"
    )
    breakers = providers.List()
    service_principal = providers.Singleton(app_service_principal, settings)
    startup = providers.Callable(seed_local, warehouse, settings)
    platform: providers.Provider[None] = providers.Object(None)  # no workspace
    platform_actions: providers.Provider[None] = providers.Object(None)


def local_container(settings: Settings) -> GovernedAppContainer:
    """A governed app container over the embedded engine in ``settings.data_dir``."""
    return app_container(settings, LocalBackend(settings=providers.Object(settings)))
