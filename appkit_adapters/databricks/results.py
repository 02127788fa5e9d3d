"""Statement Execution results: manifest columns, typed row decoding, DML counts, parameters.

Values are decoded by the column's ``type_name`` (and ``type_text`` for nested
types) with the shared codec, so the embedded engine and this client agree
on every value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from appkit_adapters.sql.codec import decode_value, encode_value
from appkit_adapters.sql.type_text import canonical_type_name
from appkit_adapters.sql.warehouse import ColumnInfo, Parameters, normalize_parameters

Decoder = Callable[[str | None], Any]

_INTEGER_WIRE = frozenset({"INT", "LONG", "SHORT", "BYTE", "BIGINT", "SMALLINT", "TINYINT"})
_TEXT_WIRE = frozenset({"STRING", "CHAR", "VARCHAR"})
_COUNT_COLUMNS = ("num_affected_rows",)
_READ_START = re.compile(r"^\s*(?:\(\s*)*(SELECT|WITH|SHOW|DESCRIBE|DESC|EXPLAIN|VALUES)\b", re.I)
_WRITE_WORD = re.compile(
    r"\b(INSERT|UPDATE|DELETE|MERGE|CREATE|DROP|ALTER|TRUNCATE|GRANT|REVOKE|COPY|OPTIMIZE)\b", re.I
)
_LEADING_COMMENTS = re.compile(r"^(?:\s*(?:--[^\n]*(?:\n|$)|/\*.*?\*/))*", re.S)


def columns_of(manifest: dict[str, Any] | None) -> tuple[ColumnInfo, ...]:
    """Result columns in position order from a ``manifest.schema``."""
    schema = (manifest or {}).get("schema") or {}
    found = []
    for index, column in enumerate(schema.get("columns") or []):
        type_name = str(column.get("type_name") or column.get("type_text") or "STRING").upper()
        found.append(
            ColumnInfo(
                name=str(column.get("name", f"col{index}")),
                type_name=type_name,
                type_text=str(column.get("type_text") or type_name),
                position=int(column.get("position", index)),
            )
        )
    return tuple(sorted(found, key=lambda c: c.position))


def _nullable(convert: Callable[[str], Any]) -> Decoder:
    def decode(text: str | None) -> Any:
        return None if text is None else convert(text)

    return decode


def _identity(text: str | None) -> Any:
    return text


def codec_decoder(column: ColumnInfo) -> Decoder:
    """The shared codec's decoding for ``column`` (the reference behaviour)."""
    name = column.type_name.upper()
    type_text = column.type_text

    def decode(text: str | None) -> Any:
        return decode_value(text, name, type_text)

    return decode


def decoder_for(column: ColumnInfo) -> Decoder:
    """A function turning one wire string of ``column`` into its Python value.

    Strings, integers and decimals take a direct constructor (the same result
    the codec gives for well-formed text); everything else goes through the
    codec. Malformed text is re-decoded by the codec in :func:`row_decoder` so
    the error is the codec's ``InvalidInput``.
    """
    name = column.type_name.upper()
    if name in _TEXT_WIRE:
        return _identity
    if name in _INTEGER_WIRE:
        return _nullable(int)
    if name == "DECIMAL":
        return _nullable(Decimal)
    return codec_decoder(column)


def row_decoder(columns: Sequence[ColumnInfo]) -> Callable[[list[str | None]], tuple[Any, ...]]:
    """Decode one ``data_array`` row into a tuple of Python values."""
    decoders = [decoder_for(column) for column in columns]
    if all(d is _identity for d in decoders):
        return tuple
    reference = [codec_decoder(column) for column in columns]

    def decode(row: list[str | None]) -> tuple[Any, ...]:
        try:
            return tuple([decoder(value) for decoder, value in zip(decoders, row)])
        except (ValueError, ArithmeticError):
            return tuple([decoder(value) for decoder, value in zip(reference, row)])

    return decode


def affected_rows_of(columns: Sequence[ColumnInfo], rows: Sequence[Sequence[Any]]) -> int | None:
    """The DML count from a result's ``num_affected_rows`` column (None when absent)."""
    names = [column.name for column in columns]
    for wanted in _COUNT_COLUMNS:
        if wanted in names and rows:
            value = rows[0][names.index(wanted)]
            return None if value is None else int(value)
    return None


def wire_parameters(parameters: Parameters) -> list[dict[str, Any]]:
    """Named parameters as the API wants them: ``{"name", "value"?, "type"?}``, values as strings."""
    wire = []
    for parameter in normalize_parameters(parameters):
        type_text = parameter.type or "STRING"
        base = canonical_type_name(re.split(r"[(<]", type_text, maxsplit=1)[0])
        entry: dict[str, Any] = {"name": parameter.name}
        if parameter.value is not None:
            entry["value"] = encode_value(parameter.value, base, type_text)
            entry["type"] = type_text
        elif base not in ("VOID", "NULL"):
            entry["type"] = type_text
        wire.append(entry)
    return wire


def is_read_only(statement: str) -> bool:
    """Whether a statement only reads (so repeating it is safe)."""
    text = _LEADING_COMMENTS.sub("", statement, count=1)
    return bool(_READ_START.match(text)) and not _WRITE_WORD.search(text)
