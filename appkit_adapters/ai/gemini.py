"""Gemini through Google's official ``google-genai`` SDK (the ``gemini`` extra)."""

from __future__ import annotations

from typing import Any

from appkit_adapters.ai.errors import provider_error
from appkit_adapters.ai.port import AiProvider, Completion
from appkit_domain.errors import Unavailable


class GeminiProvider(AiProvider):
    name = "gemini"

    def __init__(
        self, api_key: str, model: str, *, base_url: str | None = None, timeout: float = 60.0
    ) -> None:
        try:
            from google import genai
            from google.genai import types
        except ImportError:
            raise Unavailable(
                "the google-genai package is not installed: pip install 'lakehouse-appkit[gemini]'"
            ) from None
        self.model = model
        self._key = api_key
        self._types = types
        options = types.HttpOptions(base_url=base_url, timeout=int(timeout * 1000))
        self._client: Any = genai.Client(api_key=api_key, http_options=options)

    async def complete(
        self, prompt: str, *, system: str | None = None, max_tokens: int = 4096
    ) -> Completion:
        config = self._types.GenerateContentConfig(
            system_instruction=system, max_output_tokens=max_tokens
        )
        try:
            answer = await self._client.aio.models.generate_content(
                model=self.model, contents=prompt, config=config
            )
        except Exception as exc:
            raise provider_error(self.name, exc, [self._key]) from None
        usage = answer.usage_metadata
        return Completion(
            answer.text or "",
            self.name,
            self.model,
            usage.prompt_token_count if usage else None,
            usage.candidates_token_count if usage else None,
        )

    async def check(self) -> None:
        try:
            pager = await self._client.aio.models.list(config={"page_size": 1})
            async for _ in pager:
                break
        except Exception as exc:
            raise provider_error(self.name, exc, [self._key]) from None
