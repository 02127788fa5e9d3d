"""Databricks model serving as an AI provider: a foundation-model (chat) endpoint.

The first choice: the prompt never leaves the workspace and no third-party
key is needed. ``serving`` decides the identity (the user's token in a
route, the developer's credentials in the CLI).
"""

from __future__ import annotations

from typing import Any

from appkit_adapters.ai.port import AiProvider, Completion
from appkit_adapters.databricks.serving import ServingEndpoints


class DatabricksServingProvider(AiProvider):
    name = "databricks"

    def __init__(self, serving: ServingEndpoints, endpoint: str) -> None:
        self.serving = serving
        self.model = endpoint

    async def complete(
        self, prompt: str, *, system: str | None = None, max_tokens: int = 4096
    ) -> Completion:
        messages = [{"role": "system", "content": system}] if system else []
        messages.append({"role": "user", "content": prompt})
        answer = await self.serving.chat(self.model, messages, max_tokens=max_tokens)
        choices: list[Any] = answer.get("choices") or []
        text = ((choices[0].get("message") or {}).get("content") or "") if choices else ""
        usage = answer.get("usage") or {}
        return Completion(
            str(text),
            self.name,
            self.model,
            usage.get("prompt_tokens"),
            usage.get("completion_tokens"),
        )

    async def check(self) -> None:
        await self.serving.get_endpoint(self.model)
