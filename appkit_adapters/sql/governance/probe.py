# ruff: noqa: S608  (only quoted, validated identifiers and :markers are interpolated; values are parameters)
"""Can this warehouse commit our steps atomically? One harmless block tells.

The probe sends one ``BEGIN ATOMIC ... END`` statement built like a commit:
an ``IF (SELECT COUNT(*) ...) > 0 THEN SIGNAL ...`` guard on a parameter
marker, then, for every table a commit may write, an ``INSERT INTO t SELECT *
FROM t WHERE FALSE`` (a write of no rows, allowed on append-only tables too).
It changes nothing. Success means atomic blocks, parameter markers inside
them and catalog-managed commits on every table all work; a refusal gives the
warehouse's reason (e.g. a table without catalog-managed commits).
"""

from __future__ import annotations

from collections.abc import Iterable

from appkit_adapters.sql.schema import TABLES, UNIT_STEPS, GovernanceSchema
from appkit_adapters.sql.stores.values import string
from appkit_adapters.sql.warehouse import SqlWarehouse
from appkit_domain.errors import AppkitError, NotFound, Unavailable
from appkit_domain.identifiers import TableName


async def atomic_commits_refused(
    warehouse: SqlWarehouse, location: GovernanceSchema, governed: Iterable[TableName] = ()
) -> str | None:
    """None when atomic commits work for the governance tables and ``governed``; else why not.

    ``Unavailable`` (the warehouse cannot answer) and ``NotFound`` (a table does not exist
    yet) propagate: they decide nothing.
    """
    targets = [location.table(spec.name) for spec in TABLES]
    targets.extend(table.quoted for table in governed)
    lines = [
        f"IF (SELECT COUNT(*) FROM {location.table(UNIT_STEPS)} WHERE `step_id` = :probe) > 0 "
        "THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'APPKIT_PROBE'; END IF;",
        *(f"INSERT INTO {name} SELECT * FROM {name} WHERE FALSE;" for name in targets),
    ]
    statement = "BEGIN ATOMIC\n  " + "\n  ".join(lines) + "\nEND;"
    try:
        await warehouse.execute(statement, [string("probe", "stp-probe")], idempotent=True)
    except (Unavailable, NotFound):
        raise
    except AppkitError as exc:
        return exc.message
    return None
