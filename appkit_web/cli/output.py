"""How every command speaks: exit codes, one-line errors, and rows as a table, JSON, CSV or NDJSON.

Rows keep the column order the command (or the SQL statement) gave. The
format is ``-o table|json|csv|ndjson`` on the root command (``sql query``
also takes it), or ``--json`` on a command.

Exit codes are stable so scripts can branch on them:

* 0: success
* 1: the operation failed (a conflict, a failed run or deployment, an upstream error)
* 2: usage or configuration error (bad option, invalid app.yaml/bundle, missing setting)
* 3: the named object does not exist
* 4: permission denied
* 5: not authenticated (no or bad credentials)
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import Enum, IntEnum
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from appkit_domain.errors import (
    AppkitError,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1
    USAGE = 2
    NOT_FOUND = 3
    PERMISSION_DENIED = 4
    UNAUTHENTICATED = 5


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    ndjson = "ndjson"


_chosen: list[OutputFormat] = [OutputFormat.table]


def choose_format(value: OutputFormat | None) -> OutputFormat | None:
    """Set the output format of this invocation (the root ``-o`` option; table when absent)."""
    _chosen[0] = OutputFormat(value) if value is not None else OutputFormat.table
    return value


def chosen_format(as_json: bool = False, option: OutputFormat | None = None) -> OutputFormat:
    """The format in force: ``--json``, else the command's own ``-o``, else the root ``-o``."""
    if as_json:
        return OutputFormat.json
    return OutputFormat(option) if option is not None else _chosen[0]


EXIT_CODES_HELP = (
    "Exit codes: 0 ok, 1 failure, 2 usage or configuration error, 3 not found, "
    "4 permission denied, 5 not authenticated."
)

_CONFIG_SUFFIX = re.compile(r"\.?\s*Config: .*$", re.DOTALL)


def stdout_console() -> Console:
    """A console on the current ``sys.stdout`` (tables for people)."""
    return Console(file=sys.stdout, soft_wrap=True)


def stderr_console() -> Console:
    """A console on the current ``sys.stderr`` (progress and notes, never data)."""
    return Console(file=sys.stderr, soft_wrap=True)


def fail(message: str, code: ExitCode = ExitCode.FAILURE) -> NoReturn:
    """Print ``error: <message>`` on stderr and exit with ``code``."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(int(code))


def note(message: str) -> None:
    """A line for people on stderr (kept out of stdout so ``--json`` stays parseable)."""
    typer.echo(message, err=True)


def one_line(text: str) -> str:
    """The first line of an upstream message, without the SDK's appended config dump."""
    first = _CONFIG_SUFFIX.sub("", str(text)).strip().splitlines()
    return first[0].strip() if first else "no details given"


def classify(exc: BaseException) -> ExitCode | None:
    """The exit code for an error raised by the SDK or the toolkit; None when unknown."""
    from databricks.sdk import errors as sdk
    from databricks.sdk.errors.base import DatabricksError

    if isinstance(exc, sdk.NotFound | NotFound):
        return ExitCode.NOT_FOUND
    if isinstance(exc, sdk.PermissionDenied) and "invalid access token" in str(exc).lower():
        return ExitCode.UNAUTHENTICATED  # the gateway answers a bad token with 403
    if isinstance(exc, sdk.PermissionDenied | PermissionDenied):
        return ExitCode.PERMISSION_DENIED
    if isinstance(exc, sdk.Unauthenticated | Unauthenticated):
        return ExitCode.UNAUTHENTICATED
    if isinstance(exc, DatabricksError) and _is_missing_object(exc):
        return ExitCode.NOT_FOUND
    if isinstance(exc, InvalidInput):
        return ExitCode.USAGE
    if isinstance(exc, sdk.BadRequest | Conflict | sdk.ResourceConflict):
        return ExitCode.FAILURE
    if isinstance(exc, DatabricksError | AppkitError):
        return ExitCode.FAILURE
    return None


def _is_missing_object(exc: BaseException) -> bool:
    """Some services answer 400 ``INVALID_PARAMETER_VALUE`` "... does not exist" for a missing id."""
    return "does not exist" in str(exc).lower()


@contextmanager
def reported(action: str) -> Iterator[None]:
    """Turn an expected failure inside the block into one line naming ``action`` and an exit code.

    Unexpected exceptions propagate (they are bugs and deserve a traceback).
    """
    try:
        yield
    except typer.Exit:
        raise
    except ValueError as exc:
        if _looks_like_config(exc):
            fail(
                f"{action}: workspace settings are incomplete: {one_line(str(exc))}", ExitCode.USAGE
            )
        raise
    except Exception as exc:
        code = classify(exc)
        if code is None:
            if isinstance(exc, TimeoutError | ConnectionError | OSError):
                fail(f"{action}: {one_line(str(exc)) or type(exc).__name__}", ExitCode.FAILURE)
            raise
        fail(f"{action}: {one_line(str(exc))}", code)


def _looks_like_config(exc: ValueError) -> bool:
    text = str(exc)
    return "default auth" in text or "validate:" in text or "host" in text.lower()


def print_json(payload: object) -> None:
    """Pretty JSON on stdout, keys in the order given (columns stay in their order)."""
    typer.echo(json.dumps(payload, indent=2, default=str))


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return value


def print_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
    """A header line and one line per row (RFC 4180 quoting); null is an empty field."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])


def print_ndjson(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
    """One compact JSON object per row, keys in column order."""
    for row in rows:
        typer.echo(json.dumps({c: row.get(c) for c in columns}, default=str))


def print_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    title: str | None = None,
    empty: str = "nothing found",
) -> None:
    """A rich table of ``columns`` from ``rows`` on stdout, or ``empty`` on stderr when none."""
    if not rows:
        note(empty)
        return
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    stdout_console().print(table)


def emit(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    as_json: bool,
    title: str | None = None,
    empty: str = "nothing found",
    output: OutputFormat | None = None,
) -> None:
    """Rows as a table for people, or JSON (a list), CSV or NDJSON for scripts."""
    chosen = chosen_format(as_json, output)
    if chosen is OutputFormat.json:
        print_json(list(rows))
    elif chosen is OutputFormat.csv:
        print_csv(rows, columns)
    elif chosen is OutputFormat.ndjson:
        print_ndjson(rows, columns)
    else:
        print_table(rows, columns, title=title, empty=empty)


def emit_record(
    record: Mapping[str, Any],
    *,
    as_json: bool,
    title: str | None = None,
    output: OutputFormat | None = None,
) -> None:
    """One object as a two-column table, or as JSON, CSV (one row) or NDJSON (one line)."""
    chosen = chosen_format(as_json, output)
    if chosen is OutputFormat.json:
        print_json(record)
        return
    if chosen in (OutputFormat.csv, OutputFormat.ndjson):
        emit([record], list(record), as_json=False, output=chosen)
        return
    table = Table(title=title, show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for key, value in record.items():
        shown = json.dumps(value, default=str) if isinstance(value, dict | list) else value
        table.add_row(str(key), "" if shown is None else str(shown))
    stdout_console().print(table)


JSON_OPTION_HELP = "Print JSON for scripts instead of a table (same as -o json)."
OUTPUT_OPTION_HELP = "Output format: table (default), json, csv or ndjson."
