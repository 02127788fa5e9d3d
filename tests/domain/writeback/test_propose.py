"""Write-back proposals: configuration, types, permissions and the before-image."""

from __future__ import annotations

from typing import Any

import pytest

from appkit_domain.approvals import ApprovalStatus, payload_hash, thaw
from appkit_domain.approvals.errors import NotEligible
from appkit_domain.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unavailable,
)
from appkit_domain.unit_of_work import IdempotencyKeyReused
from appkit_domain.writeback import ChangeStatus, WritebackRules
from appkit_domain.writeback.service import WritebackService
from tests.domain.writeback.world import (
    ALICE,
    APP,
    BOB,
    CUSTOMERS,
    DAVE,
    ApprovingAtOnce,
    WritebackWorld,
    customer_rules,
    make_world,
)


def _nothing_asked_of_ports(world: WritebackWorld) -> None:
    assert world.table.calls == []
    assert world.permissions.checks == []
    assert world.changes.rows == {}
    assert world.approval_store.requests == {}


async def test_writeback_refuses_table_not_allowed_before_any_sql(world: WritebackWorld) -> None:
    with pytest.raises(InvalidInput, match=r"demo\.crm\.secrets"):
        await world.service.propose(
            ALICE, "demo.crm.secrets", {"customer_id": 1}, {"tier": "gold"}, "why"
        )
    _nothing_asked_of_ports(world)


async def test_writeback_refuses_column_not_allowed_before_any_sql(world: WritebackWorld) -> None:
    with pytest.raises(InvalidInput, match="'name'") as caught:
        await world.service.propose(
            ALICE, CUSTOMERS, {"customer_id": 1}, {"tier": "gold", "name": "Evil"}, "why"
        )
    assert caught.value.details["column"] == "name"
    _nothing_asked_of_ports(world)


async def test_writeback_refuses_audit_column_as_a_writable_column(world: WritebackWorld) -> None:
    with pytest.raises(InvalidInput, match="updated_by"):
        await world.service.propose(
            ALICE, CUSTOMERS, {"customer_id": 1}, {"updated_by": "someone"}, "why"
        )
    _nothing_asked_of_ports(world)


@pytest.mark.parametrize(
    ("key", "named"),
    [({}, "customer_id"), ({"customer_id": 1, "name": "Acme"}, "name"), ({"id": 1}, "id")],
)
async def test_writeback_refuses_a_key_other_than_the_configured_key_before_any_sql(
    world: WritebackWorld, key: dict[str, Any], named: str
) -> None:
    with pytest.raises(InvalidInput, match=f"'{named}'"):
        await world.service.propose(ALICE, CUSTOMERS, key, {"tier": "gold"}, "why")
    _nothing_asked_of_ports(world)


@pytest.mark.parametrize(
    ("table", "values", "named"),
    [
        ("demo.crm.customers", {"tier": "diamond"}, "must be one of"),
        ("demo.crm.customers", {"tier": None}, "must not be null"),
        ("demo.crm.customers", {"credit_limit": -1}, "at least 0"),
        ("demo.crm.customers", {"credit_limit": 100001}, "at most 100000"),
        ("demo.crm.notes", {"body": "drop; --"}, "must match"),
        ("demo.crm.notes", {"body": "a" * 21}, "at most 20 characters"),
    ],
)
async def test_writeback_refuses_values_breaking_configured_rules_before_any_sql(
    world: WritebackWorld, table: str, values: dict[str, Any], named: str
) -> None:
    key = {"customer_id": 1} if "customers" in table else {"note_id": 1}
    with pytest.raises(InvalidInput, match=named) as caught:
        await world.service.propose(ALICE, table, key, values, "why")
    assert caught.value.details["column"] == next(iter(values))
    _nothing_asked_of_ports(world)


@pytest.mark.parametrize(
    ("key", "values", "named"),
    [
        ({"customer_id": "one"}, {"tier": "gold"}, "customer_id"),
        ({"customer_id": 1.5}, {"tier": "gold"}, "customer_id"),
        ({"customer_id": 1}, {"credit_limit": "12.345"}, "credit_limit"),
        ({"customer_id": 1}, {"credit_limit": "lots"}, "credit_limit"),
        ({"customer_id": 1}, {"credit_limit": True}, "credit_limit"),
    ],
)
async def test_writeback_validates_values_against_the_column_types(
    world: WritebackWorld, key: dict[str, Any], values: dict[str, Any], named: str
) -> None:
    with pytest.raises(InvalidInput, match=named):
        await world.service.propose(ALICE, CUSTOMERS, key, values, "why")
    assert "read_row" not in world.table.calls
    assert world.changes.rows == {}


async def test_configured_column_missing_from_the_table_is_refused_naming_it(
    world: WritebackWorld,
) -> None:
    world.table.schemas[CUSTOMERS.full_name].pop("credit_limit")
    with pytest.raises(InvalidInput, match="credit_limit"):
        await world.service.propose(
            ALICE, CUSTOMERS, {"customer_id": 1}, {"credit_limit": 10}, "why"
        )


async def test_requester_who_cannot_select_the_table_is_refused(world: WritebackWorld) -> None:
    with pytest.raises(PermissionDenied):
        await world.service.propose(DAVE, CUSTOMERS, {"customer_id": 1}, {"tier": "gold"}, "why")
    assert world.table.calls == []
    assert world.changes.rows == {}


async def test_proposal_for_a_missing_row_is_not_found(world: WritebackWorld) -> None:
    with pytest.raises(NotFound):
        await world.service.propose(ALICE, CUSTOMERS, {"customer_id": 99}, {"tier": "gold"}, "why")
    assert world.changes.rows == {}
    assert world.approval_store.requests == {}


async def test_change_that_changes_nothing_is_refused(world: WritebackWorld) -> None:
    with pytest.raises(InvalidInput, match="not change"):
        await world.service.propose(ALICE, CUSTOMERS, {"customer_id": 1}, {"tier": "silver"}, "why")


async def test_change_needs_a_reason(world: WritebackWorld) -> None:
    with pytest.raises(InvalidInput, match="reason"):
        await world.service.propose(ALICE, CUSTOMERS, {"customer_id": 1}, {"tier": "gold"}, " ")


async def test_proposal_captures_the_before_image_and_submits_an_approval(
    world: WritebackWorld,
) -> None:
    proposal = await world.service.propose(
        ALICE, "demo.crm.customers", {"customer_id": 1}, {"tier": "gold"}, "upsell signed"
    )
    change = proposal.change
    assert change.status is ChangeStatus.PENDING
    assert dict(change.before) == world.customer(1)
    assert change.after["tier"] == "gold"
    assert change.requested_by == ALICE.id
    approval = proposal.approval
    assert approval is not None and approval.status is ApprovalStatus.PENDING
    assert approval.kind == "writeback_change"
    assert (proposal.approval_id, proposal.required_approvals) == (approval.id, 1)
    payload = thaw(approval.payload)
    assert payload["table"] == "demo.crm.customers"
    assert payload["key"] == {"customer_id": 1}
    assert payload["set"] == {"tier": "gold"}
    assert payload["before"] == world.customer(1)
    assert payload["reason"] == "upsell signed"
    assert approval.payload_hash == payload_hash(payload)
    assert world.changes.rows[change.id] == change
    assert change.approval_id == approval.id


async def test_change_is_not_applied_before_approval(world: WritebackWorld) -> None:
    await world.service.propose(ALICE, CUSTOMERS, {"customer_id": 1}, {"tier": "gold"}, "why")
    assert world.customer(1)["tier"] == "silver"
    assert world.table.writes == []
    assert "apply_change" not in world.table.calls


async def test_proposal_is_audited_with_the_maker(world: WritebackWorld) -> None:
    proposal = await world.service.propose(
        ALICE, CUSTOMERS, {"customer_id": 1}, {"tier": "gold"}, "why"
    )
    (event,) = world.events("writeback.propose")
    assert event.actor == ALICE.id
    assert event.target == f"writeback_change:{proposal.change.id}"
    assert event.details["before"]["tier"] == "silver"
    assert event.details["set"] == {"tier": "gold"}


def test_service_needs_an_approval_service_when_a_table_requires_approval(
    world: WritebackWorld,
) -> None:
    with pytest.raises(InvalidInput, match="requires approval"):
        WritebackService(
            WritebackRules([customer_rules()]),
            world.table,
            world.changes,
            world.permissions,
            world.governance.units,
            service_principal=APP,
        )


async def test_an_approval_given_at_once_finds_the_change_it_applies() -> None:
    notifier = ApprovingAtOnce(BOB)
    world = make_world(notifier=notifier)
    notifier.approvals = world.approvals
    proposal = await world.service.propose(
        ALICE, CUSTOMERS, {"customer_id": 1}, {"tier": "gold"}, "approved before propose returns"
    )
    assert notifier.approved == [proposal.approval_id]
    assert proposal.approval is not None
    approval = await world.approvals.get(proposal.approval.id)
    assert approval.status is ApprovalStatus.APPLIED
    change = await world.service.get(proposal.change.id)
    assert change.status is ChangeStatus.APPLIED
    assert change.approval_id == approval.id
    assert world.customer(1)["tier"] == "gold"


async def test_a_proposal_its_approval_policy_refuses_stores_no_change(
    world: WritebackWorld,
) -> None:
    with pytest.raises(NotEligible):
        await world.service.propose(BOB, CUSTOMERS, {"customer_id": 1}, {"tier": "gold"}, "r")
    assert world.changes.rows == {}
    assert world.events() == []


async def test_a_proposal_whose_commit_fails_leaves_neither_change_nor_request(
    world: WritebackWorld,
) -> None:
    world.governance.store.fail_next_write(action="writeback.propose")
    with pytest.raises(Unavailable):
        await world.service.propose(ALICE, CUSTOMERS, {"customer_id": 1}, {"tier": "gold"}, "r")
    assert world.changes.rows == {}
    assert world.approval_store.requests == {}
    assert world.events() == []
    assert world.table.writes == []


async def test_a_proposal_stores_its_change_once_already_naming_its_approval(
    world: WritebackWorld,
) -> None:
    writes = world.governance.store.writes
    proposal = await world.service.propose(
        ALICE, CUSTOMERS, {"customer_id": 1}, {"tier": "gold"}, "r"
    )
    assert proposal.approval is not None
    assert world.governance.store.writes == writes + 1
    stored = world.changes.rows[proposal.change.id]
    assert (stored.approval_id, stored.required_approvals, stored.version) == (
        proposal.approval.id,
        proposal.approval.required_approvals,
        1,
    )
    assert world.approval_store.requests[proposal.approval.id] == proposal.approval


async def test_a_retried_proposal_with_its_idempotency_key_is_the_same_proposal(
    world: WritebackWorld,
) -> None:
    async def propose(tier: str = "gold") -> Any:
        return await world.service.propose(
            ALICE, CUSTOMERS, {"customer_id": 1}, {"tier": tier}, "r", idempotency_key="k-1"
        )

    first = await propose()
    again = await propose()
    assert (again.change.id, again.approval_id) == (first.change.id, first.approval_id)
    assert len(world.changes.rows) == 1 and len(world.approval_store.requests) == 1
    assert len(world.events("writeback.propose")) == 1
    with pytest.raises(IdempotencyKeyReused):
        await propose("platinum")


async def test_a_proposal_whose_answer_was_lost_is_found_again_by_its_key(
    world: WritebackWorld,
) -> None:
    world.governance.store.lose_next_answer()
    with pytest.raises(Unavailable):
        await world.service.propose(
            ALICE, CUSTOMERS, {"customer_id": 1}, {"tier": "gold"}, "r", idempotency_key="k-2"
        )
    again = await world.service.propose(
        ALICE, CUSTOMERS, {"customer_id": 1}, {"tier": "gold"}, "r", idempotency_key="k-2"
    )
    assert list(world.changes.rows) == [again.change.id]
    assert list(world.approval_store.requests) == [again.approval_id]


async def test_a_proposal_and_its_approval_request_are_audited_in_one_write(
    world: WritebackWorld,
) -> None:
    world.audit_store.append_calls = 0
    proposal = await world.service.propose(
        ALICE, CUSTOMERS, {"customer_id": 1}, {"tier": "gold"}, "r", request_id="req-1"
    )
    assert world.audit_store.append_calls == 1
    assert [(e.action, e.request_id) for e in world.events()] == [
        ("approval.submit", "req-1"),
        ("writeback.propose", "req-1"),
    ]
    (event,) = world.events("writeback.propose")
    assert event.details["approval_id"] == proposal.approval_id
    assert event.details["required_approvals"] == 1
