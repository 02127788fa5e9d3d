"""``/api/genie``: ask a Genie space, poll the answer, fetch its rows, as the signed-in user.

Genie has an on-behalf-of scope (``genie``): the question is asked, and the
SQL it answers with runs, with the caller's own token, so their Unity
Catalog grants decide what they see. ``POST .../ask`` waits up to ``wait``
seconds (at most 50, inside the Apps proxy's 120 s) and answers the message
as it then stands; poll ``GET .../messages/{id}`` for one still running.
Audit keeps the space and the question's hash, never the question.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import Field

from appkit_adapters.platform.calls import ExecutesAs
from appkit_web.platform.gate import PlatformCall
from appkit_web.platform.routes import ERRORS, Platform, platform
from appkit_web.schemas.common import Input

router = APIRouter(prefix="/genie", tags=["genie"])
USER = ExecutesAs.USER
MESSAGE = "/spaces/{space_id}/conversations/{conversation_id}/messages/{message_id}"


class AskIn(Input):
    question: str = Field(..., min_length=1, max_length=10_000)
    conversation_id: str | None = Field(None, min_length=1, max_length=128)
    wait: float = Field(20.0, ge=0, le=50)


def _target(space_id: str) -> str:
    return f"genie-space:{space_id}"


@router.post("/spaces/{space_id}/ask", response_model=dict[str, Any], responses=ERRORS)
async def ask(space_id: str, body: AskIn, p: Platform = Depends(platform)) -> dict[str, Any]:
    """Ask (in a new conversation unless one is named); the message with its attachments."""

    async def work(clients: Any) -> dict[str, Any]:
        asked: dict[str, Any] = await clients.genie.ask(
            space_id, body.question, conversation_id=body.conversation_id
        )
        if body.wait <= 0:
            return asked
        answer: dict[str, Any] = await clients.genie.wait(
            space_id, str(asked["conversation_id"]), str(asked["message_id"]), timeout=body.wait
        )
        return answer

    call = PlatformCall("genie.ask", _target(space_id), USER, {"question": body.question},
                        {"new_conversation": body.conversation_id is None})  # fmt: skip
    message: dict[str, Any] = await p.gate.call(
        p.context,
        call,
        work,
        describe=lambda m: {"status": m.get("status"), "message_id": m.get("message_id"),
                            "answered_with_query": any("query" in a for a in
                                                       m.get("attachments") or [])},
    )  # fmt: skip
    return message


@router.get(MESSAGE, response_model=dict[str, Any], responses=ERRORS)
async def get_message(
    space_id: str, conversation_id: str, message_id: str, p: Platform = Depends(platform)
) -> dict[str, Any]:
    call = PlatformCall("genie.get_message", _target(space_id), USER,
                        {"conversation_id": conversation_id, "message_id": message_id})  # fmt: skip
    found: dict[str, Any] = await p.gate.call(
        p.context, call, lambda c: c.genie.get_message(space_id, conversation_id, message_id)
    )
    return found


@router.get(f"{MESSAGE}/attachments/{{attachment_id}}/query-result", response_model=dict[str, Any],
            responses=ERRORS)  # fmt: skip
async def query_result(
    space_id: str,
    conversation_id: str,
    message_id: str,
    attachment_id: str,
    p: Platform = Depends(platform),
) -> dict[str, Any]:
    """The rows of an answer's query: ``{"columns": [...], "rows": [...]}``."""
    call = PlatformCall("genie.query_result", _target(space_id), USER,
                        {"message_id": message_id, "attachment_id": attachment_id})  # fmt: skip
    result: dict[str, Any] = await p.gate.call(
        p.context,
        call,
        lambda c: c.genie.query_result(space_id, conversation_id, message_id, attachment_id),
        describe=lambda r: {"rows": len(r.get("rows") or [])},
    )
    return result
