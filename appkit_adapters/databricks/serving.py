"""Model serving over REST: list and get endpoints, query them, chat, embeddings.

``predict`` sends the body a serving endpoint takes (``dataframe_records``,
``dataframe_split``, ``inputs``, ``instances``, ``messages``, ``input`` ...)
to ``/serving-endpoints/{name}/invocations``; ``chat`` and ``embed`` are the
OpenAI-compatible shapes foundation-model endpoints answer. Queries change
no state, so transient failures (429, 503, resets) are retried through the
pipeline like reads; its per-attempt timeout and deadline bound a slow
model, which then surfaces as ``Unavailable``. With an on-behalf-of
``http`` the endpoint's permissions (CAN_QUERY) are the user's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from databricks.sdk.service.serving import ServingEndpoint, ServingEndpointDetailed

from appkit_adapters.databricks.http import DatabricksHttp
from appkit_domain.errors import InvalidInput, Unavailable

ENDPOINTS = "/api/2.0/serving-endpoints"
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,63}$")
_ROLES = frozenset({"system", "user", "assistant"})
_INPUT_KEYS = frozenset(
    {"dataframe_records", "dataframe_split", "inputs", "instances", "messages", "input",
     "prompt", "max_tokens", "temperature", "stop", "n", "extra_params", "params"}
)  # fmt: skip


def check_endpoint_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidInput("an endpoint name is 1 to 63 letters, digits, dashes or underscores")
    return name


def check_messages(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Chat messages as ``{"role", "content"}``; ``InvalidInput`` naming the first bad one."""
    if not messages:
        raise InvalidInput("a chat needs at least one message")
    out = []
    for index, message in enumerate(messages):
        role, content = message.get("role"), message.get("content")
        if role not in _ROLES or not isinstance(content, str):
            raise InvalidInput(
                f"messages[{index}] needs a role (system, user or assistant) and a text content"
            )
        out.append({"role": str(role), "content": content})
    return out


class ServingEndpoints:
    """Serving endpoints as one identity (``http``'s)."""

    def __init__(self, http: DatabricksHttp) -> None:
        self.http = http

    async def list_endpoints(self) -> list[dict[str, Any]]:
        body = await self.http.get(ENDPOINTS)
        return [ServingEndpoint.from_dict(e).as_dict() for e in body.get("endpoints") or []]

    async def get_endpoint(self, name: str) -> dict[str, Any]:
        body = await self.http.get(f"{ENDPOINTS}/{check_endpoint_name(name)}")
        return ServingEndpointDetailed.from_dict(body).as_dict()

    async def predict(self, name: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """The endpoint's answer to ``payload`` (a JSON object of the serving input keys)."""
        unknown = sorted(set(payload) - _INPUT_KEYS)
        if unknown:
            raise InvalidInput(f"unknown serving input fields: {', '.join(unknown)}")
        if not payload:
            raise InvalidInput("a prediction needs input (inputs, dataframe_records, ...)")
        path = f"/serving-endpoints/{check_endpoint_name(name)}/invocations"
        body = await self.http.request_json("POST", path, body=dict(payload), idempotent=True)
        if not isinstance(body, dict):
            raise Unavailable(f"{name} answered something other than a JSON object")
        return body

    async def chat(
        self,
        name: str,
        messages: Sequence[Mapping[str, Any]],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> dict[str, Any]:
        """An OpenAI-shaped chat completion from a chat endpoint."""
        payload: dict[str, Any] = {"messages": check_messages(messages)}
        if max_tokens is not None:
            payload["max_tokens"] = max_tokens
        if temperature is not None:
            payload["temperature"] = temperature
        return await self.predict(name, payload)

    async def embed(self, name: str, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order, from an embeddings endpoint."""
        if not texts or not all(isinstance(t, str) and t for t in texts):
            raise InvalidInput("embeddings need a non-empty list of non-empty texts")
        body = await self.predict(name, {"input": list(texts)})
        data = sorted(body.get("data") or [], key=lambda item: item.get("index", 0))
        if len(data) != len(texts):
            raise Unavailable(f"{name} answered {len(data)} embeddings for {len(texts)} texts")
        return [[float(v) for v in item["embedding"]] for item in data]
