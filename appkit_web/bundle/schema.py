"""The Databricks Asset Bundle JSON schema, loaded once and made usable by Python's ``re``.

The published schema writes its interpolation patterns with Go's Unicode
classes (``\\p{L}`` letters, ``\\p{N}`` digits) which Python's ``re`` rejects.
They are rewritten to ASCII classes on load; bundle keys and variable names in
practice are ASCII, so nothing real is lost.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from appkit_web.bundle.problems import ConfigProblem, field_path

_GO_CLASSES = {
    r"[\p{L}\p{N}]": "[A-Za-z0-9]",
    r"\p{L}": "[A-Za-z]",
    r"\p{N}": "[0-9]",
}


def python_pattern(go_pattern: str) -> str:
    """Rewrite a Go regular expression's Unicode classes into ASCII classes."""
    pattern = go_pattern
    for go, ascii_class in _GO_CLASSES.items():
        pattern = pattern.replace(go, ascii_class)
    return pattern


def _rewrite_patterns(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: python_pattern(value)
            if key == "pattern" and isinstance(value, str)
            else _rewrite_patterns(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_patterns(item) for item in node]
    return node


@lru_cache(maxsize=1)
def bundle_schema() -> dict[str, Any]:
    """The packaged bundle schema with Python-compatible patterns."""
    text = (
        resources.files("appkit_web.bundle")
        .joinpath("bundle-jsonschema.json")
        .read_text(encoding="utf-8")
    )
    schema: dict[str, Any] = _rewrite_patterns(json.loads(text))
    return schema


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(bundle_schema())


def _deepest(error: ValidationError) -> ValidationError:
    """Inside ``oneOf`` (a value or a ``${var.x}`` string) report the value branch's own error.

    Errors inside a branch win over a branch's shape errors; of the shape
    errors, the wrong-type error wins over the interpolation pattern.
    """
    while error.context:
        branch = list(error.context)
        inner = [e for e in branch if e.validator not in ("pattern", "type")]
        typed = [e for e in branch if e.validator == "type"]
        candidates = inner or typed or branch
        error = best_match(candidates) or candidates[0]
    return error


def check_against_schema(document: object, source: str) -> None:
    """Raise :class:`ConfigProblem` naming the first field the bundle schema rejects."""
    if isinstance(document, dict):
        known = bundle_schema()["properties"]
        for key in document:
            if key not in known:
                raise ConfigProblem(source, str(key), "is not a known bundle field")
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    error = _deepest(best_match(errors) or errors[0])
    path = field_path(list(error.absolute_path))
    if error.validator == "additionalProperties":
        extra = sorted(
            set(error.instance) - set(error.schema.get("properties", {}))
            if isinstance(error.instance, dict)
            else []
        )
        if extra:
            field = f"{path}.{extra[0]}" if path else extra[0]
            raise ConfigProblem(source, field, "is not a known bundle field")
    if error.validator == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else ""
        field = f"{path}.{missing}" if path and missing else (missing or path)
        raise ConfigProblem(source, field, "is required")
    raise ConfigProblem(source, path or "(document)", _short(error))


def _short(error: ValidationError) -> str:
    if error.validator == "type":
        return f"must be of type {error.validator_value}"
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return f"must be one of {allowed} (got {error.instance!r})"
    message = str(error.message)
    return message if len(message) <= 160 else message[:157] + "..."
