"""``databricks.yml``: the Asset Bundle that declares a Databricks App.

:func:`validate_bundle` checks the document against the published bundle
schema, then the rules the schema cannot express: a ``bundle.name``, app
names the Apps service accepts, one resource type per app resource with
unique keys, one principal per permission. The selected target's
``resources`` are laid over the top-level ones (mappings merge, lists are
replaced) and variables are resolved (:mod:`appkit_web.bundle.variables`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appkit_web.bundle.app_yaml import AppSpec, parse_yaml, validate_command, validate_env
from appkit_web.bundle.problems import ConfigProblem
from appkit_web.bundle.schema import check_against_schema
from appkit_web.bundle.variables import deep_merge, resolve, select_target, variable_values

APP_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,28}[a-z0-9]$")
RESOURCE_TYPES = (
    "sql_warehouse",
    "serving_endpoint",
    "secret",
    "job",
    "uc_securable",
    "database",
    "postgres",
    "genie_space",
    "experiment",
    "app",
)
PRINCIPAL_FIELDS = ("user_name", "group_name", "service_principal_name")
KNOWN_SCOPES = frozenset(
    {
        "sql",
        "sql:restricted-query",
        "genie",
        "dashboards.genie",
        "model-serving",
        "ai-gateway",
        "vector-search",
        "postgres",
        "files",
        "files.files",
        "workspace.workspace",
        "catalog.catalogs:read",
        "catalog.schemas:read",
        "catalog.tables:read",
        "catalog.connections",
        "mcp.external",
        "iam.current-user:read",
        "iam.access-control:read",
    }
)


@dataclass(frozen=True)
class AppResourceSpec:
    """One app resource: its key (what ``valueFrom`` names), its type and its settings."""

    name: str
    kind: str
    settings: Mapping[str, Any]
    description: str | None = None


@dataclass(frozen=True)
class BundleApp:
    """One ``resources.apps.<key>`` entry, variables resolved."""

    key: str
    name: str
    description: str | None
    source_code_path: str | None
    resources: tuple[AppResourceSpec, ...]
    user_api_scopes: tuple[str, ...]
    permissions: tuple[Mapping[str, str], ...]
    config: AppSpec | None
    raw: Mapping[str, Any]


@dataclass(frozen=True)
class BundleSpec:
    """A validated bundle for one target."""

    name: str
    target: str
    apps: tuple[BundleApp, ...]
    root_path: str | None
    warnings: tuple[str, ...] = field(default=())

    def app(self, key: str | None = None) -> BundleApp:
        """The app named by ``key`` (its resource key or app name), or the only app."""
        if key is None:
            if len(self.apps) == 1:
                return self.apps[0]
            keys = ", ".join(app.key for app in self.apps)
            raise ConfigProblem(
                "databricks.yml", "resources.apps", f"declares several apps ({keys}): pass --app"
            )
        for app in self.apps:
            if key in (app.key, app.name):
                return app
        raise ConfigProblem("databricks.yml", "resources.apps", f"declares no app {key!r}")


def _app_resources(raw: list[Any] | None, source: str, where: str) -> tuple[AppResourceSpec, ...]:
    resources: list[AppResourceSpec] = []
    seen: set[str] = set()
    for index, item in enumerate(raw or []):
        at = f"{where}.resources[{index}]"
        kinds = [kind for kind in RESOURCE_TYPES if kind in item]
        if len(kinds) != 1:
            raise ConfigProblem(
                source, at, "must declare exactly one resource type (e.g. sql_warehouse)"
            )
        name = item["name"]
        if name in seen:
            raise ConfigProblem(source, f"{at}.name", f"resource key {name!r} is declared twice")
        seen.add(name)
        settings = item[kinds[0]]
        if kinds[0] == "sql_warehouse" and not settings.get("id"):
            raise ConfigProblem(source, f"{at}.sql_warehouse.id", "is required")
        resources.append(AppResourceSpec(name, kinds[0], settings, item.get("description")))
    return tuple(resources)


def _permissions(raw: list[Any] | None, source: str, where: str) -> tuple[Mapping[str, str], ...]:
    found: list[Mapping[str, str]] = []
    for index, item in enumerate(raw or []):
        principals = [key for key in PRINCIPAL_FIELDS if item.get(key)]
        if len(principals) != 1:
            raise ConfigProblem(
                source,
                f"{where}.permissions[{index}]",
                "must name exactly one of user_name, group_name, service_principal_name",
            )
        found.append(dict(item))
    return tuple(found)


def _app(key: str, raw: Mapping[str, Any], source: str, warnings: list[str]) -> BundleApp:
    where = f"resources.apps.{key}"
    name = raw["name"]
    if not isinstance(name, str) or not APP_NAME.match(name):
        raise ConfigProblem(
            source,
            f"{where}.name",
            f"{name!r} is not a valid app name: 2-30 lowercase letters, digits and hyphens, "
            "starting and ending with a letter or digit",
        )
    scopes = tuple(raw.get("user_api_scopes") or ())
    for index, scope in enumerate(scopes):
        if scope not in KNOWN_SCOPES:
            warnings.append(f"{source}: {where}.user_api_scopes[{index}]: unknown scope {scope!r}")
    config_raw = raw.get("config")
    config = None
    if isinstance(config_raw, Mapping) and "command" in config_raw:
        config = AppSpec(
            command=validate_command(config_raw["command"], source, f"{where}.config.command"),
            env=validate_env(
                config_raw.get("env"), source, f"{where}.config.env", from_key="value_from"
            ),
        )
    return BundleApp(
        key=key,
        name=name,
        description=raw.get("description"),
        source_code_path=raw.get("source_code_path"),
        resources=_app_resources(raw.get("resources"), source, where),
        user_api_scopes=scopes,
        permissions=_permissions(raw.get("permissions"), source, where),
        config=config,
        raw=raw,
    )


def validate_bundle(
    document: object,
    *,
    target: str | None = None,
    variables: Mapping[str, str] | None = None,
    source: str = "databricks.yml",
    require_app: bool = True,
) -> BundleSpec:
    """Check a parsed bundle and resolve it for ``target``; raise :class:`ConfigProblem`."""
    if not isinstance(document, Mapping):
        raise ConfigProblem(source, "(document)", "must be a mapping")
    check_against_schema(document, source)
    bundle_name = (document.get("bundle") or {}).get("name")
    if not bundle_name:
        raise ConfigProblem(source, "bundle.name", "is required")
    chosen = select_target(document, target, source)
    values = variable_values(document, chosen, variables or {}, source)
    context = {"name": str(bundle_name), "target": chosen}
    target_body = (document.get("targets") or {}).get(chosen) or {}
    resources = deep_merge(document.get("resources") or {}, target_body.get("resources") or {})
    apps_raw = resources.get("apps") or {}
    if require_app and not apps_raw:
        raise ConfigProblem(source, "resources.apps", "declares no app")
    warnings: list[str] = []
    apps = []
    for key, raw in apps_raw.items():
        resolved = resolve(raw, values, context, source, f"resources.apps.{key}")
        apps.append(_app(str(key), resolved, source, warnings))
    workspace = resolve(document.get("workspace") or {}, values, context, source, "workspace")
    target_workspace = ((document.get("targets") or {}).get(chosen) or {}).get("workspace") or {}
    root_path = target_workspace.get("root_path") or workspace.get("root_path")
    return BundleSpec(
        name=str(bundle_name),
        target=chosen,
        apps=tuple(apps),
        root_path=str(root_path) if root_path else None,
        warnings=tuple(warnings),
    )


def load_bundle(
    path: Path,
    *,
    target: str | None = None,
    variables: Mapping[str, str] | None = None,
    require_app: bool = True,
) -> BundleSpec:
    """Read and validate a ``databricks.yml`` file."""
    source = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigProblem(source, "(file)", f"cannot be read ({exc.strerror})") from None
    return validate_bundle(
        parse_yaml(text, source),
        target=target,
        variables=variables,
        source=source,
        require_app=require_app,
    )
