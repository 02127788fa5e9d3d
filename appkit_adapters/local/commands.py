"""Statements sqlglot does not model, recognised by shape: SHOW ..., CREATE/DROP CATALOG.

Each recognised statement becomes a small command object that the engine runs
against its catalog registry. Anything else in this family is refused naming the
statement's leading keywords.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from appkit_adapters.local.errors import syntax_error, unsupported
from appkit_domain.identifiers import check_identifier

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


Command = ShowCatalogs | ShowSchemas | ShowTables | CreateCatalog | DropCatalog

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


def _lower(name: str | None, what: str) -> str | None:
    return None if name is None else check_identifier(name, what).lower()


def parse_command(statement: str) -> tuple[str, Command]:
    """Recognise a SHOW / CATALOG statement; returns (kind, command)."""
    text = statement.strip().rstrip(";").strip()
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
