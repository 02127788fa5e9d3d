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
_STARTS = re.compile(r"^\s*(GRANT|REVOKE|SHOW\s+GRANTS?)\b", re.IGNORECASE)
_SHOW = re.compile(
    rf"""^\s*SHOW\s+GRANTS?(?:\s+(?!ON\b)(?P<principal>`(?:[^`]|``)+`|[A-Za-z0-9_.@+\-]+))?\s+ON\s+
    (?:(?P<type>CATALOG|SCHEMA|DATABASE|TABLE|VIEW|VOLUME|FUNCTION)\s+)?
    (?P<name>{_PART}(?:\s*\.\s*{_PART}){{0,2}})\s*;?\s*$""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class PrivilegeStatement:
    grant: bool
    privileges: tuple[str, ...]
    securable: Securable
    principal: str


class GrantSyntaxError(ValueError):
    """The statement starts like GRANT/REVOKE but is not one this workspace understands."""


@dataclass(frozen=True)
class ShowGrants:
    securable: Securable
    principal: str | None


def is_privilege_statement(statement: str) -> bool:
    """GRANT, REVOKE or SHOW GRANTS: statements the workspace answers from its grant state."""
    return _STARTS.match(statement) is not None


def _unquote(part: str) -> str:
    part = part.strip()
    if part.startswith("`") and part.endswith("`"):
        return part[1:-1].replace("``", "`")
    return part


def _securable(
    kind_text: str | None, name_text: str, catalog: str | None, schema: str | None, statement: str
) -> Securable:
    parts = [_unquote(p) for p in re.findall(_PART, name_text)]
    kind = (kind_text or "TABLE").upper()
    depth = {"CATALOG": 1, "SCHEMA": 2, "DATABASE": 2}.get(kind, 3)
    defaults = [catalog, schema][: depth - 1]
    missing = depth - len(parts)
    if missing < 0 or any(d is None for d in defaults[:missing]):
        raise GrantSyntaxError(statement)
    full = [str(d) for d in defaults[:missing]] + parts
    return Securable.of(kind, ".".join(full))


def parse_show_grants(statement: str, catalog: str | None, schema: str | None) -> ShowGrants | None:
    """A SHOW GRANTS statement, or None when ``statement`` is GRANT/REVOKE."""
    if not re.match(r"^\s*SHOW\b", statement, re.IGNORECASE):
        return None
    match = _SHOW.match(statement)
    if match is None:
        raise GrantSyntaxError(statement)
    principal = _unquote(match["principal"]) if match["principal"] else None
    return ShowGrants(
        _securable(match["type"], match["name"], catalog, schema, statement), principal
    )


def parse_privilege_statement(
    statement: str, default_catalog: str | None, default_schema: str | None
) -> PrivilegeStatement:
    match = _STATEMENT.match(statement)
    if match is None:
        raise GrantSyntaxError(statement)
    verb, direction = match["verb"].upper(), match["direction"].upper()
    if (verb == "GRANT") != (direction == "TO"):
        raise GrantSyntaxError(statement)
    privileges = tuple(normalize_privilege(p) for p in match["privileges"].split(","))
    return PrivilegeStatement(
        verb == "GRANT",
        privileges,
        _securable(match["type"], match["name"], default_catalog, default_schema, statement),
        _unquote(match["principal"]),
    )
