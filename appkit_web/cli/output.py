"""How every command speaks: exit codes, one-line errors, rich tables or ``--json``.

Exit codes are stable so scripts can branch on them:

* 0: success
* 1: the operation failed (a conflict, a failed run or deployment, an upstream error)
* 2: usage or configuration error (bad option, invalid app.yaml/bundle, missing setting)
* 3: the named object does not exist
* 4: permission denied
* 5: not authenticated (no or bad credentials)
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import IntEnum
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
    typer.echo(json.dumps(payload, indent=2, sort_keys=True, default=str))


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
) -> None:
    """Rows as a table for people or as a JSON list for scripts."""
    if as_json:
        print_json(list(rows))
    else:
        print_table(rows, columns, title=title, empty=empty)


def emit_record(record: Mapping[str, Any], *, as_json: bool, title: str | None = None) -> None:
    """One object as a two-column table, or as JSON."""
    if as_json:
        print_json(record)
        return
    table = Table(title=title, show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for key, value in record.items():
        shown = json.dumps(value, default=str) if isinstance(value, dict | list) else value
        table.add_row(str(key), "" if shown is None else str(shown))
    stdout_console().print(table)


JSON_OPTION_HELP = "Print JSON for scripts instead of a table."
