# ruff: noqa: S608  (only quoted, validated identifiers and :markers are interpolated; values are parameters)
"""The governed-table writer: apply an approved change to a Unity Catalog table at most once.

The happy path is two statements:

1. One conditional ``UPDATE`` of the target row: it sets the new values and
   the audit columns only where the key matches, every compared column still
   equals its before-image (``col <=> :before``, NULL-safe) and the
   ``applied_changes`` ledger holds no row for the change id
   (``NOT EXISTS``). One affected row means applied.
2. One ``MERGE ... WHEN NOT MATCHED THEN INSERT`` of the outcome into the ledger.

When the ``UPDATE`` affects nothing, the ledger is read: a recorded outcome
is returned with ``replayed=True`` and nothing is written (a second apply of
a change costs two statements and writes nothing). Otherwise the row is read
to say why: gone, or which columns moved. A row that already holds this
change's values and audit values means an earlier run of this very
``UPDATE`` landed but its answer or its ledger write was lost; it is
recorded as applied. The ``MERGE`` into the ledger decides races: only one
outcome per change id is ever recorded, and a caller that loses the race
returns the recorded one.

Order and safety without a multi-table transaction: the row is written
before the ledger, and the row write is guarded by the ledger. A crash
between the two leaves the row changed and no outcome; the next apply of
the change finds the row holding its values and records ``APPLIED``, so no
change is written twice and none is reported lost. (Databricks' ``BEGIN
ATOMIC ... END`` would make the pair one statement; it needs catalog-managed
commits on every table involved and reports no per-statement row counts,
so it is not used.)

Columns and their types are read once per table with ``DESCRIBE TABLE`` and
cached; audit values are written only to the audit columns the table has. Before-images are compared in SQL for scalar columns (numbers,
strings, booleans, dates, timestamps); complex and binary columns cannot be
bound as parameters and are not compared. Databricks takes at most 256
parameters per statement, so key, new values and before-image together are
limited to that many columns (a wider change is refused as ``InvalidInput``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from appkit_adapters.sql.schema import APPLIED_CHANGES, GovernanceSchema
from appkit_adapters.sql.stores.values import MAX_PARAMETERS, string, timestamp, to_json, utc
from appkit_adapters.sql.stores.versioned import new_write_token
from appkit_adapters.sql.warehouse import SqlParameter, SqlWarehouse
from appkit_adapters.system import SystemClock
from appkit_domain.audit.chain import normalize_json
from appkit_domain.errors import Conflict, InvalidInput, StaleVersion
from appkit_domain.identifiers import TableName, quote
from appkit_domain.ports.clock import Clock
from appkit_domain.ports.governed_table import ApplyOutcome, ApplyStatus, GovernedTable

_SCALAR = re.compile(
    r"^(BIGINT|LONG|INT|INTEGER|SMALLINT|SHORT|TINYINT|BYTE|BOOLEAN|DOUBLE|FLOAT|REAL|STRING"
    r"|DATE|TIMESTAMP|TIMESTAMP_NTZ|DECIMAL(\(\s*\d+\s*(,\s*\d+\s*)?\))?|(VAR)?CHAR\(\s*\d+\s*\))$"
)
ATTEMPTS = 3
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

    Build it on a warehouse bound to the app's service principal;
    ``location`` is where the ``applied_changes`` ledger lives.
    """

    def __init__(
        self, warehouse: SqlWarehouse, location: GovernanceSchema, clock: Clock | None = None
    ) -> None:
        self.warehouse = warehouse
        self.location = location
        self.ledger = location.table(APPLIED_CHANGES)
        self._clock = clock or SystemClock()
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

    async def recorded(self, change_id: str) -> ApplyOutcome | None:
        """The outcome recorded for ``change_id``, if any (``replayed=True``)."""
        found = await self._recorded_with_token(change_id)
        return None if found is None else found[0]

    async def _recorded_with_token(self, change_id: str) -> tuple[ApplyOutcome, str] | None:
        result = await self.warehouse.execute(
            f"SELECT `status`, `reason`, `write_token` FROM {self.ledger} "
            "WHERE `change_id` = :change_id",
            [string("change_id", change_id)],
            idempotent=True,
        )
        if not result.rows:
            return None
        status, reason, token = result.rows[0]
        return ApplyOutcome(change_id, ApplyStatus(status), reason, replayed=True), str(token)

    # -- writing ----------------------------------------------------------------------------

    async def apply_change(
        self,
        change_id: str,
        table: TableName,
        key: Mapping[str, Any],
        before: Mapping[str, Any],
        after: Mapping[str, Any],
        audit_values: Mapping[str, Any],
    ) -> ApplyOutcome:
        columns = await self._typed(table)
        audit_values = {c: v for c, v in audit_values.items() if c.lower() in columns}
        statement, params = self._update_statement(
            columns, change_id, table, key, before, {**after, **audit_values}
        )
        for _attempt in range(ATTEMPTS):
            try:
                result = await self.warehouse.execute(statement, params, idempotent=True)
                affected = result.affected_rows or 0
            except StaleVersion:
                raise
            except Conflict:
                affected = 0  # a concurrent writer won; decide on what is stored now
            if affected >= 1:
                return await self._record(change_id, table, key, ApplyStatus.APPLIED, None)
            earlier = await self.recorded(change_id)
            if earlier is not None:
                return earlier
            row = await self.read_row(table, key)
            if row is None:
                reason = f"the row of {table.full_name} no longer exists"
                return await self._record(change_id, table, key, ApplyStatus.CONFLICT, reason)
            current = normalize_json(dict(row), "row")
            lowered = {c.lower(): v for c, v in current.items()}
            if _holds(lowered, after) and _holds(lowered, _identity_values(audit_values)):
                return await self._record(change_id, table, key, ApplyStatus.APPLIED, None)
            moved = sorted(
                c
                for c, v in before.items()
                if _comparable(columns, c) and lowered.get(c.lower()) != normalize_json(v, c)
            )
            if moved:
                reason = (
                    f"the row changed since the change was proposed (columns: {', '.join(moved)})"
                )
                return await self._record(change_id, table, key, ApplyStatus.CONFLICT, reason)
            # The row still equals its before-image: the UPDATE lost a race; run it again.
        raise Conflict(
            f"change {change_id} could not be applied: {table.full_name} kept changing",
            details={"change_id": change_id},
        )

    def _update_statement(
        self,
        columns: dict[str, tuple[str, str]],
        change_id: str,
        table: TableName,
        key: Mapping[str, Any],
        before: Mapping[str, Any],
        values: Mapping[str, Any],
    ) -> tuple[str, list[SqlParameter]]:
        if not values:
            raise InvalidInput("a change needs at least one column to set")
        assignments: list[str] = []
        params: list[SqlParameter] = []
        for i, (column, value) in enumerate(values.items()):
            param = self._bind(columns, table, column, f"v{i}", value)
            assignments.append(f"{quote(column, 'column')} = :{param.name}")
            params.append(param)
        conditions, key_params = self._key_filter(columns, table, key)
        params.extend(key_params)
        for i, (column, value) in enumerate(before.items()):
            if not _comparable(columns, column):
                continue
            param = self._bind(columns, table, column, f"b{i}", value)
            conditions.append(f"{quote(column, 'column')} <=> :{param.name}")
            params.append(param)
        conditions.append(
            f"NOT EXISTS (SELECT 1 FROM {self.ledger} AS l WHERE l.`change_id` = :change_id)"
        )
        params.append(string("change_id", change_id))
        if len(params) > MAX_PARAMETERS:
            raise InvalidInput(
                f"a change to {table.full_name} binds {len(params)} values (key, new values and "
                f"before-image); one statement takes at most {MAX_PARAMETERS}",
                details={"table": table.full_name},
            )
        statement = (
            f"UPDATE {table.quoted} SET {', '.join(assignments)} WHERE {' AND '.join(conditions)}"
        )
        return statement, params

    async def _record(
        self,
        change_id: str,
        table: TableName,
        key: Mapping[str, Any],
        status: ApplyStatus,
        reason: str | None,
    ) -> ApplyOutcome:
        """Record the outcome unless one is recorded; return whichever is recorded."""
        token = new_write_token()
        params = [
            string("change_id", change_id),
            string("table_name", table.full_name),
            string("row_key", to_json(normalize_json(dict(key), "key"))),
            string("status", status.value),
            string("reason", reason),
            timestamp("recorded_at", self._clock.now()),
            string("write_token", token),
        ]
        columns = ", ".join(quote(p.name) for p in params)
        source = ", ".join(f":{p.name} AS {quote(p.name)}" for p in params)
        statement = (
            f"MERGE INTO {self.ledger} AS t USING (SELECT {source}) AS s "
            "ON t.`change_id` = s.`change_id` "
            f"WHEN NOT MATCHED THEN INSERT ({columns}) "
            f"VALUES ({', '.join('s.' + quote(p.name) for p in params)})"
        )
        for _attempt in range(ATTEMPTS):
            try:
                result = await self.warehouse.execute(statement, params, idempotent=True)
                inserted = result.affected_rows or 0
            except StaleVersion:
                raise
            except Conflict:
                inserted = 0
            if inserted:
                return ApplyOutcome(change_id, status, reason)
            earlier = await self._recorded_with_token(change_id)
            if earlier is not None:
                outcome, stored_token = earlier
                if stored_token == token:  # our own write, answered late
                    return ApplyOutcome(change_id, status, reason)
                return outcome
        raise Conflict(f"the outcome of change {change_id} could not be recorded")


def _comparable(columns: dict[str, tuple[str, str]], column: str) -> bool:
    found = columns.get(column.lower())
    return found is not None and parameter_type(found[1]) is not None


def _identity_values(audit_values: Mapping[str, Any]) -> dict[str, Any]:
    """The audit values that name who/which change wrote (times differ between runs)."""
    return {c: v for c, v in audit_values.items() if isinstance(v, str)}


def _holds(row: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    return all(row.get(c.lower()) == normalize_json(v, c) for c, v in values.items())
