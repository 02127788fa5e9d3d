"""Databricks SQL functions on DuckDB: rewritten where DuckDB lacks or differs, refused by
name where the engine cannot answer as Databricks does.

Rewrites (see :mod:`arrays` and :mod:`scalars` for what each keeps) run innermost
first over the parsed statement, so nested calls are rewritten before the calls around
them, and each node is rewritten once. Types come from sqlglot's annotation of literals
and function results; where a type stays unknown the call is left as it is.
"""

from __future__ import annotations

import logging

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.annotate_types import annotate_types

from appkit_adapters.local import arrays, number_text, scalars
from appkit_adapters.local.errors import unsupported
from appkit_adapters.local.templates import WRITTEN, call_arguments

NOT_PROVIDED = frozenset(
    {
        "schema_of_json",
        "schema_of_json_agg",
        "version",
        "sha",
        "xpath",
        "from_csv",
        "to_csv",
        "schema_of_csv",
        "h3_longlatash3",
        "ai_query",
        "read_files",
        "http_request",
        "vector_search",
        "aes_encrypt",
        "aes_decrypt",
    }
)
"""Databricks built-in functions the local engine does not provide: refused by name."""
_NOT_PROVIDED_CLASSES: dict[type[exp.Expr], str] = {}
_log = logging.getLogger(__name__)


def refuse_missing_functions(tree: exp.Expr) -> None:
    """``UNSUPPORTED_FEATURE`` naming the first Databricks function the engine lacks."""
    for node in tree.find_all(exp.Func):
        name = str(node.this).lower() if isinstance(node, exp.Anonymous) else None
        if name is None:
            name = _NOT_PROVIDED_CLASSES.get(type(node))
        if name in NOT_PROVIDED:
            raise unsupported(f"the function {name}()")


def _name(node: exp.Func) -> str:
    """The Databricks name of a typed call (``WidthBucket`` is ``width_bucket``)."""
    return str(node.sql_name()).lower()


def rewrite_functions(tree: exp.Expr) -> exp.Expr:
    """Rewrite every call the engine answers differently from Databricks; returns the tree."""
    for data_type in tree.find_all(exp.DataType):
        # sqlglot's own casts (to_timestamp, timestamp()) mean Databricks' TIMESTAMP, an
        # instant; a TIMESTAMP the user writes already parses as TIMESTAMPTZ
        if data_type.this == exp.DataType.Type.TIMESTAMP:
            data_type.set("this", exp.DataType.Type.TIMESTAMPTZ)
    try:
        annotate_types(tree, dialect="databricks")
    except (SqlglotError, ValueError, KeyError) as error:  # types then stay unknown
        _log.debug("no type annotation for function rewrites: %s", error)
    for node in reversed(list(tree.walk())):
        if not isinstance(node, (exp.Func, exp.Bracket, exp.Add, exp.Sub, exp.IntDiv, exp.Exists)):
            continue
        if node.meta.get(WRITTEN):
            continue
        found = None
        if not isinstance(node, exp.Anonymous):
            found = arrays.by_class(node) or scalars.by_class(node)
        if found is None and isinstance(node, exp.Func):
            name = str(node.this).lower() if isinstance(node, exp.Anonymous) else _name(node)
            args = call_arguments(node)
            found = (
                arrays.by_name(name, args)
                or scalars.by_name(name, args)
                or number_text.by_name(name, args)
            )
        if found is not None:
            if node is tree:
                tree = found
            else:
                node.replace(found)
    return tree
