"""The contract every :class:`appkit_domain.ports.governed_table.GovernedTable` honours.

Subclass :class:`GovernedTableContract`, provide a ``governed`` fixture that
yields the port with table :data:`CONTRACT_TABLE` created with
:data:`CONTRACT_COLUMNS` and holding :data:`CONTRACT_ROWS`, and implement
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
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import pytest

from appkit_domain.audit.chain import normalize_json
from appkit_domain.errors import NotFound
from appkit_domain.identifiers import TableName
from appkit_domain.ports.governed_table import ApplyStatus, GovernedTable

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

    async def test_apply_on_an_unchanged_row_writes_values_and_audit_columns(
        self, governed: GovernedTable
    ) -> None:
        before = await _image(governed, 1)
        outcome = await governed.apply_change(
            "chg-1",
            CONTRACT_TABLE,
            {"account_id": 1},
            before,
            {"tier": "gold", "balance": "12.00"},
            {"updated_by": "u-alice", "updated_at": APPLY_TIME},
        )
        assert outcome.status is ApplyStatus.APPLIED and not outcome.replayed
        after = await _image(governed, 1)
        assert after["tier"] == "gold"
        assert after["updated_by"] == "u-alice"
        assert after["updated_at"] == normalize_json(APPLY_TIME)
        assert after["balance"] in ("12.00", "12.0", "12")
        assert await _image(governed, 2) == normalize_json(dict(CONTRACT_ROWS[1]))

    async def test_apply_is_at_most_once_per_change_id(self, governed: GovernedTable) -> None:
        before = await _image(governed, 1)
        await governed.apply_change(
            "chg-1", CONTRACT_TABLE, {"account_id": 1}, before, {"tier": "gold"}, {}
        )
        await self.move_row(governed, {"account_id": 1}, {"tier": "silver"})
        again = await governed.apply_change(
            "chg-1", CONTRACT_TABLE, {"account_id": 1}, before, {"tier": "gold"}, {}
        )
        assert again.status is ApplyStatus.APPLIED and again.replayed
        assert (await _image(governed, 1))["tier"] == "silver"

    async def test_apply_on_a_moved_row_is_a_conflict_and_writes_nothing(
        self, governed: GovernedTable
    ) -> None:
        before = await _image(governed, 1)
        await self.move_row(governed, {"account_id": 1}, {"balance": "11.00"})
        moved = await _image(governed, 1)
        outcome = await governed.apply_change(
            "chg-1",
            CONTRACT_TABLE,
            {"account_id": 1},
            before,
            {"tier": "gold"},
            {"updated_by": "u-alice", "updated_at": APPLY_TIME},
        )
        assert outcome.status is ApplyStatus.CONFLICT and outcome.reason
        assert await _image(governed, 1) == moved

    async def test_apply_on_a_deleted_row_is_a_conflict(self, governed: GovernedTable) -> None:
        before = await _image(governed, 1)
        await self.delete_row(governed, {"account_id": 1})
        outcome = await governed.apply_change(
            "chg-1", CONTRACT_TABLE, {"account_id": 1}, before, {"tier": "gold"}, {}
        )
        assert outcome.status is ApplyStatus.CONFLICT
        assert await governed.read_row(CONTRACT_TABLE, {"account_id": 1}) is None

    async def test_a_conflict_is_the_recorded_outcome_of_its_change_id(
        self, governed: GovernedTable
    ) -> None:
        before = await _image(governed, 1)
        await self.move_row(governed, {"account_id": 1}, {"tier": "bronze"})
        first = await governed.apply_change(
            "chg-1", CONTRACT_TABLE, {"account_id": 1}, before, {"tier": "gold"}, {}
        )
        await self.move_row(governed, {"account_id": 1}, {"tier": "silver"})
        second = await governed.apply_change(
            "chg-1", CONTRACT_TABLE, {"account_id": 1}, before, {"tier": "gold"}, {}
        )
        assert first.status is second.status is ApplyStatus.CONFLICT
        assert second.replayed
        assert (await _image(governed, 1))["tier"] == "silver"

    async def test_concurrent_applies_of_one_change_id_write_once(
        self, governed: GovernedTable
    ) -> None:
        before = await _image(governed, 2)
        outcomes = await asyncio.gather(
            *(
                governed.apply_change(
                    "chg-9", CONTRACT_TABLE, {"account_id": 2}, before, {"tier": "platinum"}, {}
                )
                for _ in range(6)
            )
        )
        assert all(o.status is ApplyStatus.APPLIED for o in outcomes)
        assert sum(1 for o in outcomes if not o.replayed) == 1
        assert (await _image(governed, 2))["tier"] == "platinum"

    async def test_two_changes_from_one_before_image_apply_only_one(
        self, governed: GovernedTable
    ) -> None:
        before = await _image(governed, 2)
        first, second = await asyncio.gather(
            governed.apply_change(
                "chg-a", CONTRACT_TABLE, {"account_id": 2}, before, {"tier": "bronze"}, {}
            ),
            governed.apply_change(
                "chg-b", CONTRACT_TABLE, {"account_id": 2}, before, {"tier": "platinum"}, {}
            ),
        )
        assert sorted(o.status.value for o in (first, second)) == ["APPLIED", "CONFLICT"]
        winner = "bronze" if first.status is ApplyStatus.APPLIED else "platinum"
        assert (await _image(governed, 2))["tier"] == winner

    async def test_values_travel_as_data_not_sql(self, governed: GovernedTable) -> None:
        hostile = "x'); DROP TABLE accounts; -- `tier`"
        before = await _image(governed, 1)
        outcome = await governed.apply_change(
            "chg-1", CONTRACT_TABLE, {"account_id": 1}, before, {"tier": hostile}, {}
        )
        assert outcome.applied
        assert (await _image(governed, 1))["tier"] == hostile
        assert await _image(governed, 2) == normalize_json(dict(CONTRACT_ROWS[1]))
