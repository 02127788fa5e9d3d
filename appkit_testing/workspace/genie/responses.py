"""Genie routes (``/api/2.0/genie/...``): spaces, conversations, messages, query results.

A query result is the Statement Execution answer of the message's statement
(``{"statement_response": ...}``), rendered by the statements area itself.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from appkit_testing.workspace.routing import Call, RawReply, Reply, Route
from appkit_testing.workspace.statements import responses as statements

if TYPE_CHECKING:
    from appkit_testing.workspace.state import Workspace

BASE = "/api/2.0/genie/spaces"
STATEMENT_WAIT_SECONDS = 2.0


def routes(workspace: Workspace) -> list[Route]:
    backend = workspace.genie
    get_statement = next(
        route.handler for route in statements.routes(workspace)
        if route.method == "GET" and route.path.endswith("/statements/{statement_id}")
    )  # fmt: skip

    def create_space(call: Call) -> Reply:
        return backend.create_space(call.body, call.identity.name).to_json()

    def list_spaces(call: Call) -> Reply:
        found = [s.to_json() for s in backend.spaces()]
        return {"spaces": found} if found else {}

    def get_space(call: Call) -> Reply:
        return backend.space(call.match["space_id"]).to_json()

    def start(call: Call) -> Reply:
        message = backend.ask(call.match["space_id"], None, call.arg("content"), call.identity)
        return {"conversation_id": message.conversation_id, "message_id": message.message_id,
                "message": message.to_json(),
                "conversation": {"id": message.conversation_id, "space_id": message.space_id,
                                 "title": message.content}}  # fmt: skip

    def create_message(call: Call) -> Reply:
        m = call.match
        return backend.ask(m["space_id"], m["conversation_id"], call.arg("content"),
                           call.identity).to_json()  # fmt: skip

    async def get_message(call: Call) -> Reply:
        m = call.match
        pending = backend.running_statement(m["message_id"])
        if pending is not None:  # as a statement's wait_timeout would, briefly
            await workspace.statements.get(pending).wait(STATEMENT_WAIT_SECONDS)
        return backend.observe(m["space_id"], m["conversation_id"], m["message_id"],
                               call.identity).to_json()  # fmt: skip

    async def query_result(call: Call) -> Reply:
        m = call.match
        statement_id = backend.query_statement(m["space_id"], m["conversation_id"],
                                               m["message_id"], m.get("attachment_id"),
                                               call.identity)  # fmt: skip
        inner = Call("GET", call.path, {"statement_id": statement_id}, {}, {}, call.caller,
                     call.base_url, call.headers)  # fmt: skip
        reply = get_statement(inner)
        if not isinstance(reply, RawReply):
            reply = await reply  # type: ignore[misc]
        assert isinstance(reply, RawReply)
        body: dict[str, Any] = json.loads(reply.body)
        return {"statement_response": body}

    message = f"{BASE}/{{space_id}}/conversations/{{conversation_id}}/messages/{{message_id}}"
    return [
        Route("POST", BASE, create_space, "genie"),
        Route("GET", BASE, list_spaces, "genie"),
        Route("GET", f"{BASE}/{{space_id}}", get_space, "genie"),
        Route("POST", f"{BASE}/{{space_id}}/start-conversation", start, "genie"),
        Route(
            "POST",
            f"{BASE}/{{space_id}}/conversations/{{conversation_id}}/messages",
            create_message,
            "genie",
        ),
        Route("GET", message, get_message, "genie"),
        Route("GET", f"{message}/query-result", query_result, "genie"),
        Route(
            "GET", f"{message}/attachments/{{attachment_id}}/query-result", query_result, "genie"
        ),
    ]
