"""The one place DuckDB and sqlglot failures become domain errors with Databricks error classes.

Every error carries ``details["error_class"]`` and ``details["sql_state"]`` and a message
that starts with ``[ERROR_CLASS]``, as a Databricks SQL warehouse reports it. Internal
database aliases never leak: they are turned back into Unity Catalog names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import duckdb

from appkit_adapters.local.naming import user_facing
from appkit_domain.errors import (
    AppkitError,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unavailable,
)


class UnsupportedStatement(InvalidInput):
    """Databricks SQL the local engine cannot run faithfully; the message names the construct."""

    code = "unsupported_statement"


def sql_error(
    cls: type[AppkitError], error_class: str, sql_state: str, message: str
) -> AppkitError:
    """Build a domain error in the Databricks shape ``[ERROR_CLASS] message``."""
    return cls(
        f"[{error_class}] {message}",
        details={"error_class": error_class, "sql_state": sql_state},
    )


def unsupported(construct: str) -> UnsupportedStatement:
    """The error for SQL the engine refuses, naming the construct."""
    error = sql_error(
        UnsupportedStatement,
        "UNSUPPORTED_FEATURE",
        "0A000",
        f"{construct} is not supported by the local engine",
    )
    assert isinstance(error, UnsupportedStatement)
    return error


def table_not_found(full_name: str) -> NotFound:
    error = sql_error(
        NotFound,
        "TABLE_OR_VIEW_NOT_FOUND",
        "42P01",
        f"The table or view `{full_name}` cannot be found.",
    )
    assert isinstance(error, NotFound)
    return error


def syntax_error(detail: str) -> AppkitError:
    return sql_error(InvalidInput, "PARSE_SYNTAX_ERROR", "42601", f"Syntax error: {detail}")


RAISED_STATES = {
    "DIVIDE_BY_ZERO": "22012",
    "INVALID_ARRAY_INDEX": "2202E",
    "INVALID_ARRAY_INDEX_IN_ELEMENT_AT": "2202E",
    "INVALID_INDEX_OF_ZERO": "22003",
    "ARITHMETIC_OVERFLOW": "22003",
    "CAST_INVALID_INPUT": "22018",
    "INVALID_FORMAT": "42601",
    "UNSUPPORTED_FEATURE": "0A000",
}
"""Error classes the engine's own rewritten SQL raises (with DuckDB's ``error()``), by SQLSTATE."""
_RAISED = re.compile(r"^\[([A-Z_]+)\] (.*)$", re.S)
_READ_ONLY = re.compile(r'database "?([^"\s!]+)"? which is attached in read-only mode')
_TABLE_MISSING = re.compile(r'Table with name "?([^"\s!]+)"? does not exist')
_FUNCTION_MISSING = re.compile(r'Function with name "?([^"\s!]+)"? does not exist')
_VIEW_MISSING = re.compile(r'View with name "?([^"\s!]+)"? does not exist')
_SCHEMA_MISSING = re.compile(r'Schema with name "?([^"\s!]+)"? does not exist')
_CATALOG_MISSING = re.compile(r'[Cc]atalog "?([^"\s!]+)"? does not exist')
_ALREADY = re.compile(r'(Table|View|Schema) with name "?([^"\s!]+)"? already exists')
_COLUMN_MISSING = re.compile(
    r'(?:Referenced column|column with name) "?([^"\s!]+)"? (?:not found|does not exist)'
)


def schemas_of(known: Iterable[str]) -> set[str]:
    """``catalog.schema`` of every known name (tables and schemas alike)."""
    return {".".join(name.split(".")[:2]) for name in known}


def _first_line(message: str) -> str:
    text = message.split("\n", 1)[0]
    return re.sub(r"^[A-Za-z ]+ Error: ", "", text).strip()


def _quoted(name: str) -> str:
    return ".".join(f"`{part}`" for part in name.split("."))


def _resolve(name: str, known: Iterable[str]) -> str:
    """The full name a DuckDB message's (possibly partial) name stands for, backtick-quoted."""
    lowered = name.lower().strip('`"')
    ordered = sorted(known)
    for candidate in ordered:
        if candidate == lowered or candidate.endswith("." + lowered):
            return _quoted(candidate)
    for candidate in ordered:
        if candidate.startswith(lowered + "."):
            return _quoted(candidate)
    return _quoted(lowered)


def translate_duckdb_error(error: Exception, known: Iterable[str] = ()) -> AppkitError:
    """Map one DuckDB exception to the domain tree.

    ``known`` holds the full names (tables and schemas) the statement refers to, so a
    partial name in DuckDB's message can be reported as Databricks does, fully qualified.
    """
    message = user_facing(str(error))
    line = _first_line(message)
    read_only = _READ_ONLY.search(message)
    if read_only:
        return sql_error(
            PermissionDenied,
            "INSUFFICIENT_PERMISSIONS",
            "42501",
            f"The catalog `{read_only.group(1)}` is read-only: it is a shared sample dataset.",
        )
    raised = _RAISED.match(line)
    if raised and raised.group(1) in RAISED_STATES:
        error_class = raised.group(1)
        raised_as = UnsupportedStatement if error_class == "UNSUPPORTED_FEATURE" else InvalidInput
        return sql_error(raised_as, error_class, RAISED_STATES[error_class], raised.group(2))
    if isinstance(error, duckdb.CatalogException):
        found = _FUNCTION_MISSING.search(message)
        if found:
            return sql_error(
                InvalidInput,
                "UNRESOLVED_ROUTINE",
                "42883",
                f"Cannot resolve routine `{found.group(1)}`: it does not exist, or the local"
                " engine does not provide it.",
            )
        for pattern, error_class in (
            (_TABLE_MISSING, "TABLE_OR_VIEW_NOT_FOUND"),
            (_VIEW_MISSING, "TABLE_OR_VIEW_NOT_FOUND"),
        ):
            found = pattern.search(message)
            if found:
                return sql_error(
                    NotFound,
                    error_class,
                    "42P01",
                    f"The table or view {_resolve(found.group(1), known)} cannot be found.",
                )
        found = _SCHEMA_MISSING.search(message)
        if found:
            return sql_error(
                NotFound,
                "SCHEMA_NOT_FOUND",
                "42704",
                f"The schema {_resolve(found.group(1), schemas_of(known))} cannot be found.",
            )
        found = _CATALOG_MISSING.search(message)
        if found:
            return sql_error(
                NotFound,
                "CATALOG_NOT_FOUND",
                "42704",
                f"The catalog {found.group(1)} cannot be found.",
            )
        found = _ALREADY.search(message)
        if found:
            kind = found.group(1).upper()
            error_class = (
                "SCHEMA_ALREADY_EXISTS" if kind == "SCHEMA" else "TABLE_OR_VIEW_ALREADY_EXISTS"
            )
            state = "42P06" if kind == "SCHEMA" else "42P07"
            return sql_error(Conflict, error_class, state, f"{found.group(2)} already exists.")
        if "does not exist" in message:
            return sql_error(NotFound, "TABLE_OR_VIEW_NOT_FOUND", "42P01", line)
        return sql_error(InvalidInput, "INVALID_CATALOG_REFERENCE", "42000", line)
    if isinstance(error, duckdb.ParserException):
        return syntax_error(line)
    if isinstance(error, duckdb.BinderException):
        found = _COLUMN_MISSING.search(message)
        if found:
            return sql_error(
                InvalidInput,
                "UNRESOLVED_COLUMN",
                "42703",
                f"A column or function parameter with name {found.group(1)} cannot be resolved.",
            )
        return sql_error(InvalidInput, "ANALYSIS_ERROR", "42000", line)
    if isinstance(error, duckdb.ConversionException):
        return sql_error(InvalidInput, "CAST_INVALID_INPUT", "22018", line)
    if isinstance(error, duckdb.ConstraintException):
        if "NOT NULL" in message:
            return sql_error(InvalidInput, "DELTA_NOT_NULL_CONSTRAINT_VIOLATED", "23502", line)
        return sql_error(Conflict, "CONSTRAINT_VIOLATION", "23000", line)
    if isinstance(error, duckdb.TransactionException):
        return sql_error(Conflict, "CONCURRENT_WRITE", "40000", line)
    if isinstance(error, duckdb.OutOfRangeException) and "Overflow" in line:
        return sql_error(InvalidInput, "ARITHMETIC_OVERFLOW", "22003", line)
    if isinstance(error, (duckdb.OutOfRangeException, duckdb.InvalidInputException)):
        return sql_error(InvalidInput, "INVALID_INPUT", "22000", line)
    if isinstance(error, duckdb.NotImplementedException):
        return sql_error(InvalidInput, "UNSUPPORTED_FEATURE", "0A000", line)
    in_use = getattr(duckdb, "ResourceInUseException", duckdb.IOException)
    if isinstance(error, (duckdb.IOException, duckdb.ConnectionException, in_use)):
        return sql_error(Unavailable, "IO_ERROR", "58030", line)
    return sql_error(InvalidInput, "INTERNAL_ERROR", "XX000", line)
