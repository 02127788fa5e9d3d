"""Render a parsed statement as DuckDB SQL.

Parameter markers become DuckDB named parameters (``$name``) cast to the declared
Databricks type, so values are always bound, never spliced into text. ``MERGE``
``UPDATE SET *`` / ``INSERT *`` are expanded by column name, as Databricks defines them.
Anything sqlglot cannot express in DuckDB is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlglot import ErrorLevel, exp
from sqlglot.errors import ParseError, UnsupportedError

from appkit_adapters.local.errors import sql_error, unsupported
from appkit_adapters.local.history.travel import substitute
from appkit_adapters.local.numeric import apply_numeric_typing
from appkit_adapters.local.statements import ParsedStatement
from appkit_domain.errors import InvalidInput

ColumnsOf = Callable[[exp.Table], list[tuple[str, str]]]
"""(name, DuckDB type) of every column of a (qualified) table."""


def parameter_type(type_text: str) -> exp.DataType:
    """Parse a Databricks SQL type name such as ``DECIMAL(10,2)`` for a cast."""
    try:
        return exp.DataType.build(type_text, dialect="databricks")
    except (ParseError, ValueError) as error:
        raise sql_error(
            InvalidInput,
            "INVALID_PARAMETER_TYPE",
            "22023",
            f"parameter type {type_text!r} is not a SQL type: {error}",
        ) from None


def _cast_placeholders(tree: exp.Expression, types: Mapping[str, str | None]) -> exp.Expression:
    def cast(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder) and not isinstance(node.parent, exp.Cast):
            type_text = types.get(node.name)
            if type_text and type_text.upper() != "VOID":
                return exp.Cast(this=node.copy(), to=parameter_type(type_text))
        return node

    return tree.transform(cast)


def _source_name(merge: exp.Merge) -> str:
    source = merge.args.get("using")
    if source is None:
        raise unsupported("MERGE without a USING source")
    name = str(source.alias_or_name)
    if not name:
        raise unsupported("MERGE ... UPDATE SET * / INSERT * with an unnamed source")
    return name


def _expand_merge_stars(merge: exp.Merge, columns_of: ColumnsOf) -> None:
    whens = merge.args.get("whens")
    if whens is None:
        return
    stars = [
        when
        for when in whens.expressions
        if isinstance(when.args.get("then"), (exp.Update, exp.Insert))
        and (
            isinstance(when.args["then"].this, exp.Star)
            or any(isinstance(e, exp.Star) for e in when.args["then"].expressions or [])
        )
    ]
    if not stars:
        return
    target = merge.this
    assert isinstance(target, exp.Table)
    columns = [name for name, _type in columns_of(target)]
    source = _source_name(merge)
    for when in stars:
        then = when.args["then"]
        if isinstance(then, exp.Update):
            assignments = [
                exp.EQ(
                    this=exp.column(name, quoted=True),
                    expression=exp.column(name, source, quoted=True),
                )
                for name in columns
            ]
            when.set("then", exp.Update(expressions=assignments))
        else:
            when.set(
                "then",
                exp.Insert(
                    this=exp.Tuple(expressions=[exp.column(name, quoted=True) for name in columns]),
                    expression=exp.Tuple(
                        expressions=[exp.column(name, source, quoted=True) for name in columns]
                    ),
                ),
            )


def _split_add_columns(alter: exp.Alter) -> list[exp.Alter]:
    """DuckDB adds one column per ALTER; ``ADD COLUMNS (a, b)`` becomes one ALTER each."""
    actions: list[exp.Expression] = []
    for action in alter.args.get("actions") or []:
        if isinstance(action, exp.Schema):
            actions.extend(action.expressions)
        else:
            actions.append(action)
    if len(actions) <= 1 and not any(
        isinstance(a, exp.Schema) for a in alter.args.get("actions") or []
    ):
        return [alter]
    statements = []
    for action in actions:
        single = alter.copy()
        single.set("actions", [action.copy()])
        statements.append(single)
    return statements


@dataclass(frozen=True)
class Rendered:
    """DuckDB SQL for a statement, plus, for MERGE, a query that finds a target row
    matched by more than one source row (Databricks refuses such a MERGE)."""

    sql: str
    merge_check: str | None = None
    merge_check_parameters: tuple[str, ...] = ()
    touched: str | None = None
    """For UPDATE, DELETE and MERGE: a query of the row ids of the target the statement may
    change (the table's row versions are kept in step by them)."""
    touched_parameters: tuple[str, ...] = ()
    parameters: tuple[str, ...] | None = None
    """The parameters the SQL still uses, when time travel took some away (None: all)."""


def _needs_cardinality_check(merge: exp.Merge) -> bool:
    whens = merge.args.get("whens")
    for when in whens.expressions if whens is not None else []:
        if not when.args.get("matched") or when.args.get("source"):
            continue
        then = when.args.get("then")
        if isinstance(then, exp.Update) or when.args.get("condition") is not None:
            return True
    return False


def _merge_check(merge: exp.Merge) -> tuple[str, tuple[str, ...]]:
    target = merge.this.copy()
    alias = target.alias_or_name
    query = (
        exp.select("1")
        .from_(target)
        .join(merge.args["using"].copy(), on=merge.args["on"].copy())
        .group_by(exp.column("rowid", alias, quoted=True))
        .having("count(*) > 1")
        .limit(1)
    )
    if merge.args.get("with_") is not None:
        query.set("with_", merge.args["with_"].copy())
    return str(query.sql(dialect="duckdb")), _placeholders(query)


def _placeholders(query: exp.Expression) -> tuple[str, ...]:
    return tuple(dict.fromkeys(node.name for node in query.find_all(exp.Placeholder)))


def _touched(tree: exp.Expression) -> tuple[str, tuple[str, ...]] | None:
    """The query of the target row ids an UPDATE, DELETE or MERGE may change; every row
    when the statement's shape gives no narrower condition."""
    if not isinstance(tree, (exp.Update, exp.Delete, exp.Merge)):
        return None
    target = tree.this
    if not isinstance(target, exp.Table):
        return None
    rowid = exp.column("rowid", target.alias_or_name, quoted=True)
    query = exp.select(rowid).from_(target.copy())
    if isinstance(tree, exp.Merge):
        whens = tree.args.get("whens")
        by_source = any(
            when.args.get("source") for when in (whens.expressions if whens is not None else [])
        )
        if not by_source:
            query = query.join(tree.args["using"].copy(), on=tree.args["on"].copy()).distinct()
        if tree.args.get("with_") is not None:
            query.set("with_", tree.args["with_"].copy())
    elif not tree.args.get("from_") and not tree.args.get("using"):
        where = tree.args.get("where")
        if where is not None:
            query = query.where(where.this.copy())
        if tree.args.get("with_") is not None:
            query.set("with_", tree.args["with_"].copy())
    sql = str(query.sql(dialect="duckdb", unsupported_level=ErrorLevel.RAISE))
    return sql, _placeholders(query)


def render(
    parsed: ParsedStatement,
    types: Mapping[str, str | None],
    columns_of: ColumnsOf,
    snapshots: tuple[str, ...] = (),
) -> Rendered:
    """DuckDB SQL text for a parsed statement with the given parameter types; ``snapshots``
    are the queries of its time-travelled tables' rows, in order."""
    tree = parsed.fresh_tree()
    remaining = None
    if snapshots:
        substitute(tree, snapshots)
        remaining = _placeholders(tree)
    if isinstance(tree, exp.Merge):
        _expand_merge_stars(tree, columns_of)
    apply_numeric_typing(tree, columns_of)
    tree = _cast_placeholders(tree, types)
    trees = _split_add_columns(tree) if isinstance(tree, exp.Alter) else [tree]
    try:
        sql = "; ".join(
            str(part.sql(dialect="duckdb", unsupported_level=ErrorLevel.RAISE)) for part in trees
        )
    except UnsupportedError as error:
        detail = str(error).strip().split("\n", 1)[0]
        raise unsupported(f"{detail} (in a {parsed.info.kind} statement)") from None
    touched = _touched(tree)
    touched_sql, touched_names = touched if touched is not None else (None, ())
    if isinstance(tree, exp.Merge):
        sql += " RETURNING merge_action"
        if _needs_cardinality_check(tree):
            check, names = _merge_check(tree)
            return Rendered(sql, check, names, touched_sql, touched_names, remaining)
    return Rendered(
        sql, touched=touched_sql, touched_parameters=touched_names, parameters=remaining
    )
