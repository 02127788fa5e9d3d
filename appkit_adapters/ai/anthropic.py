"""Anthropic through its official SDK (the ``anthropic`` extra)."""

from __future__ import annotations

from typing import Any

from appkit_adapters.ai.port import Completion
from appkit_adapters.ai.sdk import SdkProvider, import_sdk


class AnthropicProvider(SdkProvider):
    name = "anthropic"

    def __init__(
        self, api_key: str, model: str, *, base_url: str | None = None, timeout: float = 60.0
    ) -> None:
        super().__init__(api_key, model)
        anthropic = import_sdk("anthropic", "anthropic")
        self._client: Any = anthropic.AsyncAnthropic(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=2
        )

    async def complete(
        self, prompt: str, *, system: str | None = None, max_tokens: int = 4096
    ) -> Completion:
        kwargs: dict[str, Any] = {
            "model": self.model,
            "max_tokens": max_tokens,
            "messages": [{"role": "user", "content": prompt}],
        }
        if system:
            kwargs["system"] = system
        message = await self._call(lambda: self._client.messages.create(**kwargs))
        text = "".join(block.text for block in message.content if block.type == "text")
        usage = message.usage
        return Completion(text, self.name, message.model, usage.input_tokens, usage.output_tokens)

    async def check(self) -> None:
        await self._call(lambda: self._client.models.list(limit=1))
