"""Table privileges given by configuration, for engines without a grant model (the local engine).

Each grant names a grantee (a principal id, a group, or :data:`ALL_USERS`)
and a table; a principal holds a privilege when it, one of its groups or
every user was granted it, or ``ALL PRIVILEGES``. Nothing else is granted.
"""

from __future__ import annotations

from collections.abc import Iterable

from appkit_domain.identifiers import TableName
from appkit_domain.ports.permissions import PermissionChecker
from appkit_domain.principal import Principal
from appkit_web.sample import demo_data

ALL_USERS = "account users"
"""The grantee every principal holds, as Unity Catalog's implicit ``account users`` group."""

Grant = tuple[str, str, str]
"""``(grantee, table full name, privilege)``, e.g. ``("data-stewards", "demo.crm.customers", "SELECT")``."""


class ConfiguredPermissions(PermissionChecker):
    def __init__(self, grants: Iterable[Grant]) -> None:
        self._grants: dict[tuple[str, str], set[str]] = {}
        for grantee, table, privilege in grants:
            name = TableName.parse(table).full_name.lower()
            self._grants.setdefault((grantee, name), set()).add(privilege.upper())

    def _has(self, principal: Principal, table: TableName, privilege: str) -> bool:
        name = table.full_name.lower()
        for grantee in (principal.id, *principal.groups, ALL_USERS):
            held = self._grants.get((grantee, name), set())
            if privilege in held or "ALL PRIVILEGES" in held:
                return True
        return False

    async def can_select(self, principal: Principal, table: TableName) -> bool:
        return self._has(principal, table, "SELECT")

    async def can_modify(self, principal: Principal, table: TableName) -> bool:
        return self._has(principal, table, "MODIFY")


DEMO_TABLES = (demo_data.METRICS_TABLE, demo_data.CUSTOMERS_TABLE, demo_data.CHECK_RESULTS_TABLE)


def demo_grants(service_principal_id: str) -> list[Grant]:
    """SELECT on the demo tables to every user (dave, in no group, reads them too);
    SELECT and MODIFY on customers to the app."""
    grants: list[Grant] = [(ALL_USERS, table, "SELECT") for table in DEMO_TABLES]
    grants += [
        (service_principal_id, demo_data.CUSTOMERS_TABLE, "SELECT"),
        (service_principal_id, demo_data.CUSTOMERS_TABLE, "MODIFY"),
    ]
    return grants
