"""``lakehouse-appkit model``: serving endpoints: list, get, predict, chat."""

from __future__ import annotations

import json
from typing import Any

import typer

from appkit_web.cli.app import app
from appkit_web.cli.connection import workspace_client
from appkit_web.cli.output import (
    JSON_OPTION_HELP,
    ExitCode,
    emit,
    emit_record,
    fail,
    print_json,
    reported,
)

model_app = typer.Typer(
    help="Serving endpoints: list, inspect, predict, chat.\n\n"
    "Example: lakehouse-appkit model predict my-model --data '{\"inputs\": [[1, 2]]}'",
    no_args_is_help=True,
)
app.add_typer(model_app, name="model")

JsonOption = typer.Option(False, "--json", help=JSON_OPTION_HELP)
_QUERY_FIELDS = ("dataframe_records", "dataframe_split", "inputs", "instances", "input",
                 "messages", "prompt", "max_tokens", "temperature", "stop", "n", "extra_params")  # fmt: skip


def _state(endpoint: Any) -> str | None:
    state = endpoint.state
    return state.ready.value if state and state.ready else None


@model_app.command("list-endpoints")
def list_endpoints(as_json: bool = JsonOption) -> None:
    """List the serving endpoints you may see.

    Example: lakehouse-appkit model list-endpoints
    """
    w = workspace_client()
    with reported("list serving endpoints"):
        rows = [
            {"name": e.name, "state": _state(e), "task": e.task, "creator": e.creator}
            for e in w.serving_endpoints.list()
        ]
    emit(rows, ["name", "state", "task", "creator"], as_json=as_json, empty="no serving endpoints")


@model_app.command("get")
def get_endpoint(
    name: str = typer.Argument(..., help="Endpoint name."), as_json: bool = JsonOption
) -> None:
    """Show one serving endpoint: state, task, served entities, your permission.

    Example: lakehouse-appkit model get databricks-echo-chat
    """
    w = workspace_client()
    with reported(f"get serving endpoint {name}"):
        endpoint = w.serving_endpoints.get(name)
    data: dict[str, Any] = endpoint.as_dict()
    if as_json:
        print_json(data)
        return
    served = (data.get("config") or {}).get("served_entities") or []
    emit_record(
        {
            "name": data.get("name"),
            "state": (data.get("state") or {}).get("ready"),
            "task": data.get("task"),
            "served": [s.get("entity_name") for s in served],
            "permission_level": data.get("permission_level"),
        },
        as_json=False,
        title=f"serving endpoint {name}",
    )


def _query_kwargs(data: str) -> dict[str, Any]:
    from databricks.sdk.service.serving import ChatMessage, DataframeSplitInput

    try:
        payload = json.loads(data)
    except ValueError as exc:
        fail(f"model predict: --data is not JSON: {exc}", ExitCode.USAGE)
    if not isinstance(payload, dict) or not payload:
        fail("model predict: --data must be a non-empty JSON object", ExitCode.USAGE)
    unknown = sorted(set(payload) - set(_QUERY_FIELDS))
    if unknown:
        fail(f"model predict: unknown fields {unknown}; use {list(_QUERY_FIELDS)}", ExitCode.USAGE)
    kwargs = dict(payload)
    if "messages" in kwargs:
        kwargs["messages"] = [ChatMessage.from_dict(m) for m in kwargs["messages"]]
    if "dataframe_split" in kwargs:
        kwargs["dataframe_split"] = DataframeSplitInput.from_dict(kwargs["dataframe_split"])
    return kwargs


def _answer(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.as_dict()
    body.pop("served_model_name", None)  # a response header, not part of the answer
    return body


@model_app.command("predict")
def predict(
    endpoint: str = typer.Argument(..., help="Endpoint name."),
    data: str = typer.Option(..., "--data", "-d", help="The request body as JSON."),
) -> None:
    """Query an endpoint; prints its JSON answer.

    Example: lakehouse-appkit model predict price-model --data '{"inputs": [[1, 2]]}'
    """
    kwargs = _query_kwargs(data)
    w = workspace_client()
    with reported(f"query serving endpoint {endpoint}"):
        response = w.serving_endpoints.query(endpoint, **kwargs)
    print_json(_answer(response))


@model_app.command("chat")
def chat(
    endpoint: str = typer.Argument(..., help="A chat (foundation-model) endpoint."),
    message: str = typer.Argument(..., help="Your message."),
    system: str | None = typer.Option(None, "--system", help="A system prompt."),
    max_tokens: int | None = typer.Option(None, "--max-tokens", min=1, help="Answer length cap."),
    as_json: bool = JsonOption,
) -> None:
    """Chat with a foundation-model endpoint; prints the answer (or the whole response).

    Example: lakehouse-appkit model chat databricks-echo-chat "hello there"
    """
    from databricks.sdk.service.serving import ChatMessage, ChatMessageRole

    messages = [ChatMessage(role=ChatMessageRole.USER, content=message)]
    if system:
        messages.insert(0, ChatMessage(role=ChatMessageRole.SYSTEM, content=system))
    w = workspace_client()
    with reported(f"chat with serving endpoint {endpoint}"):
        response = w.serving_endpoints.query(endpoint, messages=messages, max_tokens=max_tokens)
    if as_json:
        print_json(_answer(response))
        return
    choices = response.choices or []
    if not choices or choices[0].message is None:
        fail(f"chat with {endpoint}: the endpoint gave no answer", ExitCode.FAILURE)
    typer.echo(choices[0].message.content or "")
