"""Statement Execution sessions (``/api/2.0/sql/sessions``), as databricks-sql-connector's
``use_sea=True`` backend opens them.

A session remembers the catalog and schema it was opened with (and its configuration);
a statement that names the session and no catalog or schema of its own runs there.
Sessions belong to the principal that opened them; anyone else gets ``NOT_FOUND``.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from appkit_testing.workspace.errors import invalid_parameter, resource_missing
from appkit_testing.workspace.routing import Call, Reply, Route
from appkit_testing.workspace.statements.backend import StatementRequest

if TYPE_CHECKING:
    from appkit_testing.workspace.identity.backend import Identity
    from appkit_testing.workspace.state import Workspace

BASE = "/api/2.0/sql/sessions"


@dataclass(frozen=True)
class Session:
    session_id: str
    principal_id: str
    catalog: str | None
    schema: str | None
    configuration: dict[str, Any]


class SessionsBackend:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._sessions: dict[str, Session] = {}

    def open(self, owner: Identity, catalog: str | None, schema: str | None, conf: Any) -> str:
        session = Session(str(uuid.uuid4()), owner.id, catalog, schema, dict(conf or {}))
        with self._lock:
            self._sessions[session.session_id] = session
        return session.session_id

    def get(self, session_id: str, caller: Identity) -> Session:
        with self._lock:
            session = self._sessions.get(session_id)
        if session is None or session.principal_id != caller.id:
            raise resource_missing(f"Session {session_id} does not exist.")
        return session

    def close(self, session_id: str, caller: Identity) -> None:
        self.get(session_id, caller)
        with self._lock:
            self._sessions.pop(session_id, None)

    def apply(self, request: StatementRequest, caller: Identity) -> StatementRequest:
        """The request with its session's catalog and schema filled in."""
        if not request.session_id:
            return request
        session = self.get(request.session_id, caller)
        return dataclasses.replace(
            request,
            catalog=request.catalog or session.catalog,
            schema=request.schema or session.schema,
        )


def routes(workspace: Workspace) -> list[Route]:
    backend = workspace.sessions

    def create(call: Call) -> Reply:
        warehouse_id = call.required("warehouse_id")
        if warehouse_id != workspace.warehouse_id:
            raise resource_missing(f"Warehouse {warehouse_id} does not exist.")
        conf = call.body.get("session_confs") or {}
        if not isinstance(conf, dict):
            raise invalid_parameter("session_confs must be an object.")
        session_id = backend.open(
            call.identity, call.body.get("catalog"), call.body.get("schema"), conf
        )
        return {"session_id": session_id}

    def delete(call: Call) -> Reply:
        backend.close(call.match["session_id"], call.identity)
        return {}

    return [
        Route("POST", BASE, create, "sql"),
        Route("DELETE", f"{BASE}/{{session_id}}", delete, "sql"),
    ]
