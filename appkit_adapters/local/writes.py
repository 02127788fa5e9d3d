"""Statements that change data or schema, run under the engine's writer lock.

Every write runs in a DuckDB transaction (the engine opens it: one per
statement, or the atomic block's) together with what it changes beside the
table: the table metadata (comments, properties, owner) and the table's
versions (:mod:`appkit_adapters.local.history`), so all of it lands or none
does. DML reports Databricks' counts (INSERT OVERWRITE as an INSERT).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb
from sqlglot import exp

from appkit_adapters.local.catalogs import CatalogRegistry
from appkit_adapters.local.commands import CreateCatalog, DropCatalog
from appkit_adapters.local.errors import sql_error
from appkit_adapters.local.execution import Plan, affected_result, merge_result
from appkit_adapters.local.history import registry
from appkit_adapters.local.history.rows import add_rows, capture, retire_all, rewrite_all
from appkit_adapters.local.history.transaction import PendingVersion, TableVersions
from appkit_adapters.local.naming import TableName, database_alias
from appkit_adapters.local.tables import apply_change, forget_tables, record_definition
from appkit_adapters.sql.warehouse import StatementResult
from appkit_domain.errors import InvalidInput

_WRITE_OPERATIONS = {"INSERT": "WRITE", "UPDATE": "UPDATE", "DELETE": "DELETE", "MERGE": "MERGE"}


def is_table(cursor: duckdb.DuckDBPyConnection, name: TableName) -> bool:
    """Whether ``name`` is a table (not a view) of a catalog database."""
    row = cursor.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = $db AND schema_name = $s"
        " AND table_name = $t",
        {"db": database_alias(name.catalog), "s": name.schema, "t": name.table},
    ).fetchone()
    return bool(row and row[0])


def _predicate(plan: Plan) -> dict[str, str]:
    tree = plan.parsed.tree
    condition = None
    if isinstance(tree, (exp.Update, exp.Delete)) and tree.args.get("where") is not None:
        condition = tree.args["where"].this
    elif isinstance(tree, exp.Merge):
        condition = tree.args.get("on")
    if condition is None:
        return {}
    return {"predicate": json.dumps([condition.sql(dialect="databricks")])}


def _dml(
    cursor: duckdb.DuckDBPyConnection, plan: Plan, run: StatementResult | None = None
) -> StatementResult:
    info = plan.parsed.info
    if info.kind == "MERGE":
        check = plan.merge_check
        # the caller holds the writer lock, so nothing changes between this check and the MERGE
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
    if plan.parsed.overwrite is not None:
        cursor.execute(f"DELETE FROM {plan.parsed.overwrite}")  # noqa: S608 (a quoted table name)
    row = cursor.execute(plan.sql, plan.values).fetchone()
    return affected_result(info.kind, int(row[0]) if row else 0)


def _count_dml(entry: PendingVersion, kind: str, result: StatementResult) -> None:
    row = result.rows[0] if result.rows else (0,)
    if kind == "INSERT":
        entry.count(numOutputRows=int(row[0]), numFiles=1 if row[0] else 0)
    elif kind == "UPDATE":
        entry.count(numUpdatedRows=int(row[0]))
    elif kind == "DELETE":
        entry.count(numDeletedRows=int(row[0]))
    else:
        _, updated, deleted, inserted = (int(v) for v in row)
        entry.count(
            numTargetRowsUpdated=updated,
            numTargetRowsDeleted=deleted,
            numTargetRowsInserted=inserted,
            numOutputRows=updated + inserted,
        )


def _versioned_dml(
    cursor: duckdb.DuckDBPyConnection,
    plan: Plan,
    versions: TableVersions,
    catalogs: CatalogRegistry,
) -> StatementResult:
    info = plan.parsed.info
    name = TableName.parse(next(iter(info.writes)))
    if not versions.enabled or name.catalog in catalogs.read_only:
        return _dml(cursor, plan)
    if versions.state(name) is None and not is_table(cursor, name):
        return _dml(cursor, plan)  # a view: DuckDB refuses it with the error a user expects
    overwrite = plan.parsed.overwrite is not None
    parameters = (
        {"mode": "Overwrite" if overwrite else "Append", "partitionBy": "[]"}
        if info.kind == "INSERT"
        else _predicate(plan)
    )
    entry = versions.open(name, _WRITE_OPERATIONS[info.kind], parameters)
    if info.kind == "INSERT" and not overwrite and name.full_name not in info.reads:
        entry.blind_append = entry.blind_append or not entry.metrics
    if overwrite:
        result, changed = rewrite_all(
            cursor, entry.state, entry.version, lambda: _dml(cursor, plan)
        )
    else:
        result, changed = capture(
            cursor,
            entry.state,
            entry.version,
            plan.touched,
            plan.touched_values or {},
            lambda: _dml(cursor, plan),
            appends=info.kind != "DELETE",
            appended_from=versions.local_base if entry.writes == 0 else None,
        )
    entry.writes += 1
    entry.changed = entry.changed or changed > 0
    _count_dml(entry, info.kind, result)
    return result


def _create_operation(plan: Plan) -> str:
    definition = plan.parsed.definition
    assert definition is not None
    tree = plan.parsed.tree
    query = isinstance(tree, exp.Create) and isinstance(tree.expression, exp.Query)
    head = "CREATE OR REPLACE TABLE" if definition.replace else "CREATE TABLE"
    return head + (" AS SELECT" if query else "")


def _create_parameters(plan: Plan) -> dict[str, str]:
    definition = plan.parsed.definition
    assert definition is not None
    parameters = {
        "isManaged": "true",
        "partitionBy": "[]",
        "properties": json.dumps(dict(definition.properties)),
    }
    if definition.comment:
        parameters["description"] = definition.comment
    return parameters


def _alter_operation(plan: Plan) -> str:
    tree = plan.parsed.tree
    if plan.parsed.info.kind == "COMMENT" or tree is None:
        return "SET TBLPROPERTIES"
    for action in tree.args.get("actions") or []:
        if isinstance(action, exp.RenameColumn):
            return "RENAME COLUMN"
        if isinstance(action, exp.AlterColumn):
            return "CHANGE COLUMN"
        if isinstance(action, exp.Drop):
            return "DROP COLUMNS"
        if isinstance(action, (exp.ColumnDef, exp.Schema)):
            return "ADD COLUMNS"
    return "ALTER TABLE"


def _tags_only(parsed: Any) -> bool:
    """``SET TAGS`` alone: Unity Catalog metadata, not a table version."""
    change = parsed.change
    return bool(
        change.tags
        and not (change.properties or change.column_comments or change.comment is not None)
        and parsed.tree is None
    )


def _schema_write(
    cursor: duckdb.DuckDBPyConnection,
    plan: Plan,
    principal: str,
    now: dt.datetime,
    catalogs: CatalogRegistry,
    versions: TableVersions,
) -> StatementResult:
    parsed = plan.parsed
    info = parsed.info
    definition = parsed.definition
    if info.kind == "CREATE":
        for name in info.schemas:
            catalogs.require(name.split(".")[0])
    entry: PendingVersion | None = None
    created: TableName | None = None
    if not versions.enabled:
        pass
    elif definition is not None and definition.table_type == "MANAGED":
        target = TableName.parse(definition.full_name)
        existed = is_table(cursor, target)
        if existed and definition.replace:
            entry = versions.open(target, _create_operation(plan), _create_parameters(plan))
            retire_all(cursor, entry.state, entry.version)
        elif not existed:
            created = target
    elif parsed.change is not None and parsed.change.renamed_to is None and not _tags_only(parsed):
        target = TableName.parse(parsed.change.full_name)
        if is_table(cursor, target):
            entry = versions.open(target, _alter_operation(plan))
    elif info.kind == "TRUNCATE":
        for full_name in info.writes:
            entry = versions.open(TableName.parse(full_name), "TRUNCATE")
            retire_all(cursor, entry.state, entry.version)
    if plan.sql:
        cursor.execute(plan.sql, plan.values)
    if definition is not None:
        record_definition(cursor, definition, principal, now)
    if parsed.change is not None:
        apply_change(cursor, parsed.change, principal, now)
        if parsed.change.renamed_to is not None:
            renamed = TableName.parse(parsed.change.full_name)
            registry.rename(cursor, renamed, parsed.change.renamed_to)
            versions.forget(renamed)
    if info.kind == "DROP":
        _forget_dropped(cursor, plan, catalogs, versions)
    if created is not None:
        entry = versions.open(
            created, _create_operation(plan), _create_parameters(plan), adopt=False
        )
        entry.count(numFiles=1 if add_rows(cursor, entry.state, entry.version) else 0)
    elif entry is not None:
        if definition is not None:  # a replaced table: its old images were retired above
            versions.reconcile(entry)
            add_rows(cursor, entry.state, entry.version)
        elif info.kind != "TRUNCATE" and versions.reconcile(entry):
            # new columns: the current images are written again under the new column map
            retire_all(cursor, entry.state, entry.version)
            add_rows(cursor, entry.state, entry.version)
    if entry is not None:
        entry.forced = True
    return StatementResult(columns=())


def _forget_dropped(
    cursor: duckdb.DuckDBPyConnection,
    plan: Plan,
    catalogs: CatalogRegistry,
    versions: TableVersions,
) -> None:
    info = plan.parsed.info
    for full_name in info.writes:
        dropped = TableName.parse(full_name)
        forget_tables(cursor, dropped.catalog, dropped.schema, dropped.table)
        registry.forget(cursor, dropped.catalog, dropped.schema, dropped.table)
        versions.forget(dropped)
    for schema_name in info.schemas:
        catalog, schema = schema_name.split(".")
        if catalogs.exists(catalog):
            forget_tables(cursor, catalog, schema, None)
            registry.forget(cursor, catalog, schema, None)


def run_write(
    cursor: duckdb.DuckDBPyConnection,
    plan: Plan,
    principal: str,
    now: dt.datetime,
    catalogs: CatalogRegistry,
    versions: TableVersions,
) -> StatementResult:
    """Run one writing statement inside the caller's transaction, whose table versions are
    ``versions`` (see module docstring); the caller holds the writer lock."""
    if plan.parsed.info.kind in _WRITE_OPERATIONS:
        return _versioned_dml(cursor, plan, versions, catalogs)
    return _schema_write(cursor, plan, principal, now, catalogs, versions)


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
