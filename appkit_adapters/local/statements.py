"""Parse one Databricks SQL statement: its kind, the tables it reads and writes, and a
syntax tree whose table names are fully qualified and point at catalog databases.

The result does not depend on parameters or table schemas, so it is cached by
statement text and default namespace.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from appkit_adapters.local.commands import Command, parse_command
from appkit_adapters.local.definitions import TableDefinition, take_definition
from appkit_adapters.local.errors import syntax_error, unsupported
from appkit_adapters.local.naming import database_alias
from appkit_domain.errors import InvalidInput
from appkit_domain.identifiers import check_identifier

logging.getLogger("sqlglot").setLevel(logging.ERROR)

READ_ONLY_KINDS = frozenset({"SELECT", "SHOW", "DESCRIBE", "EXPLAIN"})
DML_KINDS = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE"})

PRINCIPAL_PARAMETER = "_appkit_principal"
CATALOG_PARAMETER = "_appkit_catalog"
SCHEMA_PARAMETER = "_appkit_schema"
RESERVED_PARAMETER_PREFIX = "_appkit_"


@dataclass(frozen=True)
class StatementInfo:
    """What a statement is and which tables (lower-case ``catalog.schema.table``) it touches."""

    kind: str
    reads: frozenset[str]
    writes: frozenset[str]
    schemas: frozenset[str] = frozenset()
    """``catalog.schema`` names created, dropped or described by schema-level DDL."""

    @property
    def is_read_only(self) -> bool:
        return self.kind in READ_ONLY_KINDS


@dataclass(frozen=True)
class DescribeTarget:
    full_name: str
    extended: bool


@dataclass(frozen=True)
class ParsedStatement:
    """A statement ready to render for DuckDB, or a command the engine runs itself."""

    info: StatementInfo
    tree: exp.Expression | None
    command: Command | DescribeTarget | None = None
    definition: TableDefinition | None = None
    placeholders: tuple[str, ...] = ()

    def fresh_tree(self) -> exp.Expression:
        assert self.tree is not None
        return self.tree.copy()


def _kind(tree: exp.Expression) -> str:
    if isinstance(tree, exp.Query):
        return "SELECT"
    for cls, name in (
        (exp.Insert, "INSERT"),
        (exp.Update, "UPDATE"),
        (exp.Delete, "DELETE"),
        (exp.Merge, "MERGE"),
        (exp.Create, "CREATE"),
        (exp.Drop, "DROP"),
        (exp.Alter, "ALTER"),
        (exp.TruncateTable, "TRUNCATE"),
        (exp.Describe, "DESCRIBE"),
        (exp.Grant, "GRANT"),
        (exp.Revoke, "REVOKE"),
        (exp.Use, "USE"),
    ):
        if isinstance(tree, cls):
            return name
    return tree.key.upper()


def _write_targets(tree: exp.Expression) -> list[exp.Table]:
    """The tables a statement writes to (its target, not its sources)."""
    if isinstance(tree, (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Alter)):
        target = tree.this
        if isinstance(target, exp.Schema):
            target = target.this
        return [target] if isinstance(target, exp.Table) else []
    if isinstance(tree, (exp.Drop, exp.TruncateTable)):
        tables = tree.expressions if isinstance(tree, exp.TruncateTable) else [tree.this]
        return [t for t in tables if isinstance(t, exp.Table)]
    return []


def _part(identifier: exp.Expression | None, what: str) -> str | None:
    if identifier is None:
        return None
    name = identifier.name if isinstance(identifier, exp.Expression) else str(identifier)
    if not name:
        return None
    return check_identifier(name, what).lower()


class Namespace:
    """The default catalog and schema unqualified names resolve in."""

    def __init__(self, catalog: str, schema: str) -> None:
        self.catalog = check_identifier(catalog, "catalog").lower()
        self.schema = check_identifier(schema, "schema").lower()

    def qualify(self, table: exp.Table) -> str:
        """Fill in and alias the table's catalog and schema; return its three-level name."""
        name = _part(table.this, "table")
        schema = _part(table.args.get("db"), "schema") or self.schema
        catalog = _part(table.args.get("catalog"), "catalog") or self.catalog
        table.set("this", exp.to_identifier(name, quoted=True))
        table.set("db", exp.to_identifier(schema, quoted=True))
        table.set("catalog", exp.to_identifier(database_alias(catalog), quoted=True))
        return f"{catalog}.{schema}.{name}"

    def qualify_schema(self, table: exp.Table) -> str:
        """Qualify a schema reference (``CREATE SCHEMA a.b`` parses as a table without a name)."""
        schema_id = table.args.get("db") or table.this
        schema = _part(schema_id, "schema")
        catalog = _part(table.args.get("catalog"), "catalog") or self.catalog
        if schema is None:
            raise syntax_error("a schema name is required")
        table.set("this", None)
        table.set("db", exp.to_identifier(schema, quoted=True))
        table.set("catalog", exp.to_identifier(database_alias(catalog), quoted=True))
        return f"{catalog}.{schema}"


def _refuse_unsupported(tree: exp.Expression) -> None:
    if isinstance(tree, exp.Use):
        raise unsupported("USE (each statement runs alone; pass catalog and schema instead)")
    if isinstance(tree, (exp.Grant, exp.Revoke)):
        raise unsupported(f"{_kind(tree)} (privileges are managed by the workspace)")
    if isinstance(tree, exp.Insert) and tree.args.get("overwrite"):
        raise unsupported("INSERT OVERWRITE")
    if isinstance(tree, exp.Command):
        return
    if tree.find(exp.Version):
        raise unsupported("time travel (VERSION AS OF / TIMESTAMP AS OF)")
    for table in tree.find_all(exp.Table):
        func = table.this
        if isinstance(func, exp.Anonymous) and str(func.this).upper() == "IDENTIFIER":
            raise unsupported("the IDENTIFIER clause")
    if not isinstance(
        tree,
        (
            exp.Query,
            exp.Insert,
            exp.Update,
            exp.Delete,
            exp.Merge,
            exp.Create,
            exp.Drop,
            exp.Alter,
            exp.TruncateTable,
            exp.Describe,
        ),
    ):
        raise unsupported(f"the {tree.key.upper()} statement")


def _parse_tree(statement: str) -> exp.Expression:
    try:
        trees = [tree for tree in sqlglot.parse(statement, read="databricks") if tree is not None]
    except (ParseError, TokenError) as error:
        raise syntax_error(str(error).split("\n", 1)[0]) from None
    if not trees:
        raise syntax_error("empty statement")
    if len(trees) > 1:
        raise InvalidInput(
            "[MULTIPLE_STATEMENTS] only one statement may be executed at a time",
            details={"error_class": "MULTIPLE_STATEMENTS", "sql_state": "42000"},
        )
    tree = trees[0]
    assert isinstance(tree, exp.Expression)
    return tree


def _replace_session_functions(tree: exp.Expression) -> exp.Expression:
    def swap(node: exp.Expression) -> exp.Expression:
        for cls, name in (
            (exp.CurrentUser, PRINCIPAL_PARAMETER),
            (exp.SessionUser, PRINCIPAL_PARAMETER),
            (exp.CurrentCatalog, CATALOG_PARAMETER),
            (exp.CurrentSchema, SCHEMA_PARAMETER),
        ):
            if isinstance(node, cls):
                return exp.Cast(this=exp.Placeholder(this=name), to=exp.DataType.build("VARCHAR"))
        return node

    swapped: exp.Expression = tree.transform(swap)
    return swapped


def parse_statement(statement: str, namespace: Namespace) -> ParsedStatement:
    """Parse, check and qualify one statement (see module docstring)."""
    tree = _parse_tree(statement)
    _refuse_unsupported(tree)
    if isinstance(tree, exp.Command):
        kind, command = parse_command(statement)
        return ParsedStatement(StatementInfo(kind, frozenset(), frozenset()), None, command)
    kind = _kind(tree)
    schema_level = isinstance(tree, (exp.Create, exp.Drop)) and str(
        tree.args.get("kind") or ""
    ).upper() in ("SCHEMA", "DATABASE")
    cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    targets = {id(table) for table in _write_targets(tree)}
    reads: set[str] = set()
    writes: set[str] = set()
    schemas: set[str] = set()
    for table in list(tree.find_all(exp.Table)):
        if not isinstance(table.this, exp.Identifier) and not (schema_level and table.this is None):
            continue
        if schema_level and id(table) in targets:
            schemas.add(namespace.qualify_schema(table))
            continue
        if not table.args.get("db") and table.name.lower() in cte_names:
            continue
        full_name = namespace.qualify(table)
        (writes if id(table) in targets else reads).add(full_name)
    info = StatementInfo(kind, frozenset(reads), frozenset(writes), frozenset(schemas))
    if isinstance(tree, exp.Describe):
        if str(tree.args.get("kind") or "TABLE").upper() != "TABLE" or not reads:
            raise unsupported("DESCRIBE of anything but a table")
        extended = str(tree.args.get("style") or "").upper() in ("EXTENDED", "FORMATTED")
        return ParsedStatement(info, None, DescribeTarget(next(iter(reads)), extended))
    definition = None
    if isinstance(tree, exp.Create):
        target = next(iter(writes), "")
        definition = take_definition(tree, target, statement)
    tree = _replace_session_functions(tree)
    placeholders = []
    for node in tree.find_all(exp.Placeholder):
        if not node.name:
            raise unsupported("positional parameter markers (?); use :name")
        if node.name not in placeholders:
            placeholders.append(node.name)
    return ParsedStatement(info, tree, None, definition, tuple(placeholders))
