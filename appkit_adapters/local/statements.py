"""Parse one Databricks SQL statement: its kind, the tables it reads and writes, and a
syntax tree whose table names are fully qualified and point at catalog databases.

The result does not depend on parameters or table schemas, so it is cached by
statement text and default namespace.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from appkit_adapters.local.column_names import name_projections
from appkit_adapters.local.commands import (
    Command,
    PrivilegeChange,
    Refused,
    parse_command,
    parse_privilege_change,
    strip_comments,
)
from appkit_adapters.local.definitions import (
    MetadataChange,
    TableDefinition,
    take_alter,
    take_definition,
)
from appkit_adapters.local.errors import syntax_error, table_not_found, unsupported
from appkit_adapters.local.functions import refuse_missing_functions, rewrite_functions
from appkit_adapters.local.generators import expand_generators
from appkit_adapters.local.history.commands import (
    TableCommand,
    expand_version_suffixes,
    is_table_command,
    parse_table_command,
)
from appkit_adapters.local.history.travel import TimeTravel, collect
from appkit_adapters.local.information_schema import information_view
from appkit_adapters.local.naming import (
    HISTORY_SCHEMA,
    META_SCHEMA,
    check_identifier,
    database_alias,
)
from appkit_adapters.local.refusals import refuse_unsupported
from appkit_adapters.local.routines import (
    CreateFunction,
    DescribeFunction,
    DropFunction,
    Lookup,
    parse_create,
    parse_describe,
    parse_drop,
    resolve_calls,
)
from appkit_adapters.local.semantics import apply_databricks_semantics, values_query
from appkit_adapters.local.session import replace_session_functions
from appkit_domain.errors import InvalidInput

logging.getLogger("sqlglot").setLevel(logging.ERROR)

READ_ONLY_KINDS = frozenset({"SELECT", "SHOW", "DESCRIBE", "EXPLAIN"})
DML_KINDS = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE"})

INTERNAL_SCHEMAS = frozenset({META_SCHEMA, HISTORY_SCHEMA, "information_schema", "pg_catalog"})


@dataclass(frozen=True)
class StatementInfo:
    """What a statement is and which tables (lower-case ``catalog.schema.table``) it touches."""

    kind: str
    reads: frozenset[str]
    writes: frozenset[str]
    schemas: frozenset[str] = frozenset()
    """``catalog.schema`` names created, dropped or described by schema-level DDL."""
    grant: PrivilegeChange | None = None
    """For GRANT/REVOKE: what it asks (the engine itself refuses to run it)."""

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
    command: (
        Command
        | DescribeTarget
        | TableCommand
        | CreateFunction
        | DropFunction
        | DescribeFunction
        | None
    ) = None
    definition: TableDefinition | None = None
    placeholders: tuple[str, ...] = ()
    change: MetadataChange | None = None
    overwrite: str | None = None
    """For INSERT OVERWRITE: the DuckDB name of the table emptied first, in the same
    transaction."""
    travels: tuple[TimeTravel, ...] = ()
    """The tables read as of a version or timestamp, in the order the tree holds them."""

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
        (exp.Comment, "COMMENT"),
    ):
        if isinstance(tree, cls):
            return name
    return tree.key.upper()


def _write_targets(tree: exp.Expression) -> list[exp.Table]:
    """The tables a statement writes to (its target, not its sources)."""
    if isinstance(
        tree, (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Alter, exp.Comment)
    ):
        target = tree.this
        if isinstance(target, exp.Schema):
            target = target.this
        return [target] if isinstance(target, exp.Table) else []
    if isinstance(tree, (exp.Drop, exp.TruncateTable)):
        if isinstance(tree, exp.TruncateTable):
            tables = tree.expressions
        else:
            tables = tree.args.get("tables") or [tree.this]
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
        if schema in INTERNAL_SCHEMAS:
            raise table_not_found(f"{catalog}.{schema}.{name}")
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
        if schema in INTERNAL_SCHEMAS:
            raise unsupported(f"the reserved schema name {schema}")
        table.set("this", None)
        table.set("db", exp.to_identifier(schema, quoted=True))
        table.set("catalog", exp.to_identifier(database_alias(catalog), quoted=True))
        return f"{catalog}.{schema}"


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


_SCHEMA_EVOLUTION = re.compile(r"\s*MERGE\s+WITH\s+SCHEMA\s+EVOLUTION\b", re.I)
_PRIVILEGE_STATEMENT = re.compile(r"\s*(GRANT|REVOKE)\b", re.I)


def _routine_statement(tree: exp.Expression, namespace: Namespace) -> ParsedStatement | None:
    """CREATE / DROP / DESCRIBE FUNCTION as engine commands (appkit_adapters.local.routines)."""
    kind = str(tree.args.get("kind") or "").upper()
    if kind != "FUNCTION":
        return None
    catalog, schema = namespace.catalog, namespace.schema
    if isinstance(tree, exp.Create):
        created = parse_create(tree, catalog, schema)
        info = StatementInfo("CREATE", frozenset(), frozenset({created.definition.full_name}))
        return ParsedStatement(info, None, created)
    if isinstance(tree, exp.Drop):
        dropped = parse_drop(tree, catalog, schema)
        return ParsedStatement(
            StatementInfo("DROP", frozenset(), frozenset({dropped.full_name})), None, dropped
        )
    if isinstance(tree, exp.Describe):
        described = parse_describe(tree, catalog, schema)
        return ParsedStatement(StatementInfo("DESCRIBE", frozenset(), frozenset()), None, described)
    return None


def parse_statement(
    statement: str, namespace: Namespace, functions: Lookup | None = None
) -> ParsedStatement:
    """Parse, check and qualify one statement (see module docstring); ``functions`` finds the
    catalogs' SQL functions that calls may name."""
    if _PRIVILEGE_STATEMENT.match(strip_comments(statement)):
        privileges = parse_privilege_change(statement, namespace.catalog, namespace.schema)
        info = StatementInfo(privileges.action, frozenset(), frozenset(), grant=privileges)
        return ParsedStatement(info, None, privileges)
    if _SCHEMA_EVOLUTION.match(strip_comments(statement)):
        raise unsupported("MERGE WITH SCHEMA EVOLUTION")
    text = strip_comments(statement)
    if is_table_command(text):
        kind, table_command = parse_table_command(text, namespace.catalog, namespace.schema)
        target = frozenset({table_command.table.full_name})
        changed = frozenset() if kind == "DESCRIBE" else target
        markers = tuple(
            dict.fromkeys(re.findall(r":([A-Za-z_]\w*)", getattr(table_command, "value", "")))
        )
        return ParsedStatement(
            StatementInfo(kind, target, changed), None, table_command, placeholders=markers
        )
    tree = _parse_tree(expand_version_suffixes(statement))
    if isinstance(tree, exp.Use):
        refusal = Refused("USE (each statement runs alone; pass catalog and schema instead)")
        return ParsedStatement(StatementInfo("USE", frozenset(), frozenset()), None, refusal)
    if isinstance(tree, exp.Values):
        tree = values_query(tree)
    routine = _routine_statement(tree, namespace)
    if routine is not None:
        return routine
    if functions is not None:
        resolve_calls(tree, namespace.catalog, namespace.schema, functions)
    refuse_unsupported(tree)
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
    view_text = None
    if isinstance(tree, exp.Create) and isinstance(tree.expression, exp.Query):
        view_text = tree.expression.sql(dialect="databricks")
    renamed: list[exp.Table] = []
    for rename in tree.find_all(exp.AlterRename):
        if isinstance(rename.this, exp.Table):
            renamed.append(rename.this)
    travelled: list[str] = []
    for table in list(tree.find_all(exp.Table)):
        if any(table is target for target in renamed):
            continue
        if not isinstance(table.this, exp.Identifier) and not (schema_level and table.this is None):
            continue
        if schema_level and id(table) in targets:
            schemas.add(namespace.qualify_schema(table))
            continue
        if not table.args.get("db") and table.name.lower() in cte_names:
            continue
        if _part(table.args.get("db"), "schema") == "information_schema":
            catalog = _part(table.args.get("catalog"), "catalog") or namespace.catalog
            view = str(table.name).lower()
            table.replace(information_view(catalog, view, table.args.get("alias")))
            reads.add(f"{catalog}.information_schema.{view}")
            continue
        full_name = namespace.qualify(table)
        (writes if id(table) in targets else reads).add(full_name)
        if table.args.get("version") is not None:
            if id(table) in targets:
                raise unsupported("writing to a table AS OF a version")
            travelled.append(full_name)
    travels = collect(tree, travelled)
    change = None
    primary_write = next(iter(writes), "")
    if isinstance(tree, exp.Alter) and renamed:
        renamed_from = primary_write
        new_name = renamed[0]
        if new_name.args.get("db") or new_name.args.get("catalog"):
            target_catalog, target_schema, _ = renamed_from.split(".")
            new_schema = _part(new_name.args.get("db"), "schema") or target_schema
            new_catalog = _part(new_name.args.get("catalog"), "catalog") or target_catalog
            if (new_catalog, new_schema) != (target_catalog, target_schema):
                raise unsupported("ALTER TABLE ... RENAME TO another schema")
        new_table = _part(new_name.this, "table")
        new_name.set("db", None)
        new_name.set("catalog", None)
        new_name.set("this", exp.to_identifier(new_table, quoted=True))
        writes.add(renamed_from.rsplit(".", 1)[0] + f".{new_table}")
    info = StatementInfo(kind, frozenset(reads), frozenset(writes), frozenset(schemas))
    if isinstance(tree, exp.Describe):
        style = str(tree.args.get("style") or "").upper()
        if style not in ("", "EXTENDED", "FORMATTED"):
            raise unsupported(f"DESCRIBE {style}")
        if str(tree.args.get("kind") or "TABLE").upper() != "TABLE" or not reads:
            raise unsupported("DESCRIBE of anything but a table")
        extended = str(tree.args.get("style") or "").upper() in ("EXTENDED", "FORMATTED")
        return ParsedStatement(info, None, DescribeTarget(next(iter(reads)), extended))
    definition = None
    if isinstance(tree, exp.Create):
        definition = take_definition(tree, primary_write, view_text)
    if isinstance(tree, exp.Comment):
        if str(tree.args.get("kind") or "").upper() != "TABLE" or not writes:
            raise unsupported("COMMENT ON anything but a table")
        comment = tree.expression.name if tree.expression is not None else ""
        change = MetadataChange(full_name=primary_write, comment=comment)
        return ParsedStatement(info, None, None, None, (), change)
    if isinstance(tree, exp.Alter):
        change, has_ddl = take_alter(tree, primary_write)
        if not has_ddl:
            return ParsedStatement(info, None, None, None, (), change)
    overwrite = None
    if isinstance(tree, exp.Insert) and tree.args.get("overwrite"):
        tree.set("overwrite", None)
        target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        overwrite = str(target.sql(dialect="duckdb"))
    expand_generators(tree)
    name_projections(tree)
    refuse_missing_functions(tree)
    rewritten = rewrite_functions(replace_session_functions(tree))
    assert isinstance(rewritten, exp.Expression)  # a statement stays a statement
    tree = apply_databricks_semantics(rewritten)
    placeholders = []
    for node in tree.find_all(exp.Placeholder):
        if node.this is None or not node.name or node.name == "?":
            raise unsupported("positional parameter markers (?); use :name")
        if node.name not in placeholders:
            placeholders.append(node.name)
    return ParsedStatement(
        info, tree, None, definition, tuple(placeholders), change, overwrite, travels
    )
