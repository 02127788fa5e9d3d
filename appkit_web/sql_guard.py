"""Read-only statements for ``POST /api/sql/query``, decided by parsing.

A statement is accepted only if it parses (Databricks dialect, via sqlglot)
as exactly one query (``SELECT``, ``WITH ... SELECT``, set operations of
selects, ``VALUES``), ``DESCRIBE``, or ``SHOW`` with a known object kind, and
nothing inside it writes, defines, or reaches outside Unity Catalog tables:
no DML or DDL node anywhere in the tree, no file-path or string table
references, no table names decided by a value (``IDENTIFIER``), no table
function outside :data:`TABLE_FUNCTIONS`, no function that reads files or
secrets or runs a query string, no locking clauses. ``DESCRIBE`` of a query
is checked like the query; ``SHOW`` carries no function call. Anything the
parser cannot classify is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import TokenType, exp
from sqlglot.errors import ParseError, TokenError

from appkit_domain.errors import InvalidInput, PermissionDenied

MAX_STATEMENT_CHARS = 20_000


class ReadOnlyViolation(InvalidInput):
    """The statement is not a single read-only query."""

    code = "not_read_only"


class GovernanceTableRefused(PermissionDenied):
    """The statement names a table of the app's governance schema."""

    code = "governance_table"


_QUERY_ROOTS: tuple[type[exp.Expression], ...] = (exp.Select, exp.SetOperation, exp.Values)

_WRITES: tuple[type[exp.Expression], ...] = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.TruncateTable,
    exp.Command,
    exp.Pragma,
    exp.Set,
    exp.Use,
    exp.Copy,
    exp.Grant,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Cache,
    exp.Uncache,
    exp.Refresh,
    exp.LoadData,
    exp.Into,
    exp.Lock,
)

# Table functions and scalar functions that read files, reach the network or run code.
_FORBIDDEN_FUNCTIONS = frozenset(
    {
        "read_files",
        "read_csv",
        "read_csv_auto",
        "read_parquet",
        "read_json",
        "read_json_auto",
        "read_json_objects",
        "read_text",
        "read_blob",
        "read_ndjson",
        "read_ndjson_auto",
        "parquet_scan",
        "parquet_metadata",
        "parquet_schema",
        "glob",
        "sniff_csv",
        "read_xlsx",
        "st_read",
        "iceberg_scan",
        "delta_scan",
        "http_request",
        "java_method",
        "reflect",
        "ai_query",
        "read_kafka",
        "read_kinesis",
        "read_pubsub",
        "read_pulsar",
        "read_statestore",
        "cloud_files",
        "query_table",
        "sqlite_scan",
        "postgres_scan",
        "mysql_scan",
        "getenv",
        "current_setting",
        "duckdb_secrets",
        "duckdb_settings",
        "load_extension",
        "install_extension",
        "system",
        "shell",
        "secret",
        "try_secret",
        "list_secrets",
        "query",
        "identifier",
    }
)

# Name prefixes of function families that read files, secrets or the engine's internals.
_FORBIDDEN_PREFIXES = (
    "read_",
    "pragma_",
    "duckdb_",
    "parquet_",
    "sqlite_",
    "postgres_",
    "mysql_",
    "iceberg_",
    "delta_",
    "cloud_files",
)

TABLE_FUNCTIONS = frozenset(
    {
        "range",
        "explode",
        "explode_outer",
        "posexplode",
        "posexplode_outer",
        "inline",
        "inline_outer",
        "stack",
    }
)
"""The only table-valued functions a query may call: they compute rows from their
arguments and reach nothing else."""

_PATH_CHARS = "/\\:.'\""
_STRING_LITERAL = re.compile(r"'(?:[^'\\]|\\.)*'")

_SHOW_KINDS = frozenset(
    {
        "CATALOGS",
        "SCHEMAS",
        "DATABASES",
        "TABLES",
        "VIEWS",
        "COLUMNS",
        "FUNCTIONS",
        "USER FUNCTIONS",
        "SYSTEM FUNCTIONS",
        "VOLUMES",
        "PARTITIONS",
        "TBLPROPERTIES",
        "CREATE TABLE",
        "TABLE EXTENDED",
        "GRANTS",
        "GRANT",
        "CURRENT SCHEMA",
    }
)


@dataclass(frozen=True)
class ReadOnlyStatement:
    """An accepted statement and its kind (``SELECT``, ``DESCRIBE`` or ``SHOW``)."""

    text: str
    kind: str


def _function_name(node: object) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return ""


def _check_function(node: object) -> None:
    name = _function_name(node)
    if name in _FORBIDDEN_FUNCTIONS or name.startswith(_FORBIDDEN_PREFIXES):
        raise ReadOnlyViolation(f"function {name} is not allowed in queries")


def _check_table_function(node: object) -> None:
    _check_function(node)
    name = _function_name(node)
    if name not in TABLE_FUNCTIONS:
        raise ReadOnlyViolation(
            f"table function {name or type(node).__name__} is not allowed in queries; "
            f"allowed: {', '.join(sorted(TABLE_FUNCTIONS))}"
        )


def _check_tree(root: exp.Expression) -> None:
    for node in root.walk():
        if isinstance(node, _WRITES):
            raise ReadOnlyViolation(
                f"only read-only statements are allowed; found {node.key.upper()}"
            )
        if isinstance(node, (exp.Anonymous, exp.Func)):
            _check_function(node)
        if isinstance(node, exp.Table):
            _check_table(node)
        if isinstance(node, exp.Lateral) and isinstance(node.this, (exp.Anonymous, exp.Func)):
            _check_table_function(node.this)
        if isinstance(node, exp.Lock):
            raise ReadOnlyViolation("locking clauses are not allowed")


def _check_alias(table: exp.Table) -> None:
    alias = table.args.get("alias")
    if not isinstance(alias, exp.TableAlias):
        return
    columns = alias.args.get("columns") or []
    if columns and not alias.name:
        # ``"f"('x')`` parses as table ``f`` with column alias ``'x'``: an engine reads a call.
        raise ReadOnlyViolation("a table alias with column names needs an alias name")
    for column in columns:
        if any(ch in column.name for ch in _PATH_CHARS):
            raise ReadOnlyViolation(f"column alias {column.name!r} is not a plain name")


def _check_table(table: exp.Table) -> None:
    this = table.this
    if isinstance(this, (exp.Anonymous, exp.Func)):
        _check_table_function(this)
        return
    _check_alias(table)
    if not table.db and (
        table.name.lower() in _FORBIDDEN_FUNCTIONS
        or table.name.lower().startswith(_FORBIDDEN_PREFIXES)
    ):
        # DuckDB lets an argument-less table function be named like a table.
        raise ReadOnlyViolation(f"table function {table.name} is not allowed in queries")
    parts = [part for part in table.parts if part is not None]
    for part in parts:
        if isinstance(part, exp.Identifier):
            name = part.name
            if not name or any(ch in name for ch in _PATH_CHARS) or name.startswith("~"):
                raise ReadOnlyViolation(
                    f"table reference {name!r} is not a Unity Catalog table name"
                )
        elif not isinstance(part, (exp.Star, exp.Dot)):
            raise ReadOnlyViolation("table references must be plain table names")
    catalog = table.catalog.lower() if table.catalog else ""
    if catalog in {"parquet", "delta", "csv", "json", "text", "binaryfile", "orc", "avro"}:
        raise ReadOnlyViolation("file-path table references are not allowed")


def _check_show(text: str) -> None:
    try:
        tokens = sqlglot.tokenize(text, read="databricks")
    except TokenError as exc:
        raise ReadOnlyViolation(f"the statement does not parse: {exc}") from None
    if not tokens or tokens[0].text.upper() != "SHOW":
        raise ReadOnlyViolation("only SELECT, WITH, SHOW and DESCRIBE statements are allowed")
    if any(token.token_type is TokenType.SEMICOLON for token in tokens):
        raise ReadOnlyViolation("only one statement is allowed")
    if "(" in _STRING_LITERAL.sub("", text):
        raise ReadOnlyViolation("SHOW statements name objects; they call no functions")
    # The tokenizer keeps a command's body as one token: its leading words name the kind.
    words = " ".join(token.text for token in tokens[1:]).upper().split()
    one, two = " ".join(words[:1]), " ".join(words[:2])
    if one not in _SHOW_KINDS and two not in _SHOW_KINDS:
        raise ReadOnlyViolation(f"SHOW {two} is not an allowed statement")


_CATALOG_ALIASES = {"spark_catalog": "hive_metastore"}


def _catalog(name: str) -> str:
    name = name.lower()
    return _CATALOG_ALIASES.get(name, name)


def _check_protected(root: exp.Expression, protected: frozenset[tuple[str, str]]) -> None:
    wanted = {(_catalog(catalog), schema.lower()) for catalog, schema in protected}
    for table in root.find_all(exp.Table):
        schema = table.db.lower() if table.db else ""
        catalog = _catalog(table.catalog) if table.catalog else ""
        if any(schema == s and catalog in ("", c) for c, s in wanted):
            raise GovernanceTableRefused(
                f"{table.sql(dialect='databricks')} is a governance table: read approvals, "
                "changes and the audit log through the API"
            )


def check_read_only(
    statement: str, *, protected_schemas: frozenset[tuple[str, str]] = frozenset()
) -> ReadOnlyStatement:
    """Return the statement if it is a single read-only query, else raise ``ReadOnlyViolation``.

    A ``SELECT`` or ``DESCRIBE`` naming a table of a ``protected_schemas``
    ``(catalog, schema)`` (schema-qualified names count whatever the current
    catalog) raises :class:`GovernanceTableRefused`.
    """
    if not isinstance(statement, str) or not statement.strip():
        raise ReadOnlyViolation("the statement is empty")
    if len(statement) > MAX_STATEMENT_CHARS:
        raise ReadOnlyViolation(f"the statement is longer than {MAX_STATEMENT_CHARS} characters")
    if "\x00" in statement:
        raise ReadOnlyViolation("the statement contains a NUL character")
    text = statement.strip().rstrip(";").strip()
    try:
        parsed = [tree for tree in sqlglot.parse(text, read="databricks") if tree is not None]
    except (ParseError, TokenError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise ReadOnlyViolation(f"the statement does not parse: {first}") from None
    if len(parsed) != 1:
        raise ReadOnlyViolation("exactly one statement is allowed")
    root = parsed[0]
    if isinstance(root, exp.Command) and str(root.this).upper() == "SHOW":
        _check_show(text)
        return ReadOnlyStatement(text, "SHOW")
    if isinstance(root, exp.Describe):
        _check_tree(root)
        _check_protected(root, protected_schemas)
        return ReadOnlyStatement(text, "DESCRIBE")
    if not isinstance(root, _QUERY_ROOTS):
        raise ReadOnlyViolation(
            f"only SELECT, WITH, SHOW and DESCRIBE statements are allowed; found {root.key.upper()}"
        )
    _check_tree(root)
    _check_protected(root, protected_schemas)
    return ReadOnlyStatement(text, "SELECT")
