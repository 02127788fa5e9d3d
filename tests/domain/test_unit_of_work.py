"""Units of work: all or nothing, one retry policy, idempotent steps, group commit."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

import pytest

from appkit_domain.errors import (
    ConcurrentModification,
    InvalidInput,
    InvalidTransition,
    NotFound,
    StaleVersion,
    Unavailable,
)
from appkit_domain.unit_of_work import AggregateType, IdempotencyKeyReused, UnitOfWork
from appkit_testing.fakes.governance import MemoryGovernance, memory_governance


@dataclass(frozen=True)
class Note:
    id: str
    text: str
    owner: str = "alice"
    version: int = 1


NOTES: AggregateType[Note] = AggregateType(
    "notes", Note, lambda n: n.id, indexes={"owner": lambda n: n.owner}, unique=("owner",)
)


@pytest.fixture
def governance() -> MemoryGovernance:
    made = memory_governance()
    made.store.hold(NOTES)
    return made


def notes(governance: MemoryGovernance) -> dict[str, Note]:
    return {key: governance.store.table(NOTES).stored(key) for key in ("n1", "n2")}


async def add_note(governance: MemoryGovernance, note: Note) -> None:
    async def body(uow: UnitOfWork) -> None:
        uow.repo(NOTES).add(note)
        uow.record(actor="alice", action="note.add", target=f"note:{note.id}")

    await governance.units.run("note.add", body)


async def test_a_committed_step_stores_its_states_and_events_together(
    governance: MemoryGovernance,
) -> None:
    await add_note(governance, Note("n1", "hello"))
    assert governance.store.table(NOTES).stored("n1") == Note("n1", "hello")
    (event,) = governance.audit_store.rows
    assert event.action == "note.add" and event.seq == 1
    assert (await governance.audit.verify()).ok


async def test_leaving_a_unit_without_commit_stores_nothing(governance: MemoryGovernance) -> None:
    async with governance.units.begin("note.add") as uow:
        uow.repo(NOTES).add(Note("n1", "hello"))
        uow.record(actor="alice", action="note.add", target="note:n1")
    assert governance.store.table(NOTES).stored("n1") is None
    assert governance.audit_store.rows == []
    with pytest.raises(InvalidTransition):
        uow.repo(NOTES)


async def test_an_error_in_a_step_rolls_everything_back(governance: MemoryGovernance) -> None:
    async def body(uow: UnitOfWork) -> None:
        uow.repo(NOTES).add(Note("n1", "hello"))
        uow.record(actor="alice", action="note.add", target="note:n1")
        raise InvalidInput("the note is rude")

    with pytest.raises(InvalidInput):
        await governance.units.run("note.add", body)
    assert governance.store.table(NOTES).stored("n1") is None
    assert governance.audit_store.rows == []


async def test_a_step_whose_read_moved_runs_again_on_fresh_state(
    governance: MemoryGovernance,
) -> None:
    await add_note(governance, Note("n1", "v1"))
    runs: list[bool] = []

    async def body(uow: UnitOfWork) -> Note:
        runs.append(uow.fresh)
        repo = uow.repo(NOTES)
        note = await repo.get("n1")
        if len(runs) == 1:  # another writer commits between this read and this commit
            await edit(governance, "n1", "someone else")
        return repo.save(replace(note, text=note.text + "+mine"))

    saved = await governance.units.run("note.edit", body)
    assert runs == [False, True]
    assert saved.text == "someone else+mine" and saved.version == 3
    assert governance.store.table(NOTES).stored("n1") == saved


async def edit(governance: MemoryGovernance, key: str, text: str) -> Note:
    async def body(uow: UnitOfWork) -> Note:
        repo = uow.repo(NOTES)
        return repo.save(replace(await repo.get(key), text=text))

    return await governance.units.run("note.edit", body)


async def test_the_retry_is_bounded_then_concurrent_modification() -> None:
    governance = memory_governance(attempts=3)
    governance.store.hold(NOTES)
    await add_note(governance, Note("n1", "v1"))
    runs = 0

    async def body(uow: UnitOfWork) -> Note:
        nonlocal runs
        runs += 1
        repo = uow.repo(NOTES)
        note = await repo.get("n1")
        await edit(governance, "n1", f"rival {runs}")
        return repo.save(replace(note, text="mine"))

    with pytest.raises(ConcurrentModification):
        await governance.units.run("note.edit", body, subject="note n1")
    assert runs == 3
    assert governance.store.table(NOTES).stored("n1").text == "rival 3"


async def test_a_unit_sees_its_own_staged_changes(governance: MemoryGovernance) -> None:
    await add_note(governance, Note("n1", "v1"))
    async with governance.units.begin("note.edit") as uow:
        repo = uow.repo(NOTES)
        first = await repo.get("n1")
        repo.save(replace(first, text="v2"))
        again = repo.save(replace(await repo.get("n1"), text="v3"))
        assert (await repo.get("n1")).text == "v3"
        assert again.version == 2  # one step is one version, however many moves it made
        assert [n.id for n in await repo.find("owner", "alice")] == ["n1"]
        await uow.commit()
    assert governance.store.table(NOTES).stored("n1") == Note("n1", "v3", version=2)


async def test_a_save_needs_the_item_loaded_first(governance: MemoryGovernance) -> None:
    async with governance.units.begin("note.edit") as uow:
        with pytest.raises(InvalidInput, match="loaded"):
            uow.repo(NOTES).save(Note("n1", "x"))
        with pytest.raises(NotFound):
            await uow.repo(NOTES).get("n1")


async def test_a_savepoint_discards_what_a_failed_block_staged(
    governance: MemoryGovernance,
) -> None:
    async with governance.units.begin("note.add") as uow:
        uow.repo(NOTES).add(Note("n1", "kept"))
        with pytest.raises(InvalidInput), uow.savepoint():
            uow.repo(NOTES).add(Note("n2", "dropped", owner="bob"))
            uow.record(actor="bob", action="note.add", target="note:n2")
            raise InvalidInput("no")
        await uow.commit()
    assert notes(governance) == {"n1": Note("n1", "kept"), "n2": None}
    assert governance.audit_store.rows == []


async def test_a_unique_index_taken_by_another_step_refuses_the_insert(
    governance: MemoryGovernance,
) -> None:
    await add_note(governance, Note("n1", "first"))
    with pytest.raises(ConcurrentModification):
        await add_note(governance, Note("n2", "second, same owner"))
    assert governance.store.table(NOTES).stored("n2") is None


async def test_concurrent_steps_share_one_store_write(governance: MemoryGovernance) -> None:
    writes = governance.store.writes
    await asyncio.gather(
        *(add_note(governance, Note(f"c{i}", "x", owner=f"o{i}")) for i in range(20))
    )
    assert governance.store.writes - writes < 20
    assert governance.commits.batches < 20
    assert [e.seq for e in governance.audit_store.rows] == list(range(1, 21))
    assert (await governance.audit.verify()).ok


async def test_a_refused_step_does_not_sink_the_others_of_its_batch(
    governance: MemoryGovernance,
) -> None:
    await add_note(governance, Note("n1", "v1"))

    async def stale(uow: UnitOfWork) -> Note:
        repo = uow.repo(NOTES)
        note = await repo.get("n1")
        if not uow.fresh:
            await edit(governance, "n1", "moved")
        return repo.save(replace(note, text="stale?"))

    results = await asyncio.gather(
        governance.units.run("note.edit", stale),
        *(add_note(governance, Note(f"c{i}", "x", owner=f"o{i}")) for i in range(5)),
    )
    assert results[0].text == "stale?" and results[0].version == 3
    assert all(governance.store.table(NOTES).stored(f"c{i}") for i in range(5))
    assert (await governance.audit.verify()).ok


async def test_an_idempotent_step_answers_a_retry_with_its_recorded_outcome(
    governance: MemoryGovernance,
) -> None:
    made: list[str] = []

    async def body(uow: UnitOfWork) -> str:
        note = uow.repo(NOTES).add(Note(uow.ids.new_id("n-"), "once"))
        made.append(note.id)
        return note.id

    async def replay(outcome: dict[str, object]) -> str:
        return f"replayed {outcome['id']}"

    async def run(request_hash: str = "h1") -> str:
        return await governance.units.run(
            "note.add",
            body,
            outcome=lambda note_id: {"id": note_id},
            principal="alice",
            idempotency_key="key-1",
            request_hash=request_hash,
            replay=replay,  # type: ignore[arg-type]
        )

    first = await run()
    assert await run() == f"replayed {first}"
    assert made == [first]
    with pytest.raises(IdempotencyKeyReused):
        await run(request_hash="something else")


async def test_a_commit_whose_answer_was_lost_is_not_acknowledged(
    governance: MemoryGovernance,
) -> None:
    governance.store.lose_next_answer()
    with pytest.raises(Unavailable):
        await add_note(governance, Note("n1", "hello"))
    # It landed: a retry of the same step would now find it (and an idempotent one replays).
    assert governance.store.table(NOTES).stored("n1") == Note("n1", "hello")
    with pytest.raises(ConcurrentModification):
        await add_note(governance, Note("n1", "hello"))
    assert (await governance.audit.verify()).ok


async def test_a_stale_read_raised_inside_a_body_runs_it_again(
    governance: MemoryGovernance,
) -> None:
    calls = 0

    async def body(uow: UnitOfWork) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise StaleVersion("the item is being changed by a half-done step")
        return calls

    assert await governance.units.run("note.read", body) == 2
