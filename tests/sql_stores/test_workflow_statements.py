"""Warehouse statements per governed write-back step, on the SQL stores (round trips cost).

With atomic commits a warm workflow (table columns described, audit head
known) costs 4 statements: propose 2 (the row's before-image, one block
committing the change, its request and both audit events), approve 1 and
apply 1 (one block each; what they decide was committed by this process a
moment ago and comes from the short-lived cache, its version still checked
in the block). Step by step it costs 18: each write is its own statement,
bracketed by the step's plan and its completion.
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
    governance: Governance, atomic: bool
) -> None:
    table = TableName(governance.location.catalog, governance.location.schema, "customers")
    await governance.warehouse.execute(
        f"CREATE TABLE {table.quoted} (customer_id BIGINT, tier STRING, updated_by STRING, "
        "updated_at TIMESTAMP, approval_id STRING) "
        "TBLPROPERTIES ('delta.feature.catalogManaged' = 'supported')"
    )
    await governance.warehouse.execute(
        f"INSERT INTO {table.quoted} VALUES (1, 'silver', NULL, NULL, NULL), "
        "(2, 'silver', NULL, NULL, NULL)"
    )
    counted = CountingWarehouse(governance.warehouse)
    workflow = writeback_workflow(
        counted, governance.location, table, ControllableClock(), SequentialIds(), atomic=atomic
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
    counts = {step: sum(kinds.values()) for step, kinds in warm.items()}
    if atomic:
        # One read of the row's before-image, then one BEGIN ATOMIC block per step: the
        # request and the change it decides were just committed here, so they are not read.
        assert counts == {"propose": 2, "approve": 1, "apply": 1}
        assert warm["propose"] == Counter({"SELECT": 1, "BEGIN": 1})
        assert warm["approve"] == warm["apply"] == Counter({"BEGIN": 1})
        return
    # Step by step: the plan, each stamped write, the audit insert, the step marked done.
    assert counts == {"propose": 6, "approve": 5, "apply": 7}
    assert warm["propose"] == Counter({"SELECT": 1, "MERGE": 3, "INSERT": 1, "UPDATE": 1})
    assert warm["approve"] == Counter({"MERGE": 1, "UPDATE": 3, "INSERT": 1})
    assert warm["apply"] == Counter({"MERGE": 2, "UPDATE": 4, "INSERT": 1})
