"""Statement Execution API routes, plus the unauthenticated result-download links.

Bodies with result data are assembled from the pre-encoded chunk bytes, so a
chunk is never decoded and re-encoded and no response holds more than one chunk.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import re
import secrets
from typing import TYPE_CHECKING, Any

from appkit_adapters.sql.warehouse import SqlParameter
from appkit_testing.workspace.errors import ApiError, invalid_parameter, resource_missing
from appkit_testing.workspace.routing import Call, RawReply, Reply, Route
from appkit_testing.workspace.statements.arrow import available
from appkit_testing.workspace.statements.backend import Statement, StatementRequest
from appkit_testing.workspace.statements.chunks import ChunkStore

if TYPE_CHECKING:
    from appkit_testing.workspace.state import Workspace

BASE = "/api/2.0/sql/statements"
LINK_BASE = "/_emulator/results"
LINK_SECONDS = 900
_WAIT = re.compile(r"^(\d+(?:\.\d+)?)s$")
_DATA = "@@data_array_" + secrets.token_hex(8) + "@@"


def _wait_seconds(raw: object) -> float:
    match = _WAIT.match(str(raw if raw is not None else "10s").strip())
    if match is None:
        raise invalid_parameter(f"wait_timeout must look like '10s', got {raw!r}.")
    seconds = float(match.group(1))
    if seconds != 0 and not 5 <= seconds <= 50:
        raise invalid_parameter("wait_timeout must be 0s or between 5s and 50s.")
    return seconds


def _request(call: Call) -> StatementRequest:
    statement = call.body.get("statement")
    if not isinstance(statement, str) or not statement.strip():
        raise invalid_parameter("statement is required.")
    if len(statement.encode()) > 16 * 1024 * 1024:
        raise invalid_parameter("statement exceeds 16 MiB.")
    disposition = str(call.body.get("disposition") or "INLINE").upper()
    fmt = str(call.body.get("format") or "JSON_ARRAY").upper()
    if disposition not in ("INLINE", "EXTERNAL_LINKS"):
        raise invalid_parameter(f"Unknown disposition {disposition}.")
    if fmt not in ("JSON_ARRAY", "ARROW_STREAM", "CSV"):
        raise invalid_parameter(f"Unknown format {fmt}.")
    if disposition == "INLINE" and fmt != "JSON_ARRAY":
        raise invalid_parameter(f"{fmt} format is only supported with EXTERNAL_LINKS disposition.")
    compression = str(call.body.get("result_compression") or "NONE").upper()
    if compression not in ("NONE", "LZ4_FRAME"):
        raise invalid_parameter(f"Unknown result_compression {compression}.")
    if fmt == "ARROW_STREAM":
        available(compression)
    parameters = []
    for item in call.body.get("parameters") or []:
        if not isinstance(item, dict) or not item.get("name"):
            raise invalid_parameter("Each parameter needs a name.")
        value = item.get("value")
        parameters.append(
            SqlParameter(
                str(item["name"]),
                None if value is None else str(value),
                str(item.get("type") or "STRING"),
            )
        )
    limits = {}
    for name in ("row_limit", "byte_limit"):
        value = call.body.get(name)
        if value is not None:
            try:
                limits[name] = int(value)
            except (TypeError, ValueError):
                raise invalid_parameter(f"{name} must be an integer.") from None
            if limits[name] < 0:
                raise invalid_parameter(f"{name} must not be negative.")
    return StatementRequest(
        statement,
        tuple(parameters),
        call.body.get("catalog"),
        call.body.get("schema"),
        disposition,
        fmt,
        limits.get("row_limit"),
        limits.get("byte_limit"),
        compression if fmt == "ARROW_STREAM" and compression != "NONE" else None,
        call.body.get("session_id"),
    )


def routes(workspace: Workspace) -> list[Route]:
    backend = workspace.statements
    link_key = secrets.token_bytes(32)

    def sign(statement_id: str, chunk_index: int, expires: int) -> str:
        message = f"{statement_id}/{chunk_index}/{expires}".encode()
        return hmac.new(link_key, message, hashlib.sha256).hexdigest()

    def chunk_link(call: Call, statement_id: str, index: int) -> str:
        return f"{BASE}/{statement_id}/result/chunks/{index}"

    def result_object(
        call: Call, statement: Statement, store: ChunkStore, index: int
    ) -> tuple[dict[str, Any], bytes | None]:
        info = store.chunks[index]
        body: dict[str, Any] = info.to_json()
        if index + 1 < len(store.chunks):
            body["next_chunk_index"] = index + 1
            body["next_chunk_internal_link"] = chunk_link(call, statement.statement_id, index + 1)
        if statement.request.disposition == "EXTERNAL_LINKS":
            expires = int(workspace.clock()) + LINK_SECONDS
            signature = sign(statement.statement_id, index, expires)
            body["external_link"] = (
                f"{call.base_url}{LINK_BASE}/{statement.statement_id}/{index}"
                f"?expires={expires}&signature={signature}"
            )
            body["expiration"] = (
                dt.datetime.fromtimestamp(expires, dt.timezone.utc)
                .isoformat(timespec="milliseconds")
                .replace("+00:00", "Z")
            )
            body["http_headers"] = {}
            return {"external_links": [body]}, None
        body.pop("byte_count", None)
        body["data_array"] = _DATA
        return body, store.read(index)

    def render(call: Call, statement: Statement) -> RawReply:
        status: dict[str, Any] = {"state": statement.state}
        if statement.error is not None:
            status["error"] = {
                "error_code": statement.error.error_code,
                "message": statement.error.message,
            }
            if statement.error.sql_state:
                status["sql_state"] = statement.error.sql_state
        body: dict[str, Any] = {"statement_id": statement.statement_id, "status": status}
        data: bytes | None = None
        store = statement.store
        if statement.state == "SUCCEEDED" and store is not None and not store.closed:
            body["manifest"] = manifest(statement, store)
            if store.chunks:
                body["result"], data = result_object(call, statement, store, 0)
        return _encode(body, data)

    def manifest(statement: Statement, store: ChunkStore) -> dict[str, Any]:
        columns = []
        for position, column in enumerate(statement.columns):
            entry: dict[str, Any] = {
                "name": column.name,
                "type_name": column.type_name.upper(),
                "type_text": column.type_text.upper(),
                "position": position,
            }
            decimal = re.match(r"^DECIMAL\((\d+),\s*(\d+)\)$", entry["type_text"])
            if decimal:
                entry["type_precision"] = int(decimal.group(1))
                entry["type_scale"] = int(decimal.group(2))
            columns.append(entry)
        extra = {}
        if statement.request.result_compression:
            extra["result_compression"] = statement.request.result_compression
        return {
            **extra,
            "format": statement.request.format,
            "schema": {"column_count": len(columns), "columns": columns},
            "total_chunk_count": len(store.chunks),
            "chunks": [chunk.to_json() for chunk in store.chunks],
            "total_row_count": store.total_rows,
            "total_byte_count": store.total_bytes,
            "truncated": statement.truncated,
        }

    async def execute(call: Call) -> Reply:
        warehouse_id = call.body.get("warehouse_id")
        if not warehouse_id:
            raise invalid_parameter("warehouse_id is required.")
        if warehouse_id != workspace.warehouse_id:
            raise resource_missing(f"Warehouse {warehouse_id} does not exist.")
        wait = _wait_seconds(call.body.get("wait_timeout"))
        on_timeout = str(call.body.get("on_wait_timeout") or "CONTINUE").upper()
        if on_timeout not in ("CONTINUE", "CANCEL"):
            raise invalid_parameter("on_wait_timeout must be CONTINUE or CANCEL.")
        request = workspace.sessions.apply(_request(call), call.identity)
        workspace.warehouse.set_state("RUNNING")  # a statement starts a stopped warehouse
        stuck = workspace.faults.draw(("stuck_pending",)) is not None
        if stuck:
            workspace.stats.count_fault("stuck_pending")
        statement = backend.submit(request, call.identity, stuck=stuck)
        if wait > 0:
            await statement.wait(wait)
            if not statement.is_terminal and on_timeout == "CANCEL":
                backend.cancel(statement.statement_id)
        return render(call, statement)

    def get(call: Call) -> Reply:
        return render(call, backend.get(call.match["statement_id"]))

    def cancel(call: Call) -> Reply:
        backend.cancel(call.match["statement_id"])
        return {}

    def close(call: Call) -> Reply:
        backend.close(call.match["statement_id"])
        return {}

    def chunk(call: Call) -> Reply:
        try:
            index = int(call.match["chunk_index"])
        except ValueError:
            raise invalid_parameter("chunk_index must be an integer.") from None
        statement, store = backend.result_store(call.match["statement_id"], index)
        body, data = result_object(call, statement, store, index)
        return _encode(body, data)

    def download(call: Call) -> Reply:
        statement_id, raw_index = call.match["statement_id"], call.match["chunk_index"]
        try:
            index, expires = int(raw_index), int(call.query.get("expires", "0"))
        except ValueError:
            return _forbidden("Invalid link.")
        expected = sign(statement_id, index, expires)
        if not hmac.compare_digest(expected, call.query.get("signature", "")):
            return _forbidden("Signature does not match.")
        if expires < workspace.clock():
            return _forbidden("Request has expired.")
        try:
            statement, store = backend.result_store(statement_id, index)
            data = store.read(index)
        except (ApiError, LookupError):
            return _forbidden("The result is no longer available.")
        if statement.request.format == "CSV":
            return RawReply(_csv(statement, data, index == 0), content_type="text/csv")
        if statement.request.format == "ARROW_STREAM":
            return RawReply(data, content_type="application/vnd.apache.arrow.stream")
        return RawReply(data)

    return [
        Route("POST", BASE, execute, "sql"),
        Route("POST", BASE + "/", execute, "sql"),
        Route("GET", f"{BASE}/{{statement_id}}", get, "sql"),
        Route("POST", f"{BASE}/{{statement_id}}/cancel", cancel, "sql"),
        Route("DELETE", f"{BASE}/{{statement_id}}", close, "sql"),
        Route("GET", f"{BASE}/{{statement_id}}/result/chunks/{{chunk_index}}", chunk, "sql"),
        Route(
            "GET",
            f"{LINK_BASE}/{{statement_id}}/{{chunk_index}}",
            download,
            "sql-results",
            "none",
            False,
        ),
    ]


def _encode(body: dict[str, Any], data: bytes | None) -> RawReply:
    text = json.dumps(body, separators=(",", ":")).encode()
    if data is not None:
        text = text.replace(json.dumps(_DATA).encode(), data, 1)
    return RawReply(text)


def _forbidden(message: str) -> RawReply:
    body = (
        f'<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>{message}</Message></Error>'
    )
    return RawReply(body.encode(), status=403, content_type="application/xml")


def _csv(statement: Statement, data: bytes, header: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow([column.name for column in statement.columns])
    for row in json.loads(data):
        writer.writerow(["null" if value is None else value for value in row])
    return out.getvalue().encode()
