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

from appkit_adapters.sql.stores import CountingWarehouse
from appkit_domain.approvals import Actor, ApprovalStatus
from appkit_domain.identifiers import TableName
from appkit_domain.writeback import ChangeStatus
from appkit_testing.fakes import ControllableClock, SequentialIds
from appkit_testing.sql_writeback import ALICE, APP, BOB, writeback_workflow
from tests.sql_stores.conftest import Governance


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
    workflow = writeback_workflow(
        counted, governance.location, table, ControllableClock(), SequentialIds()
    )
    writeback, approvals = workflow.writeback, workflow.approvals
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
