"""``oauth get-token``: the client-credentials flow against the emulated workspace."""

from __future__ import annotations

import json
import logging

from databricks.sdk import WorkspaceClient


def test_get_token_prints_only_a_working_token(cli, emulator, caplog) -> None:
    emulator.reset()
    sp = emulator.add_principal("svc-deployer", kind="service_principal")
    caplog.set_level(logging.DEBUG)
    result = cli(
        "oauth",
        "get-token",
        env={
            "DATABRICKS_HOST": emulator.host,
            "DATABRICKS_CLIENT_ID": sp["client_id"],
            "DATABRICKS_CLIENT_SECRET": sp["client_secret"],
        },
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert len(result.stdout.splitlines()) == 1
    assert result.stderr == ""
    assert token not in caplog.text
    assert sp["client_secret"] not in caplog.text
    me = WorkspaceClient(host=emulator.host, token=token, auth_type="pat").current_user.me()
    assert me.user_name == "svc-deployer"


def test_get_token_json_has_type_and_expiry(cli, emulator) -> None:
    emulator.reset()
    sp = emulator.add_principal("svc-deployer", kind="service_principal")
    env = {
        "DATABRICKS_HOST": emulator.host,
        "DATABRICKS_CLIENT_ID": sp["client_id"],
        "DATABRICKS_CLIENT_SECRET": sp["client_secret"],
    }
    payload = json.loads(cli("oauth", "get-token", "--json", env=env).stdout)
    assert payload["token_type"] == "Bearer"
    assert payload["access_token"] and payload["expiry"]


def test_wrong_client_secret_exits_5_without_echoing_it(cli, emulator) -> None:
    emulator.reset()
    sp = emulator.add_principal("svc-deployer", kind="service_principal")
    env = {
        "DATABRICKS_HOST": emulator.host,
        "DATABRICKS_CLIENT_ID": sp["client_id"],
        "DATABRICKS_CLIENT_SECRET": "not-the-secret",
    }
    result = cli("oauth", "get-token", env=env)
    assert result.exit_code == 5, result.output
    assert result.stderr.startswith("error: oauth get-token:")
    assert "not-the-secret" not in result.output


def test_missing_client_secret_is_a_usage_error(cli, emulator) -> None:
    result = cli(
        "oauth", "get-token", env={"DATABRICKS_HOST": emulator.host, "DATABRICKS_CLIENT_ID": "x"}
    )
    assert result.exit_code == 2
    assert "DATABRICKS_CLIENT_SECRET is not set" in result.stderr


def test_a_token_in_the_environment_does_not_block_m2m(cli, emulator) -> None:
    emulator.reset()
    sp = emulator.add_principal("svc-deployer", kind="service_principal")
    env = {
        "DATABRICKS_HOST": emulator.host,
        "DATABRICKS_TOKEN": emulator.admin_token,
        "DATABRICKS_CLIENT_ID": sp["client_id"],
        "DATABRICKS_CLIENT_SECRET": sp["client_secret"],
    }
    result = cli("oauth", "get-token", env=env)
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token != emulator.admin_token
    me = WorkspaceClient(host=emulator.host, token=token, auth_type="pat").current_user.me()
    assert me.user_name == "svc-deployer"
