"""Choose the identity resolver the settings ask for."""

from __future__ import annotations

import logging

from appkit_domain.ports.directory import Directory
from appkit_web.identity.modes import (
    AppsProxyIdentity,
    DevIdentity,
    IdentityResolver,
    MeLookup,
    Monotonic,
    NoIdentity,
    TokenOwners,
)
from appkit_web.settings import IdentityMode, Profile, Settings, SettingsError

_log = logging.getLogger("appkit_web.identity")


def build_identity(
    settings: Settings,
    directory: Directory,
    dev_directory: Directory,
    me_lookup: MeLookup | None,
    monotonic: Monotonic,
) -> IdentityResolver:
    mode = settings.effective_identity
    if mode is IdentityMode.DEV:
        if settings.app_env is Profile.PROD:
            raise SettingsError("setting APPKIT_IDENTITY: dev identity is refused in prod")
        _log.warning(
            "DEV IDENTITY: simulated X-Forwarded-* headers are trusted from loopback clients; "
            "every principal id recorded is labelled 'dev:'. Never use this in production."
        )
        owners = TokenOwners(me_lookup, monotonic) if me_lookup is not None else None
        return DevIdentity(dev_directory, owners)
    if mode is IdentityMode.DATABRICKS_APPS:
        return AppsProxyIdentity(directory, me_lookup, monotonic)
    return NoIdentity()


DEV_LABEL = "dev:"


def dev_label(settings: Settings) -> str:
    """The prefix of every principal id in dev mode (so all that is recorded says ``dev``)."""
    return DEV_LABEL if settings.effective_identity is IdentityMode.DEV else ""
