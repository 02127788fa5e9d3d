"""Running a parsed compound statement on the engine, atomically for ``BEGIN ATOMIC``.

An atomic block runs under the engine's writer lock in one DuckDB
transaction: its statements see each other's changes, and a failing
statement or a ``SIGNAL`` rolls all of them back. As on Databricks, every
table an atomic block writes must have catalog-managed commits
(``'delta.feature.catalogManaged' = 'supported'``), and only queries and DML
may appear inside; the local engine also commits one catalog per block (one
DuckDB database per catalog), and says so when asked for more. A block makes one
new version of each table it changed, however many of its statements wrote it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import duckdb

from appkit_adapters.local.errors import sql_error, unsupported
from appkit_adapters.local.execution import Plan
from appkit_adapters.local.scripting import IfThen, Node, Script, Signal, condition_query
from appkit_adapters.local.statements import DML_KINDS, StatementInfo
from appkit_adapters.local.tables import describe_table
from appkit_adapters.sql.warehouse import Parameters, StatementResult
from appkit_domain.errors import InvalidInput
from appkit_domain.identifiers import TableName

CATALOG_MANAGED = "delta.feature.catalogManaged"
_MANAGED_VALUES = frozenset({"supported", "enabled"})


class BlockEngine(Protocol):
    """What running a block needs of the engine."""

    def plan_statement(self, statement: str, parameters: Parameters, principal: str) -> Plan: ...

    def run_query(self, plan: Plan) -> StatementResult: ...

    def run_write(self, plan: Plan, principal: str) -> StatementResult: ...

    def cursor(self) -> duckdb.DuckDBPyConnection: ...

    def begin(self) -> None:
        """The block's transaction began: its writes share one set of table versions."""

    def finish(self) -> None:
        """The block is about to commit: record one new version per table it changed."""


def script_info(script: Script, analyze: Callable[[str], StatementInfo]) -> StatementInfo:
    """The tables a script reads and writes (every statement it may run, conditions included)."""
    reads: set[str] = set()
    writes: set[str] = set()
    for statement in script.statements():
        info = analyze(statement)
        if info.kind not in DML_KINDS and not info.is_read_only:
            raise sql_error(
                InvalidInput,
                "TRANSACTION_NOT_SUPPORTED.COMMAND",
                "0A000",
                f"Command {info.kind} is not supported in a transaction. "
                "Only SELECT / INSERT / MERGE / UPDATE / DELETE are supported.",
            )
        reads |= info.reads
        writes |= info.writes
    return StatementInfo("SCRIPT", frozenset(reads), frozenset(writes))


def check_atomic_writes(cursor: duckdb.DuckDBPyConnection, writes: frozenset[str]) -> None:
    """Refuse an atomic block that writes a table without catalog-managed commits, or more
    than one catalog (the local engine's limit)."""
    for name in sorted(writes):
        properties = describe_table(cursor, name).properties
        if str(properties.get(CATALOG_MANAGED, "")).lower() not in _MANAGED_VALUES:
            raise sql_error(
                InvalidInput,
                "TRANSACTION_NOT_SUPPORTED.WRITE_NON_CATALOG_OWNED_TABLE",
                "0A000",
                f"Table `{name}` does not have catalog-managed commits enabled, which a "
                f"multi-statement transaction needs ('{CATALOG_MANAGED}' = 'supported').",
            )
    catalogs = {TableName.parse(name).catalog for name in writes}
    if len(catalogs) > 1:
        raise unsupported(
            f"an atomic block writing tables of several catalogs ({', '.join(sorted(catalogs))})"
        )


class BlockRun:
    """One run of a script's nodes with the statement parameters it was given."""

    def __init__(self, engine: BlockEngine, parameters: Parameters, principal: str) -> None:
        self.engine = engine
        self.parameters = parameters
        self.principal = principal
        self.last: StatementResult = StatementResult(columns=())

    def run(self, nodes: tuple[Node, ...]) -> None:
        for node in nodes:
            if isinstance(node, Signal):
                raise sql_error(InvalidInput, "USER_RAISED_EXCEPTION", node.sql_state, node.message)
            if isinstance(node, IfThen):
                if self._holds(node.condition):
                    self.run(node.body)
                continue
            plan = self.engine.plan_statement(node, self.parameters, self.principal)
            if plan.parsed.info.is_read_only:
                self.last = self.engine.run_query(plan)
            else:
                if plan.parsed.overwrite is not None:
                    raise unsupported("INSERT OVERWRITE inside a compound statement")
                self.last = self.engine.run_write(plan, self.principal)

    def _holds(self, condition: str) -> bool:
        plan = self.engine.plan_statement(
            condition_query(condition), self.parameters, self.principal
        )
        return bool(self.engine.run_query(plan).scalar())


def run_script(
    engine: BlockEngine,
    script: Script,
    info: StatementInfo,
    parameters: Parameters,
    principal: str,
) -> StatementResult:
    """Run ``script`` (the caller holds the writer lock); an atomic one in one transaction.

    Returns the result of the last statement that ran, as a script returns
    its last query's result to its caller.
    """
    run = BlockRun(engine, parameters, principal)
    if not script.atomic:
        run.run(script.body)
        return run.last
    cursor = engine.cursor()
    check_atomic_writes(cursor, info.writes)
    cursor.execute("BEGIN TRANSACTION")
    try:
        engine.begin()
        run.run(script.body)
        engine.finish()
        cursor.execute("COMMIT")
    except BaseException:
        cursor.execute("ROLLBACK")
        raise
    return run.last
