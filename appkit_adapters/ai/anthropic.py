"""Anthropic through its official SDK (the ``anthropic`` extra)."""

from __future__ import annotations

from typing import Any

from appkit_adapters.ai.errors import provider_error
from appkit_adapters.ai.port import AiProvider, Completion
from appkit_domain.errors import Unavailable


class AnthropicProvider(AiProvider):
    name = "anthropic"

    def __init__(
        self, api_key: str, model: str, *, base_url: str | None = None, timeout: float = 60.0
    ) -> None:
        try:
            import anthropic
        except ImportError:
            raise Unavailable(
                "the anthropic package is not installed: pip install 'lakehouse-appkit[anthropic]'"
            ) from None
        self.model = model
        self._key = api_key
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
        try:
            message = await self._client.messages.create(**kwargs)
        except Exception as exc:
            raise provider_error(self.name, exc, [self._key]) from None
        text = "".join(block.text for block in message.content if block.type == "text")
        return Completion(
            text, self.name, message.model, message.usage.input_tokens, message.usage.output_tokens
        )

    async def check(self) -> None:
        try:
            await self._client.models.list(limit=1)
        except Exception as exc:
            raise provider_error(self.name, exc, [self._key]) from None
