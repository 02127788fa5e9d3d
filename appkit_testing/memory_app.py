"""The ``memory`` backend: a governed app whose ports are the in-memory fakes.

Registered as backend ``memory`` (entry point group ``lakehouse_appkit.backends``),
so ``create_app(settings)`` with ``APPKIT_BACKEND=memory`` and
``lakehouse-appkit run --backend memory`` find it without the web layer
importing the fakes. The demo world is seeded in memory at construction:
metrics, customers, failed checks, and SELECT grants to the demo groups.
Tests build it directly and inspect the fakes::

    container = memory_container(load_settings({"APPKIT_BACKEND": "memory"}))
    container.clock.override(providers.Object(ControllableClock()))
    app = create_app(container)
    container.backend.governed_table().rows["demo.crm.customers"]  # the live rows

There is no SQL warehouse or Unity Catalog on this backend: ``/api/sql/query`` and
``/api/uc/...`` answer 503.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dependency_injector import containers, providers

from appkit_domain.approvals.model import APPROVAL_REQUESTS
from appkit_domain.dq.exception import DQ_EXCEPTIONS
from appkit_domain.errors import NotFound
from appkit_domain.identifiers import TableName
from appkit_domain.overrides.model import METRIC_OVERRIDES
from appkit_domain.writeback.change import CHANGE_REQUESTS
from appkit_testing.fakes import (
    InMemoryApprovalStore,
    InMemoryAuditStore,
    InMemoryDirectory,
    InMemoryDqStore,
    InMemoryTableVersions,
    RecordingNotifier,
)
from appkit_testing.fakes.change_store import InMemoryChangeStore
from appkit_testing.fakes.governance_store import InMemoryGovernanceStore
from appkit_testing.fakes.governed_table import InMemoryGovernedTable
from appkit_testing.fakes.metric_source import InMemoryMetricSource
from appkit_testing.fakes.override_store import InMemoryOverrideStore
from appkit_testing.fakes.permissions import InMemoryPermissions
from appkit_testing.platform_actions import RecordingPlatformActions
from appkit_web.catalog_browser import UserCatalogs
from appkit_web.check_results import CheckResultsSource
from appkit_web.containers import (
    GovernedAppContainer,
    app_container,
    app_service_principal,
    demo_users,
)
from appkit_web.sample import demo_data
from appkit_web.settings import Settings
from appkit_web.telemetry import telemetry_from_settings
from appkit_web.user_warehouses import UserWarehouses

DEMO_READERS = ("data-stewards", "risk-approvers", "auditors")


def demo_metric_source() -> InMemoryMetricSource:
    source = InMemoryMetricSource()
    for row in demo_data.METRICS:
        source.set(row["entity"], row["metric"], row["period"], row["value"])
    return source


def demo_governed_table() -> InMemoryGovernedTable:
    tables = InMemoryGovernedTable()
    tables.create(demo_data.METRICS_TABLE, demo_data.METRICS_COLUMNS, demo_data.METRICS)
    tables.create(demo_data.CUSTOMERS_TABLE, demo_data.CUSTOMERS_COLUMNS, demo_data.CUSTOMERS)
    tables.create(
        demo_data.CHECK_RESULTS_TABLE, demo_data.CHECK_RESULTS_COLUMNS, demo_data.CHECK_RESULTS
    )
    return tables


def demo_permissions(settings: Settings) -> InMemoryPermissions:
    """SELECT on the demo tables to the demo groups; MODIFY on customers to the app's SP."""
    permissions = InMemoryPermissions()
    permissions.grant(
        app_service_principal(settings).id, demo_data.CUSTOMERS_TABLE, "SELECT", "MODIFY"
    )
    for group in DEMO_READERS:
        for table in (
            demo_data.METRICS_TABLE,
            demo_data.CUSTOMERS_TABLE,
            demo_data.CHECK_RESULTS_TABLE,
        ):
            permissions.grant(group, table, "SELECT")
    return permissions


class TableCheckResults(CheckResultsSource):
    """Check results read from the in-memory tables."""

    def __init__(self, tables: InMemoryGovernedTable) -> None:
        self.tables = tables

    async def rows(self, table: TableName) -> Sequence[Mapping[str, Any]]:
        try:
            return [dict(row) for row in self.tables.rows[table.full_name]]
        except KeyError:
            raise NotFound(f"table {table.full_name} does not exist") from None


def memory_store(
    audit: InMemoryAuditStore,
    governed: InMemoryGovernedTable,
    approvals: InMemoryApprovalStore,
    changes: InMemoryChangeStore,
    exceptions: InMemoryDqStore,
    overrides: InMemoryOverrideStore,
) -> InMemoryGovernanceStore:
    """One in-memory governance store over the backend's fakes (a commit is one swap)."""
    store = InMemoryGovernanceStore(audit, governed)
    store.hold(APPROVAL_REQUESTS, approvals)
    store.hold(CHANGE_REQUESTS, changes)
    store.hold(DQ_EXCEPTIONS, exceptions)
    store.hold(METRIC_OVERRIDES, overrides)
    return store


class MemoryBackend(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    directory = providers.Singleton(InMemoryDirectory, providers.Callable(demo_users, settings))
    dev_directory = directory
    me_lookup: providers.Provider[None] = providers.Object(None)

    audit_store = providers.Singleton(InMemoryAuditStore)
    approval_store = providers.Singleton(InMemoryApprovalStore)
    override_store = providers.Singleton(InMemoryOverrideStore)
    dq_store = providers.Singleton(InMemoryDqStore)
    change_store = providers.Singleton(InMemoryChangeStore)
    notifier = providers.Singleton(RecordingNotifier)

    metric_source = providers.Singleton(demo_metric_source)
    governed_table = providers.Singleton(demo_governed_table)
    table_versions = providers.Singleton(InMemoryTableVersions, governed_table)
    governance_store = providers.Singleton(
        memory_store, audit_store, governed_table, approval_store, change_store, dq_store,
        override_store,
    )  # fmt: skip
    permissions = providers.Singleton(demo_permissions, settings)
    check_results = providers.Singleton(TableCheckResults, governed_table)

    warehouse: providers.Provider[None] = providers.Object(None)
    user_warehouses = providers.Singleton(UserWarehouses, None, "memory")
    user_catalogs = providers.Singleton(UserCatalogs, None, "memory")
    breakers = providers.List()
    service_principal = providers.Singleton(app_service_principal, settings)
    startup: providers.Provider[None] = providers.Object(None)
    telemetry = providers.Singleton(telemetry_from_settings, settings)
    platform: providers.Provider[None] = providers.Object(None)  # no workspace
    platform_actions = providers.Singleton(RecordingPlatformActions)  # counts what it executed


def memory_container(settings: Settings) -> GovernedAppContainer:
    """A governed app container over the in-memory fakes, with the demo world seeded."""
    return app_container(settings, MemoryBackend(settings=providers.Object(settings)))
