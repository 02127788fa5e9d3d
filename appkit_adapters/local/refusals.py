"""Databricks SQL the local engine refuses rather than answer differently.

Only table functions Databricks has and DuckDB runs alike are allowed, so no
statement reaches the host's files or the engine's internals; functions DuckDB
computes differently under a Databricks name are refused; so are static
partition specs and statement kinds the engine does not run.
"""

from __future__ import annotations

from sqlglot import exp

from appkit_adapters.local.errors import unsupported

TABLE_FUNCTIONS = frozenset(
    {"range", "explode", "explode_outer", "posexplode", "posexplode_outer", "inline", "stack"}
)
"""Table-valued functions Databricks has and DuckDB runs alike; any other is refused, so
no statement reaches the host's files or the engine's internals."""
DIVERGENT_FUNCTIONS = frozenset({"hash"})
"""Functions DuckDB has under the Databricks name but computes differently."""
HOST_FUNCTIONS = frozenset({"getenv", "current_setting", "query", "query_table", "read_text"})

_STATEMENTS = (
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
    exp.Comment,
)


def refuse_unsupported(tree: exp.Expression) -> None:
    """Raise ``UnsupportedStatement`` naming the first construct the engine refuses."""
    if isinstance(tree, exp.Insert) and any(
        t.args.get("partition") for t in tree.find_all(exp.Table)
    ):
        raise unsupported("INSERT ... PARTITION (a static partition spec)")
    if isinstance(tree, exp.Command):
        return
    for version in tree.find_all(exp.Version):
        if not isinstance(version.parent, exp.Table):
            raise unsupported(f"{version.this} {version.args.get('kind')} outside a FROM clause")
    for table in tree.find_all(exp.Table):
        func = table.this
        if func is None or isinstance(func, exp.Identifier):
            continue
        if table.args.get("catalog") is not None:
            continue  # a catalog's own SQL table function (appkit_adapters.local.routines)
        name = str(func.this if isinstance(func, exp.Anonymous) else func.key).lower()
        if name == "identifier":
            raise unsupported("the IDENTIFIER clause")
        if name not in TABLE_FUNCTIONS:
            raise unsupported(f"the table function {name}()")
    for call in tree.find_all(exp.Anonymous):
        name = str(call.this).lower()
        if name.startswith(("duckdb_", "pragma_")) or name in HOST_FUNCTIONS:
            raise unsupported(f"the function {name}()")
        if name in DIVERGENT_FUNCTIONS:
            raise unsupported(f"{name}() (its local values differ from Databricks')")
    if not isinstance(tree, _STATEMENTS):
        raise unsupported(f"the {tree.key.upper()} statement")
