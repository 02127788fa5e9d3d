"""Gemini through Google's official ``google-genai`` SDK (the ``gemini`` extra)."""

from __future__ import annotations

from typing import Any

from appkit_adapters.ai.port import Completion
from appkit_adapters.ai.sdk import SdkProvider, import_sdk


class GeminiProvider(SdkProvider):
    name = "gemini"

    def __init__(
        self, api_key: str, model: str, *, base_url: str | None = None, timeout: float = 60.0
    ) -> None:
        super().__init__(api_key, model)
        genai = import_sdk("google.genai", "gemini")
        self._types = import_sdk("google.genai.types", "gemini")
        options = self._types.HttpOptions(base_url=base_url, timeout=int(timeout * 1000))
        self._client: Any = genai.Client(api_key=api_key, http_options=options)

    async def complete(
        self, prompt: str, *, system: str | None = None, max_tokens: int = 4096
    ) -> Completion:
        config = self._types.GenerateContentConfig(
            system_instruction=system, max_output_tokens=max_tokens
        )
        answer = await self._call(
            lambda: self._client.aio.models.generate_content(
                model=self.model, contents=prompt, config=config
            )
        )
        usage = answer.usage_metadata
        return Completion(
            answer.text or "",
            self.name,
            self.model,
            usage.prompt_token_count if usage else None,
            usage.candidates_token_count if usage else None,
        )

    async def check(self) -> None:
        async def first_model() -> None:
            pager = await self._client.aio.models.list(config={"page_size": 1})
            async for _ in pager:
                break

        await self._call(first_model)
