# ruff: noqa: S608  (interpolated names are validated catalog aliases, quoted; values are literals)
"""``<catalog>.information_schema``: the views Databricks serves in every catalog.

``schemata``, ``tables``, ``columns``, ``views`` and ``table_tags`` are answered from DuckDB's catalog
functions over the catalog's database and the engine's table metadata (owners,
comments, creation times), with Databricks' column names and type spellings.
``information_schema`` itself is listed among the catalog's schemas and tables, as on
Databricks. Other views (``catalogs``, ``table_privileges``, ...) are refused by name.
"""

from __future__ import annotations

import functools

import sqlglot
from sqlglot import exp

from appkit_adapters.local.errors import unsupported
from appkit_adapters.local.naming import HISTORY_SCHEMA, META_SCHEMA, database_alias, quote

VIEWS = ("columns", "schemata", "tables", "views", "table_tags")
_HIDDEN = f"('{META_SCHEMA}', '{HISTORY_SCHEMA}', 'main', 'pg_catalog', 'information_schema')"


def databricks_type_text(duck_type: str) -> str:
    """SQL turning a DuckDB type name (an expression) into Databricks' lower-case spelling."""
    chain = f"lower({duck_type})"
    for old, new in (
        ("timestamp with time zone", "§tz"),
        ("timestamp", "timestamp_ntz"),
        ("§tz", "timestamp"),
        ("integer", "int"),
        ("varchar", "string"),
        ("blob", "binary"),
        ('"null"', "void"),
    ):
        chain = f"replace({chain}, '{old}', '{new}')"
    chain = f"regexp_replace({chain}, '^(.*)\\[\\]$', 'array<\\1>')"
    chain = f"regexp_replace({chain}, '^(.*)\\[\\]>$', 'array<\\1>>')"
    chain = f"regexp_replace({chain}, '^map\\((.*), (.*)\\)$', 'map<\\1,\\2>')"
    struct = f"replace(regexp_replace(regexp_replace({chain}, '^struct\\((.*)\\)$', 'struct<\\1>'), '([a-z_0-9]+) ', '\\1:', 'g'), ', ', ',')"
    return f"CASE WHEN starts_with({chain}, 'struct(') THEN {struct} ELSE {chain} END"


def _sql(catalog: str, view: str) -> str:
    db = database_alias(catalog)
    meta = f"{quote(db)}.{quote(META_SCHEMA)}.tables"
    name = f"'{catalog}'"
    own_views = " UNION ALL ".join(f"SELECT 'information_schema', '{v}', 'VIEW'" for v in VIEWS)
    objects = (
        f"SELECT schema_name, table_name, 'MANAGED' AS kind FROM duckdb_tables()"
        f" WHERE database_name = '{db}' AND schema_name NOT IN {_HIDDEN}"
        f" UNION ALL SELECT schema_name, view_name, 'VIEW' FROM duckdb_views()"
        f" WHERE database_name = '{db}' AND NOT internal AND schema_name NOT IN {_HIDDEN}"
        f" UNION ALL {own_views}"
    )
    if view == "schemata":
        return (
            f"SELECT {name} AS catalog_name, schema_name, CAST(NULL AS VARCHAR) AS schema_owner,"
            " CAST(NULL AS VARCHAR) AS comment FROM (SELECT schema_name FROM duckdb_schemas()"
            f" WHERE database_name = '{db}' AND schema_name NOT IN {_HIDDEN}"
            " UNION ALL SELECT 'information_schema')"
        )
    if view == "tables":
        return (
            f"SELECT {name} AS table_catalog, o.schema_name AS table_schema, o.table_name,"
            " o.kind AS table_type, CASE WHEN o.kind = 'MANAGED' THEN 'YES' ELSE 'NO' END AS"
            " is_insertable_into, 'PRESERVE' AS commit_action, m.owner AS table_owner,"
            " m.comment AS comment, m.created_at AS created, m.owner AS created_by,"
            " m.created_at AS last_altered, m.owner AS last_altered_by,"
            " CASE WHEN o.kind = 'MANAGED' THEN coalesce(m.data_source_format, 'DELTA') END AS"
            f" data_source_format FROM ({objects}) AS o LEFT JOIN {meta} AS m"
            " ON m.schema_name = o.schema_name AND m.table_name = o.table_name"
        )
    if view == "table_tags":
        tags = f"{quote(db)}.{quote(META_SCHEMA)}.table_tags"
        return (
            f"SELECT {name} AS catalog_name, schema_name, table_name, tag_name, tag_value"
            f" FROM {tags}"
        )
    if view == "views":
        return (
            f"SELECT {name} AS table_catalog, schema_name AS table_schema, table_name,"
            " view_text AS view_definition, 'NO' AS is_updatable, 'NO' AS is_insertable_into"
            f" FROM {meta} WHERE table_type = 'VIEW'"
        )
    full = databricks_type_text("c.data_type")
    return (
        f"SELECT {name} AS table_catalog, c.schema_name AS table_schema, c.table_name,"
        " c.column_name, CAST(c.column_index - 1 AS INT) AS ordinal_position,"
        " c.column_default, CASE WHEN c.is_nullable THEN 'YES' ELSE 'NO' END AS is_nullable,"
        f" {full} AS full_data_type, upper(regexp_extract({full}, '^[a-z_]+')) AS data_type,"
        " CAST(c.numeric_precision AS INT) AS numeric_precision,"
        " CAST(c.numeric_scale AS INT) AS numeric_scale,"
        " json_extract_string(m.column_comments, '$.\"' || lower(c.column_name) || '\"') AS comment"
        f" FROM duckdb_columns() AS c LEFT JOIN {meta} AS m ON m.schema_name = c.schema_name"
        f" AND m.table_name = c.table_name WHERE c.database_name = '{db}'"
        f" AND c.schema_name NOT IN {_HIDDEN}"
    )


@functools.lru_cache(maxsize=256)
def _view(catalog: str, view: str) -> exp.Expr:
    return sqlglot.parse_one(_sql(catalog, view), read="duckdb")


def information_view(catalog: str, view: str, alias: exp.Expr | None) -> exp.Expr:
    """The subquery standing for ``<catalog>.information_schema.<view>``."""
    if view not in VIEWS:
        raise unsupported(f"the information_schema view {view}")
    query = _view(catalog, view).copy()
    return exp.Subquery(
        this=query,
        alias=alias.copy() if alias is not None else exp.TableAlias(this=exp.to_identifier(view)),
    )
