"""``secret://scope/key`` setting values, resolved through Databricks secrets.

A setting may name a secret instead of holding it. On the ``databricks``
backend :func:`resolve_secret_refs` replaces each reference with the secret's
value, read once at start-up with the workspace client of the app's service
principal. Resolved values are registered with the audit redactor so they
never reach an audit record. On other backends a reference is a bad setting.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from appkit_web.settings import SECRET_PREFIX, Backend, Settings, SettingsError, setting_name

PREFIX = SECRET_PREFIX

SecretReader = Callable[[str, str], str]
"""Reads one secret: ``(scope, key) -> value``."""


def parse_ref(value: str) -> tuple[str, str] | None:
    """``(scope, key)`` for a ``secret://scope/key`` value, ``None`` for any other value."""
    if not value.startswith(PREFIX):
        return None
    scope, sep, key = value[len(PREFIX) :].partition("/")
    if not sep or not scope or not key or "/" in key:
        raise SettingsError(f"secret reference {value!r} must be secret://scope/key")
    return scope, key


def sdk_secret_reader(settings: Settings) -> SecretReader:
    """A reader backed by databricks-sdk ``WorkspaceClient.secrets.get_secret``."""
    from databricks.sdk import WorkspaceClient

    kwargs: dict[str, Any] = {"host": settings.databricks_host}
    if settings.databricks_token and not parse_ref(settings.databricks_token):
        kwargs.update(token=settings.databricks_token, auth_type="pat")
    elif settings.databricks_client_id and settings.databricks_client_secret:
        kwargs.update(
            client_id=settings.databricks_client_id,
            client_secret=settings.databricks_client_secret,
            auth_type="oauth-m2m",
        )
    client = WorkspaceClient(**kwargs)

    def read(scope: str, key: str) -> str:
        response = client.secrets.get_secret(scope=scope, key=key)
        try:
            return base64.b64decode(response.value or "").decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise SettingsError(f"secret {scope}/{key} is not UTF-8 text") from exc

    return read


def secret_ref_fields(settings: Settings) -> dict[str, tuple[str, str]]:
    """Field name -> ``(scope, key)`` for every setting that holds a secret reference."""
    found: dict[str, tuple[str, str]] = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, str):
            ref = parse_ref(value)
            if ref is not None:
                found[name] = ref
    return found


def resolve_secret_refs(
    settings: Settings, reader: SecretReader | None = None
) -> tuple[Settings, list[str]]:
    """Return settings with every reference replaced, and the list of resolved secret values.

    Raises :class:`SettingsError` naming the setting when a reference is used
    outside the ``databricks`` backend or cannot be read.
    """
    refs = secret_ref_fields(settings)
    if not refs:
        return settings, []
    first = next(iter(refs))
    if settings.effective_backend is not Backend.DATABRICKS:
        raise SettingsError(
            f"setting {setting_name(first)}: secret:// references need the databricks backend"
        )
    read = reader or sdk_secret_reader(settings)
    resolved: dict[str, str] = {}
    for name, (scope, key) in refs.items():
        try:
            resolved[name] = read(scope, key)
        except SettingsError:
            raise
        except Exception as exc:
            raise SettingsError(
                f"setting {setting_name(name)}: cannot read secret {scope}/{key} "
                f"({type(exc).__name__})"
            ) from None
    return settings.model_copy(update=resolved), list(resolved.values())
