"""Local servers speaking the Anthropic, OpenAI and Gemini wire formats, for offline tests.

One aiohttp app answers all three (their paths do not collide):
``POST /v1/messages`` and ``GET /v1/models`` (Anthropic: requests carry
``anthropic-version``, the key in ``x-api-key`` or as a bearer token),
``POST /v1/chat/completions`` and ``GET /v1/models`` (OpenAI, ``Authorization:
Bearer``; the two model lists are told apart by the auth header),
``POST /v1beta/models/{model}:generateContent`` and ``GET /v1beta/models``
(Gemini, ``x-goog-api-key``; also under ``/v1``, told apart by Google's headers). Every model echoes the last user message,
so a test knows the answer. A wrong key is refused with that provider's
error shape and status; ``requests`` records what was asked (without keys).

    server = start_ai_server(key="test-key")
    AnthropicProvider("test-key", "claude-echo", base_url=server.url)
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from aiohttp import web

MODELS = ("claude-echo", "gpt-echo", "gemini-echo")


def _words(text: str) -> int:
    return len(text.split())


def _anthropic_error(status: int, kind: str, message: str) -> web.Response:
    body = {"type": "error", "error": {"type": kind, "message": message}}
    return web.json_response(body, status=status)


def _openai_error(status: int, code: str, message: str) -> web.Response:
    body = {"error": {"message": message, "type": "invalid_request_error", "code": code}}
    return web.json_response(body, status=status)


class AiWireServer:
    def __init__(self, key: str) -> None:
        self.key = key
        self.requests: list[dict[str, Any]] = []
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    # --- the three wire formats ---------------------------------------------------------
    def _record(self, provider: str, body: dict[str, Any]) -> None:
        self.requests.append({"provider": provider, "body": body})

    def _anthropic_key_ok(self, request: web.Request) -> bool:
        given = request.headers.get("x-api-key")
        if given is None and request.headers.get("Authorization", "").startswith("Bearer "):
            given = request.headers["Authorization"][len("Bearer ") :]
        return given == self.key

    async def anthropic_messages(self, request: web.Request) -> web.Response:
        if not self._anthropic_key_ok(request):
            return _anthropic_error(401, "authentication_error", "invalid x-api-key")
        body = await request.json()
        self._record("anthropic", body)
        if body.get("model") not in MODELS:
            return _anthropic_error(404, "not_found_error", f"model: {body.get('model')}")
        text = next((m["content"] for m in reversed(body["messages"]) if m["role"] == "user"), "")
        text = text if isinstance(text, str) else " ".join(b.get("text", "") for b in text)
        return web.json_response(
            {
                "id": "msg_echo",
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": [{"type": "text", "text": text}],
                "stop_reason": "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": _words(text), "output_tokens": _words(text)},
            }
        )

    async def models(self, request: web.Request) -> web.Response:
        if "x-goog-api-client" in request.headers or "x-goog-api-key" in request.headers:
            return await self.gemini_models(request)
        if "anthropic-version" in request.headers:
            if not self._anthropic_key_ok(request):
                return _anthropic_error(401, "authentication_error", "invalid x-api-key")
            data = [
                {
                    "type": "model",
                    "id": "claude-echo",
                    "display_name": "Echo",
                    "created_at": "2026-01-01T00:00:00Z",
                }
            ]
            return web.json_response(
                {
                    "data": data,
                    "has_more": False,
                    "first_id": "claude-echo",
                    "last_id": "claude-echo",
                }
            )
        if request.headers.get("Authorization") != f"Bearer {self.key}":
            return _openai_error(401, "invalid_api_key", "Incorrect API key provided")
        models: list[dict[str, Any]] = [
            {"id": "gpt-echo", "object": "model", "created": 0, "owned_by": "appkit"}
        ]
        return web.json_response({"object": "list", "data": models})

    async def openai_chat(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.key}":
            return _openai_error(401, "invalid_api_key", "Incorrect API key provided")
        body = await request.json()
        self._record("openai", body)
        if body.get("model") not in MODELS:
            return _openai_error(404, "model_not_found", "The model does not exist")
        text = next((m["content"] for m in reversed(body["messages"]) if m["role"] == "user"), "")
        return web.json_response(
            {
                "id": "chatcmpl-echo",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": text},
                    }
                ],
                "usage": {
                    "prompt_tokens": _words(text),
                    "completion_tokens": _words(text),
                    "total_tokens": 2 * _words(text),
                },
            }
        )

    def _gemini_refusal(self, request: web.Request) -> web.Response | None:
        key = request.headers.get("x-goog-api-key") or request.query.get("key")
        if key == self.key:
            return None
        return web.json_response(
            {"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": "API key not valid."}},
            status=400,
        )

    async def gemini_generate(self, request: web.Request) -> web.Response:
        refusal = self._gemini_refusal(request)
        if refusal is not None:
            return refusal
        model = request.match_info["model"]
        body = await request.json()
        self._record("gemini", {"model": model, **body})
        if model not in MODELS:
            return web.json_response(
                {
                    "error": {
                        "code": 404,
                        "status": "NOT_FOUND",
                        "message": f"models/{model} is not found",
                    }
                },
                status=404,
            )
        user = [c for c in body.get("contents", []) if c.get("role", "user") == "user"]
        text = "".join(p.get("text", "") for p in (user[-1]["parts"] if user else []))
        return web.json_response(
            {
                "candidates": [
                    {
                        "content": {"role": "model", "parts": [{"text": text}]},
                        "finishReason": "STOP",
                        "index": 0,
                    }
                ],
                "usageMetadata": {
                    "promptTokenCount": _words(text),
                    "candidatesTokenCount": _words(text),
                    "totalTokenCount": 2 * _words(text),
                },
                "modelVersion": model,
            }
        )

    async def gemini_models(self, request: web.Request) -> web.Response:
        refusal = self._gemini_refusal(request)
        if refusal is not None:
            return refusal
        return web.json_response(
            {"models": [{"name": "models/gemini-echo", "displayName": "Echo"}]}
        )

    # --- running ------------------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/messages", self.anthropic_messages)
        app.router.add_get("/v1/models", self.models)
        app.router.add_post("/v1/chat/completions", self.openai_chat)
        for version in ("v1beta", "v1"):  # google-genai picks one by release
            app.router.add_post(
                f"/{version}/models/{{model}}:generateContent", self.gemini_generate
            )
        app.router.add_get("/v1beta/models", self.gemini_models)
        return app

    def start(self) -> AiWireServer:
        started = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self._start_site())
            started.set()
            loop.run_forever()
            if self._runner is not None:
                loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, name="ai-wire-server", daemon=True)
        self._thread.start()
        started.wait(10)
        return self

    async def _start_site(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)


def start_ai_server(key: str = "test-key") -> AiWireServer:
    """A running server on a free loopback port; call ``stop()`` when done."""
    return AiWireServer(key).start()
