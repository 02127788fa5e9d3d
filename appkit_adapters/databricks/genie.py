"""Genie over REST: ask a space a question, poll the message, fetch its query result.

Genie has an on-behalf-of scope (``genie``), so with a user's ``http`` the
question is asked, and its SQL runs, as that user. :meth:`GenieSpaces.ask`
starts a conversation (or continues one) and returns at once; :meth:`wait`
polls the message on the pipeline's timer until it is ``COMPLETED``,
``FAILED`` or ``CANCELLED`` (``Unavailable`` after ``timeout`` seconds).
Query results are decoded by their column types, like any statement.
"""

from __future__ import annotations

import re
from typing import Any

from appkit_adapters.databricks.http import DatabricksHttp
from appkit_adapters.databricks.results import columns_of, row_decoder
from appkit_domain.errors import InvalidInput, Unavailable

GENIE = "/api/2.0/genie/spaces"
FINISHED = frozenset({"COMPLETED", "FAILED", "CANCELLED", "QUERY_RESULT_EXPIRED"})
_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
MAX_QUESTION = 10_000


def _check_id(value: str, what: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise InvalidInput(f"{what} is 1 to 128 letters, digits, dashes or underscores")
    return value


def _message_path(space_id: str, conversation_id: str, message_id: str) -> str:
    return (
        f"{GENIE}/{_check_id(space_id, 'a space id')}/conversations/"
        f"{_check_id(conversation_id, 'a conversation id')}/messages/"
        f"{_check_id(message_id, 'a message id')}"
    )


class GenieSpaces:
    """Genie as one identity (``http``'s)."""

    def __init__(self, http: DatabricksHttp, *, poll_seconds: float = 1.0) -> None:
        self.http = http
        self.poll_seconds = poll_seconds

    async def ask(
        self, space_id: str, question: str, *, conversation_id: str | None = None
    ) -> dict[str, Any]:
        """Ask; the new message (``conversation_id``, ``message_id``, ``status``)."""
        if not isinstance(question, str) or not question.strip() or len(question) > MAX_QUESTION:
            raise InvalidInput(f"a question is 1 to {MAX_QUESTION} characters")
        space = _check_id(space_id, "a space id")
        if conversation_id is None:
            body = await self.http.post(
                f"{GENIE}/{space}/start-conversation", {"content": question}
            )
            message: dict[str, Any] = dict(body.get("message") or {})
            message.setdefault("conversation_id", body.get("conversation_id"))
            message.setdefault("message_id", body.get("message_id"))
            return message
        path = f"{GENIE}/{space}/conversations/{_check_id(conversation_id, 'a conversation id')}"
        answer: dict[str, Any] = await self.http.post(f"{path}/messages", {"content": question})
        return answer

    async def get_message(
        self, space_id: str, conversation_id: str, message_id: str
    ) -> dict[str, Any]:
        found: dict[str, Any] = await self.http.get(
            _message_path(space_id, conversation_id, message_id)
        )
        return found

    async def wait(
        self, space_id: str, conversation_id: str, message_id: str, *, timeout: float = 60.0
    ) -> dict[str, Any]:
        """Poll until the message ends; the final message."""
        timer = self.http.pipeline.timer
        deadline = timer.monotonic() + timeout
        while True:
            message = await self.get_message(space_id, conversation_id, message_id)
            if message.get("status") in FINISHED:
                return message
            if timer.monotonic() >= deadline:
                raise Unavailable(
                    f"Genie did not answer message {message_id} within {timeout:g}s "
                    f"(still {message.get('status')})"
                )
            await timer.sleep(self.poll_seconds)

    async def query_result(
        self, space_id: str, conversation_id: str, message_id: str, attachment_id: str
    ) -> dict[str, Any]:
        """The answer's rows: ``{"columns": [{"name", "type"}], "rows": [{...}]}``."""
        path = (
            f"{_message_path(space_id, conversation_id, message_id)}/attachments/"
            f"{_check_id(attachment_id, 'an attachment id')}/query-result"
        )
        body = await self.http.get(path)
        statement = body.get("statement_response") or {}
        columns = columns_of(statement.get("manifest"))
        decode = row_decoder(columns)
        data = (statement.get("result") or {}).get("data_array") or []
        names = [c.name for c in columns]
        return {
            "columns": [{"name": c.name, "type": c.type_text or c.type_name} for c in columns],
            "rows": [dict(zip(names, decode(row))) for row in data],
        }
