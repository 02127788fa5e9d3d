"""The embedded lakehouse: Databricks SQL on DuckDB, with Unity Catalog three-level names.

Concurrency: reads run concurrently, each thread on its own DuckDB cursor (a
duplicate connection to the same database instance, so each sees a consistent
snapshot); every statement that changes data or schema takes the single writer lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import duckdb
from sqlglot import exp

from appkit_adapters.local.catalogs import CatalogRegistry
from appkit_adapters.local.commands import (
    CreateCatalog,
    DropCatalog,
    PrivilegeChange,
    Refused,
    ShowCatalogs,
    ShowSchemas,
    ShowTables,
)
from appkit_adapters.local.compound import run_script, script_info
from appkit_adapters.local.connections import Connections
from appkit_adapters.local.errors import (
    table_not_found,
    translate_duckdb_error,
    unsupported,
)
from appkit_adapters.local.execution import (
    LruCache,
    Plan,
    StatementPlanner,
)
from appkit_adapters.local.function_catalog import FunctionCatalog
from appkit_adapters.local.history.commands import (
    DescribeDetail,
    DescribeHistory,
    Optimize,
    Restore,
    Vacuum,
)
from appkit_adapters.local.history.rows import local_row_base
from appkit_adapters.local.history.table_history import TableHistory
from appkit_adapters.local.history.transaction import TableVersions
from appkit_adapters.local.introspection import describe, show_catalogs, show_schemas, show_tables
from appkit_adapters.local.naming import TableName, check_identifier, database_alias, quote
from appkit_adapters.local.result_shape import ResultShape, shape_of
from appkit_adapters.local.routines import (
    CreateFunction,
    DescribeFunction,
    DropFunction,
    FunctionDefinition,
)
from appkit_adapters.local.scripting import Script, is_script, parse_script, refuse_interactive
from appkit_adapters.local.statements import DML_KINDS, DescribeTarget, Namespace, StatementInfo
from appkit_adapters.local.stream import ResultStream
from appkit_adapters.local.tables import TableInfo, table_names
from appkit_adapters.local.warehouse import LocalWarehouse
from appkit_adapters.local.writes import change_catalog, run_write
from appkit_adapters.sql.warehouse import Parameters, StatementResult
from appkit_adapters.system import SystemClock
from appkit_domain.errors import AppkitError
from appkit_domain.ports.clock import Clock

T = TypeVar("T")


class LocalEngine:
    """Runs Databricks SQL statements on an embedded DuckDB (see the module docstring).

    ``data_dir=None`` keeps everything in memory; otherwise each catalog persists as
    one DuckDB file under ``data_dir/catalogs`` and survives close and reopen. The
    default catalog (``main``, with schema ``default``) always exists. Every committed
    write makes a new table version (:mod:`appkit_adapters.local.history`);
    ``table_versions=False`` keeps none (history and time travel are then refused).
    """

    def __init__(
        self,
        data_dir: str | Path | None = None,
        *,
        default_catalog: str = "main",
        default_schema: str = "default",
        clock: Clock | None = None,
        table_versions: bool = True,
    ) -> None:
        self._clock = clock or SystemClock()
        self._connections = Connections()
        self._cursor = self._connections.current
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self.namespace = Namespace(default_catalog, default_schema)
        path = None if data_dir is None else Path(data_dir)
        self._catalogs = CatalogRegistry(self._cursor, path)
        try:
            self._open_catalogs()
        except BaseException as error:
            self._connections.close()
            if isinstance(error, duckdb.Error):
                raise translate_duckdb_error(error) from None
            raise
        self._history = TableHistory(
            self._cursor,
            self._write_lock,
            self._catalogs,
            self._clock,
            keep=table_versions,
            base=self._guard(lambda: local_row_base(self._cursor())),
            views=lambda name: any(
                n == name.table for n, _ in self._table_names(name.catalog, name.schema)
            ),
        )
        self._functions = FunctionCatalog(
            self._cursor,
            self._write_lock,
            self._catalogs,
            self._clock,
            self._render_sql,
            lambda: self._planner.routines_changed(),
        )
        self._planner = StatementPlanner(
            self._columns_of, self._history.travel, functions=self._functions.lookup
        )
        self._shapes: LruCache[ResultShape] = LruCache(1024)
        self._scripts: LruCache[Script] = LruCache(64)

    def _open_catalogs(self) -> None:
        """Attach the catalogs found in the data directory; make sure the default exists."""
        with self._write_lock:
            self._catalogs.attach_existing()
            self._catalogs.create(
                self.namespace.catalog,
                if_not_exists=True,
                comment=None,
                owner="system",
                now=self._clock.now(),
            )
            self._cursor().execute(
                f"CREATE SCHEMA IF NOT EXISTS {quote(database_alias(self.namespace.catalog))}"
                f".{quote(self.namespace.schema)}"
            )

    def close(self) -> None:
        """Close every cursor and the database; later calls raise ``Unavailable``."""
        with self._write_lock:
            self._connections.close()

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _guard(self, action: Callable[[], T]) -> T:
        self._connections.check_open()
        self._local.known = frozenset()
        try:
            return action()
        except AppkitError:
            raise
        except duckdb.Error as error:
            raise translate_duckdb_error(error, self._local.known) from None

    def _shape(self, cursor: duckdb.DuckDBPyConnection, plan: Plan) -> ResultShape:
        key = (plan.sql, self._planner.epoch)
        shape = self._shapes.get(key)
        if shape is None:
            shape = shape_of(cursor, plan.sql, plan.values)
            self._shapes.put(key, shape)
        return shape

    def _render_sql(self, statement: str, catalog: str, schema: str) -> str:
        """Databricks SQL as the DuckDB SQL the engine would run for it (a function body)."""
        plan = self._planner.plan(statement, None, "system", Namespace(catalog, schema))
        return plan.sql

    def _remember_names(self, info: StatementInfo) -> None:
        """Names the running statement refers to, for error messages."""
        self._local.known = info.reads | info.writes | info.schemas

    def _columns_of(self, table: exp.Table) -> list[tuple[str, str]]:
        quoted = ".".join(
            quote(part.name) for part in (table.args["catalog"], table.args["db"], table.this)
        )
        cursor = self._cursor()
        description = cursor.execute(f"SELECT * FROM {quoted} LIMIT 0").description or []  # noqa: S608
        return [(str(entry[0]), str(entry[1])) for entry in description]

    # -- statements ----------------------------------------------------------------------------

    def analyze(
        self, statement: str, *, catalog: str | None = None, schema: str | None = None
    ) -> StatementInfo:
        """Kind and tables of a statement, without running it (GRANT/REVOKE included:
        ``StatementInfo.grant`` says what they ask; a compound statement is ``SCRIPT``
        with the tables of every statement in it)."""
        namespace = self._namespace(catalog, schema)
        if is_script(statement):
            return script_info(
                self._script(statement), lambda s: self._planner.parse(s, namespace).info
            )
        return self._planner.parse(statement, namespace).info

    def _script(self, statement: str) -> Script:
        script = self._scripts.get(statement)
        if script is None:
            script = parse_script(statement)
            self._scripts.put(statement, script)
        return script

    def _namespace(self, catalog: str | None, schema: str | None) -> Namespace:
        if catalog is None and schema is None:
            return self.namespace
        return Namespace(catalog or self.namespace.catalog, schema or self.namespace.schema)

    def execute(
        self,
        statement: str,
        parameters: Parameters = None,
        *,
        principal: str = "app@local",
        row_limit: int | None = None,
        catalog: str | None = None,
        schema: str | None = None,
        groups: Iterable[str] = (),
    ) -> StatementResult:
        """Run one statement as ``principal`` (a member of ``groups``) and return its whole result.

        ``parameters`` bind ``:name`` markers (a mapping's values get inferred types;
        ``SqlParameter.type`` casts the value to that Databricks type). ``row_limit``
        cuts the rows and sets ``truncated``. ``catalog``/``schema`` set the namespace
        unqualified names resolve in (default ``main.default``). DML results carry
        Databricks' count columns and ``affected_rows``. Errors are domain errors whose
        ``details`` hold ``error_class`` and ``sql_state``.
        """
        return self._guard(
            lambda: self._execute(
                statement, parameters, principal, row_limit, catalog, schema, tuple(groups)
            )
        )

    def _execute(
        self,
        statement: str,
        parameters: Parameters,
        principal: str,
        row_limit: int | None,
        catalog: str | None,
        schema: str | None,
        groups: tuple[str, ...] = (),
    ) -> StatementResult:
        namespace = self._namespace(catalog, schema)
        refuse_interactive(statement)
        if is_script(statement):
            return self._execute_script(statement, parameters, principal, namespace, groups)
        plan = self._planner.plan(statement, parameters, principal, namespace, groups)
        parsed = plan.parsed
        self._remember_names(parsed.info)
        if parsed.command is not None:
            return self._run_command(parsed.command, principal, plan.values)
        if parsed.info.is_read_only:
            cursor = self._cursor()
            return self._shape(cursor, plan).fetch(cursor, plan.values, row_limit)
        with self._write_lock:
            return self._write(plan, principal)

    def _execute_script(
        self,
        statement: str,
        parameters: Parameters,
        principal: str,
        namespace: Namespace,
        groups: tuple[str, ...] = (),
    ) -> StatementResult:
        script = self._script(statement)
        info = script_info(script, lambda s: self._planner.parse(s, namespace).info)
        self._remember_names(info)
        engine = self

        class _Block:
            versions: TableVersions | None = None

            def begin(self) -> None:
                self.versions = engine._history.new_versions(principal)

            def finish(self) -> None:
                if self.versions is not None:
                    self.versions.finish()

            def plan_statement(self, text: str, values: Parameters, who: str) -> Plan:
                return engine._planner.plan(text, values, who, namespace, groups)

            def run_query(self, plan: Plan) -> StatementResult:
                cursor = engine._cursor()
                return engine._shape(cursor, plan).fetch(cursor, plan.values, None)

            def run_write(self, plan: Plan, who: str) -> StatementResult:
                return engine._write(plan, who, self.versions)

            def cursor(self) -> duckdb.DuckDBPyConnection:
                return engine._cursor()

        block = _Block()
        with self._write_lock:
            try:
                result = run_script(block, script, info, parameters, principal)
            except BaseException:
                self._history.cache.clear()
                raise
            if block.versions is not None:
                block.versions.publish()
            return result

    def _write(
        self, plan: Plan, principal: str, versions: TableVersions | None = None
    ) -> StatementResult:
        """Run a write in the open block's transaction (``versions``) or in its own."""
        cursor = self._cursor()
        own = versions is None
        if versions is None:
            versions = self._history.new_versions(principal)
            cursor.execute("BEGIN TRANSACTION")
        try:
            result = run_write(cursor, plan, principal, self._clock.now(), self._catalogs, versions)
            if own:
                versions.finish()
                cursor.execute("COMMIT")
                versions.publish()
        except BaseException:
            if own:
                cursor.execute("ROLLBACK")
            self._history.cache.clear()
            raise
        finally:
            kind = plan.parsed.info.kind
            if kind not in DML_KINDS:
                self._planner.schema_changed()
            if kind == "DROP":
                self._history.cache.clear()
        return result

    def _run_command(
        self, command: object, principal: str, values: dict[str, Any] | None = None
    ) -> StatementResult:
        if isinstance(command, ShowCatalogs):
            return show_catalogs(self.list_catalogs(), command.pattern)
        if isinstance(command, ShowSchemas):
            return show_schemas(
                self.list_schemas(command.catalog or self.namespace.catalog), command.pattern
            )
        if isinstance(command, ShowTables):
            catalog = command.catalog or self.namespace.catalog
            schema = command.schema or self.namespace.schema
            names = [name for name, _kind in self._table_names(catalog, schema)]
            return show_tables(schema, names, command.pattern)
        if isinstance(command, DescribeTarget):
            return describe(self.get_table(command.full_name), command.extended)
        if isinstance(command, (DescribeHistory, DescribeDetail, Restore, Optimize, Vacuum)):
            return self._history.run(command, principal, values or {})
        if isinstance(command, (CreateFunction, DropFunction, DescribeFunction)):
            return self._functions.run(command, principal)
        if isinstance(command, PrivilegeChange):
            raise unsupported(
                f"{command.action} (privileges are kept by the workspace; analyze() describes it)"
            )
        if isinstance(command, Refused):
            raise unsupported(command.construct)
        if not isinstance(command, (CreateCatalog, DropCatalog)):
            raise unsupported(f"the statement {type(command).__name__}")
        with self._write_lock:
            try:
                change_catalog(
                    command, self._catalogs, principal, self._clock.now(), self.namespace.catalog
                )
            finally:
                self._planner.schema_changed()
                self._history.cache.clear()
                self._functions.forget()
        return StatementResult(columns=())

    def stream(
        self,
        statement: str,
        parameters: Parameters = None,
        *,
        principal: str = "app@local",
        batch_rows: int = 10_000,
        catalog: str | None = None,
        schema: str | None = None,
        groups: Iterable[str] = (),
    ) -> ResultStream:
        """Run a statement and return its rows in batches, holding at most one batch in memory.

        Statements other than queries run to completion first; their (small) result is
        then streamed. Close the stream (or use it as a context manager) when done.
        """

        def start() -> ResultStream:
            namespace = self._namespace(catalog, schema)
            member_of = tuple(groups)
            if is_script(statement):
                result = self._execute(
                    statement, parameters, principal, None, catalog, schema, member_of
                )
                return ResultStream.of_result(result, batch_rows)
            plan = self._planner.plan(statement, parameters, principal, namespace, member_of)
            self._remember_names(plan.parsed.info)
            if plan.parsed.command is not None or not plan.parsed.info.is_read_only:
                result = self._execute(
                    statement, parameters, principal, None, catalog, schema, member_of
                )
                return ResultStream.of_result(result, batch_rows)
            cursor = self._connections.dedicated()
            try:
                shape = self._shape(cursor, plan)
                cursor.execute(shape.sql, plan.values)
            except BaseException:
                self._connections.release(cursor)
                raise
            return ResultStream(
                columns=shape.columns,
                fetch=lambda: cursor.fetchmany(batch_rows),
                convert=shape.convert,
                on_close=lambda: self._connections.release(cursor),
                translate=translate_duckdb_error,
            )

        return self._guard(start)

    def attach_catalog(self, name: str, path: str | Path) -> None:
        """Attach the catalog kept in the DuckDB file ``path``, read-only (writes to it fail
        with ``INSUFFICIENT_PERMISSIONS``); a no-op when a catalog of that name exists."""
        with self._write_lock:
            self._guard(lambda: self._catalogs.attach_file(name, Path(path)))
            self._planner.schema_changed()

    def warehouse(self, principal: str = "app@local") -> LocalWarehouse:
        """An async ``SqlWarehouse`` running as ``principal`` on this engine."""
        return LocalWarehouse(self, principal)

    # -- Unity Catalog introspection -----------------------------------------------------------

    def list_catalogs(self) -> list[str]:
        return self._guard(self._catalogs.names)

    def list_schemas(self, catalog: str) -> list[str]:
        return self._guard(
            lambda: self._catalogs.schemas(check_identifier(catalog, "catalog").lower())
        )

    def _table_names(self, catalog: str, schema: str) -> list[tuple[str, str]]:
        catalog, schema = self._catalogs.require_schema(catalog, schema)
        return table_names(self._cursor(), catalog, schema)

    def list_tables(self, catalog: str, schema: str) -> list[TableInfo]:
        """Every table and view of a schema, described; ``NotFound`` for a missing schema."""

        def run() -> list[TableInfo]:
            names = self._table_names(catalog, schema)
            return [
                self._history.describe(f"{catalog}.{schema}.{name}".lower()) for name, _ in names
            ]

        return self._guard(run)

    def list_functions(self, catalog: str, schema: str) -> list[FunctionDefinition]:
        """The SQL functions of a schema (``CREATE FUNCTION``), by name."""
        return self._guard(lambda: self._functions.list(catalog.lower(), schema.lower()))

    def get_function(self, full_name: str) -> FunctionDefinition:
        """One SQL function by ``catalog.schema.name``; ``NotFound`` when there is none."""
        return self._guard(lambda: self._functions.get(full_name))

    def get_table(self, full_name: str) -> TableInfo:
        """Describe one table or view by ``catalog.schema.table``; ``NotFound`` when missing."""

        def run() -> TableInfo:
            name = TableName.parse(full_name.lower())
            if not self._catalogs.exists(name.catalog):
                raise table_not_found(name.full_name)
            return self._history.describe(name.full_name)

        return self._guard(run)
