"""Databricks SQL type text (``DECIMAL(10,2)``, ``ARRAY<INT>``, ``STRUCT<a: INT, b: STRING>``).

:func:`parse_type_text` reads the type text a result column or a Unity Catalog column
carries (upper or lower case, with or without spaces after ``:`` and ``,``), and
:func:`wire_type_name` gives the Statement Execution ``type_name`` for a type
(``BIGINT`` is ``LONG``, ``SMALLINT`` is ``SHORT``, ``TINYINT`` is ``BYTE``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from appkit_domain.errors import InvalidInput

_CANONICAL = {
    "INTEGER": "INT",
    "LONG": "BIGINT",
    "SHORT": "SMALLINT",
    "BYTE": "TINYINT",
    "REAL": "FLOAT",
    "DEC": "DECIMAL",
    "NUMERIC": "DECIMAL",
    "VARCHAR": "STRING",
    "CHAR": "STRING",
    "TEXT": "STRING",
    "BOOL": "BOOLEAN",
    "VOID": "NULL",
    "TIMESTAMP_LTZ": "TIMESTAMP",
}
_WIRE = {"BIGINT": "LONG", "SMALLINT": "SHORT", "TINYINT": "BYTE"}


def canonical_type_name(type_name: str) -> str:
    """The SQL spelling of a type name given in any accepted form (``LONG`` -> ``BIGINT``)."""
    upper = type_name.strip().upper()
    return _CANONICAL.get(upper, upper)


def wire_type_name(type_name: str) -> str:
    """The Statement Execution ``type_name`` enum value for a SQL type name."""
    canonical = canonical_type_name(type_name)
    return _WIRE.get(canonical, canonical)


@dataclass(frozen=True)
class SqlType:
    """A parsed SQL type: a canonical name plus its parameters or component types."""

    name: str
    precision: int | None = None
    scale: int | None = None
    element: SqlType | None = None
    key: SqlType | None = None
    value: SqlType | None = None
    fields: tuple[tuple[str, SqlType], ...] = ()


_TOKEN = re.compile(r"\s*(?:(`[^`]*`|[A-Za-z_][A-Za-z0-9_]*|\d+|'[^']*')|([<>(),:]))")


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[str] = []
        position = 0
        while position < len(text):
            if text[position:].strip() == "":
                break
            found = _TOKEN.match(text, position)
            if not found:
                raise self.error()
            self.tokens.append(found.group(1) or found.group(2))
            position = found.end()
        self.index = 0

    def error(self) -> InvalidInput:
        return InvalidInput(f"{self.text!r} is not a SQL type")

    def peek(self) -> str | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise self.error()
        self.index += 1
        return token

    def parse(self) -> SqlType:
        name = canonical_type_name(self.take())
        if name == "ARRAY":
            self.take("<")
            element = self.parse()
            self.take(">")
            return SqlType(name, element=element)
        if name == "MAP":
            self.take("<")
            key = self.parse()
            self.take(",")
            value = self.parse()
            self.take(">")
            return SqlType(name, key=key, value=value)
        if name == "STRUCT":
            return SqlType(name, fields=self.struct_fields())
        if self.peek() == "(":
            self.take("(")
            numbers = [int(self.take())]
            while self.peek() == ",":
                self.take(",")
                numbers.append(int(self.take()))
            self.take(")")
            if name == "DECIMAL":
                return SqlType(
                    name, precision=numbers[0], scale=numbers[1] if len(numbers) > 1 else 0
                )
            return SqlType(name)
        if name == "DECIMAL":
            return SqlType(name, precision=10, scale=0)
        if name == "INTERVAL":
            while self.peek() not in (None, ">", ","):
                self.take()
        return SqlType(name)

    def struct_fields(self) -> tuple[tuple[str, SqlType], ...]:
        self.take("<")
        fields: list[tuple[str, SqlType]] = []
        while self.peek() != ">":
            field_name = self.take().strip("`")
            if self.peek() == ":":
                self.take(":")
            fields.append((field_name, self.parse()))
            while self.peek() not in (",", ">", None):
                self.take()  # NOT NULL, COMMENT '...'
            if self.peek() == ",":
                self.take(",")
        self.take(">")
        return tuple(fields)


def parse_type_text(text: str) -> SqlType:
    """Parse a Databricks type text; ``InvalidInput`` if it is not one."""
    reader = _Reader(text)
    parsed = reader.parse()
    if reader.peek() is not None:
        raise reader.error()
    return parsed
