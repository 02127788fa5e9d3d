"""Warehouse statements per governed write-back step, on the SQL stores (round trips cost).

A warm workflow (table columns described and audit head known) costs:
propose 4 (row read, change insert, request insert, one audit insert of
the submission and the proposal),
approve 3 (request read, request save, audit insert) and apply 9 (request
read, claim save, change read, the two-statement governed write, change
save, audit insert, request save, audit insert). Each statement left is a
rule's: a read that guards a version check, a version-checked write, or an
audit event made durable before the step answers.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from appkit_adapters.sql.stores import (
    CountingWarehouse,
    SqlApprovalStore,
    SqlAuditStore,
    SqlChangeStore,
    SqlGovernedTable,
)
from appkit_domain.approvals import (
    Actor,
    ApprovalService,
    ApprovalStatus,
    Eligibility,
    MakerCheckerPolicy,
    PolicyRegistry,
)
from appkit_domain.audit import AuditLog
from appkit_domain.identifiers import TableName
from appkit_domain.principal import Principal, PrincipalKind
from appkit_domain.roles import RoleMap
from appkit_domain.writeback import (
    AuditColumns,
    ChangeStatus,
    TableRules,
    ValueRule,
    WritebackRules,
)
from appkit_domain.writeback.service import WRITEBACK_KIND, WritebackService
from appkit_testing.fakes import ControllableClock, SequentialIds
from appkit_testing.fakes.permissions import InMemoryPermissions
from tests.sql_stores.conftest import Governance

ALICE = Principal("u-alice", "alice@example.com", groups=frozenset({"data-stewards"}))
BOB = Principal("u-bob", "bob@example.com", groups=frozenset({"risk-approvers"}))
APP = Principal("sp-app", "app@example.com", kind=PrincipalKind.SERVICE_PRINCIPAL)


async def _services(
    governance: Governance, counted: CountingWarehouse, table: TableName
) -> tuple[WritebackService, ApprovalService]:
    clock, ids = ControllableClock(), SequentialIds()
    location = governance.location
    audit = AuditLog(SqlAuditStore(counted, location), clock, ids, stream="app-1")
    permissions = InMemoryPermissions()
    permissions.grant("data-stewards", table, "SELECT")
    permissions.grant(APP.id, table, "SELECT", "MODIFY")
    approvals = ApprovalService(
        SqlApprovalStore(counted, location),
        audit,
        clock,
        ids,
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
        SqlGovernedTable(counted, location, clock),
        SqlChangeStore(counted, location),
        permissions,
        audit,
        clock,
        ids,
        service_principal=APP,
        approvals=approvals,
    )
    return writeback, approvals


async def test_a_governed_write_back_costs_the_fewest_statements_its_rules_allow(
    governance: Governance,
) -> None:
    table = TableName(governance.location.catalog, governance.location.schema, "customers")
    await governance.warehouse.execute(
        f"CREATE TABLE {table.quoted} (customer_id BIGINT, tier STRING, updated_by STRING, "
        "updated_at TIMESTAMP, approval_id STRING)"
    )
    await governance.warehouse.execute(
        f"INSERT INTO {table.quoted} VALUES (1, 'silver', NULL, NULL, NULL), "
        "(2, 'silver', NULL, NULL, NULL)"
    )
    counted = CountingWarehouse(governance.warehouse)
    writeback, approvals = await _services(governance, counted, table)
    steps: dict[int, dict[str, Counter[str]]] = {}
    for customer_id in (1, 2):  # the first warms the column cache and the audit head
        per_step: dict[str, Counter[str]] = {}
        counted.reset()
        proposal = await writeback.propose(
            ALICE, table, {"customer_id": customer_id}, {"tier": "gold"}, "upsell"
        )
        per_step["propose"] = Counter(counted.by_kind)
        assert proposal.approval_id is not None
        counted.reset()
        await approvals.approve(proposal.approval_id, Actor.of(BOB))
        per_step["approve"] = Counter(counted.by_kind)
        counted.reset()
        applied = await approvals.apply(proposal.approval_id, Actor.of(APP))
        per_step["apply"] = Counter(counted.by_kind)
        assert applied.status is ApprovalStatus.APPLIED
        assert (await writeback.get(proposal.change.id)).status is ChangeStatus.APPLIED
        steps[customer_id] = per_step
    warm = steps[2]
    assert {step: sum(kinds.values()) for step, kinds in warm.items()} == {
        "propose": 4,
        "approve": 3,
        "apply": 9,
    }
    assert warm["propose"] == Counter({"SELECT": 1, "MERGE": 2, "INSERT": 1})
    assert warm["approve"] == Counter({"SELECT": 1, "UPDATE": 1, "INSERT": 1})
    assert warm["apply"] == Counter({"SELECT": 2, "UPDATE": 4, "MERGE": 1, "INSERT": 2})
