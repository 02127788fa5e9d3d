"""Delta's table statements, recognised by shape: DESCRIBE HISTORY/DETAIL, RESTORE, OPTIMIZE,
VACUUM, and the ``t@v<n>`` spelling of time travel.

sqlglot does not model these, so each is read with a pattern into a small
command (the engine runs it, :mod:`appkit_adapters.local.history.operations`).
Forms the local engine cannot honour are refused by name: a path instead of a
table name, ``OPTIMIZE ... WHERE`` (there are no partitions), ``VACUUM ...
USING INVENTORY``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from appkit_adapters.local.errors import syntax_error, unsupported
from appkit_adapters.local.naming import TableName, check_identifier

_PART = r"(?:`[^`]+`|[A-Za-z_][A-Za-z0-9_-]*)"
_NAME = rf"({_PART}(?:\s*\.\s*{_PART}){{0,2}})"


@dataclass(frozen=True)
class DescribeHistory:
    table: TableName
    limit: int | None


@dataclass(frozen=True)
class DescribeDetail:
    table: TableName


@dataclass(frozen=True)
class Restore:
    table: TableName
    kind: str  # VERSION or TIMESTAMP
    value: str  # a version number, or the timestamp expression's Databricks SQL text


@dataclass(frozen=True)
class Optimize:
    table: TableName
    zorder_by: tuple[str, ...]


@dataclass(frozen=True)
class Vacuum:
    table: TableName
    retain_hours: float | None
    dry_run: bool


TableCommand = DescribeHistory | DescribeDetail | Restore | Optimize | Vacuum

_HISTORY = re.compile(rf"DESC(?:RIBE)?\s+HISTORY\s+{_NAME}(?:\s+LIMIT\s+(\d+))?", re.I | re.S)
_DETAIL = re.compile(rf"DESC(?:RIBE)?\s+DETAIL\s+{_NAME}", re.I | re.S)
_RESTORE = re.compile(
    rf"RESTORE\s+(?:TABLE\s+)?{_NAME}\s+(?:TO\s+)?(VERSION|TIMESTAMP)\s+AS\s+OF\s+(.+)", re.I | re.S
)
_OPTIMIZE = re.compile(
    rf"OPTIMIZE\s+{_NAME}(?:\s+FULL)?(\s+WHERE\s+.+?)?(?:\s+ZORDER\s+BY\s+(.+))?", re.I | re.S
)
_VACUUM = re.compile(
    rf"VACUUM\s+{_NAME}(?:\s+(?:LITE|FULL))?(\s+USING\s+INVENTORY\b.*?)?"
    r"(?:\s+RETAIN\s+(\d+(?:\.\d+)?)\s+HOURS?)?(\s+DRY\s+RUN)?",
    re.I | re.S,
)
_HEAD = re.compile(r"(DESC(?:RIBE)?\s+(?:HISTORY|DETAIL)|RESTORE|OPTIMIZE|VACUUM)\b", re.I)
_PATH = re.compile(r"(delta|parquet)\s*\.\s*`", re.I)


def _table(text: str, catalog: str, schema: str) -> TableName:
    if _PATH.match(text):
        raise unsupported("a table given by its path (name the table instead)")
    parts = [check_identifier(p.strip().strip("`"), "name").lower() for p in text.split(".")]
    defaults = [catalog, schema][: 3 - len(parts)]
    return TableName(*[*defaults, *parts])


def is_table_command(text: str) -> bool:
    """Whether ``text`` (comments stripped) starts like one of these statements."""
    return _HEAD.match(text) is not None


def parse_table_command(text: str, catalog: str, schema: str) -> tuple[str, TableCommand]:
    """(statement kind, command) of a statement :func:`is_table_command` recognised."""
    if found := _HISTORY.fullmatch(text):
        limit = int(found.group(2)) if found.group(2) else None
        return "DESCRIBE", DescribeHistory(_table(found.group(1), catalog, schema), limit)
    if found := _DETAIL.fullmatch(text):
        return "DESCRIBE", DescribeDetail(_table(found.group(1), catalog, schema))
    if found := _RESTORE.fullmatch(text):
        kind, value = found.group(2).upper(), found.group(3).strip()
        if kind == "VERSION" and not value.isdigit():
            raise syntax_error("RESTORE ... VERSION AS OF takes a version number")
        return "RESTORE", Restore(_table(found.group(1), catalog, schema), kind, value)
    if found := _OPTIMIZE.fullmatch(text):
        if found.group(2):
            raise unsupported("OPTIMIZE ... WHERE (the local engine keeps no partitions)")
        columns = tuple(
            check_identifier(c.strip().strip("`"), "column").lower()
            for c in (found.group(3) or "").strip().strip("()").split(",")
            if c.strip()
        )
        return "OPTIMIZE", Optimize(_table(found.group(1), catalog, schema), columns)
    if found := _VACUUM.fullmatch(text):
        if found.group(2):
            raise unsupported("VACUUM ... USING INVENTORY")
        hours = float(found.group(3)) if found.group(3) else None
        table = _table(found.group(1), catalog, schema)
        return "VACUUM", Vacuum(table, hours, bool(found.group(4)))
    head = _HEAD.match(text)
    raise syntax_error(f"{head.group(1).upper() if head else 'this statement'} is malformed")


_SUFFIX = re.compile(r"@(v(\d+)|(\d{17}))\b")


def expand_version_suffixes(statement: str) -> str:
    """``t@v3`` as ``t VERSION AS OF 3`` and ``t@20240101000000000`` as ``t TIMESTAMP AS OF
    '2024-01-01 00:00:00.000'``; text in quotes and comments is left alone."""
    if "@" not in statement:
        return statement
    out: list[str] = []
    i, n = 0, len(statement)
    while i < n:
        char = statement[i]
        if char in "'\"`":
            end = i + 1
            while end < n and statement[end] != char:
                end += 2 if statement[end] == "\\" and char != "`" else 1
            out.append(statement[i : end + 1])
            i = end + 1
            continue
        if statement.startswith("--", i):
            end = statement.find("\n", i)
            end = n if end < 0 else end
            out.append(statement[i:end])
            i = end
            continue
        if statement.startswith("/*", i):
            end = statement.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(statement[i:end])
            i = end
            continue
        found = _SUFFIX.match(statement, i) if char == "@" else None
        previous = statement[i - 1] if i else ""
        if found and (previous.isalnum() or previous in "_`"):
            if found.group(2) is not None:
                out.append(f" VERSION AS OF {int(found.group(2))}")
            else:
                at = dt.datetime.strptime(found.group(3), "%Y%m%d%H%M%S%f")
                out.append(f" TIMESTAMP AS OF '{at.isoformat(sep=' ', timespec='milliseconds')}'")
            i = found.end()
            continue
        out.append(char)
        i += 1
    return "".join(out)
