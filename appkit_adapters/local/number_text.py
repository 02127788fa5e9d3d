"""Numbers to and from text: ``conv``, ``to_number``, ``try_to_number``, ``to_char``,
and the text digests ``crc32`` and ``soundex``.

``conv(num, from_base, to_base)`` converts between bases 2 to 36; a negative
``to_base`` writes a signed result, as Databricks does (the unsigned 64-bit form of a
negative number is refused). ``to_number``/``try_to_number``/``to_char`` take
format strings made of ``9``/``0`` digits with an optional ``.`` and ``,`` group
separators (``'999,999.99'``); other format elements are refused by name, so no format
is read differently from Databricks. ``crc32`` is the CRC-32 of the UTF-8 bytes;
``soundex`` is American Soundex of a word of letters (other text is refused at run time).
"""

from __future__ import annotations

import re

from sqlglot import exp

from appkit_adapters.local.errors import unsupported
from appkit_adapters.local.templates import fill

_DIGITS = "'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'"
_FORMAT = re.compile(r"^[90,]*(\.[90]+)?$")


def _conv(args: list[exp.Expr]) -> exp.Expr | None:
    if len(args) != 3:
        return None
    text = "upper(CAST(_1 AS VARCHAR))"
    magnitude = (
        f"list_reduce(list_transform(string_split(ltrim({text}, '-'), ''),"
        f" __c -> CAST(strpos({_DIGITS}, __c) - 1 AS HUGEINT)), (__a, __d) -> __a * _2 + __d,"
        " CAST(0 AS HUGEINT))"
    )
    value = f"(CASE WHEN starts_with({text}, '-') THEN -{magnitude} ELSE {magnitude} END)"
    signed = (
        f"CASE WHEN {value} < 0 THEN '-' || to_base(CAST(-{value} AS BIGINT), CAST(-_3 AS INT))"
        f" ELSE to_base(CAST({value} AS BIGINT), CAST(-_3 AS INT)) END"
    )
    unsigned = (
        f"CASE WHEN {value} < 0 THEN error('[UNSUPPORTED_FEATURE] conv of a negative number to an"
        f" unsigned base is not supported by the local engine') ELSE to_base(CAST({value} AS BIGINT),"
        " CAST(_3 AS INT)) END"
    )
    return fill(f"CASE WHEN _3 < 0 THEN {signed} ELSE {unsigned} END", *args)


def _format(node: exp.Expr, function: str) -> tuple[int, int, str]:
    """(precision, scale, format text) of a supported format literal."""
    if not (isinstance(node, exp.Literal) and node.is_string and _FORMAT.match(str(node.this))):
        raise unsupported(f"{function} with the format {node.sql(dialect='databricks')}")
    text = str(node.this)
    digits = sum(ch in "90" for ch in text)
    scale = len(text.split(".", 1)[1]) if "." in text else 0
    return digits, scale, text


def _to_number(args: list[exp.Expr], tried: bool) -> exp.Expr | None:
    if len(args) != 2:
        return None
    precision, scale, text = _format(args[1], "try_to_number" if tried else "to_number")
    integral = precision - scale
    fraction = rf"(\.[0-9]{{0,{scale}}})?$" if scale else "$"
    shape = exp.Literal.string(f"^[0-9,]{{0,{integral + integral // 3}}}" + fraction)
    number = f"CAST(replace(_1, ',', '') AS DECIMAL({max(precision, 1)}, {scale}))"
    failure = (
        "NULL"
        if tried
        else f"error('[INVALID_FORMAT] The input ' || _1 || ' does not match the format {text}.')"
    )
    return fill(
        f"CASE WHEN regexp_matches(_1, _2) THEN {number} ELSE {failure} END", args[0], shape
    )


def _to_char(args: list[exp.Expr]) -> exp.Expr | None:
    if len(args) != 2:
        return None
    _precision, scale, text = _format(args[1], "to_char")
    if scale or "," in text:
        raise unsupported(f"to_char with the format '{text}'")
    pad = "0" if text.startswith("0") else " "
    width = len(text)
    return fill(
        f"CASE WHEN length(CAST(_1 AS VARCHAR)) > {width} THEN repeat('#', {width})"
        f" ELSE lpad(CAST(_1 AS VARCHAR), {width}, '{pad}') END",
        args[0],
    )


_HEX = "'0123456789ABCDEF'"
_CRC32 = (
    "xor(list_reduce(list_transform(range(length(hex(encode(_1))) // 2),"
    f" __i -> (strpos({_HEX}, substr(hex(encode(_1)), 2 * __i + 1, 1)) - 1) * 16"
    f" + strpos({_HEX}, substr(hex(encode(_1)), 2 * __i + 2, 1)) - 1),"
    " (__c, __b) -> list_reduce(range(8), (__r, __k) -> xor(__r >> 1, 3988292384 & -(__r & 1)),"
    " xor(__c, __b)), CAST(4294967295 AS BIGINT)), 4294967295)"
)
_SOUNDEX_CODES = "translate(upper(_1), 'AEIOUYHWBFPVCGJKQSXZDTLMNR', '000000##111122222222334556')"
_SOUNDEX = (
    "CASE WHEN NOT regexp_matches(_1, '^[A-Za-z]+$') THEN error('[UNSUPPORTED_FEATURE] soundex"
    " of text other than letters is not supported by the local engine') ELSE"
    " upper(left(_1, 1)) || rpad(array_to_string(list_slice(list_filter(list_slice("
    "list_filter(string_split(replace(" + _SOUNDEX_CODES + ", '#', ''), ''), (__v, __i) -> __i = 1"
    " OR __v <> string_split(replace(" + _SOUNDEX_CODES + ", '#', ''), '')[__i - 1]), 2, 1000),"
    " __v -> __v <> '0'), 1, 3), ''), 3, '0') END"
)


def by_name(name: str, args: list[exp.Expr]) -> exp.Expr | None:
    """The rewrite of ``conv``, ``to_number``, ``try_to_number`` or ``to_char``, else None."""
    if name == "conv":
        return _conv(args)
    if name in ("to_number", "try_to_number"):
        return _to_number(args, name == "try_to_number")
    if name == "to_char":
        return _to_char(args)
    if name == "crc32" and len(args) == 1:
        return fill(_CRC32, args[0])
    if name == "soundex" and len(args) == 1:
        return fill(_SOUNDEX, args[0])
    return None
