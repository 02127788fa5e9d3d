"""Serving endpoint routes: ``/api/2.0/serving-endpoints``, invocations, permissions, and the
OpenAI-compatible ``/serving-endpoints/chat/completions`` and ``/serving-endpoints/embeddings``
(the ``model`` field names the endpoint, as the OpenAI client sends it)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from appkit_testing.workspace.errors import bad_request, invalid_parameter
from appkit_testing.workspace.routing import Call, RawReply, Reply, Route
from appkit_testing.workspace.serving import models
from appkit_testing.workspace.serving.backend import LEVELS, Endpoint

if TYPE_CHECKING:
    from appkit_testing.workspace.state import Workspace

BASE = "/api/2.0/serving-endpoints"
PERMISSIONS = "/api/2.0/permissions/serving-endpoints"


def _acl_json(endpoint: Endpoint) -> dict[str, Any]:
    entries = [
        {key: principal, "all_permissions": [{"permission_level": level, "inherited": False}]}
        for (key, principal), level in sorted(endpoint.acl.items())
    ]
    entries.append({"user_name": endpoint.creator,
                    "all_permissions": [{"permission_level": "CAN_MANAGE", "inherited": False}]})  # fmt: skip
    return {
        "object_id": f"/serving-endpoints/{endpoint.id}",
        "object_type": "serving-endpoint",
        "access_control_list": entries,
    }


def _events(response: dict[str, Any]) -> RawReply:
    lines = [f"data: {json.dumps(chunk)}\n\n" for chunk in models.chat_chunks(response)]
    lines.append("data: [DONE]\n\n")
    return RawReply("".join(lines).encode(), content_type="text/event-stream")


def routes(workspace: Workspace) -> list[Route]:
    backend = workspace.serving

    def create(call: Call) -> Reply:
        endpoint = backend.create(call.arg("name"), call.arg("config"), call.identity)
        return endpoint.to_json(detailed=True)

    def list_endpoints(call: Call) -> Reply:
        found = [e.to_json(detailed=False) for e in backend.visible(call.identity)]
        return {"endpoints": found} if found else {}

    def get(call: Call) -> Reply:
        endpoint = backend.get(call.match["name"], call.identity)
        body = endpoint.to_json(detailed=True)
        level = backend.level(endpoint, call.identity)
        body["permission_level"] = next(k for k, v in LEVELS.items() if v == level)
        return body

    def delete(call: Call) -> Reply:
        backend.delete(call.match["name"], call.identity)
        return {}

    def invoke(call: Call, name: str) -> Reply:
        endpoint = backend.get(name, call.identity, "CAN_QUERY")
        response = backend.invoke(endpoint, call.body)
        if call.body.get("stream") is True:
            if endpoint.model != models.ECHO_CHAT:
                raise bad_request("Only chat endpoints stream.")
            return _events(response)
        return response

    def invocations(call: Call) -> Reply:
        return invoke(call, call.match["name"])

    def openai(call: Call) -> Reply:
        model = call.body.get("model")
        if not isinstance(model, str) or not model:
            raise invalid_parameter("model must name a serving endpoint.")
        body = {k: v for k, v in call.body.items() if k != "model"}
        return invoke(Call(call.method, call.path, call.match, call.query, body, call.caller,
                           call.base_url, call.headers, call.form), model)  # fmt: skip

    def get_permissions(call: Call) -> Reply:
        endpoint = backend.by_id(call.match["id"])
        backend.get(endpoint.name, call.identity, "CAN_MANAGE")
        return _acl_json(endpoint)

    def set_permissions(call: Call) -> Reply:
        entries = call.body.get("access_control_list") or []
        if not isinstance(entries, list):
            raise invalid_parameter("access_control_list must be a list.")
        endpoint = backend.by_id(call.match["id"])
        backend.set_permissions(endpoint, entries, call.identity, replace=call.method == "PUT")
        return _acl_json(endpoint)

    return [
        Route("GET", BASE, list_endpoints, "serving"),
        Route("POST", BASE, create, "serving"),
        Route("GET", f"{BASE}/{{name}}", get, "serving"),
        Route("DELETE", f"{BASE}/{{name}}", delete, "serving"),
        Route("POST", "/serving-endpoints/{name}/invocations", invocations, "serving"),
        Route("POST", "/serving-endpoints/chat/completions", openai, "serving"),
        Route("POST", "/serving-endpoints/embeddings", openai, "serving"),
        Route("GET", f"{PERMISSIONS}/{{id}}", get_permissions, "serving"),
        Route("PUT", f"{PERMISSIONS}/{{id}}", set_permissions, "serving"),
        Route("PATCH", f"{PERMISSIONS}/{{id}}", set_permissions, "serving"),
    ]
