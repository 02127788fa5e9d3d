"""Who runs a statement and where: the session functions of Databricks SQL.

``current_user()`` / ``session_user()`` / ``user()`` answer the executing principal;
``current_catalog()``, ``current_schema()`` and ``current_database()`` the statement's
namespace; ``is_account_group_member(g)`` and ``is_member(g)`` whether the principal
belongs to group ``g``. Each becomes a bound parameter, so one parsed statement serves
every principal and namespace.
"""

from __future__ import annotations

from sqlglot import exp

PRINCIPAL_PARAMETER = "_appkit_principal"
CATALOG_PARAMETER = "_appkit_catalog"
SCHEMA_PARAMETER = "_appkit_schema"
GROUPS_PARAMETER = "_appkit_groups"
RESERVED_PARAMETER_PREFIX = "_appkit_"

_BY_CLASS: tuple[tuple[type[exp.Expression], str], ...] = (
    (exp.CurrentUser, PRINCIPAL_PARAMETER),
    (exp.SessionUser, PRINCIPAL_PARAMETER),
    (exp.CurrentCatalog, CATALOG_PARAMETER),
    (exp.CurrentSchema, SCHEMA_PARAMETER),
    (exp.CurrentDatabase, SCHEMA_PARAMETER),
)
_BY_NAME = {"user": PRINCIPAL_PARAMETER}
_MEMBERSHIP = frozenset({"is_account_group_member", "is_member"})


def _text(name: str) -> exp.Expression:
    return exp.Cast(this=exp.Placeholder(this=name), to=exp.DataType.build("VARCHAR"))


def _membership(node: exp.Anonymous) -> exp.Expression:
    groups = exp.Cast(
        this=exp.Placeholder(this=GROUPS_PARAMETER), to=exp.DataType.build("ARRAY<VARCHAR>")
    )
    group = node.expressions[0].copy() if node.expressions else exp.Null()
    return exp.Anonymous(this="list_contains", expressions=[groups, group])


def replace_session_functions(tree: exp.Expression) -> exp.Expression:
    """Swap every session function for its parameter (see module docstring)."""

    def swap(node: exp.Expression) -> exp.Expression:
        for cls, name in _BY_CLASS:
            if isinstance(node, cls):
                return _text(name)
        if isinstance(node, exp.Anonymous):
            called = str(node.this).lower()
            if called in _BY_NAME and not node.expressions:
                return _text(_BY_NAME[called])
            if called in _MEMBERSHIP:
                return _membership(node)
        return node

    swapped: exp.Expression = tree.transform(swap)
    return swapped
