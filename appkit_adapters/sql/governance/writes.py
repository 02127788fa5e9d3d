# ruff: noqa: S608  (only quoted, validated identifiers and :markers are interpolated; values are parameters)
"""The SQL of one step's writes: each write with the condition under which it must not land.

Every write comes as a :class:`Guarded`: its parameters, a ``refuses``
boolean SQL expression that is true when the write cannot land (a version
moved, an id or unique value is taken, a governed row no longer equals its
before-image, a change id already wrote its row), and the statement itself.
An atomic block puts ``IF refuses THEN SIGNAL ... END IF`` before each
statement; the step-by-step path runs the statement and reads back instead.
Conditions follow the form the Databricks SQL reference shows for
``BEGIN ATOMIC`` (``IF (SELECT COUNT(*) ...) > 0 THEN SIGNAL ...``).

Aggregate rows travel packed (:mod:`appkit_adapters.sql.governance.packing`);
every row written carries the writing step's id in ``write_token``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from appkit_adapters.sql.governance.packing import assignments, field_of, pack, selections
from appkit_adapters.sql.governance.tables import AggregateTable, AggregateTables
from appkit_adapters.sql.schema import APPLIED_CHANGES, UNIT_STEPS, GovernanceSchema
from appkit_adapters.sql.stores.governed_table import SqlGovernedTable
from appkit_adapters.sql.stores.values import string, to_json
from appkit_adapters.sql.warehouse import SqlParameter
from appkit_domain.audit.chain import format_time
from appkit_domain.identifiers import quote
from appkit_domain.unit_of_work import AggregateWrite, RowWrite, StepCommit

STATE_DONE = "DONE"
STATE_PENDING = "PENDING"
STATE_UNDONE = "UNDONE"
UNDONE_TOKEN = ""
"""The ``write_token`` of a row a step put back as it was: no step in flight owns it."""

STEP_COLUMNS: Mapping[str, str] = {
    "step_id": "STRING",
    "commit_id": "STRING",
    "name": "STRING",
    "principal": "STRING",
    "idempotency_key": "STRING",
    "request_hash": "STRING",
    "outcome": "STRING",
    "state": "STRING",
    "plan": "STRING",
    "lease_until": "TIMESTAMP",
    "committed_at": "TIMESTAMP",
}
LEDGER_COLUMNS: Mapping[str, str] = {
    "change_id": "STRING",
    "table_name": "STRING",
    "row_key": "STRING",
    "status": "STRING",
    "reason": "STRING",
    "recorded_at": "TIMESTAMP",
    "write_token": "STRING",
}


@dataclass(frozen=True)
class Guarded:
    """One write: ``statement`` lands only when ``refuses`` is false."""

    refuses: str
    statement: str
    params: list[SqlParameter] = field(default_factory=list)


def _versioned_columns(table: AggregateTable[Any]) -> dict[str, str]:
    return table.column_types


class WriteSql:
    """Builds the guarded SQL of aggregate, row, ledger and step-record writes."""

    def __init__(
        self, location: GovernanceSchema, tables: AggregateTables, governed: SqlGovernedTable
    ) -> None:
        self.location = location
        self.tables = tables
        self.governed = governed
        self.steps_table = location.table(UNIT_STEPS)
        self.ledger = location.table(APPLIED_CHANGES)

    # -- aggregates ----------------------------------------------------------------------------

    def packed_row(self, write: AggregateWrite, step_id: str) -> str:
        table = self.tables.of(write.type)
        return pack(
            table.params(write.item),
            version=write.version,
            write_token=step_id,
            expected=write.expected_version,
        )

    def aggregate(self, write: AggregateWrite, step_id: str, marker: str) -> Guarded:
        """The guarded insert (``expected_version`` is None) or compare-and-set update."""
        table = self.tables.of(write.type)
        name = self.location.table(table.table)
        columns = _versioned_columns(table)
        m = f":{marker}"
        param = [string(marker, self.packed_row(write, step_id))]
        if write.is_insert:
            taken = [f"`id` = {field_of(m, 'id')}"]
            for _index, column in table.unique.items():
                taken.append(f"{quote(column)} = {field_of(m, column, columns[column])}")
            names = ", ".join(quote(c) for c in columns)
            values = ", ".join(field_of(m, c, t) for c, t in columns.items())
            return Guarded(
                f"(SELECT COUNT(*) FROM {name} WHERE {' OR '.join(taken)}) > 0",
                f"INSERT INTO {name} ({names}) SELECT {values}",
                param,
            )
        where = f"`id` = {field_of(m, 'id')} AND `version` = {field_of(m, 'expected', 'BIGINT')}"
        settable = {c: t for c, t in columns.items() if c != "id"}
        return Guarded(
            f"(SELECT COUNT(*) FROM {name} WHERE {where}) = 0",
            f"UPDATE {name} SET {assignments(m, settable)} WHERE {where}",
            param,
        )

    def merge_insert(self, write: AggregateWrite, step_id: str, marker: str) -> Guarded:
        """An insert as one ``MERGE`` that inserts nothing when the id or a unique value is
        taken (for the step-by-step path, where it runs alone)."""
        table = self.tables.of(write.type)
        name = self.location.table(table.table)
        columns = _versioned_columns(table)
        m = f":{marker}"
        match = ["t.`id` = s.`id`"] + [
            f"t.{quote(c)} = s.{quote(c)}" for c in table.unique.values()
        ]
        names = ", ".join(quote(c) for c in columns)
        return Guarded(
            "",
            f"MERGE INTO {name} AS t USING (SELECT {selections(m, columns)}) AS s "
            f"ON {' OR '.join(match)} WHEN NOT MATCHED THEN INSERT ({names}) "
            f"VALUES ({', '.join('s.' + quote(c) for c in columns)})",
            [string(marker, self.packed_row(write, step_id))],
        )

    def undo_aggregate(self, write: AggregateWrite, step_id: str, marker: str) -> Guarded:
        """Put back what ``write`` replaced (or delete what it inserted), only where the row
        still carries this step's token."""
        table = self.tables.of(write.type)
        name = self.location.table(table.table)
        if write.is_insert:
            return Guarded(
                "",
                f"DELETE FROM {name} WHERE `id` = :{marker}_id AND `write_token` = :{marker}_step",
                [string(f"{marker}_id", write.key), string(f"{marker}_step", step_id)],
            )
        assert write.previous is not None
        columns = {c: t for c, t in _versioned_columns(table).items() if c != "id"}
        m = f":{marker}"
        previous = pack(
            table.params(write.previous),
            version=write.expected_version,
            write_token=UNDONE_TOKEN,
        )
        return Guarded(
            "",
            f"UPDATE {name} SET {assignments(m, columns)} "
            f"WHERE `id` = {field_of(m, 'id')} AND `write_token` = :{marker}_step",
            [string(marker, previous), string(f"{marker}_step", step_id)],
        )

    def token_of(self, write: AggregateWrite) -> tuple[str, list[SqlParameter]]:
        table = self.tables.of(write.type)
        return (
            f"SELECT `version`, `write_token` FROM {self.location.table(table.table)} "
            "WHERE `id` = :id",
            [string("id", write.key)],
        )

    # -- governed rows and the ledger --------------------------------------------------------

    async def row(self, write: RowWrite, prefix: str) -> Guarded:
        settings, where, params = await self.governed.row_write(write, prefix)
        table = write.table.quoted
        return Guarded(
            f"(SELECT COUNT(*) FROM {table} WHERE {where}) <> 1",
            f"UPDATE {table} SET {settings} WHERE {where}",
            params,
        )

    async def undo_row(self, write: RowWrite, prefix: str) -> Guarded:
        settings, where, params = await self.governed.restore(write, prefix)
        return Guarded("", f"UPDATE {write.table.quoted} SET {settings} WHERE {where}", params)

    def ledger_entry(self, write: RowWrite, step_id: str, marker: str, at: Any) -> Guarded:
        m = f":{marker}"
        packed = pack(
            [],
            change_id=write.change_id,
            table_name=write.table.full_name,
            row_key=to_json(dict(write.key)),
            status="APPLIED",
            reason=None,
            recorded_at=format_time(at),
            write_token=step_id,
        )
        names = ", ".join(quote(c) for c in LEDGER_COLUMNS)
        values = ", ".join(field_of(m, c, t) for c, t in LEDGER_COLUMNS.items())
        return Guarded(
            f"(SELECT COUNT(*) FROM {self.ledger} WHERE `change_id` = {field_of(m, 'change_id')}) > 0",
            f"INSERT INTO {self.ledger} ({names}) SELECT {values}",
            [string(marker, packed)],
        )

    def ledger_merge(self, write: RowWrite, step_id: str, marker: str, at: Any) -> Guarded:
        entry = self.ledger_entry(write, step_id, marker, at)
        m = f":{marker}"
        names = ", ".join(quote(c) for c in LEDGER_COLUMNS)
        return Guarded(
            "",
            f"MERGE INTO {self.ledger} AS t USING (SELECT {selections(m, LEDGER_COLUMNS)}) AS s "
            f"ON t.`change_id` = s.`change_id` WHEN NOT MATCHED THEN INSERT ({names}) "
            f"VALUES ({', '.join('s.' + quote(c) for c in LEDGER_COLUMNS)})",
            entry.params,
        )

    def ledger_token(self, change_id: str) -> tuple[str, list[SqlParameter]]:
        return (
            f"SELECT `write_token` FROM {self.ledger} WHERE `change_id` = :change_id",
            [string("change_id", change_id)],
        )

    def undo_ledger(self, write: RowWrite, step_id: str, marker: str) -> Guarded:
        return Guarded(
            "",
            f"DELETE FROM {self.ledger} WHERE `change_id` = :{marker}_c "
            f"AND `write_token` = :{marker}_step",
            [string(f"{marker}_c", write.change_id), string(f"{marker}_step", step_id)],
        )

    # -- step records --------------------------------------------------------------------------

    def step_row(
        self,
        step: StepCommit,
        commit_id: str,
        state: str,
        *,
        plan: str | None = None,
        lease_until: Any = None,
    ) -> str:
        record = step.step
        return pack(
            [],
            step_id=record.id,
            commit_id=commit_id,
            name=record.name,
            principal=record.principal,
            idempotency_key=record.idempotency_key,
            request_hash=record.request_hash,
            outcome=to_json(dict(record.outcome)),
            state=state,
            plan=plan,
            lease_until=lease_until,
            committed_at=record.at,
        )

    def key_taken(self, marker: str) -> str:
        """True when another live step holds the idempotency key of the packed step row."""
        m = f":{marker}"
        return (
            f"(SELECT COUNT(*) FROM {self.steps_table} WHERE `principal` = "
            f"{field_of(m, 'principal')} AND `idempotency_key` = {field_of(m, 'idempotency_key')} "
            f"AND `state` <> '{STATE_UNDONE}') > 0"
        )

    def insert_steps(self, markers: list[str]) -> str:
        names = ", ".join(quote(c) for c in STEP_COLUMNS)
        values = ", ".join(field_of("b.`s`", c, t) for c, t in STEP_COLUMNS.items())
        rows = ", ".join(f"(:{m})" for m in markers)
        return f"INSERT INTO {self.steps_table} ({names}) SELECT {values} FROM (VALUES {rows}) AS b(`s`)"

    def merge_steps(self, markers: list[str]) -> str:
        """Insert the packed step rows that are not stored yet (by step id)."""
        names = ", ".join(quote(c) for c in STEP_COLUMNS)
        values = ", ".join(
            f"{field_of('b.`s`', c, t)} AS {quote(c)}" for c, t in STEP_COLUMNS.items()
        )
        rows = ", ".join(f"(:{m})" for m in markers)
        return (
            f"MERGE INTO {self.steps_table} AS t USING (SELECT {values} FROM (VALUES {rows}) "
            f"AS b(`s`)) AS s ON t.`step_id` = s.`step_id` WHEN NOT MATCHED THEN INSERT "
            f"({names}) VALUES ({', '.join('s.' + quote(c) for c in STEP_COLUMNS)})"
        )
