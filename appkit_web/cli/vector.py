"""``lakehouse-appkit vector``: vector search endpoints, indexes and similarity queries."""

from __future__ import annotations

import json
from typing import Any

import typer

from appkit_web.cli.app import app
from appkit_web.cli.connection import workspace_client
from appkit_web.cli.output import JSON_OPTION_HELP, ExitCode, emit, fail, reported

vector_app = typer.Typer(
    help="Vector search: endpoints, indexes and similarity queries.\n\n"
    'Example: lakehouse-appkit vector query main.docs.idx --text "month end" --columns id,text',
    no_args_is_help=True,
)
app.add_typer(vector_app, name="vector")

JsonOption = typer.Option(False, "--json", help=JSON_OPTION_HELP)


@vector_app.command("list-endpoints")
def list_endpoints(as_json: bool = JsonOption) -> None:
    """List the vector search endpoints.

    Example: lakehouse-appkit vector list-endpoints
    """
    w = workspace_client()
    with reported("list vector search endpoints"):
        rows = [
            {"name": e.name, "state": e.endpoint_status.state.value
             if e.endpoint_status and e.endpoint_status.state else None,
             "indexes": e.num_indexes, "creator": e.creator}
            for e in w.vector_search_endpoints.list_endpoints()
        ]  # fmt: skip
    emit(rows, ["name", "state", "indexes", "creator"], as_json=as_json,
         empty="no vector search endpoints")  # fmt: skip


@vector_app.command("list-indexes")
def list_indexes(
    endpoint: str = typer.Option(..., "--endpoint", "-e", help="The endpoint's name."),
    as_json: bool = JsonOption,
) -> None:
    """List the indexes on an endpoint.

    Example: lakehouse-appkit vector list-indexes --endpoint docs
    """
    w = workspace_client()
    with reported(f"list the indexes of endpoint {endpoint}"):
        rows = [
            {"name": i.name, "type": i.index_type.value if i.index_type else None,
             "primary_key": i.primary_key, "creator": i.creator}
            for i in w.vector_search_indexes.list_indexes(endpoint_name=endpoint)
        ]  # fmt: skip
    emit(rows, ["name", "type", "primary_key", "creator"], as_json=as_json, empty="no indexes")


def _json_option(raw: str | None, what: str) -> Any:
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        fail(f"vector query: {what} is not JSON: {exc}", ExitCode.USAGE)


@vector_app.command("query")
def query(
    index: str = typer.Argument(..., help="Index name (catalog.schema.index)."),
    text: str | None = typer.Option(None, "--text", help="Query text (indexes that embed text)."),
    vector: str | None = typer.Option(None, "--vector", help="Query vector as a JSON list."),
    columns: str = typer.Option(..., "--columns", "-c", help="Columns to return, comma-separated."),
    filters: str | None = typer.Option(None, "--filters", help='JSON, e.g. {"team": "risk"}.'),
    num_results: int = typer.Option(10, "--num-results", "-n", min=1, max=1000),
    as_json: bool = JsonOption,
) -> None:
    """The rows most similar to a text or a vector, best first, with their score.

    Example: lakehouse-appkit vector query main.docs.idx --vector "[0.1, 0.9]" -c id,text -n 3
    """
    if (text is None) == (vector is None):
        fail("vector query: give exactly one of --text or --vector", ExitCode.USAGE)
    query_vector = _json_option(vector, "--vector")
    if query_vector is not None and (
        not isinstance(query_vector, list)
        or not all(isinstance(v, (int, float)) for v in query_vector)
    ):
        fail("vector query: --vector must be a JSON list of numbers", ExitCode.USAGE)
    parsed_filters = _json_option(filters, "--filters")
    if parsed_filters is not None and not isinstance(parsed_filters, dict):
        fail("vector query: --filters must be a JSON object", ExitCode.USAGE)
    names = [c.strip() for c in columns.split(",") if c.strip()]
    w = workspace_client()
    with reported(f"query index {index}"):
        response = w.vector_search_indexes.query_index(
            index,
            columns=names,
            query_text=text,
            query_vector=query_vector,
            filters_json=json.dumps(parsed_filters) if parsed_filters else None,
            num_results=num_results,
        )
    header = [str(c.name) for c in (response.manifest.columns or [])] if response.manifest else []
    data = response.result.data_array if response.result else None
    rows = [dict(zip(header, row)) for row in data or []]
    emit(rows, header, as_json=as_json, empty="no matching rows")
