"""``lakehouse-appkit genie``: ask a Genie space a question and print its answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import typer

from appkit_web.cli.app import app
from appkit_web.cli.connection import workspace_client
from appkit_web.cli.output import (
    JSON_OPTION_HELP,
    ExitCode,
    emit,
    fail,
    note,
    print_json,
    reported,
)

genie_app = typer.Typer(
    help="Ask Genie spaces questions.\n\n"
    'Example: lakehouse-appkit genie ask 01ef... "which customers are gold tier?"',
    no_args_is_help=True,
)
app.add_typer(genie_app, name="genie")

JsonOption = typer.Option(False, "--json", help=JSON_OPTION_HELP)


@genie_app.command("list-spaces")
def list_spaces(as_json: bool = JsonOption) -> None:
    """List the Genie spaces.

    Example: lakehouse-appkit genie list-spaces
    """
    w = workspace_client()
    with reported("list Genie spaces"):
        spaces = w.genie.list_spaces().spaces or []
    rows = [{"space_id": s.space_id, "title": s.title, "description": s.description}
            for s in spaces]  # fmt: skip
    emit(rows, ["space_id", "title", "description"], as_json=as_json, empty="no Genie spaces")


@genie_app.command("ask")
def ask(
    space_id: str = typer.Argument(..., help="The Genie space id."),
    question: str = typer.Argument(..., help="Your question."),
    timeout: float = typer.Option(120.0, "--timeout", min=1, help="Seconds to wait for Genie."),
    as_json: bool = JsonOption,
) -> None:
    """Ask a question; prints Genie's text answer or the rows of the query it ran.

    Exit 1 when Genie failed, or could not answer with a query.

    Example: lakehouse-appkit genie ask 01ef... "how many customers are gold tier?"
    """
    from databricks.sdk.errors import OperationFailed

    w = workspace_client()
    action = f"ask Genie space {space_id}"
    with reported(action):
        try:
            message = w.genie.start_conversation_and_wait(
                space_id, question, timeout=dt.timedelta(seconds=timeout)
            )
        except OperationFailed as exc:
            fail(f"{action}: {exc}", ExitCode.FAILURE)
        except TimeoutError:
            fail(f"{action}: Genie did not answer within {timeout:g}s", ExitCode.FAILURE)
        status = message.status.value if message.status else None
        texts = [a.text.content for a in message.attachments or [] if a.text and a.text.content]
        queries = [a for a in message.attachments or [] if a.query]
        result: dict[str, Any] | None = None
        if queries and queries[0].attachment_id:
            response = w.genie.get_message_attachment_query_result(
                space_id, message.conversation_id, message.message_id, queries[0].attachment_id
            ).statement_response
            columns = [c.name for c in (response.manifest.schema.columns or [])] if (
                response and response.manifest and response.manifest.schema) else []  # fmt: skip
            data = response.result.data_array if response and response.result else None
            result = {
                "sql": queries[0].query.query if queries[0].query else None,
                "columns": columns,
                "rows": [dict(zip(columns, row)) for row in data or []],
            }
    if as_json:
        print_json({"status": status, "conversation_id": message.conversation_id,
                    "message_id": message.message_id, "text": texts, "query": result})  # fmt: skip
    else:
        for text in texts:
            typer.echo(text)
        if result is not None:
            note(f"Genie ran: {result['sql']}")
            emit(result["rows"], result["columns"], as_json=False, empty="no rows")
    if status != "COMPLETED":
        fail(f"{action}: the message ended {status}", ExitCode.FAILURE)
    if result is None:
        fail(f"{action}: Genie could not answer with a query", ExitCode.FAILURE)
