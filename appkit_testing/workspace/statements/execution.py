"""Running one statement: privilege statements, privilege checks, the engine, chunking.

Failures end the statement as ``FAILED`` with ``status.error`` carrying the
real error class in the message (``[TABLE_OR_VIEW_NOT_FOUND] ...``) and a
``ServiceErrorCode``: ``NOT_FOUND`` for missing objects, ``ALREADY_EXISTS``
for conflicts, ``BAD_REQUEST`` for bad SQL and missing privileges.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from appkit_adapters.local.errors import unsupported
from appkit_adapters.sql.warehouse import ColumnInfo
from appkit_domain.errors import AppkitError, Conflict, NotFound
from appkit_testing.workspace.catalog import browse
from appkit_testing.workspace.catalog.access import (
    SQL_STATE,
    InsufficientPrivileges,
    check_statement,
)
from appkit_testing.workspace.catalog.grant_sql import (
    GrantSyntaxError,
    ShowGrants,
    is_privilege_statement,
    parse_privilege_statement,
    parse_show_grants,
)
from appkit_testing.workspace.catalog.grants import Securable
from appkit_testing.workspace.errors import ApiError
from appkit_testing.workspace.statements.arrow import transcode
from appkit_testing.workspace.statements.backend import Statement, StatementError
from appkit_testing.workspace.statements.chunks import ChunkStore
from appkit_testing.workspace.statements.encoding import batch_encoder, row_encoder

if TYPE_CHECKING:
    from appkit_testing.workspace.state import Workspace

INLINE_LIMIT_BYTES = 25 * 1024 * 1024


class _Stop(Exception):
    """The statement was cancelled while it ran."""


def service_error(error: AppkitError) -> StatementError:
    details = error.details
    sql_state = details.get("sql_state")
    if isinstance(error, NotFound):
        code = "NOT_FOUND"
    elif isinstance(error, Conflict):
        code = "ALREADY_EXISTS"
    else:
        code = "BAD_REQUEST"
    message = error.message
    error_class = details.get("error_class")
    if error_class and not message.startswith("["):
        message = f"[{error_class}] {message}"
    return StatementError(code, message, str(sql_state) if sql_state else None)


class StatementRunner:
    """Executes statements for a :class:`Workspace` (called on a pool thread)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def __call__(self, statement: Statement) -> None:
        if not statement.start():
            return
        try:
            if is_privilege_statement(statement.request.statement):
                statement.kind = "GRANT"
                self._privilege_statement(statement)
                return
            self._run(statement)
        except InsufficientPrivileges as error:
            statement.finish(
                "FAILED", error=StatementError("BAD_REQUEST", error.message, SQL_STATE)
            )
        except AppkitError as error:
            statement.finish("FAILED", error=service_error(error))
        except _Stop:
            pass

    def _defaults(self, statement: Statement) -> tuple[str, str]:
        namespace = getattr(self.workspace.engine, "namespace", None)
        catalog = statement.request.catalog or getattr(namespace, "catalog", "main")
        schema = statement.request.schema or getattr(namespace, "schema", "default")
        return str(catalog), str(schema)

    def _show_grants(self, statement: Statement, shown: ShowGrants) -> None:
        statement.kind = "SHOW"
        self.workspace.require_securable_sql(shown.securable)
        rows = []
        for principal, privileges in self.workspace.grants.effective(
            shown.securable, shown.principal
        ):
            for privilege, source in privileges:
                holder = source or shown.securable
                rows.append((principal, privilege.replace("_", " "), holder.type, holder.name))
        columns = tuple(
            ColumnInfo(name, "STRING", "STRING", position)
            for position, name in enumerate(
                ("principal", "action_type", "object_type", "object_key")
            )
        )
        store = ChunkStore(self.workspace.spill_dir)
        truncated = self._fill(statement, store, columns, [rows])
        store = self._in_format(statement, store, columns)
        if not statement.finish("SUCCEEDED", store=store, columns=columns, truncated=truncated):
            store.close()

    def _privilege_statement(self, statement: Statement) -> None:
        request = statement.request
        catalog, schema = self._defaults(statement)
        try:
            shown = parse_show_grants(request.statement, catalog, schema)
            parsed = (
                None
                if shown is not None
                else parse_privilege_statement(request.statement, catalog, schema)
            )
        except (GrantSyntaxError, ApiError) as error:
            text = error.message if isinstance(error, ApiError) else "unsupported GRANT form"
            statement.finish(
                "FAILED",
                error=StatementError(
                    "BAD_REQUEST", f"[PARSE_SYNTAX_ERROR] Syntax error: {text}.", "42601"
                ),
            )
            return
        if shown is not None:
            self._show_grants(statement, shown)
            return
        assert parsed is not None
        statement.kind = "GRANT" if parsed.grant else "REVOKE"
        self.workspace.require_securable_sql(parsed.securable)
        try:
            self.workspace.require_manage(statement.principal, parsed.securable)
        except ApiError:
            raise InsufficientPrivileges("MANAGE", parsed.securable) from None
        grants = self.workspace.grants
        if parsed.grant:
            grants.change(parsed.securable, parsed.principal, parsed.privileges, ())
        else:
            grants.change(parsed.securable, parsed.principal, (), parsed.privileges)
        statement.finish("SUCCEEDED", store=ChunkStore(self.workspace.spill_dir))

    def _run(self, statement: Statement) -> None:
        engine = self.workspace.engine
        request = statement.request
        text = request.statement
        catalog, schema = request.catalog, request.schema
        info = engine.analyze(text, catalog=catalog, schema=schema)
        statement.kind = str(info.kind).upper()
        principal = statement.principal
        if not principal.is_admin and any(".information_schema." in n for n in info.reads):
            # the engine's information_schema rows are not filtered by privileges
            raise unsupported("information_schema for a principal who is not a workspace admin")
        check_statement(
            self.workspace.grants,
            principal,
            text,
            info,
            lambda name: browse.table_exists(engine, name),
        )
        new_tables = [name for name in info.writes if not browse.table_exists(engine, name)]
        schemas = sorted(getattr(info, "schemas", frozenset()))
        new_schemas = schemas if str(info.kind).upper() == "CREATE" else []
        parameters = list(request.parameters) or None
        groups = sorted(principal.all_groups)
        store = ChunkStore(self.workspace.spill_dir)
        try:
            if info.is_read_only:
                stream = engine.stream(
                    text,
                    parameters,
                    principal=principal.name,
                    catalog=catalog,
                    schema=schema,
                    groups=groups,
                )
                try:
                    columns = tuple(stream.columns)
                    truncated = self._fill(statement, store, columns, stream)
                finally:
                    stream.close()
            else:
                result = engine.execute(
                    text,
                    parameters,
                    principal=principal.name,
                    catalog=catalog,
                    schema=schema,
                    groups=groups,
                )
                columns = tuple(result.columns)
                truncated = self._fill(statement, store, columns, [result.rows])
            store = self._in_format(statement, store, columns)
        except BaseException:
            store.close()
            raise
        if not principal.is_admin:  # what a user creates is theirs, as on the real service
            for name in new_tables:
                self.workspace.grants.set_owner(Securable("TABLE", name), principal.name)
            for name in new_schemas:
                self.workspace.grants.set_owner(Securable("SCHEMA", name), principal.name)
        if not statement.finish("SUCCEEDED", store=store, columns=columns, truncated=truncated):
            store.close()

    def _in_format(
        self, statement: Statement, store: ChunkStore, columns: Sequence[ColumnInfo]
    ) -> ChunkStore:
        """The result chunks in the requested format (JSON chunks are re-encoded for Arrow)."""
        request = statement.request
        if request.format != "ARROW_STREAM":
            return store
        return transcode(store, columns, request.result_compression, self.workspace.spill_dir)

    def _fill(
        self,
        statement: Statement,
        store: ChunkStore,
        columns: Sequence[ColumnInfo],
        batches: Iterable[Sequence[tuple[Any, ...]]],
    ) -> bool:
        """Encode rows into chunks; True when a row or byte limit cut the result.

        Without a ``byte_limit`` whole batches are encoded column by column;
        with one, rows are sized one by one so the cut is exact.
        """
        request = statement.request
        described = [(c.type_name, c.type_text) for c in columns]
        if request.byte_limit is not None or not described:
            return self._fill_rows(statement, store, described, batches)
        encode = batch_encoder(described)
        target = self.workspace.chunk_bytes
        row_limit = request.row_limit
        inline = request.disposition == "INLINE"
        pending: list[tuple[str | None, ...]] = []
        pending_bytes = rows_total = bytes_total = 0
        for batch in batches:
            if statement.is_terminal:
                raise _Stop()
            rows = list(batch)
            cut = row_limit is not None and rows_total + len(rows) > row_limit
            if cut:
                assert row_limit is not None
                rows = rows[: row_limit - rows_total]
            if rows:
                wire, size = encode(rows)
                if inline and bytes_total + size > INLINE_LIMIT_BYTES:
                    raise ApiLimitExceeded()
                start = 0
                while start < len(wire):  # split a batch that alone exceeds the chunk size
                    room = max(1, int(len(wire) * (target - pending_bytes) / max(size, 1)))
                    part = wire[start : start + room]
                    pending.extend(part)
                    pending_bytes += size * len(part) // len(wire)
                    start += len(part)
                    if pending_bytes >= target:
                        store.append(_dump(pending), len(pending))
                        pending, pending_bytes = [], 0
                rows_total += len(wire)
                bytes_total += size
            if cut:
                if pending:
                    store.append(_dump(pending), len(pending))
                return True
            if row_limit is not None and rows_total >= row_limit:
                if pending:
                    store.append(_dump(pending), len(pending))
                return self._has_more(statement, batches)
        if pending:
            store.append(_dump(pending), len(pending))
        return False

    @staticmethod
    def _has_more(statement: Statement, batches: Iterable[Sequence[tuple[Any, ...]]]) -> bool:
        """After exactly ``row_limit`` rows: whether any row was left out."""
        return any(len(batch) > 0 for batch in batches)

    def _fill_rows(
        self,
        statement: Statement,
        store: ChunkStore,
        described: list[tuple[str, str]],
        batches: Iterable[Sequence[tuple[Any, ...]]],
    ) -> bool:
        request = statement.request
        encode = row_encoder(described)
        target = self.workspace.chunk_bytes
        row_limit, byte_limit = request.row_limit, request.byte_limit
        inline = request.disposition == "INLINE"
        pending: list[list[str | None]] = []
        pending_bytes = rows_total = bytes_total = 0

        def flush() -> None:
            nonlocal pending, pending_bytes
            if pending:
                store.append(_dump(pending), len(pending))
                pending, pending_bytes = [], 0

        for batch in batches:
            if statement.is_terminal:
                raise _Stop()
            for row in batch:
                if row_limit is not None and rows_total >= row_limit:
                    flush()
                    return True
                wire = encode(row)
                size = len(repr(wire))  # close to the JSON length, computed in C
                if byte_limit is not None and bytes_total + size > byte_limit:
                    flush()
                    return True
                if inline and bytes_total + size > INLINE_LIMIT_BYTES:
                    raise ApiLimitExceeded()
                pending.append(wire)
                pending_bytes += size
                rows_total += 1
                bytes_total += size
                if pending_bytes >= target:
                    flush()
        flush()
        return False


def _dump(rows: Sequence[Sequence[str | None]]) -> bytes:
    return json.dumps(rows, separators=(",", ":")).encode()


class ApiLimitExceeded(AppkitError):
    """An INLINE result grew past the inline limit."""

    code = "invalid_input"

    def __init__(self) -> None:
        super().__init__(
            "The result exceeds the INLINE disposition limit of 25 MiB; "
            "use disposition EXTERNAL_LINKS for large results.",
            details={"sql_state": "54000"},
        )
