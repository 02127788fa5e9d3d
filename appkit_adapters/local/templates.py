"""DuckDB expressions written as SQL text with holes, filled with parsed arguments.

A template is DuckDB SQL in which ``_1``, ``_2``... stand for the call's arguments, for
example ``coalesce(list_position(_1, _2), 0)``. Lambda parameters inside templates are
spelled ``__v``, ``__i``, ``__e`` so they never capture a user's column. Templates are
parsed once and copied per use.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import sqlglot
from sqlglot import exp

_HOLE = re.compile(r"_(\d+)")
WRITTEN = "appkit_duckdb"
"""Meta flag on nodes a template produced: they are DuckDB already."""


@functools.lru_cache(maxsize=512)
def _parsed(template: str) -> exp.Expr:
    return sqlglot.parse_one(template, read="duckdb")


def fill(template: str, *args: exp.Expr) -> exp.Expr:
    """The template's expression with every hole replaced by (a copy of) its argument."""

    def swap(node: exp.Expr) -> exp.Expr:
        name = _bare_name(node)
        found = _HOLE.fullmatch(name) if name else None
        if found and int(found.group(1)) <= len(args):
            return args[int(found.group(1)) - 1].copy()
        return node

    shaped = _parsed(template).copy()
    for node in shaped.walk():
        node.meta[WRITTEN] = True  # already DuckDB: never rewritten again
    filled: exp.Expr = shaped.transform(swap)
    return filled


def _bare_name(node: exp.Expr) -> str | None:
    """The name of an unqualified column reference, or of a bare variable in a lambda body."""
    if isinstance(node, exp.Column) and not node.table:
        return str(node.name)
    if isinstance(node, exp.Identifier) and not isinstance(
        node.parent, (exp.Column, exp.Table, exp.Alias, exp.TableAlias, exp.Lambda, exp.Dot)
    ):
        return str(node.this)
    return None


def lambda_parameters(function: exp.Lambda) -> list[str]:
    return [str(p.name) for p in function.expressions]


def apply_lambda(function: exp.Lambda, values: Sequence[exp.Expr]) -> exp.Expr:
    """The lambda's body with its parameters replaced by ``values`` (in order)."""
    bound = dict(zip(lambda_parameters(function), values))

    def swap(node: exp.Expr) -> exp.Expr:
        name = _bare_name(node)
        if name in bound:
            return exp.Paren(this=bound[name].copy())
        return node

    body: exp.Expr = function.this.copy().transform(swap)
    return body


def variable(name: str) -> exp.Expr:
    return exp.to_identifier(name)


def call_arguments(node: exp.Expr) -> list[exp.Expr]:
    """A call's arguments in order: a by-name call's list, or a typed node's arguments."""
    if isinstance(node, exp.Anonymous):
        return list(node.expressions)
    found: list[exp.Expr] = []
    for key in node.arg_types:
        value = node.args.get(key)
        if isinstance(value, list):
            found.extend(v for v in value if isinstance(v, exp.Expr))
        elif isinstance(value, exp.Expr):
            found.append(value)
    return found


def literal_int(node: exp.Expr | None) -> int | None:
    """The value of an integer literal (possibly negated), else None."""
    if isinstance(node, exp.Neg):
        inner = literal_int(node.this)
        return None if inner is None else -inner
    if isinstance(node, exp.Literal) and not node.is_string:
        try:
            return int(str(node.this))
        except ValueError:
            return None
    return None
