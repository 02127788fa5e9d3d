"""How Unity Catalog names map onto DuckDB databases.

Each catalog is one attached DuckDB database whose alias is the catalog name with a
fixed prefix (DuckDB reserves ``main``, ``system`` and ``temp`` as database names, and
the prefix keeps every catalog name usable). Schemas and tables keep their names.
Unity Catalog names are case-insensitive; the engine stores them lower-case.
"""

from __future__ import annotations

import re

from appkit_domain.identifiers import check_identifier

ALIAS_PREFIX = "uc__"
META_SCHEMA = "__appkit"
"""A hidden schema in every catalog database holding table comments and properties."""

HIDDEN_SCHEMAS = frozenset({META_SCHEMA, "main", "information_schema", "pg_catalog"})


def database_alias(catalog: str) -> str:
    """The DuckDB database alias of a (validated, lower-case) catalog name."""
    return ALIAS_PREFIX + check_identifier(catalog, "catalog").lower()


def catalog_of(alias: str) -> str | None:
    """The catalog name behind a DuckDB alias, or None if the alias is not a catalog."""
    if alias.startswith(ALIAS_PREFIX):
        return alias[len(ALIAS_PREFIX) :]
    return None


_ALIAS_IN_TEXT = re.compile(re.escape(ALIAS_PREFIX) + r"([A-Za-z0-9_]+)")


def user_facing(text: str) -> str:
    """Replace internal database aliases in a message with catalog names."""
    return _ALIAS_IN_TEXT.sub(lambda m: m.group(1), text)
