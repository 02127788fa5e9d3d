"""The SQL governed-table writer honours the governed table contract on every backend.

The contract table is ``contract.crm.accounts``; on a real workspace it is
replaced, so that variant runs only with ``APPKIT_TEST_ALLOW_DESTRUCTIVE=1``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from decimal import Decimal
from typing import Any

import pytest

from appkit_adapters.sql.stores.governed_table import SqlGovernedTable, python_value
from appkit_adapters.sql.warehouse import SqlParameter
from appkit_domain.ports.governed_table import GovernedTable
from appkit_testing.contracts.governed_table import (
    CONTRACT_COLUMNS,
    CONTRACT_ROWS,
    CONTRACT_TABLE,
    GovernedTableContract,
)
from tests.sql_stores.conftest import Governance, governance_store


def _params(values: Mapping[str, Any], prefix: str) -> list[SqlParameter]:
    return [
        SqlParameter(f"{prefix}{i}", python_value(c, CONTRACT_COLUMNS[c], v), CONTRACT_COLUMNS[c])
        for i, (c, v) in enumerate(values.items())
    ]


class TestSqlGovernedTable(GovernedTableContract):
    @pytest.fixture
    async def governed(self, governance: Governance) -> AsyncIterator[SqlGovernedTable]:
        warehouse = governance.warehouse
        if governance.backend == "databricks":
            if os.environ.get("APPKIT_TEST_ALLOW_DESTRUCTIVE") != "1":
                pytest.skip(
                    "real workspace: this contract replaces contract.crm.accounts, "
                    "so it runs only with APPKIT_TEST_ALLOW_DESTRUCTIVE=1"
                )
        else:
            await warehouse.execute(f"CREATE CATALOG IF NOT EXISTS `{CONTRACT_TABLE.catalog}`")
        await warehouse.execute(
            f"CREATE SCHEMA IF NOT EXISTS `{CONTRACT_TABLE.catalog}`.`{CONTRACT_TABLE.schema}`"
        )
        columns = ", ".join(f"`{name}` {sql_type}" for name, sql_type in CONTRACT_COLUMNS.items())
        await warehouse.execute(
            f"CREATE OR REPLACE TABLE {CONTRACT_TABLE.quoted} ({columns}) "
            "TBLPROPERTIES ('delta.feature.catalogManaged' = 'supported')"
        )
        for row in CONTRACT_ROWS:
            params = _params(row, "v")
            markers = ", ".join(f":{p.name}" for p in params)
            await warehouse.execute(
                f"INSERT INTO {CONTRACT_TABLE.quoted} VALUES ({markers})", params
            )
        yield SqlGovernedTable(warehouse)

    @pytest.fixture
    def store(self, governance: Governance, atomic: bool) -> Any:
        return governance_store(governance, atomic=atomic)

    async def move_row(
        self, governed: GovernedTable, key: Mapping[str, Any], values: Mapping[str, Any]
    ) -> None:
        assert isinstance(governed, SqlGovernedTable)
        sets = _params(values, "s")
        keys = _params(key, "k")
        assignments = ", ".join(f"`{c}` = :{p.name}" for c, p in zip(values, sets))
        where = " AND ".join(f"`{c}` = :{p.name}" for c, p in zip(key, keys))
        await governed.warehouse.execute(
            f"UPDATE {CONTRACT_TABLE.quoted} SET {assignments} WHERE {where}", [*sets, *keys]
        )

    async def delete_row(self, governed: GovernedTable, key: Mapping[str, Any]) -> None:
        assert isinstance(governed, SqlGovernedTable)
        keys = _params(key, "k")
        where = " AND ".join(f"`{c}` = :{p.name}" for c, p in zip(key, keys))
        await governed.warehouse.execute(f"DELETE FROM {CONTRACT_TABLE.quoted} WHERE {where}", keys)


def test_contract_rows_bind_as_typed_values() -> None:
    assert _params({"balance": "10.50"}, "x")[0].value == Decimal("10.50")
