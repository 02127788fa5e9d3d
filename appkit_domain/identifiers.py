"""Unity Catalog identifiers: the one place they are validated and quoted.

Every identifier that reaches SQL text goes through :func:`quote` or
:func:`quote_name` after validation; values never do (they travel as
parameters). The accepted shape is deliberately narrower than what Unity
Catalog allows: letters, digits and underscores, starting with a letter or
underscore, at most 255 characters. Anything else is refused, not escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from appkit_domain.errors import InvalidInput

_PART = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,254}")


def check_identifier(part: str, what: str = "identifier") -> str:
    """Return ``part`` if it is a safe identifier, else raise ``InvalidInput`` naming it."""
    if not isinstance(part, str) or not _PART.fullmatch(part):
        raise InvalidInput(f"{what} {part!r} is not a valid identifier (letters, digits, _)")
    return part


def quote(part: str, what: str = "identifier") -> str:
    """Validate one identifier and return it backtick-quoted."""
    return f"`{check_identifier(part, what)}`"


@dataclass(frozen=True)
class TableName:
    """A three-level Unity Catalog table name, validated on construction."""

    catalog: str
    schema: str
    table: str

    def __post_init__(self) -> None:
        check_identifier(self.catalog, "catalog")
        check_identifier(self.schema, "schema")
        check_identifier(self.table, "table")

    @classmethod
    def parse(cls, full_name: str) -> TableName:
        """Parse ``catalog.schema.table`` (no quotes, exactly three parts)."""
        parts = full_name.split(".") if isinstance(full_name, str) else []
        if len(parts) != 3:
            raise InvalidInput(f"table name {full_name!r} must be catalog.schema.table")
        return cls(*parts)

    @property
    def full_name(self) -> str:
        return f"{self.catalog}.{self.schema}.{self.table}"

    @property
    def quoted(self) -> str:
        return ".".join(quote(part) for part in (self.catalog, self.schema, self.table))

    def __str__(self) -> str:
        return self.full_name


def quote_name(*parts: str) -> str:
    """Validate and quote a dotted name given as parts, e.g. ``quote_name("main", "gov")``."""
    if not parts:
        raise InvalidInput("an empty name cannot be quoted")
    return ".".join(quote(part) for part in parts)
