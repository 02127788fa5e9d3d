"""An applied change is linked once to the table version its write produced and the one it
replaced; the evidence is the row as of both."""

from __future__ import annotations

import pytest

from appkit_domain.approvals import Actor
from appkit_domain.errors import InvalidInput, Unavailable
from appkit_domain.writeback import ChangeStatus
from tests.domain.writeback.world import ALICE, APP, BOB, CUSTOMERS, WritebackWorld


async def _applied(world: WritebackWorld, customer_id: int, tier: str) -> str:
    proposal = await world.service.propose(
        ALICE, CUSTOMERS, {"customer_id": customer_id}, {"tier": tier}, "review"
    )
    assert proposal.approval_id is not None
    await world.approvals.approve(proposal.approval_id, Actor.of(BOB))
    return proposal.change.id


async def test_an_applied_change_is_linked_to_the_version_its_write_produced(
    world: WritebackWorld,
) -> None:
    first = await _applied(world, 1, "gold")
    second = await _applied(world, 2, "bronze")
    linked = await world.service.link_versions(second)
    assert (linked.replaced_version, linked.table_version) == (1, 2)
    assert (await world.service.link_versions(first)).table_version == 1
    stored = await world.service.get(second)
    assert stored.table_version == 2 and stored.replaced_version == 1
    events = world.events("writeback.versioned")
    assert [e.target for e in events] == [f"writeback_change:{second}", f"writeback_change:{first}"]
    assert events[0].actor == APP.id
    assert events[0].details["produced_version"] == 2
    assert events[0].details["replaced_version"] == 1


async def test_linking_again_changes_nothing(world: WritebackWorld) -> None:
    change = await _applied(world, 1, "gold")
    once = await world.service.link_versions(change)
    again = await world.service.link_versions(change)
    assert again == once
    assert len(world.events("writeback.versioned")) == 1


async def test_evidence_is_the_row_as_of_both_versions(world: WritebackWorld) -> None:
    change = await _applied(world, 1, "platinum")
    evidence = await world.service.evidence(change)
    assert evidence.before is not None and evidence.before["tier"] == "silver"
    assert evidence.after is not None and evidence.after["tier"] == "platinum"
    assert evidence.change.status is ChangeStatus.APPLIED


async def test_only_applied_changes_have_versions(world: WritebackWorld) -> None:
    proposal = await world.service.propose(
        ALICE, CUSTOMERS, {"customer_id": 1}, {"tier": "gold"}, "review"
    )
    with pytest.raises(InvalidInput, match="only an applied change"):
        await world.service.link_versions(proposal.change.id)


async def test_a_write_the_history_does_not_show_is_unavailable_and_the_sweep_skips_it(
    world: WritebackWorld,
) -> None:
    change = await _applied(world, 1, "gold")
    world.table.writes.clear()  # as if the history were vacuumed away
    with pytest.raises(Unavailable):
        await world.service.link_versions(change)
    assert await world.service.link_pending() == 0


async def test_the_sweep_links_every_applied_change_once(world: WritebackWorld) -> None:
    await _applied(world, 1, "gold")
    await _applied(world, 2, "silver")
    assert await world.service.link_pending() == 2
    assert await world.service.link_pending() == 0
