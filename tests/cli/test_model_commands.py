"""``model list-endpoints``, ``get``, ``predict`` and ``chat`` against the emulated workspace."""

from __future__ import annotations

import json

from databricks.sdk.service.serving import EndpointCoreConfigInput, ServedEntityInput


def _linear(emulator, name: str = "price") -> None:
    entity = ServedEntityInput(entity_name="appkit.linear",
                               environment_vars={"COEFFICIENTS": "[1, 2, 3]"})  # fmt: skip
    emulator.client().serving_endpoints.create(
        name, config=EndpointCoreConfigInput(name=name, served_entities=[entity])
    )


def test_list_get_and_predict(ws_cli, emulator):
    _linear(emulator)
    listed = json.loads(ws_cli("model", "list-endpoints", "--json").stdout)
    assert {e["name"] for e in listed} == {"databricks-echo-chat", "databricks-hash-embeddings",
                                           "price"}  # fmt: skip
    got = ws_cli("model", "get", "price", "--json")
    assert got.exit_code == 0 and json.loads(got.stdout)["permission_level"] == "CAN_MANAGE"
    predicted = ws_cli("model", "predict", "price", "--data", '{"inputs": [[1, 2, 3]]}')
    assert predicted.exit_code == 0, predicted.output
    assert json.loads(predicted.stdout)["predictions"] == [14.0]


def test_chat_prints_the_answer(ws_cli):
    result = ws_cli("model", "chat", "databricks-echo-chat", "hello month end", "--max-tokens", "2")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "hello month"


def test_exit_codes_follow_the_rest_of_the_cli(ws_cli, emulator):
    assert ws_cli("model", "get", "absent").exit_code == 3
    assert ws_cli("model", "predict", "absent", "--data", '{"inputs": [[1]]}').exit_code == 3
    assert ws_cli("model", "predict", "price", "--data", "not json").exit_code == 2
    assert ws_cli("model", "predict", "price", "--data", '{"bogus": 1}').exit_code == 2
    _linear(emulator, "private")
    bob = emulator.add_principal("bob@example.com")["token"]
    denied = ws_cli("model", "predict", "private", "--data", '{"inputs": [[1, 1, 1]]}',
                    env={"DATABRICKS_TOKEN": bob})  # fmt: skip
    assert denied.exit_code == 4, denied.output
    wrong = ws_cli("model", "predict", "databricks-echo-chat", "--data", '{"inputs": [[1]]}')
    assert wrong.exit_code == 1
