"""Running one statement on a SQL warehouse as the CLI's user, for the commands that need it.

:func:`run_statement` submits, waits with progress, fetches every chunk and
types the JSON_ARRAY cells; a failed statement ends the command with its
one-line message and the exit code its error class calls for.
"""

from __future__ import annotations

from typing import Any

from databricks.sdk.service.sql import (
    Disposition,
    Format,
    StatementParameterListItem,
    StatementResponse,
    StatementState,
)

from appkit_web.cli.connection import workspace_client
from appkit_web.cli.output import ExitCode, fail, one_line, reported
from appkit_web.cli.progress import WaitTimedOut, wait_for

_TERMINAL = {
    StatementState.SUCCEEDED,
    StatementState.FAILED,
    StatementState.CANCELED,
    StatementState.CLOSED,
}


def _failure_code(message: str) -> ExitCode:
    upper = message.upper()
    if "NOT_FOUND" in upper or "DOES NOT EXIST" in upper or "CANNOT BE FOUND" in upper:
        return ExitCode.NOT_FOUND
    if "PERMISSION" in upper or "INSUFFICIENT_PRIVILEGES" in upper:
        return ExitCode.PERMISSION_DENIED
    return ExitCode.FAILURE


def _state(response: StatementResponse) -> StatementState | None:
    return response.status.state if response.status else None


def run_statement(
    statement: str,
    warehouse: str,
    parameters: list[StatementParameterListItem] | None = None,
    *,
    limit: int = 1000,
    timeout: float = 600.0,
) -> tuple[list[dict[str, Any]], list[dict[str, str]], bool]:
    """Run one statement as the CLI's user and return (rows, columns, truncated); a failed
    statement ends the command with its one-line message and exit code."""
    w = workspace_client()
    action = f"run statement on warehouse {warehouse}"
    with reported(action):
        submitted = w.statement_execution.execute_statement(
            statement=statement,
            warehouse_id=warehouse,
            parameters=parameters or None,
            row_limit=limit,
            wait_timeout="5s",
            disposition=Disposition.INLINE,
            format=Format.JSON_ARRAY,
        )
        statement_id = submitted.statement_id or ""
        try:
            final = wait_for(
                lambda: (
                    submitted
                    if _state(submitted) in _TERMINAL
                    else w.statement_execution.get_statement(statement_id)
                ),
                done=lambda r: _state(r) in _TERMINAL,
                describe=lambda r: str(getattr(_state(r), "value", "submitted")),
                what="statement",
                timeout=timeout,
            )
        except WaitTimedOut:
            w.statement_execution.cancel_execution(statement_id)
            fail(f"{action}: no result within {timeout:g}s; statement cancelled", ExitCode.FAILURE)
        rows, columns, truncated = _collect(w, final, statement_id)
    state = _state(final)
    if state is not StatementState.SUCCEEDED:
        error = final.status.error if final.status else None
        message = one_line(error.message) if error and error.message else f"ended {state}"
        fail(f"{action}: {message}", _failure_code(message))
    return rows, columns, truncated


_INTEGERS = {"BYTE", "SHORT", "INT", "LONG"}
_FLOATS = {"FLOAT", "DOUBLE"}


def typed(value: str | None, type_name: str) -> Any:
    """A JSON_ARRAY cell (always a string) as JSON: integers, floats and booleans typed;
    decimals, dates, timestamps and everything else stay strings (no precision is lost)."""
    if value is None:
        return None
    if type_name in _INTEGERS:
        return int(value)
    if type_name in _FLOATS:
        return float(value)
    if type_name == "BOOLEAN":
        return value.lower() == "true"
    return value


def _collect(
    w: Any, final: StatementResponse, statement_id: str
) -> tuple[list[dict[str, Any]], list[dict[str, str]], bool]:
    manifest = final.manifest
    schema_columns = manifest.schema.columns if manifest and manifest.schema else None
    columns = [
        {"name": c.name or f"col{i}", "type": c.type_text or ""}
        for i, c in enumerate(schema_columns or [])
    ]
    names = [c["name"] for c in columns]
    kinds = [c.type_name.value if c.type_name else "STRING" for c in schema_columns or []]
    rows: list[dict[str, Any]] = []
    chunk = final.result
    while chunk is not None:
        for values in chunk.data_array or []:
            rows.append(
                {n: typed(v, k) for n, v, k in zip(names, values, kinds or ["STRING"] * len(names))}
            )
        if chunk.next_chunk_index is None:
            break
        chunk = w.statement_execution.get_statement_result_chunk_n(
            statement_id, chunk.next_chunk_index
        )
    truncated = bool(manifest and manifest.truncated)
    return rows, columns, truncated
