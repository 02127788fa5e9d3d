"""Statements sqlglot does not model, recognised by shape: SHOW ..., CREATE/DROP CATALOG.

Each recognised statement becomes a small command object that the engine runs
against its catalog registry. Anything else in this family is refused naming the
statement's leading keywords.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from appkit_adapters.local.errors import syntax_error, unsupported
from appkit_adapters.local.naming import check_identifier

_NAME = r"`?([A-Za-z_][A-Za-z0-9_]*)`?"
_PATTERN = r"(?:\s+LIKE\s+'([^']*)')?"


@dataclass(frozen=True)
class ShowCatalogs:
    pattern: str | None = None


@dataclass(frozen=True)
class ShowSchemas:
    catalog: str | None
    pattern: str | None = None


@dataclass(frozen=True)
class ShowTables:
    catalog: str | None
    schema: str | None
    pattern: str | None = None


@dataclass(frozen=True)
class CreateCatalog:
    name: str
    if_not_exists: bool
    comment: str | None


@dataclass(frozen=True)
class DropCatalog:
    name: str
    if_exists: bool
    cascade: bool


@dataclass(frozen=True)
class PrivilegeChange:
    """A GRANT or REVOKE, described for whoever keeps privileges (the engine does not)."""

    action: str  # GRANT or REVOKE
    privileges: tuple[str, ...]  # e.g. ("SELECT", "MODIFY", "USE_CATALOG", "ALL_PRIVILEGES")
    securable_type: str  # CATALOG, SCHEMA or TABLE
    securable: str  # lower-case full name: catalog, catalog.schema or catalog.schema.table
    principals: tuple[str, ...]


@dataclass(frozen=True)
class Refused:
    """A statement the engine understands but will not run; ``construct`` names why."""

    construct: str


Command = (
    ShowCatalogs
    | ShowSchemas
    | ShowTables
    | CreateCatalog
    | DropCatalog
    | PrivilegeChange
    | Refused
)

_GRANT = re.compile(
    r"(GRANT|REVOKE)\s+(.+?)\s+ON\s+(?:(CATALOG|SCHEMA|DATABASE|TABLE|VIEW)\s+)?"
    r"((?:`[^`]+`|[A-Za-z_][A-Za-z0-9_]*)(?:\.(?:`[^`]+`|[A-Za-z_][A-Za-z0-9_]*)){0,2})"
    r"\s+(?:TO|FROM)\s+(.+)",
    re.I | re.S,
)
_PRINCIPAL = re.compile(r"\s*(?:`([^`]+)`|([A-Za-z0-9_.@-]+))\s*(?:,|$)")


def parse_privilege_change(statement: str, catalog: str, schema: str) -> PrivilegeChange:
    """Describe a GRANT/REVOKE on a catalog, schema or table (defaults fill short names)."""
    text = strip_comments(statement)
    found = _GRANT.fullmatch(text)
    if not found:
        raise syntax_error("GRANT/REVOKE must read: privileges ON [type] name TO|FROM principals")
    action, privileges_text, kind, name_text, principals_text = found.groups()
    privileges = tuple(
        "_".join(word.upper() for word in item.split()) for item in privileges_text.split(",")
    )
    parts = [check_identifier(part.strip("`"), "name").lower() for part in name_text.split(".")]
    securable_type = {"DATABASE": "SCHEMA", "VIEW": "TABLE", None: "TABLE"}.get(
        kind.upper() if kind else None, kind.upper() if kind else "TABLE"
    )
    wanted = {"CATALOG": 1, "SCHEMA": 2, "TABLE": 3}[securable_type]
    if len(parts) > wanted:
        raise syntax_error(f"{name_text} is not a {securable_type.lower()} name")
    defaults = [catalog, schema][: wanted - len(parts)]
    securable = ".".join([*defaults, *parts])
    principals = tuple(
        (quoted or bare) for quoted, bare in _PRINCIPAL.findall(principals_text) if quoted or bare
    )
    if not principals:
        raise syntax_error("GRANT/REVOKE names no principal")
    return PrivilegeChange(action.upper(), privileges, securable_type, securable, principals)


_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"SHOW\s+CATALOGS" + _PATTERN, re.I), "show_catalogs"),
    (
        re.compile(
            r"SHOW\s+(?:SCHEMAS|DATABASES)(?:\s+(?:FROM|IN)\s+" + _NAME + ")?" + _PATTERN, re.I
        ),
        "show_schemas",
    ),
    (
        re.compile(
            r"SHOW\s+TABLES(?:\s+(?:FROM|IN)\s+"
            + _NAME
            + r"(?:\.`?([A-Za-z_][A-Za-z0-9_]*)`?)?)?"
            + _PATTERN,
            re.I,
        ),
        "show_tables",
    ),
    (
        re.compile(
            r"CREATE\s+CATALOG\s+(IF\s+NOT\s+EXISTS\s+)?" + _NAME + r"(?:\s+COMMENT\s+'([^']*)')?",
            re.I,
        ),
        "create_catalog",
    ),
    (
        re.compile(
            r"DROP\s+CATALOG\s+(IF\s+EXISTS\s+)?" + _NAME + r"(?:\s+(CASCADE|RESTRICT))?", re.I
        ),
        "drop_catalog",
    ),
]


_LEADING_COMMENT = re.compile(r"\s*(?:--[^\n]*(?:\n|$)|/\*.*?\*/)", re.S)


def strip_comments(statement: str) -> str:
    """The statement without leading comments, surrounding blanks and a final ``;``."""
    text = statement
    while True:
        found = _LEADING_COMMENT.match(text)
        if not found or not found.group(0):
            break
        text = text[found.end() :]
    return text.strip().rstrip(";").strip()


def _lower(name: str | None, what: str) -> str | None:
    return None if name is None else check_identifier(name, what).lower()


def parse_command(statement: str) -> tuple[str, Command]:
    """Recognise a SHOW / CATALOG statement; returns (kind, command)."""
    text = strip_comments(statement)
    for pattern, rule in _RULES:
        found = pattern.fullmatch(text)
        if not found:
            continue
        groups = found.groups()
        if rule == "show_catalogs":
            return "SHOW", ShowCatalogs(groups[0])
        if rule == "show_schemas":
            return "SHOW", ShowSchemas(_lower(groups[0], "catalog"), groups[1])
        if rule == "show_tables":
            first, second, like = groups
            if second is None:
                return "SHOW", ShowTables(None, _lower(first, "schema"), like)
            return "SHOW", ShowTables(_lower(first, "catalog"), _lower(second, "schema"), like)
        if rule == "create_catalog":
            name = _lower(groups[1], "catalog")
            assert name is not None
            return "CREATE", CreateCatalog(name, groups[0] is not None, groups[2])
        name = _lower(groups[1], "catalog")
        assert name is not None
        return "DROP", DropCatalog(
            name, groups[0] is not None, (groups[2] or "").upper() == "CASCADE"
        )
    words = text.split()
    if not words:
        raise syntax_error("empty statement")
    head = (
        " ".join(words[:2]).upper()
        if words[0].upper() in ("SHOW", "CREATE", "DROP", "ALTER")
        else words[0].upper()
    )
    raise unsupported(f"the {head} statement")
