"""Statements that change data or schema, run under the engine's writer lock.

DML runs as one DuckDB statement and reports Databricks' counts (INSERT OVERWRITE
as a DELETE and an INSERT in one transaction). DDL runs in a
transaction together with the table metadata it changes (comments, properties,
owner), so both land or neither does.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from appkit_adapters.local.catalogs import CatalogRegistry
from appkit_adapters.local.commands import CreateCatalog, DropCatalog
from appkit_adapters.local.errors import sql_error
from appkit_adapters.local.execution import Plan, affected_result, merge_result
from appkit_adapters.local.naming import TableName
from appkit_adapters.local.tables import apply_change, forget_tables, record_definition
from appkit_adapters.sql.warehouse import StatementResult
from appkit_domain.errors import InvalidInput


def _merge(cursor: duckdb.DuckDBPyConnection, plan: Plan) -> StatementResult:
    # the caller holds the writer lock, so nothing changes between this check and the MERGE
    check = plan.merge_check
    if check is not None and cursor.execute(check, plan.merge_check_values).fetchone():
        raise sql_error(
            InvalidInput,
            "DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE",
            "21506",
            "Cannot perform Merge as multiple source rows matched and attempted to"
            " modify the same target row in the Delta table.",
        )
    actions = cursor.execute(plan.sql, plan.values).fetchall()
    return merge_result([action for (action,) in actions])


def _overwrite(cursor: duckdb.DuckDBPyConnection, plan: Plan, table: str) -> StatementResult:
    """INSERT OVERWRITE: empty the table and insert, as one transaction."""
    cursor.execute("BEGIN TRANSACTION")
    try:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (a qualified, quoted table name)
        row = cursor.execute(plan.sql, plan.values).fetchone()
        cursor.execute("COMMIT")
    except BaseException:
        cursor.execute("ROLLBACK")
        raise
    return affected_result("INSERT", int(row[0]) if row else 0)


def _forget_dropped(
    cursor: duckdb.DuckDBPyConnection, plan: Plan, catalogs: CatalogRegistry
) -> None:
    info = plan.parsed.info
    for full_name in info.writes:
        dropped = TableName.parse(full_name)
        forget_tables(cursor, dropped.catalog, dropped.schema, dropped.table)
    for schema_name in info.schemas:
        catalog, schema = schema_name.split(".")
        if catalogs.exists(catalog):
            forget_tables(cursor, catalog, schema, None)


def run_write(
    cursor: duckdb.DuckDBPyConnection,
    plan: Plan,
    principal: str,
    now: dt.datetime,
    catalogs: CatalogRegistry,
) -> StatementResult:
    """Run one writing statement (see module docstring); the caller holds the writer lock."""
    info = plan.parsed.info
    if info.kind == "MERGE":
        return _merge(cursor, plan)
    if plan.parsed.overwrite is not None:
        return _overwrite(cursor, plan, plan.parsed.overwrite)
    if info.kind in ("INSERT", "UPDATE", "DELETE"):
        row = cursor.execute(plan.sql, plan.values).fetchone()
        return affected_result(info.kind, int(row[0]) if row else 0)
    if info.kind == "CREATE":
        for name in info.schemas:
            catalogs.require(name.split(".")[0])
    cursor.execute("BEGIN TRANSACTION")
    try:
        if plan.sql:
            cursor.execute(plan.sql, plan.values)
        if plan.parsed.definition is not None:
            record_definition(cursor, plan.parsed.definition, principal, now)
        if plan.parsed.change is not None:
            apply_change(cursor, plan.parsed.change, principal, now)
        if info.kind == "DROP":
            _forget_dropped(cursor, plan, catalogs)
        cursor.execute("COMMIT")
    except BaseException:
        cursor.execute("ROLLBACK")
        raise
    return StatementResult(columns=())


def change_catalog(
    command: CreateCatalog | DropCatalog,
    catalogs: CatalogRegistry,
    principal: str,
    now: dt.datetime,
    default_catalog: str,
) -> None:
    """CREATE CATALOG / DROP CATALOG; the default catalog cannot be dropped."""
    if isinstance(command, CreateCatalog):
        catalogs.create(
            command.name,
            if_not_exists=command.if_not_exists,
            comment=command.comment,
            owner=principal,
            now=now,
        )
        return
    if command.name == default_catalog:
        raise sql_error(
            InvalidInput,
            "FORBIDDEN_OPERATION",
            "42809",
            f"the default catalog `{command.name}` cannot be dropped",
        )
    catalogs.drop(command.name, if_exists=command.if_exists, cascade=command.cascade)
