"""Who may make which platform call: action name -> the roles that may (configuration).

Actions not named are refused (fail closed). ``ANY_SIGNED_IN`` admits every
signed-in caller; the workspace still applies its own permissions to calls
that run as the user.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from appkit_domain.errors import PermissionDenied

ANY_SIGNED_IN: frozenset[str] = frozenset({"*"})

MAKER, APPROVER, AUDITOR = "maker", "approver", "auditor"


class PlatformPolicy:
    """``rules`` maps an action (``"jobs.run"``) to the roles that may make it."""

    def __init__(self, rules: Mapping[str, frozenset[str]]) -> None:
        self.rules = MappingProxyType({k: frozenset(v) for k, v in rules.items()})

    def allows(self, action: str, roles: frozenset[str]) -> bool:
        wanted = self.rules.get(action)
        if wanted is None:
            return False
        return wanted == ANY_SIGNED_IN or not wanted.isdisjoint(roles)

    def check(self, action: str, roles: frozenset[str]) -> None:
        if not self.allows(action, roles):
            wanted = sorted(self.rules.get(action, frozenset()))
            needs = " or ".join(repr(r) for r in wanted) if wanted else "a role no one has"
            raise PermissionDenied(f"{action} needs the {needs} role")


def demo_platform_policy() -> PlatformPolicy:
    """The sample app's policy: stewards manage secrets and connections, start or stop jobs,
    create and publish dashboards and run Delta maintenance (OPTIMIZE, VACUUM, RESTORE);
    anyone signed in reads job status, queries models, searches vectors, asks Genie, reads
    table history, notebooks, dashboards and MLflow runs (as themselves)."""
    stewards = frozenset({MAKER})
    return PlatformPolicy(
        {
            "secrets.list_scopes": frozenset({MAKER, APPROVER}),
            "secrets.list": frozenset({MAKER, APPROVER}),
            "secrets.create_scope": stewards,
            "secrets.delete_scope": stewards,
            "secrets.put": stewards,
            "secrets.delete": stewards,
            "jobs.list": ANY_SIGNED_IN,
            "jobs.get": ANY_SIGNED_IN,
            "jobs.get_run": ANY_SIGNED_IN,
            "jobs.run": stewards,
            "jobs.cancel_run": stewards,
            "model.list_endpoints": ANY_SIGNED_IN,
            "model.get": ANY_SIGNED_IN,
            "model.predict": ANY_SIGNED_IN,
            "model.chat": ANY_SIGNED_IN,
            "vector.list_endpoints": ANY_SIGNED_IN,
            "vector.list_indexes": ANY_SIGNED_IN,
            "vector.search": ANY_SIGNED_IN,
            "genie.ask": ANY_SIGNED_IN,
            "genie.get_message": ANY_SIGNED_IN,
            "genie.query_result": ANY_SIGNED_IN,
            "connections.list": ANY_SIGNED_IN,
            "connections.get": ANY_SIGNED_IN,
            "connections.create": stewards,
            "connections.delete": stewards,
            "notebooks.list": ANY_SIGNED_IN,
            "notebooks.export": ANY_SIGNED_IN,
            "dashboards.list": ANY_SIGNED_IN,
            "dashboards.get": ANY_SIGNED_IN,
            "dashboards.create": stewards,
            "dashboards.publish": stewards,
            "dashboards.published": ANY_SIGNED_IN,
            "mlflow.experiments": ANY_SIGNED_IN,
            "mlflow.runs": ANY_SIGNED_IN,
            "delta.history": ANY_SIGNED_IN,
            "delta.detail": ANY_SIGNED_IN,
            "delta.read": ANY_SIGNED_IN,
            "delta.optimize": stewards,
            "delta.vacuum": stewards,
            "delta.restore": stewards,
        }
    )
