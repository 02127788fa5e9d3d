"""A write-back world on fakes: the demo customers table, a maker, two checkers, an app identity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from appkit_domain.approvals import (
    Actor,
    ApprovalService,
    Eligibility,
    MakerCheckerPolicy,
    PolicyRegistry,
)
from appkit_domain.audit import AuditEvent
from appkit_domain.identifiers import TableName
from appkit_domain.ports.notifier import Notification, Notifier
from appkit_domain.principal import Principal
from appkit_domain.writeback import AuditColumns, TableRules, ValueRule, WritebackRules
from appkit_domain.writeback.service import WRITEBACK_KIND, WritebackService
from appkit_testing.fakes import (
    ControllableClock,
    InMemoryApprovalStore,
    InMemoryAuditStore,
    SequentialIds,
)
from appkit_testing.fakes.change_store import InMemoryChangeStore
from appkit_testing.fakes.governance import MemoryGovernance, memory_governance
from appkit_testing.fakes.governed_table import InMemoryGovernedTable
from appkit_testing.fakes.permissions import InMemoryPermissions
from appkit_testing.fakes.table_versions import InMemoryTableVersions
from tests.domain.people import (  # noqa: F401 (re-exported to the tests)
    ALICE,
    APP,
    BOB,
    CAROL,
    CUSTOMERS,
    DAVE,
    ROLES,
)

NOTES = TableName("demo", "crm", "notes")
TIERS = frozenset({"bronze", "silver", "gold", "platinum"})

CUSTOMER_COLUMNS = {
    "customer_id": "BIGINT",
    "name": "STRING",
    "tier": "STRING",
    "credit_limit": "DECIMAL(10,2)",
    "updated_by": "STRING",
    "updated_at": "TIMESTAMP",
}


def customer_rules(*, approval_required: bool = True) -> TableRules:
    return TableRules(
        table=CUSTOMERS,
        key_columns=("customer_id",),
        writable={
            "tier": ValueRule(allowed=TIERS, not_null=True),
            "credit_limit": ValueRule(minimum=0, maximum=100000),
        },
        approval_required=approval_required,
        audit_columns=AuditColumns(),
    )


def note_rules() -> TableRules:
    return TableRules(
        table=NOTES,
        key_columns=("note_id",),
        writable={"body": ValueRule(pattern=r"[A-Za-z ,.]*", max_length=20)},
        approval_required=False,
        audit_columns=AuditColumns(updated_by="changed_by", updated_at="changed_at"),
    )


@dataclass
class WritebackWorld:
    clock: ControllableClock
    table: InMemoryGovernedTable
    permissions: InMemoryPermissions
    changes: InMemoryChangeStore
    approval_store: InMemoryApprovalStore
    audit_store: InMemoryAuditStore
    approvals: ApprovalService
    service: WritebackService
    governance: MemoryGovernance

    def customer(self, customer_id: int) -> dict[str, Any]:
        return self.table.row(CUSTOMERS, customer_id=customer_id)

    def events(self, action: str | None = None) -> list[AuditEvent]:
        return [e for e in self.audit_store.rows if action is None or e.action == action]


def make_world(
    *,
    approval_required: bool = True,
    quorum: int = 1,
    auto_apply: bool = True,
    notifier: Notifier | None = None,
) -> WritebackWorld:
    clock = ControllableClock()
    ids = SequentialIds()
    table = InMemoryGovernedTable()
    governance = memory_governance(clock, ids, governed=table)
    table.create(
        CUSTOMERS,
        CUSTOMER_COLUMNS,
        [
            {
                "customer_id": 1,
                "name": "Acme",
                "tier": "silver",
                "credit_limit": "5000.00",
                "updated_by": None,
                "updated_at": None,
            },
            {
                "customer_id": 2,
                "name": "Globex",
                "tier": "gold",
                "credit_limit": "100.00",
                "updated_by": None,
                "updated_at": None,
            },
        ],
    )
    table.create(
        NOTES,
        {"note_id": "INT", "body": "STRING", "changed_by": "STRING", "changed_at": "TIMESTAMP"},
        [{"note_id": 1, "body": "hello", "changed_by": None, "changed_at": None}],
    )
    permissions = InMemoryPermissions()
    for group in ("data-stewards", "risk-approvers"):
        permissions.grant(group, CUSTOMERS, "SELECT")
        permissions.grant(group, NOTES, "SELECT")
    permissions.grant(APP.id, CUSTOMERS, "SELECT", "MODIFY")
    permissions.grant(APP.id, NOTES, "ALL PRIVILEGES")
    approvals = ApprovalService(
        governance.units,
        governance.approvals,
        governance.audit,
        policies=PolicyRegistry(
            [
                MakerCheckerPolicy(
                    kind=WRITEBACK_KIND,
                    proposers=Eligibility.of(roles={"maker"}),
                    deciders=Eligibility.of(roles={"approver"}),
                    quorum=quorum,
                    deadline=timedelta(days=3),
                    auto_apply=auto_apply,
                )
            ]
        ),
        roles=ROLES,
        notifier=notifier,
    )
    service = WritebackService(
        WritebackRules([customer_rules(approval_required=approval_required), note_rules()]),
        table,
        governance.changes,
        permissions,
        governance.units,
        service_principal=APP,
        approvals=approvals,
        versions=InMemoryTableVersions(table),
    )
    return WritebackWorld(
        clock,
        table,
        permissions,
        governance.changes,
        governance.approvals,
        governance.audit_store,
        approvals,
        service,
        governance,
    )


class ApprovingAtOnce:
    """A notifier whose reader approves a request the moment it is announced (as ``by``)."""

    def __init__(self, by: Principal) -> None:
        self.by = by
        self.approvals: ApprovalService | None = None
        self.approved: list[str] = []

    async def send(self, notification: Notification) -> None:
        if notification.topic == "approval.requested" and self.approvals is not None:
            await self.approvals.approve(notification.approval_id, Actor.of(self.by))
            self.approved.append(notification.approval_id)
