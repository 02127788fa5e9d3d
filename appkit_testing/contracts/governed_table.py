"""The contract every :class:`appkit_domain.ports.governed_table.GovernedTable` honours.

Subclass :class:`GovernedTableContract`, provide a ``governed`` fixture that
yields the port with table :data:`CONTRACT_TABLE` created with
:data:`CONTRACT_COLUMNS` and holding :data:`CONTRACT_ROWS`, a ``store`` fixture
yielding the governance store that commits row writes to that table, and implement
:meth:`~GovernedTableContract.move_row` and
:meth:`~GovernedTableContract.delete_row`, which change the table behind the
port's back as another writer would::

    class TestMyGovernedTable(GovernedTableContract):
        @pytest.fixture
        async def governed(self):
            yield MyGovernedTable(...)

        async def move_row(self, governed, key, values): ...
        async def delete_row(self, governed, key): ...
"""

from __future__ import annotations

import abc
import asyncio
import itertools
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from appkit_domain.audit.chain import normalize_json
from appkit_domain.errors import NotFound, StaleVersion
from appkit_domain.identifiers import TableName
from appkit_domain.ports.governance_store import GovernanceStore
from appkit_domain.ports.governed_table import GovernedTable
from appkit_domain.unit_of_work import CommitBatch, RowWrite, StepCommit, StepRecord, StepsRejected

CONTRACT_TABLE = TableName("contract", "crm", "accounts")
CONTRACT_COLUMNS: Mapping[str, str] = {
    "account_id": "BIGINT",
    "tier": "STRING",
    "balance": "DECIMAL(10,2)",
    "updated_by": "STRING",
    "updated_at": "TIMESTAMP",
}
CONTRACT_ROWS: tuple[Mapping[str, Any], ...] = (
    {"account_id": 1, "tier": "silver", "balance": "10.50", "updated_by": None, "updated_at": None},
    {"account_id": 2, "tier": "gold", "balance": "99.00", "updated_by": None, "updated_at": None},
)
APPLY_TIME = datetime(2026, 3, 2, 8, 30, tzinfo=timezone.utc)


async def _image(governed: GovernedTable, account_id: int) -> dict[str, Any]:
    row = await governed.read_row(CONTRACT_TABLE, {"account_id": account_id})
    assert row is not None, f"account {account_id} is missing"
    image: dict[str, Any] = normalize_json(dict(row))
    return image


@pytest.mark.asyncio
class GovernedTableContract(abc.ABC):
    """Behaviour shared by every governed table port (see the module docstring)."""

    @abc.abstractmethod
    async def move_row(
        self, governed: GovernedTable, key: Mapping[str, Any], values: Mapping[str, Any]
    ) -> None:
        """Set ``values`` on the row at ``key`` as another writer would (not through the port)."""

    @abc.abstractmethod
    async def delete_row(self, governed: GovernedTable, key: Mapping[str, Any]) -> None:
        """Delete the row at ``key`` as another writer would (not through the port)."""

    async def test_column_types_name_every_column(self, governed: GovernedTable) -> None:
        types = await governed.column_types(CONTRACT_TABLE)
        assert {c.lower(): t.upper().replace(" ", "") for c, t in types.items()} == {
            c: t for c, t in CONTRACT_COLUMNS.items()
        }

    async def test_column_types_of_an_unknown_table_is_not_found(
        self, governed: GovernedTable
    ) -> None:
        with pytest.raises(NotFound):
            await governed.column_types(TableName("contract", "crm", "nowhere"))

    async def test_read_row_returns_the_whole_row_or_none(self, governed: GovernedTable) -> None:
        assert await _image(governed, 1) == normalize_json(dict(CONTRACT_ROWS[0]))
        assert await governed.read_row(CONTRACT_TABLE, {"account_id": 404}) is None

    async def test_a_row_write_on_an_unchanged_row_lands_with_its_audit_columns(
        self, governed: GovernedTable, store: GovernanceStore
    ) -> None:
        before = await _image(governed, 1)
        await store.write(
            _batch(
                "chg-1",
                before,
                {
                    "tier": "gold",
                    "balance": "12.00",
                    "updated_by": "u-alice",
                    "updated_at": APPLY_TIME,
                },
            )
        )
        after = await _image(governed, 1)
        assert after["tier"] == "gold"
        assert after["updated_by"] == "u-alice"
        assert after["updated_at"] == normalize_json(APPLY_TIME)
        assert after["balance"] in ("12.00", "12.0", "12")
        assert await _image(governed, 2) == normalize_json(dict(CONTRACT_ROWS[1]))

    async def test_a_change_id_writes_its_row_at_most_once(
        self, governed: GovernedTable, store: GovernanceStore
    ) -> None:
        before = await _image(governed, 1)
        await store.write(_batch("chg-1", before, {"tier": "gold"}))
        after = await _image(governed, 1)
        with pytest.raises(StepsRejected):
            await store.write(_batch("chg-1", after, {"tier": "platinum"}))
        assert (await _image(governed, 1))["tier"] == "gold"

    async def test_a_moved_row_refuses_the_write_and_keeps_what_it_holds(
        self, governed: GovernedTable, store: GovernanceStore
    ) -> None:
        before = await _image(governed, 1)
        await self.move_row(governed, {"account_id": 1}, {"balance": "11.00"})
        moved = await _image(governed, 1)
        with pytest.raises(StepsRejected) as refused:
            await store.write(_batch("chg-1", before, {"tier": "gold", "updated_by": "u-alice"}))
        assert isinstance(refused.value.rejected[0], StaleVersion)
        assert await _image(governed, 1) == moved

    async def test_a_row_moved_to_the_very_values_written_still_refuses_the_write(
        self, governed: GovernedTable, store: GovernanceStore
    ) -> None:
        before = await _image(governed, 1)
        await self.move_row(governed, {"account_id": 1}, {"tier": "gold"})
        with pytest.raises(StepsRejected):
            await store.write(_batch("chg-1", before, {"tier": "gold"}))

    async def test_a_deleted_row_refuses_the_write(
        self, governed: GovernedTable, store: GovernanceStore
    ) -> None:
        before = await _image(governed, 1)
        await self.delete_row(governed, {"account_id": 1})
        with pytest.raises(StepsRejected):
            await store.write(_batch("chg-1", before, {"tier": "gold"}))
        assert await governed.read_row(CONTRACT_TABLE, {"account_id": 1}) is None

    async def test_two_changes_from_one_before_image_land_only_one(
        self, governed: GovernedTable, store: GovernanceStore
    ) -> None:
        before = await _image(governed, 2)
        outcomes = await asyncio.gather(
            store.write(_batch("chg-a", before, {"tier": "bronze"})),
            store.write(_batch("chg-b", before, {"tier": "platinum"})),
            return_exceptions=True,
        )
        assert sum(o is None for o in outcomes) == 1
        assert all(o is None or isinstance(o, StepsRejected) for o in outcomes)
        winner = "bronze" if outcomes[0] is None else "platinum"
        assert (await _image(governed, 2))["tier"] == winner

    async def test_values_travel_as_data_not_sql(
        self, governed: GovernedTable, store: GovernanceStore
    ) -> None:
        hostile = "x'); DROP TABLE accounts; -- `tier`"
        before = await _image(governed, 1)
        await store.write(_batch("chg-1", before, {"tier": hostile}))
        assert (await _image(governed, 1))["tier"] == hostile
        assert await _image(governed, 2) == normalize_json(dict(CONTRACT_ROWS[1]))


_batches = itertools.count(1)


def _batch(change_id: str, before: Mapping[str, Any], values: Mapping[str, Any]) -> CommitBatch:
    """One step writing the row of account ``before["account_id"]`` under ``change_id``,
    stamped with an ``updated_at`` no other write sets (unless ``values`` gives one)."""
    n = next(_batches)
    stamped = {"updated_at": APPLY_TIME + timedelta(microseconds=n), **values}
    write = RowWrite(
        change_id,
        CONTRACT_TABLE,
        {"account_id": before["account_id"]},
        before,
        stamped,
        ("updated_at",),
    )
    step = StepCommit(StepRecord(f"stp-row-{n}", "contract.row", APPLY_TIME), rows=(write,))
    return CommitBatch(f"cmt-row-{n}", (step,), ())
