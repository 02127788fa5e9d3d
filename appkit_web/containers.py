"""What a governed app is built from: two tables of providers.

:class:`GovernedAppContainer` is the app: time, ids, identity, governance
configuration and the domain services. Its ``backend`` row is a backend
container; every backend container provides the same names:

=====================  ============================================================
``directory``          Directory port: principal -> groups (SCIM, fakes, configured)
``dev_directory``      the configured users of dev identity mode
``governance_store``   GovernanceStore port: where every governed step commits
``audit_store``        AuditStore port (reads, verification)
``approval_store``     ApprovalStore port (the read side of approval requests)
``override_store``     OverrideStore port
``metric_source``      MetricSource port (computed metric values)
``dq_store``           DqStore port
``change_store``       ChangeStore port (write-back change requests)
``governed_table``     GovernedTable port (columns and rows of the tables write-back changes)
``table_versions``     TableVersions port (the governed tables' history: versions of applied changes)
``permissions``        PermissionChecker port (Unity Catalog privileges)
``check_results``      :class:`~appkit_web.check_results.CheckResultsSource`
``notifier``           Notifier port, or None
``warehouse``          SqlWarehouse of the app's service principal, or None
``user_warehouses``    :class:`~appkit_web.user_warehouses.UserWarehouses` (on behalf of users)
``user_catalogs``      :class:`~appkit_web.catalog_browser.UserCatalogs` (on behalf of users)
``me_lookup``          SCIM ``Me`` with a user's token, or None
``breakers``           circuit breakers readiness reports on
``service_principal``  the Principal governed writes execute as (the app's identity)
``startup``            awaited once at start-up after resources (e.g. seeding), or None
``platform``           :class:`~appkit_web.platform.gate.PlatformServices`, or None (no workspace)
``platform_actions``   :class:`~appkit_adapters.platform.actions.PlatformActions` as the service
                       principal (what a governed-action applier executes), or None
=====================  ============================================================

The ``memory`` backend's container is
:class:`appkit_testing.memory_app.MemoryBackend` (the web layer never
imports the fakes); backends are found by name through the
``lakehouse_appkit.backends`` entry points (:mod:`appkit_web.backends`).
Tests swap any row with ``container.<row>.override(...)``.
"""

from __future__ import annotations

import time

from dependency_injector import containers, providers

from appkit_adapters.resilience.timing import SystemTimer
from appkit_adapters.system import SystemClock, UuidIds
from appkit_domain.approvals import ApprovalService
from appkit_domain.audit import AuditLog, Redactor
from appkit_domain.dq.service import DqExceptionService
from appkit_domain.dq.severity import SlaPolicy
from appkit_domain.dq.waiver import WaiverWorkflow
from appkit_domain.overrides import OverrideService
from appkit_domain.principal import Principal, PrincipalKind
from appkit_domain.unit_of_work import Commits, UnitsOfWork
from appkit_domain.writeback.service import WritebackService
from appkit_web.identity.build import build_identity, dev_label
from appkit_web.platform.dashboards import DashboardPublishing
from appkit_web.platform.delta import DeltaOperations
from appkit_web.platform.gate import PlatformGate
from appkit_web.platform.policy import demo_platform_policy
from appkit_web.platform.vector_scope import VectorScope
from appkit_web.readiness import Readiness
from appkit_web.sample.governance import (
    demo_policies,
    demo_principals,
    demo_role_map,
    demo_writeback_rules,
)
from appkit_web.settings import Settings
from appkit_web.telemetry.approvals import approval_counter


def demo_users(settings: Settings) -> list:  # type: ignore[type-arg]
    """The demo world's users, labelled ``dev:`` in dev identity mode."""
    return demo_principals(id_prefix=dev_label(settings))


def app_service_principal(settings: Settings) -> Principal:
    """The identity governed writes execute as: the app's service principal."""
    name = settings.databricks_client_id or f"{settings.stream_name}-service-principal"
    return Principal(id=name, email="", display_name=name, kind=PrincipalKind.SERVICE_PRINCIPAL)


class GovernedAppContainer(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    backend = providers.DependenciesContainer()

    # --- time, ids, secrets ----------------------------------------------------------
    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(UuidIds)
    timer = providers.Singleton(SystemTimer)
    monotonic = providers.Object(time.monotonic)
    redactor = providers.Singleton(Redactor)

    # --- governance configuration (the sample app's unless overridden) ----------------
    role_map = providers.Singleton(demo_role_map)
    policies = providers.Singleton(demo_policies)
    writeback_rules = providers.Singleton(demo_writeback_rules)
    sla = providers.Singleton(SlaPolicy)
    service_principal = backend.service_principal

    # --- identity ----------------------------------------------------------------------
    identity = providers.Singleton(
        build_identity,
        settings,
        backend.directory,
        backend.dev_directory,
        backend.me_lookup,
        monotonic,
    )

    telemetry = backend.telemetry

    # --- units of work: every governed step commits through this writer's pipeline -----
    governance_store = backend.governance_store
    commits = providers.Singleton(
        Commits,
        backend.governance_store,
        ids,
        stream=settings.provided.stream_name,
        on_commit=providers.Callable(approval_counter, telemetry),
    )
    units = providers.Singleton(
        UnitsOfWork, backend.governance_store, commits, clock, ids, redactor=redactor
    )
    audit_log = providers.Singleton(
        AuditLog,
        backend.audit_store,
        clock,
        ids,
        stream=settings.provided.stream_name,
        redactor=redactor,
        commits=commits,
    )

    # --- domain services ---------------------------------------------------------------
    approvals = providers.Singleton(
        ApprovalService,
        units,
        backend.approval_store,
        audit_log,
        policies=policies,
        roles=role_map,
        directory=backend.directory,
        notifier=backend.notifier,
    )

    overrides = providers.Singleton(
        OverrideService, units, backend.override_store, approvals, backend.metric_source
    )
    dq = providers.Singleton(DqExceptionService, units, backend.dq_store, sla=sla)
    waivers = providers.Singleton(WaiverWorkflow, dq, approvals)
    writeback = providers.Singleton(
        WritebackService,
        writeback_rules,
        backend.governed_table,
        backend.change_store,
        backend.permissions,
        units,
        service_principal=service_principal,
        approvals=approvals,
        versions=backend.table_versions,
    )
    check_results = backend.check_results
    directory = backend.directory
    dev_directory = backend.dev_directory
    permissions = backend.permissions

    # --- reads and health ----------------------------------------------------------------
    user_warehouses = backend.user_warehouses
    warehouse = backend.warehouse
    user_catalogs = backend.user_catalogs
    startup = backend.startup
    readiness = providers.Singleton(Readiness, backend.warehouse, backend.breakers)

    # --- platform services (jobs, secrets, serving, vector search, Genie) ---------------
    platform_policy = providers.Singleton(demo_platform_policy)
    vector_scope = providers.Singleton(VectorScope)  # no index scoped by identity by default
    platform_actions = backend.platform_actions
    delta_operations = providers.Singleton(DeltaOperations, approvals, backend.warehouse)
    dashboard_publishing = providers.Singleton(DashboardPublishing, approvals, backend.platform)
    platform_gate = providers.Singleton(
        PlatformGate,
        backend.platform,
        platform_policy,
        audit_log,
        timer,
        rate=settings.provided.platform_rate_limit_rps,
        burst=settings.provided.platform_rate_limit_burst,
        backend=settings.provided.effective_backend.value,
        service_principal=service_principal.provider,
    )


def app_container(settings: Settings, backend: containers.Container) -> GovernedAppContainer:
    """The app container over ``backend`` (a backend container built with the same settings)."""
    return GovernedAppContainer(settings=providers.Object(settings), backend=backend)
