"""``/api/model``: serving endpoints, queried as the signed-in user (their CAN_QUERY applies).

Model serving has an on-behalf-of scope (``model-serving``), so every call
runs with the caller's own token; without one it is refused, never sent as
the app. Audit records the endpoint and the input's hash, never the input
or the answer.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Body, Depends
from pydantic import Field

from appkit_adapters.platform.calls import ExecutesAs
from appkit_web.platform.gate import PlatformCall
from appkit_web.platform.routes import ERRORS, Platform, platform
from appkit_web.routers.input_rules import finite_values
from appkit_web.schemas.common import Input, ItemList

router = APIRouter(prefix="/model", tags=["model serving"])
USER = ExecutesAs.USER


class MessageIn(Input):
    role: Literal["system", "user", "assistant"]
    content: str = Field(..., max_length=100_000)


class ChatIn(Input):
    messages: list[MessageIn] = Field(..., min_length=1, max_length=200)
    max_tokens: int | None = Field(None, ge=1, le=100_000)
    temperature: float | None = Field(None, ge=0, le=2)


def _target(endpoint: str) -> str:
    return f"serving-endpoint:{endpoint}"


@router.get("/endpoints", response_model=ItemList[dict[str, Any]], responses=ERRORS)
async def list_endpoints(p: Platform = Depends(platform)) -> ItemList[dict[str, Any]]:
    """The serving endpoints the caller may see."""
    call = PlatformCall("model.list_endpoints", "serving-endpoints", USER)
    found = await p.gate.call(p.context, call, lambda c: c.serving.list_endpoints())
    return ItemList(items=found)


@router.get("/endpoints/{endpoint}", response_model=dict[str, Any], responses=ERRORS)
async def get_endpoint(endpoint: str, p: Platform = Depends(platform)) -> dict[str, Any]:
    call = PlatformCall("model.get", _target(endpoint), USER, {"endpoint": endpoint})
    found: dict[str, Any] = await p.gate.call(
        p.context, call, lambda c: c.serving.get_endpoint(endpoint)
    )
    return found


@router.post("/{endpoint}/predict", response_model=dict[str, Any], responses=ERRORS)
async def predict(
    endpoint: str,
    payload: dict[str, Any] = Body(..., examples=[{"inputs": [[1.0, 2.0]]}]),
    p: Platform = Depends(platform),
) -> dict[str, Any]:
    """The endpoint's answer to ``payload`` (``inputs``, ``dataframe_records``, ``messages``...)."""
    finite_values(payload, "payload")
    call = PlatformCall("model.predict", _target(endpoint), USER, payload,
                        {"fields": sorted(payload)})  # fmt: skip
    answer: dict[str, Any] = await p.gate.call(
        p.context, call, lambda c: c.serving.predict(endpoint, payload)
    )
    return answer


@router.post("/{endpoint}/chat", response_model=dict[str, Any], responses=ERRORS)
async def chat(endpoint: str, body: ChatIn, p: Platform = Depends(platform)) -> dict[str, Any]:
    """An OpenAI-compatible chat completion from a foundation-model endpoint."""
    messages = [m.model_dump() for m in body.messages]
    call = PlatformCall("model.chat", _target(endpoint), USER, body.model_dump(),
                        {"messages": len(messages)})  # fmt: skip
    answer: dict[str, Any] = await p.gate.call(
        p.context,
        call,
        lambda c: c.serving.chat(
            endpoint, messages, max_tokens=body.max_tokens, temperature=body.temperature
        ),
        describe=lambda a: {"usage": a.get("usage")} if isinstance(a.get("usage"), dict) else {},
    )
    return answer
