"""A write-back workflow on the SQL stores: the services a governed tier change runs through.

Every step commits through a :class:`SqlGovernanceStore` (atomically or step
by step, as ``atomic`` says), behind one commit pipeline.

Used to count warehouse statements per step (``bench/bench_statements_per_step.py``
and ``tests/sql_stores/test_workflow_statements.py``): maker alice, checker bob,
the app's service principal, and a ``customers`` table whose ``tier`` may become
silver or gold with one approval, applied explicitly. Permissions are an
in-memory checker (Unity Catalog REST calls in production, not statements).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from appkit_adapters.sql.governance.store import SqlGovernanceStore
from appkit_adapters.sql.schema import GovernanceSchema
from appkit_adapters.sql.stores import (
    SqlApprovalStore,
    SqlAuditStore,
    SqlChangeStore,
    SqlGovernedTable,
)
from appkit_adapters.sql.warehouse import SqlWarehouse
from appkit_domain.approvals import ApprovalService, Eligibility, MakerCheckerPolicy, PolicyRegistry
from appkit_domain.audit import AuditLog
from appkit_domain.identifiers import TableName
from appkit_domain.ports.clock import Clock
from appkit_domain.ports.ids import IdGenerator
from appkit_domain.principal import Principal, PrincipalKind
from appkit_domain.roles import RoleMap
from appkit_domain.unit_of_work import Commits, UnitsOfWork
from appkit_domain.writeback import AuditColumns, TableRules, ValueRule, WritebackRules
from appkit_domain.writeback.service import WRITEBACK_KIND, WritebackService
from appkit_testing.fakes.permissions import InMemoryPermissions

ALICE = Principal("u-alice", "alice@example.com", groups=frozenset({"data-stewards"}))
BOB = Principal("u-bob", "bob@example.com", groups=frozenset({"risk-approvers"}))
APP = Principal("sp-app", "app@example.com", kind=PrincipalKind.SERVICE_PRINCIPAL)


@dataclass(frozen=True)
class WritebackWorkflow:
    writeback: WritebackService
    approvals: ApprovalService
    store: SqlGovernanceStore
    units: UnitsOfWork


def writeback_workflow(
    warehouse: SqlWarehouse,
    location: GovernanceSchema,
    table: TableName,
    clock: Clock,
    ids: IdGenerator,
    *,
    stream: str = "app-1",
    atomic: bool = True,
    cache_seconds: float = 30.0,
) -> WritebackWorkflow:
    governed = SqlGovernedTable(warehouse)
    store = SqlGovernanceStore(
        warehouse, location, governed, atomic=atomic, clock=clock, cache_seconds=cache_seconds
    )
    commits = Commits(store, ids, stream=stream)
    units = UnitsOfWork(store, commits, clock, ids)
    audit = AuditLog(SqlAuditStore(warehouse, location), clock, ids, stream=stream, commits=commits)
    permissions = InMemoryPermissions()
    permissions.grant("data-stewards", table, "SELECT")
    permissions.grant(APP.id, table, "SELECT", "MODIFY")
    approvals = ApprovalService(
        units,
        SqlApprovalStore(warehouse, location),
        audit,
        policies=PolicyRegistry(
            [
                MakerCheckerPolicy(
                    kind=WRITEBACK_KIND,
                    proposers=Eligibility.of(roles={"maker"}),
                    deciders=Eligibility.of(roles={"approver"}),
                    quorum=1,
                    deadline=timedelta(days=3),
                    auto_apply=False,
                )
            ]
        ),
        roles=RoleMap({"data-stewards": {"maker"}, "risk-approvers": {"approver"}}),
    )
    rules = TableRules(
        table=table,
        key_columns=("customer_id",),
        writable={"tier": ValueRule(allowed=frozenset({"silver", "gold"}), not_null=True)},
        approval_required=True,
        audit_columns=AuditColumns(),
    )
    writeback = WritebackService(
        WritebackRules([rules]),
        governed,
        SqlChangeStore(warehouse, location),
        permissions,
        units,
        service_principal=APP,
        approvals=approvals,
    )
    return WritebackWorkflow(writeback, approvals, store, units)
