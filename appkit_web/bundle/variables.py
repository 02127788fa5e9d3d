"""Bundle targets and variables: which target applies, what ``${var.x}`` and ``${bundle.x}`` become.

Variables resolve from, highest first: explicit values, the selected
target's ``variables``, the variable's ``default``. ``${bundle.name}`` and
``${bundle.target}`` resolve too; any other reference is left as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from appkit_web.bundle.problems import ConfigProblem

_REFERENCE = re.compile(r"\$\{(var|bundle)\.([A-Za-z0-9_.-]+)\}")


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` laid over ``base``: mappings merge key by key, anything else is replaced."""
    merged: dict[str, Any] = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = value
    return merged


def select_target(document: Mapping[str, Any], target: str | None, source: str) -> str:
    targets = document.get("targets") or {}
    if target is not None:
        if targets and target not in targets:
            known = ", ".join(sorted(targets))
            raise ConfigProblem(source, "targets", f"has no target {target!r} (known: {known})")
        return target
    defaults = [
        name for name, body in targets.items() if isinstance(body, Mapping) and body.get("default")
    ]
    if defaults:
        return str(defaults[0])
    if targets:
        return str(next(iter(targets)))
    return "default"


def variable_values(
    document: Mapping[str, Any], target: str, explicit: Mapping[str, str], source: str
) -> dict[str, Any]:
    declared = document.get("variables") or {}
    target_body = (document.get("targets") or {}).get(target) or {}
    overrides = target_body.get("variables") or {}
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        if name in explicit:
            values[name] = explicit[name]
        elif name in overrides:
            override = overrides[name]
            values[name] = override.get("default") if isinstance(override, Mapping) else override
        elif isinstance(spec, Mapping) and "default" in spec:
            values[name] = spec["default"]
    for name in explicit:
        if name not in declared:
            raise ConfigProblem(source, f"variables.{name}", "is not declared in the bundle")
    return values


def resolve(
    node: Any, values: Mapping[str, Any], bundle: Mapping[str, str], source: str, path: str
) -> Any:
    if isinstance(node, Mapping):
        return {
            k: resolve(v, values, bundle, source, f"{path}.{k}" if path else str(k))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [
            resolve(item, values, bundle, source, f"{path}[{i}]") for i, item in enumerate(node)
        ]
    if not isinstance(node, str):
        return node
    whole = _REFERENCE.fullmatch(node)
    if whole and whole.group(1) == "var":
        return _lookup(whole.group(2), values, source, path)

    def substitute(match: re.Match[str]) -> str:
        kind, name = match.group(1), match.group(2)
        if kind == "var":
            return str(_lookup(name, values, source, path))
        return bundle.get(name, match.group(0))

    return _REFERENCE.sub(substitute, node)


def _lookup(name: str, values: Mapping[str, Any], source: str, path: str) -> Any:
    if name not in values or values[name] is None:
        raise ConfigProblem(
            source,
            path,
            f"variable {name} has no value: pass --var {name}=<value> or set BUNDLE_VAR_{name}",
        )
    return values[name]
