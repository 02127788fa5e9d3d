"""app.yaml and databricks.yml rules: every rejection names the file and the field."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from appkit_web.bundle import ConfigProblem, validate_app_yaml, validate_bundle
from appkit_web.bundle.schema import python_pattern

GOOD_APP = {
    "command": ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "$DATABRICKS_APP_PORT"],
    "env": [
        {"name": "APPKIT_BACKEND", "value": "databricks"},
        {"name": "DATABRICKS_WAREHOUSE_ID", "valueFrom": "sql-warehouse"},
    ],
}

GOOD_BUNDLE: dict[str, Any] = yaml.safe_load(
    """
bundle:
  name: risk-app
variables:
  warehouse_id:
    description: SQL warehouse the app queries
resources:
  apps:
    risk_app:
      name: risk-app
      description: Governed risk overrides
      source_code_path: .
      user_api_scopes: [sql]
      resources:
        - name: sql-warehouse
          sql_warehouse:
            id: ${var.warehouse_id}
            permission: CAN_USE
      permissions:
        - level: CAN_USE
          group_name: users
targets:
  dev:
    mode: development
    default: true
    variables:
      warehouse_id: abc123
"""
)


def test_go_unicode_classes_become_ascii_classes() -> None:
    assert python_pattern(r"\p{L}+([-_]*[\p{L}\p{N}]+)*") == "[A-Za-z]+([-_]*[A-Za-z0-9]+)*"


def test_valid_app_yaml_is_accepted() -> None:
    spec = validate_app_yaml(GOOD_APP)
    assert spec.command[0] == "uvicorn"
    assert spec.value_from_keys == ("sql-warehouse",)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.update(command="uvicorn app.main:app"), "command"),
        (lambda d: d.update(command=[]), "command"),
        (lambda d: d.pop("command"), "command"),
        (lambda d: d["command"].__setitem__(5, "8000"), "command[5]"),
        (lambda d: d.update(enviroment=[]), "enviroment"),
        (lambda d: d["env"][1].update(value="x"), "env[1]"),
        (lambda d: d["env"][0].update(name="1BAD"), "env[0].name"),
        (lambda d: d["env"].append({"name": "APPKIT_BACKEND", "value": "local"}), "env[2].name"),
        (lambda d: d["env"].append({"name": "API_TOKEN", "value": "abc"}), "env[2].value"),
        (lambda d: d["env"][1].update(valueFrom=""), "env[1].valueFrom"),
    ],
)
def test_broken_app_yaml_is_rejected_naming_the_field(mutate, field: str) -> None:
    document = copy.deepcopy(GOOD_APP)
    mutate(document)
    with pytest.raises(ConfigProblem) as caught:
        validate_app_yaml(document)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"app.yaml: {field}: ")


def test_valid_bundle_resolves_target_variables() -> None:
    spec = validate_bundle(GOOD_BUNDLE)
    assert spec.target == "dev"
    app = spec.app()
    assert app.name == "risk-app"
    assert app.resources[0].settings["id"] == "abc123"
    assert app.user_api_scopes == ("sql",)


def test_explicit_variable_beats_target_value() -> None:
    spec = validate_bundle(GOOD_BUNDLE, variables={"warehouse_id": "zzz"})
    assert spec.app().resources[0].settings["id"] == "zzz"


def _apps(d: dict[str, Any]) -> dict[str, Any]:
    return d["resources"]["apps"]["risk_app"]


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: _apps(d).update(colour="red"), "resources.apps.risk_app.colour"),
        (lambda d: _apps(d).pop("name"), "resources.apps.risk_app.name"),
        (lambda d: _apps(d).update(name="Risk_App"), "resources.apps.risk_app.name"),
        (
            lambda d: _apps(d).update(user_api_scopes="sql"),
            "resources.apps.risk_app.user_api_scopes",
        ),
        (
            lambda d: _apps(d)["resources"][0]["sql_warehouse"].update(permission="CAN_FLY"),
            "resources.apps.risk_app.resources[0].sql_warehouse.permission",
        ),
        (
            lambda d: _apps(d)["resources"].append(
                {"name": "sql-warehouse", "job": {"id": "1", "permission": "CAN_VIEW"}}
            ),
            "resources.apps.risk_app.resources[1].name",
        ),
        (
            lambda d: _apps(d)["permissions"][0].update(user_name="a@example.com"),
            "resources.apps.risk_app.permissions[0]",
        ),
        (lambda d: d.update(bundel={}), "bundel"),
        (lambda d: d["bundle"].pop("name"), "bundle.name"),
        (lambda d: d["resources"].update(apps={}), "resources.apps"),
        (
            lambda d: d["targets"]["dev"].pop("variables"),
            "resources.apps.risk_app.resources[0].sql_warehouse.id",
        ),
    ],
)
def test_broken_bundle_is_rejected_naming_the_field(mutate, field: str) -> None:
    document = copy.deepcopy(GOOD_BUNDLE)
    mutate(document)
    with pytest.raises(ConfigProblem) as caught:
        validate_bundle(document)
    assert caught.value.field == field, str(caught.value)
    assert str(caught.value).startswith(f"databricks.yml: {field}: ")


def test_missing_variable_says_how_to_supply_it() -> None:
    document = copy.deepcopy(GOOD_BUNDLE)
    document["targets"]["dev"].pop("variables")
    with pytest.raises(ConfigProblem, match="--var warehouse_id=<value>"):
        validate_bundle(document)


def test_unknown_scope_is_a_warning_not_a_rejection() -> None:
    document = copy.deepcopy(GOOD_BUNDLE)
    _apps(document)["user_api_scopes"] = ["sql", "jobs.jobs"]
    spec = validate_bundle(document)
    assert any("jobs.jobs" in warning for warning in spec.warnings)
