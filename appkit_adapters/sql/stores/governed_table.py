# ruff: noqa: S608  (only quoted, validated identifiers and :markers are interpolated; values are parameters)
"""The governed tables on a SQL warehouse: column types, rows, and guarded row writes.

A row write is never made here on its own: :meth:`SqlGovernedTable.row_write`
gives the SQL that the governance store runs inside a step's commit, as
``UPDATE t SET ... WHERE <key> AND <every compared column equals its
before-image>`` with the check that the row still equals the before-image
(``col <=> :before``, NULL-safe). Columns and their types are read once per
table with ``DESCRIBE TABLE`` and cached; audit values are written only to the
audit columns the table has. Before-images are compared for scalar columns
(numbers, strings, booleans, dates, timestamps); complex and binary columns
cannot be bound as parameters and are not compared.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from appkit_adapters.sql.stores.values import MAX_PARAMETERS, utc
from appkit_adapters.sql.warehouse import SqlParameter, SqlWarehouse
from appkit_domain.audit.chain import normalize_json
from appkit_domain.errors import Conflict, InvalidInput
from appkit_domain.identifiers import TableName, quote
from appkit_domain.ports.governed_table import GovernedTable
from appkit_domain.unit_of_work import RowWrite

_SCALAR = re.compile(
    r"^(BIGINT|LONG|INT|INTEGER|SMALLINT|SHORT|TINYINT|BYTE|BOOLEAN|DOUBLE|FLOAT|REAL|STRING"
    r"|DATE|TIMESTAMP|TIMESTAMP_NTZ|DECIMAL(\(\s*\d+\s*(,\s*\d+\s*)?\))?|(VAR)?CHAR\(\s*\d+\s*\))$"
)
_INTEGER_TYPES = frozenset(
    {"BIGINT", "LONG", "INT", "INTEGER", "SMALLINT", "SHORT", "TINYINT", "BYTE"}
)


def parameter_type(type_text: str) -> str | None:
    """The parameter type that binds a value of a column of ``type_text``; None if none does."""
    upper = type_text.strip().upper()
    if not _SCALAR.match(upper):
        return None
    if upper.startswith(("VARCHAR", "CHAR")):
        return "STRING"
    if upper in ("FLOAT", "REAL"):
        return "DOUBLE"
    return upper


def python_value(column: str, sql_type: str, value: Any) -> Any:
    """``value`` (canonical JSON form, or already typed) as the Python type ``sql_type`` binds.

    DECIMAL, DATE and TIMESTAMP arrive as text in canonical JSON; the
    warehouse clients encode typed Python values, so they are parsed here.
    """
    if value is None:
        return None
    try:
        if sql_type.startswith("DECIMAL"):
            if isinstance(value, bool):
                raise ValueError("a boolean is not a number")
            return value if isinstance(value, Decimal) else Decimal(str(value))
        if sql_type in _INTEGER_TYPES:
            if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
                raise ValueError("not an integer")
            number = Decimal(str(value))
            if number != number.to_integral_value():
                raise ValueError("not an integer")
            return int(number)
        if sql_type == "DOUBLE":
            if isinstance(value, bool):
                raise ValueError("a boolean is not a number")
            return float(value)
        if sql_type == "BOOLEAN":
            if not isinstance(value, bool):
                raise ValueError("not a boolean")
            return value
        if sql_type == "DATE":
            if isinstance(value, date) and not isinstance(value, datetime):
                return value
            return date.fromisoformat(str(value))
        if sql_type == "TIMESTAMP":
            return utc(value)
        if sql_type == "TIMESTAMP_NTZ":
            moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
            if moment.tzinfo is not None:
                moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
            return moment
    except (ValueError, ArithmeticError, InvalidInput) as exc:
        raise InvalidInput(
            f"value {value!r} does not fit column {column!r} of type {sql_type}",
            details={"column": column, "type": sql_type},
        ) from exc
    return value if isinstance(value, str) else str(normalize_json(value, column))


class SqlGovernedTable(GovernedTable):
    """:class:`GovernedTable` over any Unity Catalog table reachable by the warehouse.

    Build it on a warehouse bound to the app's service principal.
    """

    def __init__(self, warehouse: SqlWarehouse) -> None:
        self.warehouse = warehouse
        self._columns: dict[str, dict[str, str]] = {}

    # -- schema ---------------------------------------------------------------------------

    async def column_types(self, table: TableName) -> Mapping[str, str]:
        cached = self._columns.get(table.full_name.lower())
        if cached is None:
            result = await self.warehouse.execute(f"DESCRIBE TABLE {table.quoted}", idempotent=True)
            cached = {}
            for row in result.dicts():
                name = row.get("col_name")
                if not isinstance(name, str) or not name or name.startswith("#"):
                    break
                cached[name] = str(row.get("data_type") or "").upper()
            self._columns[table.full_name.lower()] = cached
        return dict(cached)

    def forget(self, table: TableName) -> None:
        """Drop the cached columns of ``table`` (after its schema changed)."""
        self._columns.pop(table.full_name.lower(), None)

    async def _typed(self, table: TableName) -> dict[str, tuple[str, str]]:
        """lower-case column -> (column, type)"""
        return {c.lower(): (c, t) for c, t in (await self.column_types(table)).items()}

    @staticmethod
    def _bind(
        columns: dict[str, tuple[str, str]], table: TableName, column: str, name: str, value: Any
    ) -> SqlParameter:
        found = columns.get(column.lower())
        if found is None:
            raise InvalidInput(
                f"{table.full_name} has no column {column!r}", details={"column": column}
            )
        sql_type = parameter_type(found[1])
        if sql_type is None:
            raise InvalidInput(
                f"column {column!r} of {table.full_name} has type {found[1]}, "
                "which cannot be written or matched",
                details={"column": column},
            )
        return SqlParameter(name, python_value(column, sql_type, value), sql_type)

    def _key_filter(
        self, columns: dict[str, tuple[str, str]], table: TableName, key: Mapping[str, Any]
    ) -> tuple[list[str], list[SqlParameter]]:
        if not key:
            raise InvalidInput("a row key needs at least one column")
        conditions, params = [], []
        for i, (column, value) in enumerate(key.items()):
            param = self._bind(columns, table, column, f"k{i}", value)
            conditions.append(f"{quote(column, 'column')} <=> :{param.name}")
            params.append(param)
        return conditions, params

    async def key_condition(
        self, table: TableName, key: Mapping[str, Any]
    ) -> tuple[str, list[SqlParameter]]:
        """The condition (``:k0``... markers) matching the row at ``key``, values typed as the
        columns are."""
        conditions, params = self._key_filter(await self._typed(table), table, key)
        return " AND ".join(conditions), params

    # -- reading ----------------------------------------------------------------------------

    async def read_row(self, table: TableName, key: Mapping[str, Any]) -> Mapping[str, Any] | None:
        columns = await self._typed(table)
        conditions, params = self._key_filter(columns, table, key)
        result = await self.warehouse.execute(
            f"SELECT * FROM {table.quoted} WHERE {' AND '.join(conditions)} LIMIT 2",
            params,
            idempotent=True,
        )
        rows = result.dicts()
        if len(rows) > 1:
            raise Conflict(f"more than one row of {table.full_name} has key {dict(key)}")
        return rows[0] if rows else None

    async def row_write(self, write: RowWrite, prefix: str) -> tuple[str, str, list[SqlParameter]]:
        """``(set clause, where condition, parameters)`` of ``write``'s guarded update.

        The condition matches the row at the key only while every comparable
        column equals the before-image. Parameters are named ``{prefix}k0``,
        ``{prefix}b0``, ``{prefix}v0``... so several row writes share one
        statement. More than :data:`MAX_PARAMETERS` values is ``InvalidInput``.
        """
        columns = await self._typed(write.table)
        table = write.table
        values = dict(write.values)
        assignments: list[str] = []
        params: list[SqlParameter] = []
        for i, (column, value) in enumerate(values.items()):
            param = self._bind(columns, table, column, f"{prefix}v{i}", value)
            assignments.append(f"{quote(column, 'column')} = :{param.name}")
            params.append(param)
        conditions = []
        for i, (column, value) in enumerate(write.key.items()):
            param = self._bind(columns, table, column, f"{prefix}k{i}", value)
            conditions.append(f"{quote(column, 'column')} <=> :{param.name}")
            params.append(param)
        for i, (column, value) in enumerate(write.before.items()):
            if not _comparable(columns, column):
                continue
            param = self._bind(columns, table, column, f"{prefix}b{i}", value)
            conditions.append(f"{quote(column, 'column')} <=> :{param.name}")
            params.append(param)
        if len(params) > MAX_PARAMETERS:
            raise InvalidInput(
                f"a change to {table.full_name} binds {len(params)} values (key, new values and "
                f"before-image); one statement takes at most {MAX_PARAMETERS}",
                details={"table": table.full_name},
            )
        return ", ".join(assignments), " AND ".join(conditions), params

    async def restore(self, write: RowWrite, prefix: str) -> tuple[str, str, list[SqlParameter]]:
        """``(set clause, where condition, parameters)`` undoing ``write`` on a row that still
        holds exactly what it wrote (the columns it set go back to their before-image)."""
        after = {**write.before, **write.values}
        undo = RowWrite(
            write.change_id,
            write.table,
            write.key,
            after,
            {c: write.before.get(c) for c in write.values if c in write.before},
        )
        return await self.row_write(undo, prefix)

    async def holds(self, write: RowWrite) -> bool:
        """Whether the row at ``write``'s key holds every value ``write`` sets (it landed)."""
        row = await self.read_row(write.table, write.key)
        if row is None:
            return False
        current = {c.lower(): v for c, v in normalize_json(dict(row), "row").items()}
        return all(current.get(c.lower()) == normalize_json(v, c) for c, v in write.values.items())


def _comparable(columns: dict[str, tuple[str, str]], column: str) -> bool:
    found = columns.get(column.lower())
    return found is not None and parameter_type(found[1]) is not None
