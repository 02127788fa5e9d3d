"""DQ exception workflow rules (governance.md, Data-quality exceptions)."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import pytest

from appkit_domain.dq import CheckFailure, DqException, DqQuery, DqStatus, Severity, SlaPolicy
from appkit_domain.dq.fingerprint import failure_fingerprint
from appkit_domain.dq.recording import Outcome
from appkit_domain.dq.service import DqExceptionService
from appkit_domain.errors import (
    ConcurrentModification,
    InvalidInput,
    InvalidTransition,
    PermissionDenied,
)
from appkit_domain.unit_of_work import CommitBatch
from tests.domain.dq.world import ALICE, BOB, CUSTOMERS, HOUR, INGESTER, DqWorld


async def test_raising_a_failure_opens_an_exception_with_owner_and_sla_due_time(
    world: DqWorld,
) -> None:
    recorded = await world.service.raise_exception(world.failure(severity=Severity.CRITICAL), ALICE)
    item = recorded.exception
    assert recorded.outcome is Outcome.CREATED
    assert item.status is DqStatus.OPEN
    assert item.owner == ALICE.id
    assert item.due_at == world.clock.now() + timedelta(hours=4)
    assert world.store.rows[item.id] == item


async def test_sla_due_time_follows_the_configured_severity_mapping(world: DqWorld) -> None:
    sla = SlaPolicy({s: timedelta(minutes=10 * (i + 1)) for i, s in enumerate(Severity)})
    service = DqExceptionService(world.governance.units, world.store, sla=sla)
    for i, severity in enumerate(Severity):
        item = (
            await service.raise_exception(world.failure(f"k={i}", severity=severity), ALICE)
        ).exception
        assert item.due_at - item.detected_at == timedelta(minutes=10 * (i + 1))


def test_sla_policy_missing_a_severity_is_refused() -> None:
    with pytest.raises(InvalidInput, match="CRITICAL"):
        SlaPolicy({Severity.LOW: HOUR, Severity.MEDIUM: HOUR, Severity.HIGH: HOUR})


def test_fingerprint_is_a_hash_of_check_dataset_and_failing_key() -> None:
    base = failure_fingerprint("c", "demo.crm.customers", "id=1")
    assert len(base) == 64
    assert base == failure_fingerprint("c", "DEMO.crm.customers", "id=1")
    assert base != failure_fingerprint("c2", "demo.crm.customers", "id=1")
    assert base != failure_fingerprint("c", "demo.crm.other", "id=1")
    assert base != failure_fingerprint("c", "demo.crm.customers", "id=2")


async def test_same_failure_ingested_twice_is_one_exception(world: DqWorld) -> None:
    failures = [world.failure("customer_id=1"), world.failure("customer_id=2")]
    first = await world.service.ingest(failures, INGESTER)
    second = await world.service.ingest(failures, INGESTER)
    assert first.count(Outcome.CREATED) == 2
    assert second.count(Outcome.UNCHANGED) == 2
    assert len(world.store.rows) == 2
    assert [r.exception.id for r in first.results] == [r.exception.id for r in second.results]
    assert all(e.version == 1 for e in world.store.rows.values())


async def test_concurrent_ingest_of_one_failure_is_one_exception(world: DqWorld) -> None:
    failure = world.failure()
    results = await asyncio.gather(
        *(world.service.raise_exception(failure, INGESTER) for _ in range(6))
    )
    assert len(world.store.rows) == 1
    assert len({r.exception.id for r in results}) == 1
    assert [r.outcome for r in results].count(Outcome.CREATED) == 1
    assert len(world.events("dq.raise")) == 1


async def test_later_detection_of_an_open_exception_counts_an_occurrence(
    world: DqWorld,
) -> None:
    first = (await world.service.raise_exception(world.failure(), INGESTER)).exception
    world.clock.advance(HOUR)
    again = await world.service.raise_exception(world.failure(), INGESTER)
    assert again.outcome is Outcome.SEEN_AGAIN
    assert again.exception.id == first.id
    assert again.exception.occurrences == 2
    assert again.exception.status is DqStatus.OPEN


async def test_recurrence_of_a_resolved_exception_reopens_it(world: DqWorld) -> None:
    item = (await world.service.raise_exception(world.failure(), INGESTER)).exception
    await world.service.acknowledge(item.id, ALICE)
    world.clock.advance(HOUR)
    await world.service.resolve(item.id, ALICE, "fixed the feed")
    world.clock.advance(HOUR)
    recorded = await world.service.raise_exception(world.failure(), INGESTER)
    assert recorded.outcome is Outcome.REOPENED
    reopened = recorded.exception
    assert reopened.id == item.id
    assert reopened.status is DqStatus.REOPENED
    assert reopened.reopen_reason == "recurred_after_resolution"
    assert reopened.due_at == world.clock.now() + timedelta(days=2)
    assert len(world.store.rows) == 1


async def test_reingesting_the_failure_that_was_resolved_does_not_reopen_it(
    world: DqWorld,
) -> None:
    failure = world.failure()
    item = (await world.service.raise_exception(failure, INGESTER)).exception
    await world.service.acknowledge(item.id, ALICE)
    world.clock.advance(HOUR)
    await world.service.resolve(item.id, ALICE, "fixed")
    recorded = await world.service.raise_exception(failure, INGESTER)
    assert recorded.outcome is Outcome.UNCHANGED
    assert world.store.rows[item.id].status is DqStatus.RESOLVED


async def test_reopened_exception_can_be_acknowledged_and_resolved_again(
    world: DqWorld,
) -> None:
    item = (await world.service.raise_exception(world.failure(), INGESTER)).exception
    await world.service.acknowledge(item.id, ALICE)
    await world.service.resolve(item.id, ALICE, "fixed")
    world.clock.advance(HOUR)
    await world.service.raise_exception(world.failure(), INGESTER)
    await world.service.acknowledge(item.id, ALICE)
    resolved = await world.service.resolve(item.id, ALICE, "fixed for good")
    assert resolved.status is DqStatus.RESOLVED


async def test_only_the_owner_can_acknowledge(world: DqWorld) -> None:
    item = (await world.service.raise_exception(world.failure(), INGESTER)).exception
    with pytest.raises(PermissionDenied):
        await world.service.acknowledge(item.id, BOB)
    assert world.store.rows[item.id].status is DqStatus.OPEN
    assert world.events("dq.acknowledge") == []


async def test_only_the_owner_can_resolve(world: DqWorld) -> None:
    item = (await world.service.raise_exception(world.failure(), INGESTER)).exception
    await world.service.acknowledge(item.id, ALICE)
    with pytest.raises(PermissionDenied):
        await world.service.resolve(item.id, BOB, "not mine")
    assert world.store.rows[item.id].status is DqStatus.ACKNOWLEDGED


async def test_acknowledging_twice_is_an_invalid_transition(world: DqWorld) -> None:
    item = (await world.service.raise_exception(world.failure(), INGESTER)).exception
    await world.service.acknowledge(item.id, ALICE)
    with pytest.raises(InvalidTransition):
        await world.service.acknowledge(item.id, ALICE)


async def test_resolving_an_open_exception_is_an_invalid_transition(world: DqWorld) -> None:
    item = (await world.service.raise_exception(world.failure(), INGESTER)).exception
    with pytest.raises(InvalidTransition):
        await world.service.resolve(item.id, ALICE, "skip ahead")


async def test_resolving_needs_a_resolution_note(world: DqWorld) -> None:
    item = (await world.service.raise_exception(world.failure(), INGESTER)).exception
    await world.service.acknowledge(item.id, ALICE)
    with pytest.raises(InvalidInput):
        await world.service.resolve(item.id, ALICE, "  ")


async def test_every_transition_appends_an_audit_event(world: DqWorld) -> None:
    item = (await world.service.raise_exception(world.failure(), INGESTER)).exception
    await world.service.acknowledge(item.id, ALICE, note="looking")
    await world.service.resolve(item.id, ALICE, "fixed")
    world.clock.advance(HOUR)
    await world.service.raise_exception(world.failure(), INGESTER)
    actions = [(e.action, e.actor, e.details.get("to")) for e in world.events()]
    assert actions == [
        ("dq.raise", INGESTER.id, None),
        ("dq.acknowledge", ALICE.id, "ACKNOWLEDGED"),
        ("dq.resolve", ALICE.id, "RESOLVED"),
        ("dq.reopen", INGESTER.id, "REOPENED"),
    ]
    assert all(e.target == f"dq_exception:{item.id}" for e in world.events())
    assert (await world.governance.audit.verify()).ok


async def test_overdue_lists_active_exceptions_past_their_due_time(world: DqWorld) -> None:
    critical = (
        await world.service.raise_exception(world.failure("k=1", severity=Severity.CRITICAL), ALICE)
    ).exception
    low = (
        await world.service.raise_exception(world.failure("k=2", severity=Severity.LOW), ALICE)
    ).exception
    fixed = (
        await world.service.raise_exception(world.failure("k=3", severity=Severity.CRITICAL), ALICE)
    ).exception
    await world.service.acknowledge(fixed.id, ALICE)
    await world.service.resolve(fixed.id, ALICE, "fixed")
    assert (await world.service.overdue()).items == []
    world.clock.advance(hours=5)
    overdue = await world.service.overdue()
    assert [e.id for e in overdue.items] == [critical.id]
    assert low.id not in [e.id for e in overdue.items]


async def test_list_filters_and_paginates(world: DqWorld) -> None:
    for i in range(7):
        world.clock.advance(minutes=1)
        severity = Severity.HIGH if i % 2 else Severity.LOW
        await world.service.raise_exception(world.failure(f"k={i}", severity=severity), ALICE)
    highs = await world.service.query(DqQuery(severities=frozenset({Severity.HIGH})))
    assert len(highs.items) == 3
    first = await world.service.query(DqQuery(page_size=5))
    second = await world.service.query(DqQuery(page_size=5, page_token=first.next_page_token))
    assert second.next_page_token is None
    ids = [e.id for e in [*first.items, *second.items]]
    assert len(ids) == len(set(ids)) == 7


async def test_failure_without_owner_uses_owner_resolution_or_is_refused(
    world: DqWorld,
) -> None:
    with pytest.raises(InvalidInput, match="owner"):
        await world.service.raise_exception(world.failure(owner=None), INGESTER)
    service = DqExceptionService(
        world.governance.units,
        world.store,
        owners=lambda f: "u-steward" if f.table == CUSTOMERS else None,
    )
    item = (await service.raise_exception(world.failure(owner=None), INGESTER)).exception
    assert item.owner == "u-steward"


class _Rivals:
    """Lets another writer commit a new version of the exception just before the first
    ``races`` commits of a step, as a concurrent step would."""

    def __init__(self, world: DqWorld) -> None:
        self.world = world
        self.races = 0
        self.rival_commits = 0
        store = world.governance.store
        write = store.write

        async def racing(batch: CommitBatch) -> None:
            touched = [w for step in batch.steps for w in step.writes if not w.is_insert]
            if self.races > 0 and touched:
                self.races -= 1
                self.rival_commits += 1
                (first,) = touched[:1]
                stored = world.store.rows[first.key]
                world.store.put(dataclasses.replace(stored, version=stored.version + 1))
            await write(batch)

        store.write = racing  # type: ignore[method-assign]


async def test_stale_save_is_retried_on_fresh_state(world: DqWorld) -> None:
    rivals = _Rivals(world)
    item = (await world.service.raise_exception(world.failure(), ALICE)).exception
    rivals.races = 2
    acked = await world.service.acknowledge(item.id, ALICE)
    assert acked.status is DqStatus.ACKNOWLEDGED
    assert world.store.rows[item.id].version == 4
    assert len(world.events("dq.acknowledge")) == 1


async def test_stale_save_gives_up_after_bounded_retries(world: DqWorld) -> None:
    rivals = _Rivals(world)
    item = (await world.service.raise_exception(world.failure(), ALICE)).exception
    rivals.races = 5
    with pytest.raises(ConcurrentModification):
        await world.service.acknowledge(item.id, ALICE)
    assert world.store.rows[item.id].status is DqStatus.OPEN
    assert world.events("dq.acknowledge") == []


def test_check_failure_from_row_reads_a_check_results_row() -> None:
    failure = CheckFailure.from_row(
        {
            "check_name": "tier_is_known",
            "table_name": "demo.crm.customers",
            "rule": "tier in set",
            "severity": "critical",
            "failing_key": "customer_id=3",
            "detected_at": "2026-01-05T08:00:00Z",
            "observed_value": "diamond",
            "failing_rows_ref": None,
        }
    )
    assert failure.table == CUSTOMERS
    assert failure.severity is Severity.CRITICAL
    assert failure.detected_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"severity": "urgent"}, "severity"),
        ({"table_name": "crm.customers"}, "catalog.schema.table"),
        ({"detected_at": "yesterday"}, "detected_at"),
        ({"detected_at": "2026-01-05T08:00:00"}, "timezone"),
        ({"rule": ""}, "rule"),
    ],
)
def test_malformed_check_result_row_is_invalid_input_naming_the_column(
    change: dict[str, str], named: str
) -> None:
    row = {
        "check_name": "c",
        "table_name": "demo.crm.customers",
        "rule": "r",
        "severity": "LOW",
        "failing_key": "k",
        "detected_at": "2026-01-05T08:00:00+00:00",
        **change,
    }
    with pytest.raises(InvalidInput, match=named):
        CheckFailure.from_row(row)


async def test_check_results_rows_are_ingested_idempotently_and_bad_rows_reported(
    world: DqWorld,
) -> None:
    rows = [
        {
            "check_name": "tier_is_known",
            "table_name": "demo.crm.customers",
            "rule": "tier in set",
            "severity": "HIGH",
            "failing_key": f"customer_id={n}",
            "detected_at": "2026-01-05T08:00:00+00:00",
            "owner": ALICE.id,
        }
        for n in range(3)
    ]
    rows.insert(1, {"check_name": "broken", "severity": "HIGH"})
    first = await world.service.ingest_rows(rows, INGESTER)
    second = await world.service.ingest_rows(rows, INGESTER)
    assert first.count(Outcome.CREATED) == 3
    assert second.count(Outcome.UNCHANGED) == 3
    assert [index for index, _ in first.rejected] == [1]
    assert len(world.store.rows) == 3


async def test_concurrent_acknowledgements_let_one_win(world: DqWorld) -> None:
    item = (await world.service.raise_exception(world.failure(), INGESTER)).exception
    results = await asyncio.gather(
        *(world.service.acknowledge(item.id, ALICE) for _ in range(4)), return_exceptions=True
    )
    assert sum(1 for r in results if isinstance(r, DqException)) == 1
    assert all(isinstance(r, InvalidTransition) for r in results if not isinstance(r, DqException))
    assert len(world.events("dq.acknowledge")) == 1


async def test_an_owning_group_lets_its_members_acknowledge(world: DqWorld) -> None:
    item = (
        await world.service.raise_exception(world.failure(owner="data-stewards"), INGESTER)
    ).exception
    with pytest.raises(PermissionDenied):
        await world.service.acknowledge(item.id, BOB)
    acked = await world.service.acknowledge(item.id, ALICE)
    assert acked.acknowledged_by == ALICE.id
