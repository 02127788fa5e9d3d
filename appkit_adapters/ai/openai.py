"""OpenAI through its official SDK (the ``openai`` extra)."""

from __future__ import annotations

from typing import Any

from appkit_adapters.ai.errors import provider_error
from appkit_adapters.ai.port import AiProvider, Completion
from appkit_domain.errors import Unavailable


class OpenAiProvider(AiProvider):
    name = "openai"

    def __init__(
        self, api_key: str, model: str, *, base_url: str | None = None, timeout: float = 60.0
    ) -> None:
        try:
            import openai
        except ImportError:
            raise Unavailable(
                "the openai package is not installed: pip install 'lakehouse-appkit[openai]'"
            ) from None
        self.model = model
        self._key = api_key
        self._client: Any = openai.AsyncOpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=2
        )

    async def complete(
        self, prompt: str, *, system: str | None = None, max_tokens: int = 4096
    ) -> Completion:
        messages = [{"role": "system", "content": system}] if system else []
        messages.append({"role": "user", "content": prompt})
        try:
            answer = await self._client.chat.completions.create(
                model=self.model, messages=messages, max_tokens=max_tokens
            )
        except Exception as exc:
            raise provider_error(self.name, exc, [self._key]) from None
        text = answer.choices[0].message.content or "" if answer.choices else ""
        usage = answer.usage
        return Completion(
            text,
            self.name,
            answer.model,
            usage.prompt_tokens if usage else None,
            usage.completion_tokens if usage else None,
        )

    async def check(self) -> None:
        try:
            await self._client.models.list()
        except Exception as exc:
            raise provider_error(self.name, exc, [self._key]) from None
