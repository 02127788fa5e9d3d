"""Seed the demo world into any SQL warehouse, idempotently.

Creates the ``demo`` catalog (where the engine allows), the schemas
``demo.risk``, ``demo.crm`` and ``demo.dq``, their tables, fills each table
that is empty with the demo rows, and creates the governance tables. Values
travel as parameters; identifiers are validated and quoted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from appkit_adapters.sql.schema import init_schema
from appkit_adapters.sql.warehouse import SqlParameter, SqlWarehouse, infer_type
from appkit_domain.identifiers import TableName, quote
from appkit_web.sample import demo_data

DEMO_TABLES: tuple[tuple[str, Mapping[str, str], Sequence[Mapping[str, Any]]], ...] = (
    (demo_data.METRICS_TABLE, demo_data.METRICS_COLUMNS, demo_data.METRICS),
    (demo_data.CUSTOMERS_TABLE, demo_data.CUSTOMERS_COLUMNS, demo_data.CUSTOMERS),
    (demo_data.CHECK_RESULTS_TABLE, demo_data.CHECK_RESULTS_COLUMNS, demo_data.CHECK_RESULTS),
)


@dataclass
class SeedReport:
    filled: list[str] = field(default_factory=list)
    already_seeded: list[str] = field(default_factory=list)
    governance_created: list[str] = field(default_factory=list)


def _typed(value: Any, column_type: str, name: str) -> SqlParameter:
    if value is None:
        return SqlParameter(name, None, column_type)
    declared = column_type if column_type.startswith("DECIMAL") else infer_type(value)
    return SqlParameter(name, value, declared)


async def _fill(
    warehouse: SqlWarehouse, table: TableName, columns: Mapping[str, str], rows: Sequence[Any]
) -> bool:
    count = await warehouse.execute(f"SELECT COUNT(*) AS n FROM {table.quoted}", idempotent=True)  # noqa: S608
    if int(count.scalar() or 0) > 0:
        return False
    names = list(columns)
    column_list = ", ".join(quote(name, "column") for name in names)
    for index, row in enumerate(rows):
        markers = ", ".join(f":c{index}_{i}" for i in range(len(names)))
        parameters = [
            _typed(row.get(name), columns[name], f"c{index}_{i}") for i, name in enumerate(names)
        ]
        await warehouse.execute(
            f"INSERT INTO {table.quoted} ({column_list}) VALUES ({markers})",  # noqa: S608
            parameters,
        )
    return True


async def seed_demo_world(
    warehouse: SqlWarehouse,
    governance_catalog: str,
    governance_schema: str,
    *,
    create_catalog: bool,
) -> SeedReport:
    """Create and fill what is missing of the demo world; running it twice changes nothing."""
    report = SeedReport()
    catalogs = {TableName.parse(name).catalog for name, _, _ in DEMO_TABLES}
    if create_catalog:
        for catalog in sorted(catalogs):
            await warehouse.execute(f"CREATE CATALOG IF NOT EXISTS {quote(catalog)}")
    for full_name, columns, rows in DEMO_TABLES:
        table = TableName.parse(full_name)
        await warehouse.execute(
            f"CREATE SCHEMA IF NOT EXISTS {quote(table.catalog)}.{quote(table.schema)}"
        )
        definition = ", ".join(f"{quote(name, 'column')} {kind}" for name, kind in columns.items())
        await warehouse.execute(f"CREATE TABLE IF NOT EXISTS {table.quoted} ({definition})")
        if await _fill(warehouse, table, columns, rows):
            report.filled.append(full_name)
        else:
            report.already_seeded.append(full_name)
    init = await init_schema(
        warehouse, governance_catalog, governance_schema, create_catalog=create_catalog
    )
    report.governance_created = list(getattr(init, "created", []))
    return report
