"""``GRANT`` / ``REVOKE`` statements, parsed strictly into privilege changes.

Supported forms (Databricks SQL):
``GRANT priv[, priv...] ON [CATALOG|SCHEMA|DATABASE|TABLE|VIEW|VOLUME|FUNCTION] name TO principal``
and ``REVOKE ... FROM principal``. Names may be backtick-quoted and are
resolved against the statement's default catalog and schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from appkit_testing.workspace.catalog.grants import Securable, normalize_privilege

_PART = r"(?:`(?:[^`]|``)+`|[A-Za-z0-9_]+)"
_STATEMENT = re.compile(
    rf"""^\s*(?P<verb>GRANT|REVOKE)\s+(?P<privileges>.+?)\s+ON\s+
    (?:(?P<type>CATALOG|SCHEMA|DATABASE|TABLE|VIEW|VOLUME|FUNCTION)\s+)?
    (?P<name>{_PART}(?:\s*\.\s*{_PART}){{0,2}})\s+
    (?P<direction>TO|FROM)\s+(?P<principal>`(?:[^`]|``)+`|[A-Za-z0-9_.@+\-]+)\s*;?\s*$""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
_STARTS = re.compile(r"^\s*(GRANT|REVOKE)\b", re.IGNORECASE)


@dataclass(frozen=True)
class PrivilegeStatement:
    grant: bool
    privileges: tuple[str, ...]
    securable: Securable
    principal: str


class GrantSyntaxError(ValueError):
    """The statement starts like GRANT/REVOKE but is not one this workspace understands."""


def is_privilege_statement(statement: str) -> bool:
    return _STARTS.match(statement) is not None


def _unquote(part: str) -> str:
    part = part.strip()
    if part.startswith("`") and part.endswith("`"):
        return part[1:-1].replace("``", "`")
    return part


def parse_privilege_statement(
    statement: str, default_catalog: str | None, default_schema: str | None
) -> PrivilegeStatement:
    match = _STATEMENT.match(statement)
    if match is None:
        raise GrantSyntaxError(statement)
    verb, direction = match["verb"].upper(), match["direction"].upper()
    if (verb == "GRANT") != (direction == "TO"):
        raise GrantSyntaxError(statement)
    parts = [_unquote(p) for p in re.findall(_PART, match["name"])]
    kind = (match["type"] or "TABLE").upper()
    depth = {"CATALOG": 1, "SCHEMA": 2, "DATABASE": 2}.get(kind, 3)
    defaults = [default_catalog, default_schema][: depth - 1]
    missing = depth - len(parts)
    if missing < 0 or any(d is None for d in defaults[:missing]):
        raise GrantSyntaxError(statement)
    full = [str(d) for d in defaults[:missing]] + parts
    privileges = tuple(normalize_privilege(p) for p in match["privileges"].split(","))
    return PrivilegeStatement(
        verb == "GRANT",
        privileges,
        Securable.of(kind, ".".join(full)),
        _unquote(match["principal"]),
    )
