"""The ``databricks`` backend: SQL stores over a SQL warehouse, Unity Catalog, SCIM.

One :class:`~appkit_adapters.databricks.DatabricksWorkspace` per process (one
pooled HTTP session and resilience pipeline, opened at start-up and closed at
shutdown) serves the app's identity; reads on behalf of a user go through a
view made from their forwarded token. ``secret://`` settings are resolved
before anything is built. The demo world is seeded only with ``--demo``
(``APPKIT_DEMO=1``). Works unchanged against the emulated workspace.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace

from dependency_injector import containers, providers

from appkit_adapters.databricks import DatabricksWorkspace, ScimDirectory
from appkit_adapters.databricks.actions import DatabricksPlatformActions
from appkit_adapters.databricks.catalog import UnityCatalog
from appkit_adapters.databricks.directory import SCIM, principal_from_scim
from appkit_adapters.resilience import ResiliencePolicy
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
from appkit_domain.errors import PermissionDenied
from appkit_domain.ports.directory import Directory
from appkit_domain.principal import Principal
from appkit_web.catalog_browser import UserCatalogs, on_behalf_of
from appkit_web.check_results import WarehouseCheckResults
from appkit_web.containers import GovernedAppContainer, app_container, demo_users
from appkit_web.identity.build import dev_label
from appkit_web.identity.configured_directory import ConfiguredDirectory, DevDirectory
from appkit_web.platform.services import DatabricksPlatform
from appkit_web.sample.dev_people import admit_dev_people
from appkit_web.sample.metric_source import TableMetricSource
from appkit_web.sample.seed import SeedReport, seed_demo_world
from appkit_web.secret_refs import resolve_secret_refs
from appkit_web.settings import IdentityMode, Settings
from appkit_web.telemetry import telemetry_from_settings
from appkit_web.telemetry.warehouse import traced, traced_per_user
from appkit_web.user_warehouses import UserWarehouses, WarehouseForUser

_log = logging.getLogger("appkit_web.databricks_backend")


def resilience_policy(settings: Settings) -> ResiliencePolicy:
    """The profile's defaults with any resilience setting given overlaid.

    ``RATE_LIMIT_ENABLED=false`` turns the client-side rate limit off; ``true``
    turns it on with the default rate where the profile has none (dev, test).
    """
    policy = ResiliencePolicy.from_settings(settings, profile=settings.app_env.value)
    if settings.rate_limit_enabled is False:
        return replace(policy, rate_limit_requests_per_second=None)
    if settings.rate_limit_enabled and policy.rate_limit_requests_per_second is None:
        default = ResiliencePolicy().rate_limit_requests_per_second
        return replace(policy, rate_limit_requests_per_second=default)
    return policy


def build_workspace(settings: Settings) -> DatabricksWorkspace:
    assert settings.databricks_host and settings.warehouse_id  # checked by Settings
    policy = resilience_policy(settings)
    if settings.databricks_token:
        return DatabricksWorkspace.with_token(
            settings.databricks_host, settings.databricks_token, settings.warehouse_id,
            policy=policy,
        )  # fmt: skip
    return DatabricksWorkspace.from_environment(
        settings.warehouse_id, host=settings.databricks_host, policy=policy
    )


async def open_workspace(settings: Settings) -> AsyncIterator[DatabricksWorkspace]:
    """The workspace adapters with their session open; closed at shutdown."""
    workspace = build_workspace(settings)
    await workspace.start()
    try:
        yield workspace
    finally:
        await workspace.close()


async def app_identity(workspace: DatabricksWorkspace) -> Principal:
    """Who the app's own credentials are (SCIM ``Me``): the identity governed writes run as."""
    return principal_from_scim(await workspace.http.get(f"{SCIM}/Me"))


def principal_directory(
    settings: Settings, scim: ScimDirectory, configured: ConfiguredDirectory
) -> Directory:
    """SCIM, except in dev identity mode where the configured (demo) users stand in."""
    return configured if settings.effective_identity is IdentityMode.DEV else scim


def no_user_token(principal: Principal, what: str) -> PermissionDenied:
    """Why ``what`` cannot run as ``principal``: the app holds no token of theirs."""
    return PermissionDenied(
        f"{what} as {principal.email or principal.id} needs that user's own token: in Databricks "
        "Apps, turn on user authorization; in dev identity, send X-Forwarded-Access-Token or run "
        "with --demo against the emulated workspace"
    )


def on_behalf_of_warehouses(workspace: DatabricksWorkspace) -> WarehouseForUser:
    def warehouse(principal: Principal, token: str | None) -> SqlWarehouse:
        if not token:
            raise no_user_token(principal, "running SQL")
        return workspace.for_user(token).warehouse

    return warehouse


def user_catalog_browsers(workspace: DatabricksWorkspace) -> UserCatalogs:
    def catalog_for(token: str) -> UnityCatalog:
        return workspace.for_user(token).catalog

    return UserCatalogs(on_behalf_of(catalog_for), "databricks")


async def seed_when_asked(warehouse: SqlWarehouse, settings: Settings) -> SeedReport | None:
    if not settings.demo:
        return None
    return await seed_demo_world(
        warehouse, settings.catalog, settings.schema_name, create_catalog=True
    )


async def start_up(
    workspace: DatabricksWorkspace,
    settings: Settings,
    dev_directory: DevDirectory,
    service_principal: Principal,
) -> SeedReport | None:
    """Seed the demo world when asked; in dev identity make the dev users real on the
    workspace (:mod:`appkit_web.sample.dev_people`)."""
    report = await seed_when_asked(workspace.warehouse, settings)
    if settings.effective_identity is IdentityMode.DEV:
        said = await admit_dev_people(
            workspace,
            dev_directory,
            demo=settings.demo,
            app_principal=service_principal.email,
            id_prefix=dev_label(settings),
        )
        _log.warning("DEV IDENTITY on the databricks backend: %s", said)
    return report


class DatabricksBackend(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    workspace = providers.Resource(open_workspace, settings)
    telemetry = providers.Singleton(telemetry_from_settings, settings)
    warehouse = providers.Callable(lambda ws, t: traced(ws.warehouse, t), workspace, telemetry)
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
    permissions = providers.Callable(lambda ws: ws.catalog, workspace)

    scim = providers.Callable(lambda ws: ws.directory, workspace)
    dev_directory = providers.Singleton(DevDirectory, providers.Callable(demo_users, settings))
    directory = providers.Singleton(principal_directory, settings, scim, dev_directory)
    me_lookup = providers.Callable(lambda directory: directory.me, scim)
    notifier: providers.Provider[None] = providers.Object(None)

    user_warehouses = providers.Singleton(
        UserWarehouses,
        providers.Callable(
            traced_per_user, providers.Callable(on_behalf_of_warehouses, workspace), telemetry
        ),
        "databricks",
    )
    user_catalogs = providers.Singleton(user_catalog_browsers, workspace)
    breakers = providers.List(providers.Callable(lambda ws: ws.breaker, workspace))
    service_principal = providers.Singleton(app_identity, workspace)
    startup = providers.Callable(start_up, workspace, settings, dev_directory, service_principal)
    platform = providers.Singleton(DatabricksPlatform, workspace)
    platform_actions = providers.Singleton(
        DatabricksPlatformActions, providers.Callable(lambda ws: ws.http, workspace)
    )  # as the app's service principal


def databricks_container(settings: Settings) -> GovernedAppContainer:
    """A governed app container on a Databricks workspace (``secret://`` settings resolved)."""
    resolved, secret_values = resolve_secret_refs(settings)
    container = app_container(resolved, DatabricksBackend(settings=providers.Object(resolved)))
    redactor = container.redactor()
    for value in secret_values:
        redactor.register(value)
    return container
