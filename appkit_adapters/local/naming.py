"""How Unity Catalog names map onto DuckDB databases.

Each catalog is one attached DuckDB database whose alias is the catalog name with a
fixed prefix (DuckDB reserves ``main``, ``system`` and ``temp`` as database names, and
the prefix keeps every catalog name usable). Schemas and tables keep their names.
Unity Catalog names are case-insensitive; the engine stores them lower-case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from appkit_domain.errors import InvalidInput

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,254}")


def check_identifier(part: str, what: str = "identifier") -> str:
    """Return ``part`` if the engine accepts it as a catalog, schema, table or column name.

    Unity Catalog takes more in a backtick-quoted name than the toolkit's own SQL uses:
    the engine accepts letters, digits, ``_`` and ``-`` (``main.`sales-eu```), and
    refuses anything else rather than escape it.
    """
    if not isinstance(part, str) or not _NAME.fullmatch(part):
        raise InvalidInput(f"{what} {part!r} is not a valid identifier (letters, digits, _, -)")
    return part


def quote(part: str, what: str = "identifier") -> str:
    """Validate one name and return it quoted for DuckDB."""
    return f'"{check_identifier(part, what)}"'


def quote_name(*parts: str) -> str:
    """Validate and quote a dotted name given as parts."""
    if not parts:
        raise InvalidInput("an empty name cannot be quoted")
    return ".".join(quote(part) for part in parts)


@dataclass(frozen=True)
class TableName:
    """A three-level ``catalog.schema.table`` name as the engine accepts it."""

    catalog: str
    schema: str
    table: str

    def __post_init__(self) -> None:
        check_identifier(self.catalog, "catalog")
        check_identifier(self.schema, "schema")
        check_identifier(self.table, "table")

    @classmethod
    def parse(cls, full_name: str) -> TableName:
        parts = full_name.split(".") if isinstance(full_name, str) else []
        if len(parts) != 3:
            raise InvalidInput(f"table name {full_name!r} must be catalog.schema.table")
        return cls(*parts)

    @property
    def full_name(self) -> str:
        return f"{self.catalog}.{self.schema}.{self.table}"


ALIAS_PREFIX = "uc__"
META_SCHEMA = "__appkit"
"""A hidden schema in every catalog database holding table comments and properties."""

HISTORY_SCHEMA = "__appkit_history"
"""A hidden schema in every catalog database holding the row versions of its tables."""

HIDDEN_SCHEMAS = frozenset(
    {META_SCHEMA, HISTORY_SCHEMA, "main", "information_schema", "pg_catalog"}
)


def database_alias(catalog: str) -> str:
    """The DuckDB database alias of a (validated, lower-case) catalog name."""
    return ALIAS_PREFIX + check_identifier(catalog, "catalog").lower()


def catalog_of(alias: str) -> str | None:
    """The catalog name behind a DuckDB alias, or None if the alias is not a catalog."""
    if alias.startswith(ALIAS_PREFIX):
        return alias[len(ALIAS_PREFIX) :]
    return None


_ALIAS_IN_TEXT = re.compile(re.escape(ALIAS_PREFIX) + r"([A-Za-z0-9_-]+)")


def user_facing(text: str) -> str:
    """Replace internal database aliases in a message with catalog names."""
    return _ALIAS_IN_TEXT.sub(lambda m: m.group(1), text)
