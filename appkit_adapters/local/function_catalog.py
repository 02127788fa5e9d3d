# ruff: noqa: S608  (interpolated names are validated, quoted identifiers; values are parameters)
"""The engine's side of SQL functions: looking calls up, creating and dropping, describing.

:class:`FunctionCatalog` renders a function's body with the engine's own
translation (``render`` turns Databricks SQL in a namespace into DuckDB SQL),
keeps the definitions the planner resolves calls against (cached until a
function is created or dropped), and answers the functions API of the
emulated workspace (``list``/``get``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import duckdb
import sqlglot
from sqlglot import exp

from appkit_adapters.local import routines
from appkit_adapters.local.catalogs import CatalogRegistry, read_only_catalog
from appkit_adapters.local.naming import TableName
from appkit_adapters.local.routines import (
    CreateFunction,
    DescribeFunction,
    DropFunction,
    FunctionDefinition,
)
from appkit_adapters.sql.warehouse import ColumnInfo, StatementResult
from appkit_domain.ports.clock import Clock

RenderSql = Callable[[str, str, str], str]
"""``(databricks_sql, catalog, schema) -> duckdb_sql`` through the engine's planner."""


class FunctionCatalog:
    def __init__(
        self,
        cursor: Callable[[], duckdb.DuckDBPyConnection],
        write_lock: threading.RLock,
        catalogs: CatalogRegistry,
        clock: Clock,
        render: RenderSql,
        changed: Callable[[], None],
    ) -> None:
        self._cursor = cursor
        self._lock = write_lock
        self._catalogs = catalogs
        self._clock = clock
        self._render = render
        self._changed = changed
        self._known: dict[tuple[str, str, str], FunctionDefinition | None] = {}
        self._known_lock = threading.Lock()

    def forget(self) -> None:
        with self._known_lock:
            self._known.clear()

    def lookup(self, catalog: str, schema: str, name: str) -> FunctionDefinition | None:
        """The catalog's function ``catalog.schema.name``, or None (for the planner)."""
        key = (catalog, schema, name)
        with self._known_lock:
            if key in self._known:
                return self._known[key]
        found = None
        if self._catalogs.exists(catalog):
            found = routines.stored(self._cursor(), catalog, schema, name)
        with self._known_lock:
            self._known[key] = found
        return found

    def macro_body(self, definition: FunctionDefinition) -> str:
        """The DuckDB text after ``AS`` of the function's macro."""
        if definition.is_table:
            body = sqlglot.parse_one(definition.body, read="databricks")
            names = [f"__appkit_c{i}" for i in range(len(definition.columns))]
            projections = ", ".join(
                f"CAST(q.`{n}` AS {c.type_text}) AS `{c.name}`"
                for n, c in zip(names, definition.columns)
            )
            text = (
                f"SELECT {projections} FROM ({body.sql(dialect='databricks')}) AS q"
                f"({', '.join(f'`{n}`' for n in names)})"
            )
            return "TABLE " + self._render(text, definition.catalog, definition.schema)
        expression = sqlglot.parse_one(f"SELECT {definition.body}", read="databricks")
        body = routines.parameters_cast(
            expression.expressions[0], {p.name: p.type_text for p in definition.parameters}
        )
        assert definition.returns is not None
        cast = exp.Cast(this=body, to=exp.DataType.build(definition.returns, dialect="databricks"))
        rendered = self._render(
            f"SELECT {cast.sql(dialect='databricks')}", definition.catalog, definition.schema
        )
        projection = sqlglot.parse_one(rendered, read="duckdb").expressions[0]
        if isinstance(projection, exp.Alias):
            projection = projection.this
        return f"({projection.sql(dialect='duckdb')})"

    def run(
        self, command: CreateFunction | DropFunction | DescribeFunction, principal: str
    ) -> StatementResult:
        if isinstance(command, DescribeFunction):
            definition = self.get(f"{command.catalog}.{command.schema}.{command.name}")
            lines = routines.describe_lines(definition, command.extended)
            column = ColumnInfo("function_desc", "STRING", "STRING", 0)
            return StatementResult(columns=(column,), rows=[(line,) for line in lines])
        catalog = (
            command.definition.catalog if isinstance(command, CreateFunction) else command.catalog
        )
        self._catalogs.require(catalog)
        if catalog in self._catalogs.read_only:
            raise read_only_catalog(catalog)
        if isinstance(command, CreateFunction):
            definition = command.definition
            self._catalogs.require_schema(catalog, definition.schema)
        with self._lock:
            cursor = self._cursor()
            cursor.execute("BEGIN TRANSACTION")
            try:
                if isinstance(command, CreateFunction):
                    routines.create(cursor, command, principal, self._clock.now(), self.macro_body)
                else:
                    routines.drop(cursor, command)
                cursor.execute("COMMIT")
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            finally:
                self.forget()
                self._changed()
        return StatementResult(columns=())

    def list(self, catalog: str, schema: str) -> list[FunctionDefinition]:
        """The SQL functions of a schema, by name; ``NotFound`` for a missing schema."""
        catalog, schema = self._catalogs.require_schema(catalog, schema)
        return routines.listed(self._cursor(), catalog, schema)

    def get(self, full_name: str) -> FunctionDefinition:
        """One SQL function by ``catalog.schema.name``; ``NotFound`` (``ROUTINE_NOT_FOUND``)."""
        name = TableName.parse(full_name.lower())
        found = self.lookup(name.catalog, name.schema, name.table)
        if found is None:
            raise routines.routine_not_found(name.full_name)
        return found
