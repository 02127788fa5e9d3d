"""A governed row write makes exactly one table version on both commit paths, even when every
statement is sent twice (its first answer lost), and the version found for it is that one."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from appkit_adapters.sql.stores.governed_table import SqlGovernedTable
from appkit_adapters.sql.stores.table_versions import SqlTableVersions
from appkit_adapters.sql.warehouse import Parameters, SqlWarehouse, StatementResult
from appkit_domain.audit.drafts import EventDraft, chain
from appkit_domain.identifiers import TableName
from appkit_domain.unit_of_work import CommitBatch, RowWrite, StepCommit, StepRecord
from tests.sql_stores.conftest import Governance, governance_store

AT = datetime(2026, 2, 1, 9, 0, tzinfo=timezone.utc)
BEFORE = {"id": 1, "tier": "bronze", "updated_at": "2026-01-01T00:00:00.000000Z"}


class EveryStatementTwice(SqlWarehouse):
    """Sends each statement again right after it ran, as a transport does when the first
    answer is lost; the caller sees the second answer (or its error)."""

    def __init__(self, inner: SqlWarehouse) -> None:
        self.inner = inner

    async def execute(
        self,
        statement: str,
        parameters: Parameters = None,
        *,
        row_limit: int | None = None,
        idempotent: bool = False,
    ) -> StatementResult:
        await self.inner.execute(statement, parameters, row_limit=row_limit, idempotent=idempotent)
        return await self.inner.execute(
            statement, parameters, row_limit=row_limit, idempotent=idempotent
        )


async def _history(warehouse: SqlWarehouse, table: TableName) -> list[dict[str, Any]]:
    return (await warehouse.execute(f"DESCRIBE HISTORY {table.quoted}")).dicts()


@pytest.mark.parametrize("governance", ["local", "emulated"], indirect=True)
async def test_one_version_per_governed_write_and_it_is_the_one_linked(
    governance: Governance, atomic: bool
) -> None:
    warehouse = governance.warehouse
    table = TableName(governance.location.catalog, governance.location.schema, "tiers")
    await warehouse.execute(
        f"CREATE TABLE {table.quoted} (id BIGINT, tier STRING, updated_at TIMESTAMP)"
        " TBLPROPERTIES ('delta.feature.catalogManaged' = 'supported')"
    )
    await warehouse.execute(
        f"INSERT INTO {table.quoted} VALUES (1, 'bronze', TIMESTAMP'2026-01-01 00:00:00')"
    )
    before_versions = await _history(warehouse, table)
    twice = Governance(EveryStatementTwice(warehouse), governance.location, governance.backend)
    store = governance_store(twice, atomic=atomic)
    write = RowWrite(
        "chg-1", table, {"id": 1}, BEFORE, {"tier": "gold", "updated_at": AT}, ("updated_at",)
    )
    record = StepRecord("stp-1", "writeback.apply", AT, None, None, None, {})
    draft = EventDraft("evt-1", AT, "sp", "writeback.apply", "writeback_change:chg-1", {})
    head = await store.head("links")
    step = StepCommit(record, (), (write,), (draft,))
    await store.write(CommitBatch("cmt-1", (step,), tuple(chain("links", head, [draft]))))

    history = await _history(warehouse, table)
    new = [h for h in history if h["version"] > before_versions[0]["version"]]
    assert [h["operation"] for h in new] == ["UPDATE"]
    versions = SqlTableVersions(warehouse, SqlGovernedTable(warehouse))
    link = await versions.version_of_write(table, {"id": 1}, BEFORE, {"tier": "gold"}, since=AT)
    assert link is not None and link.produced == new[0]["version"]
    assert (await versions.row_at(table, {"id": 1}, link.replaced))["tier"] == "bronze"
    assert (await versions.row_at(table, {"id": 1}, link.produced))["tier"] == "gold"
