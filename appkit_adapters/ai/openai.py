"""OpenAI through its official SDK (the ``openai`` extra)."""

from __future__ import annotations

from typing import Any

from appkit_adapters.ai.port import Completion
from appkit_adapters.ai.sdk import SdkProvider, import_sdk


class OpenAiProvider(SdkProvider):
    name = "openai"

    def __init__(
        self, api_key: str, model: str, *, base_url: str | None = None, timeout: float = 60.0
    ) -> None:
        super().__init__(api_key, model)
        openai = import_sdk("openai", "openai")
        self._client: Any = openai.AsyncOpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=2
        )

    async def complete(
        self, prompt: str, *, system: str | None = None, max_tokens: int = 4096
    ) -> Completion:
        messages = [{"role": "system", "content": system}] if system else []
        messages.append({"role": "user", "content": prompt})
        answer = await self._call(
            lambda: self._client.chat.completions.create(
                model=self.model, messages=messages, max_tokens=max_tokens
            )
        )
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
        await self._call(lambda: self._client.models.list())
