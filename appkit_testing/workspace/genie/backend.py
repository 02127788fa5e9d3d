"""Genie spaces, conversations and messages; pure state with ``reset()``.

A space is created with a ``serialized_space`` (JSON text) whose
``instructions.example_question_sqls`` pairs sample questions with their SQL
(each ``question``/``sql`` a string or a list of lines, as Genie exports
them). A question that matches one of them (case, spacing and trailing
punctuation aside) is answered with that SQL, run on the local engine as the
asking user, so their Unity Catalog grants apply. Any other question gets
Genie's "cannot answer" shape: a completed message with a text attachment
and no query.

A question's statement starts when it is asked; the message is answered
``SUBMITTED`` and moves to ``EXECUTING_QUERY`` and then ``COMPLETED`` (or
``FAILED`` with the statement's error) as it is polled, so a client must
poll as it does against Genie, without real waiting.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from appkit_testing.workspace.errors import invalid_parameter, resource_missing
from appkit_testing.workspace.identity.backend import Identity

CANNOT_ANSWER = (
    "I could not answer this question with the data in this space. "
    "Try asking about the tables it covers, or rephrase the question."
)
StatementStarter = Callable[[str, Identity, str | None], str]
"""``(sql, asking user, warehouse id) -> statement id`` (runs on the emulator's engine)."""
StatementState = Callable[[str], tuple[str, str | None, int | None]]
"""``statement id -> (state, error message, row count)``."""


def normalize(question: str) -> str:
    return re.sub(r"\s+", " ", question.strip().lower()).rstrip(" ?.!")


def _text(value: object) -> str:
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value or "")


@dataclass
class Space:
    space_id: str
    title: str
    description: str
    warehouse_id: str | None
    creator: str
    serialized: str
    answers: dict[str, tuple[str, str]]  # normalized question -> (question, sql)

    def to_json(self) -> dict[str, Any]:
        return {"space_id": self.space_id, "title": self.title,
                "description": self.description, "warehouse_id": self.warehouse_id}  # fmt: skip


@dataclass
class Message:
    message_id: str
    conversation_id: str
    space_id: str
    content: str
    user: Identity
    created: int
    sql: str | None
    polls: int = 0
    status: str = "SUBMITTED"
    statement_id: str | None = None
    error: str | None = None
    row_count: int | None = None
    attachment_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.message_id, "message_id": self.message_id,
            "conversation_id": self.conversation_id, "space_id": self.space_id,
            "content": self.content, "status": self.status, "user_id": int(self.user.id),
            "created_timestamp": self.created, "last_updated_timestamp": self.created,
        }  # fmt: skip
        if self.status == "COMPLETED":
            if self.sql is None:
                body["attachments"] = [{"attachment_id": self.attachment_id,
                                        "text": {"content": CANNOT_ANSWER}}]  # fmt: skip
            else:
                body["attachments"] = [{
                    "attachment_id": self.attachment_id,
                    "query": {"query": self.sql, "title": "Answer", "description": self.content,
                              "statement_id": self.statement_id,
                              "query_result_metadata": {"row_count": self.row_count}},
                }]  # fmt: skip
        if self.status == "FAILED":
            body["error"] = {"error": self.error or "the query failed", "type": "QUERY_FAILED"}
        return body


class GenieBackend:
    def __init__(self, start: StatementStarter, state: StatementState, *,
                 clock: Callable[[], float] = time.time) -> None:  # fmt: skip
        self._lock = threading.Lock()
        self._start = start
        self._state = state
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._spaces: dict[str, Space] = {}
            self._conversations: dict[str, tuple[str, Identity]] = {}
            self._messages: dict[str, Message] = {}

    def create_space(self, body: dict[str, Any], creator: str) -> Space:
        raw = body.get("serialized_space") or "{}"
        try:
            definition = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            raise invalid_parameter("serialized_space is not valid JSON.") from None
        pairs = ((definition or {}).get("instructions") or {}).get("example_question_sqls") or []
        answers: dict[str, tuple[str, str]] = {}
        for index, pair in enumerate(pairs):
            question, sql = _text(pair.get("question")), _text(pair.get("sql"))
            if not question.strip() or not sql.strip():
                raise invalid_parameter(f"example_question_sqls[{index}] needs a question and sql.")
            answers[normalize(question)] = (question, sql)
        space = Space(uuid.uuid4().hex, str(body.get("title") or "Genie space"),
                      str(body.get("description") or ""), body.get("warehouse_id"), creator,
                      raw if isinstance(raw, str) else json.dumps(raw), answers)  # fmt: skip
        with self._lock:
            self._spaces[space.space_id] = space
        return space

    def space(self, space_id: str) -> Space:
        with self._lock:
            found = self._spaces.get(space_id)
        if found is None:
            raise resource_missing(f"Genie space {space_id} does not exist.")
        return found

    def spaces(self) -> list[Space]:
        with self._lock:
            return sorted(self._spaces.values(), key=lambda s: s.title)

    def ask(self, space_id: str, conversation_id: str | None, content: object,
            user: Identity) -> Message:  # fmt: skip
        space = self.space(space_id)
        if not isinstance(content, str) or not content.strip():
            raise invalid_parameter("content must be a non-empty question.")
        with self._lock:
            if conversation_id is None:
                conversation_id = uuid.uuid4().hex
                self._conversations[conversation_id] = (space_id, user)
            owner = self._conversations.get(conversation_id)
            if owner is None or owner[0] != space_id or owner[1].id != user.id:
                raise resource_missing(f"Conversation {conversation_id} does not exist.")
            match = space.answers.get(normalize(content))
            message = Message(uuid.uuid4().hex, conversation_id, space_id, content, user,
                              int(self._clock() * 1000), match[1] if match else None)  # fmt: skip
            self._messages[message.message_id] = message
        if message.sql is not None:
            message.statement_id = self._start(message.sql, user, space.warehouse_id)
        return message

    def running_statement(self, message_id: str) -> str | None:
        """The statement of a message still waiting for it, if any."""
        with self._lock:
            message = self._messages.get(message_id)
        if message is None or message.status not in ("SUBMITTED", "EXECUTING_QUERY"):
            return None
        return message.statement_id

    def observe(self, space_id: str, conversation_id: str, message_id: str,
                user: Identity) -> Message:  # fmt: skip
        with self._lock:
            message = self._messages.get(message_id)
            if (
                message is None
                or message.space_id != space_id
                or message.conversation_id != conversation_id
                or message.user.id != user.id
            ):
                raise resource_missing(f"Message {message_id} does not exist.")  # fmt: skip
            message.polls += 1
        self._advance(message)
        return message

    def _advance(self, message: Message) -> None:
        if message.status not in ("SUBMITTED", "EXECUTING_QUERY"):
            return
        if message.statement_id is None:
            message.status = "COMPLETED"
            return
        state, error, rows = self._state(message.statement_id)
        if state == "SUCCEEDED":
            message.status, message.row_count = "COMPLETED", rows
        elif state in ("FAILED", "CANCELED", "CLOSED"):
            message.status, message.error = "FAILED", error
        else:
            message.status = "EXECUTING_QUERY"

    def query_statement(self, space_id: str, conversation_id: str, message_id: str,
                        attachment_id: str | None, user: Identity) -> str:  # fmt: skip
        message = self.observe(space_id, conversation_id, message_id, user)
        if message.sql is None or message.statement_id is None:
            raise invalid_parameter("This message has no query result.")
        if attachment_id is not None and attachment_id != message.attachment_id:
            raise resource_missing(f"Attachment {attachment_id} does not exist.")
        return message.statement_id


def workspace_statements(workspace: Any) -> tuple[StatementStarter, StatementState]:
    """The hooks that run a space's SQL through the emulator's Statement Execution."""
    from appkit_testing.workspace.statements.backend import StatementRequest

    def start(sql: str, user: Identity, warehouse_id: str | None) -> str:
        statement = workspace.statements.submit(StatementRequest(sql), user, stuck=False)
        return str(statement.statement_id)

    def state(statement_id: str) -> tuple[str, str | None, int | None]:
        statement = workspace.statements.get(statement_id)
        error = statement.error.message if statement.error else None
        rows = statement.store.total_rows if statement.store is not None else None
        return str(statement.state), error, rows

    return start, state
