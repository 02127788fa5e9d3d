# ruff: noqa: S608  (interpolated names are validated, quoted identifiers; values are parameters)
"""Unity Catalog SQL functions on the local engine: ``CREATE [OR REPLACE] FUNCTION ... RETURNS
... RETURN ...``, scalar or ``RETURNS TABLE``, and ``DROP FUNCTION``.

A function is kept twice in its catalog database, in one transaction: its
definition (as Databricks SQL, in ``__appkit.functions``), which is what
``DESCRIBE FUNCTION`` and the workspace's functions API show, and a DuckDB
macro of the same name in the same schema, which is what a call runs. The
body goes through the engine's own translation, parameters are cast to their
declared types and the result to the declared return type (a table
function's columns to the declared names and types), as Databricks does.

Calls are resolved when a statement is parsed: a call of a name that is not a
built-in function (unqualified, in the statement's schema; or ``schema.f``,
``catalog.schema.f``) that names a function of the catalog becomes a call of
its macro. Not modelled: SQL ``SECURITY``, named arguments (``f(x => 1)``)
and non-SQL (Python) bodies, which are refused by name.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb
from sqlglot import exp

from appkit_adapters.local.errors import sql_error, unsupported
from appkit_adapters.local.naming import META_SCHEMA, check_identifier, database_alias, quote
from appkit_domain.errors import Conflict, NotFound


@dataclass(frozen=True)
class Parameter:
    name: str
    type_text: str
    default: str | None = None
    """The default's Databricks SQL text, when the parameter has one."""


@dataclass(frozen=True)
class FunctionDefinition:
    """A SQL function as Unity Catalog describes it."""

    catalog: str
    schema: str
    name: str
    parameters: tuple[Parameter, ...]
    body: str
    """The ``RETURN`` expression or query, as Databricks SQL."""
    returns: str | None = None
    """A scalar function's return type; None for a table function."""
    columns: tuple[Parameter, ...] = ()
    """A table function's declared result columns."""
    comment: str | None = None
    deterministic: bool = False
    owner: str | None = None
    created_at: dt.datetime | None = None
    function_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def full_name(self) -> str:
        return f"{self.catalog}.{self.schema}.{self.name}"

    @property
    def is_table(self) -> bool:
        return self.returns is None

    def to_json(self) -> str:
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat() if self.created_at else None
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> FunctionDefinition:
        data = json.loads(text)
        data["parameters"] = tuple(Parameter(**p) for p in data["parameters"])
        data["columns"] = tuple(Parameter(**p) for p in data.get("columns") or ())
        created = data.get("created_at")
        data["created_at"] = dt.datetime.fromisoformat(created) if created else None
        return cls(**data)

    def create_sql(self, *, replace: bool = False) -> str:
        """The ``CREATE FUNCTION`` statement (Databricks SQL) that defines this function."""

        def param(p: Parameter) -> str:
            default = f" DEFAULT {p.default}" if p.default is not None else ""
            return f"{quote_backtick(p.name)} {p.type_text}{default}"

        params = ", ".join(param(p) for p in self.parameters)
        if self.returns is not None:
            returns = self.returns
        else:
            returns = (
                "TABLE ("
                + ", ".join(f"{quote_backtick(c.name)} {c.type_text}" for c in self.columns)
                + ")"
            )
        comment = f" COMMENT '{_text(self.comment)}'" if self.comment else ""
        head = "CREATE OR REPLACE FUNCTION" if replace else "CREATE FUNCTION"
        names = ".".join(quote_backtick(p) for p in (self.catalog, self.schema, self.name))
        deterministic = " DETERMINISTIC" if self.deterministic else ""
        return (
            f"{head} {names}({params}) RETURNS {returns}{comment}{deterministic} RETURN {self.body}"
        )


def quote_backtick(name: str) -> str:
    return f"`{check_identifier(name, 'name')}`"


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


@dataclass(frozen=True)
class CreateFunction:
    definition: FunctionDefinition
    replace: bool
    if_not_exists: bool


@dataclass(frozen=True)
class DropFunction:
    catalog: str
    schema: str
    name: str
    if_exists: bool

    @property
    def full_name(self) -> str:
        return f"{self.catalog}.{self.schema}.{self.name}"


@dataclass(frozen=True)
class DescribeFunction:
    catalog: str
    schema: str
    name: str
    extended: bool


def _type_text(kind: exp.Expression | None) -> str:
    if kind is None:
        raise unsupported("a function parameter without a type")
    return str(kind.sql(dialect="databricks"))


def _parts(table: exp.Table, catalog: str, schema: str) -> tuple[str, str, str]:
    name = check_identifier(table.name, "function").lower()
    db = table.args.get("db")
    cat = table.args.get("catalog")
    return (
        check_identifier(cat.name, "catalog").lower() if cat is not None else catalog,
        check_identifier(db.name, "schema").lower() if db is not None else schema,
        name,
    )


def parse_create(tree: exp.Create, catalog: str, schema: str) -> CreateFunction:
    """A ``CREATE FUNCTION`` statement as a definition; non-SQL bodies are refused."""
    udf = tree.this
    if not isinstance(udf, exp.UserDefinedFunction) or not isinstance(udf.this, exp.Table):
        raise unsupported("CREATE FUNCTION of this form")
    if tree.args.get("temporary"):
        raise unsupported("CREATE TEMPORARY FUNCTION (session objects)")
    body = tree.expression
    if not isinstance(body, exp.Return):
        raise unsupported("CREATE FUNCTION without a SQL RETURN body (LANGUAGE PYTHON, AS $$)")
    parameters = []
    for column in udf.expressions:
        if not isinstance(column, exp.ColumnDef):
            raise unsupported("a function parameter of this form")
        default = None
        for constraint in column.args.get("constraints") or []:
            kind = constraint.args.get("kind")
            if isinstance(kind, exp.DefaultColumnConstraint):
                default = str(kind.this.sql(dialect="databricks"))
            elif isinstance(kind, exp.CommentColumnConstraint):
                continue
            else:
                raise unsupported(f"the function parameter clause {kind.key.upper()}")
        parameters.append(
            Parameter(
                check_identifier(column.name, "parameter").lower(),
                _type_text(column.args.get("kind")),
                default,
            )
        )
    returns: str | None = None
    columns: list[Parameter] = []
    comment = None
    deterministic = False
    for prop in (tree.args.get("properties") or exp.Properties(expressions=[])).expressions:
        if isinstance(prop, exp.ReturnsProperty):
            if prop.args.get("is_table"):
                schema_node = prop.this
                for column in (
                    schema_node.expressions if isinstance(schema_node, exp.Schema) else []
                ):
                    columns.append(
                        Parameter(
                            check_identifier(column.name, "column").lower(),
                            _type_text(column.args.get("kind")),
                        )
                    )
            else:
                returns = _type_text(prop.this)
        elif isinstance(prop, exp.SchemaCommentProperty):
            comment = str(prop.this.name)
        elif isinstance(prop, exp.StabilityProperty):
            deterministic = str(prop.this.name).upper() == "IMMUTABLE"
        elif isinstance(prop, exp.LanguageProperty):
            if str(prop.this.name).upper() != "SQL":
                raise unsupported(f"CREATE FUNCTION ... LANGUAGE {prop.this.name}")
        elif isinstance(prop, exp.SqlReadWriteProperty):
            continue
        else:
            raise unsupported(f"the {prop.key.upper()} clause of CREATE FUNCTION")
    if returns is None and not columns:
        raise unsupported("CREATE FUNCTION without RETURNS")
    cat, sch, name = _parts(udf.this, catalog, schema)
    definition = FunctionDefinition(
        cat,
        sch,
        name,
        tuple(parameters),
        str(body.this.sql(dialect="databricks")),
        returns,
        tuple(columns),
        comment,
        deterministic,
    )
    return CreateFunction(definition, bool(tree.args.get("replace")), bool(tree.args.get("exists")))


def parse_drop(tree: exp.Drop, catalog: str, schema: str) -> DropFunction:
    tables = tree.args.get("tables") or [tree.this]
    if len(tables) != 1 or not isinstance(tables[0], exp.Table):
        raise unsupported("DROP FUNCTION of several functions")
    if tree.args.get("temporary"):
        raise unsupported("DROP TEMPORARY FUNCTION")
    cat, sch, name = _parts(tables[0], catalog, schema)
    return DropFunction(cat, sch, name, bool(tree.args.get("exists")))


def parse_describe(tree: exp.Describe, catalog: str, schema: str) -> DescribeFunction:
    assert isinstance(tree.this, exp.Table)
    cat, sch, name = _parts(tree.this, catalog, schema)
    extended = str(tree.args.get("style") or "").upper() in ("EXTENDED", "FORMATTED")
    return DescribeFunction(cat, sch, name, extended)


# -- the catalog's record ------------------------------------------------------------------


def _meta(catalog: str) -> str:
    return f"{quote(database_alias(catalog))}.{quote(META_SCHEMA)}.functions"


def macro_name(catalog: str, schema: str, name: str) -> str:
    return ".".join((quote(database_alias(catalog)), quote(schema), quote(name)))


def stored(
    cursor: duckdb.DuckDBPyConnection, catalog: str, schema: str, name: str
) -> FunctionDefinition | None:
    row = cursor.execute(
        f"SELECT definition FROM {_meta(catalog)} WHERE schema_name = $s AND function_name = $f",
        {"s": schema, "f": name},
    ).fetchone()
    return None if row is None else FunctionDefinition.from_json(str(row[0]))


def listed(
    cursor: duckdb.DuckDBPyConnection, catalog: str, schema: str
) -> list[FunctionDefinition]:
    rows = cursor.execute(
        f"SELECT definition FROM {_meta(catalog)} WHERE schema_name = $s ORDER BY function_name",
        {"s": schema},
    ).fetchall()
    return [FunctionDefinition.from_json(str(text)) for (text,) in rows]


def routine_not_found(full_name: str) -> NotFound:
    error = sql_error(
        NotFound,
        "ROUTINE_NOT_FOUND",
        "42883",
        f"The routine `{full_name}` cannot be found. Verify the spelling and correctness of"
        " the schema and catalog.",
    )
    assert isinstance(error, NotFound)
    return error


MacroBody = Callable[[FunctionDefinition], str]
"""Renders a definition's body as the DuckDB SQL of its macro (``AS (expr)`` / ``AS TABLE``)."""


def create(
    cursor: duckdb.DuckDBPyConnection,
    command: CreateFunction,
    owner: str,
    now: dt.datetime,
    macro_body: MacroBody,
) -> bool:
    """Create (or replace) the function; False when it existed and ``IF NOT EXISTS`` said so.
    The caller holds the writer lock and an open transaction."""
    definition = command.definition
    earlier = stored(cursor, definition.catalog, definition.schema, definition.name)
    if earlier is not None and not command.replace:
        if command.if_not_exists:
            return False
        raise sql_error(
            Conflict,
            "ROUTINE_ALREADY_EXISTS",
            "42723",
            f"Cannot create the routine `{definition.full_name}` because it already exists.",
        )
    definition = FunctionDefinition(
        **{
            **asdict(definition),
            "parameters": definition.parameters,
            "columns": definition.columns,
            "owner": earlier.owner if earlier else owner,
            "created_at": earlier.created_at if earlier else now,
            "function_id": earlier.function_id if earlier else definition.function_id,
        }
    )
    signature = ", ".join(
        quote(p.name) + (f" := {default}" if (default := _default_sql(p)) else "")
        for p in definition.parameters
    )
    name = macro_name(definition.catalog, definition.schema, definition.name)
    body = macro_body(definition)
    if earlier is not None:  # a scalar macro cannot replace a table macro, nor the reverse
        _drop_macro(cursor, earlier)
    cursor.execute(f"CREATE MACRO {name}({signature}) AS {body}")
    cursor.execute(
        f"DELETE FROM {_meta(definition.catalog)} WHERE schema_name = $s AND function_name = $f",
        {"s": definition.schema, "f": definition.name},
    )
    cursor.execute(
        f"INSERT INTO {_meta(definition.catalog)} VALUES ($s, $f, $definition)",
        {"s": definition.schema, "f": definition.name, "definition": definition.to_json()},
    )
    return True


def _default_sql(parameter: Parameter) -> str | None:
    if parameter.default is None:
        return None
    expression = exp.Cast(
        this=_parse_databricks(parameter.default),
        to=exp.DataType.build(parameter.type_text, dialect="databricks"),
    )
    return str(expression.sql(dialect="duckdb"))


def _parse_databricks(text: str) -> exp.Expression:
    import sqlglot

    parsed: exp.Expression = sqlglot.parse_one(f"SELECT {text}", read="databricks").expressions[0]
    return parsed


def drop(cursor: duckdb.DuckDBPyConnection, command: DropFunction) -> bool:
    """Drop the function; False when it did not exist and ``IF EXISTS`` said so."""
    if stored(cursor, command.catalog, command.schema, command.name) is None:
        if command.if_exists:
            return False
        raise routine_not_found(command.full_name)
    definition = stored(cursor, command.catalog, command.schema, command.name)
    assert definition is not None
    _drop_macro(cursor, definition)
    cursor.execute(
        f"DELETE FROM {_meta(command.catalog)} WHERE schema_name = $s AND function_name = $f",
        {"s": command.schema, "f": command.name},
    )
    return True


def _drop_macro(cursor: duckdb.DuckDBPyConnection, definition: FunctionDefinition) -> None:
    kind = "MACRO TABLE" if definition.is_table else "MACRO"
    name = macro_name(definition.catalog, definition.schema, definition.name)
    cursor.execute(f"DROP {kind} IF EXISTS {name}")


def describe_lines(definition: FunctionDefinition, extended: bool) -> list[str]:
    """``DESCRIBE FUNCTION`` rows (one ``function_desc`` column)."""
    params = ", ".join(f"{p.name} {p.type_text}" for p in definition.parameters)
    returns = (
        definition.returns
        or "TABLE (" + ", ".join(f"{c.name} {c.type_text}" for c in definition.columns) + ")"
    )
    lines = [
        f"Function: {definition.full_name}",
        f"Type:     {'TABLE' if definition.is_table else 'SCALAR'}",
        f"Input:    {params}" if params else "Input:    ()",
        f"Returns:  {returns}",
    ]
    if extended:
        lines += [
            f"Comment:  {definition.comment or ''}",
            f"Deterministic: {str(definition.deterministic).lower()}",
            "Data Access: CONTAINS SQL",
            f"Owner:    {definition.owner or ''}",
            f"Create Time: {definition.created_at.isoformat() if definition.created_at else ''}",
            f"Body:     {definition.body}",
        ]
    return lines


Lookup = Callable[[str, str, str], FunctionDefinition | None]


def resolve_calls(tree: exp.Expression, catalog: str, schema: str, lookup: Lookup) -> None:
    """Point calls of the catalog's SQL functions at their macros (see module docstring)."""
    for node in list(tree.find_all(exp.Anonymous)):
        name = str(node.this).lower()
        parent = node.parent
        qualifiers: list[str] = []
        holder: exp.Expression = node
        if isinstance(parent, exp.Dot) and parent.expression is node:
            left = parent.this
            if isinstance(left, exp.Dot) and isinstance(left.this, exp.Identifier):
                qualifiers = [left.this.name.lower(), left.expression.name.lower()]
            elif isinstance(left, (exp.Identifier, exp.Column)):
                qualifiers = [str(left.name).lower()]
            holder = parent
        if isinstance(parent, exp.Table) and parent.this is node:
            db, cat = parent.args.get("db"), parent.args.get("catalog")
            qualifiers = [p.name.lower() for p in (cat, db) if p is not None]
        if len(qualifiers) == 2:
            where = (qualifiers[0], qualifiers[1])
        elif len(qualifiers) == 1:
            where = (catalog, qualifiers[0])
        else:
            where = (catalog, schema)
        try:
            found = lookup(where[0], where[1], name)
        except (NotFound, duckdb.Error):
            found = None
        if found is None:
            continue
        call = exp.Anonymous(
            this=exp.to_identifier(found.name, quoted=True), expressions=node.expressions
        )
        if isinstance(parent, exp.Table) and parent.this is node:
            parent.set("this", call)
            parent.set("db", exp.to_identifier(found.schema, quoted=True))
            parent.set("catalog", exp.to_identifier(database_alias(found.catalog), quoted=True))
            continue
        qualified = exp.Dot(
            this=exp.Dot(
                this=exp.to_identifier(database_alias(found.catalog), quoted=True),
                expression=exp.to_identifier(found.schema, quoted=True),
            ),
            expression=call,
        )
        holder.replace(qualified)


def parameters_cast(body: exp.Expression, parameters: Mapping[str, str]) -> exp.Expression:
    """``body`` with each unqualified reference to a parameter cast to its declared type."""

    def cast(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table and node.name.lower() in parameters:
            return exp.Cast(
                this=exp.column(node.name.lower(), quoted=True),
                to=exp.DataType.build(parameters[node.name.lower()], dialect="databricks"),
            )
        return node

    return body.transform(cast)


def definition_rows(definitions: list[FunctionDefinition]) -> list[dict[str, Any]]:
    return [json.loads(d.to_json()) for d in definitions]
