"""The people, roles and table every domain test world shares.

alice is a data steward (maker); bob, carol and erin are risk approvers
(checkers); dave belongs to no group; the app acts as a service principal.
"""

from __future__ import annotations

from appkit_domain.identifiers import TableName
from appkit_domain.principal import Principal, PrincipalKind
from appkit_domain.roles import RoleMap

ALICE = Principal("u-alice", "alice@example.com", groups=frozenset({"data-stewards"}))
BOB = Principal("u-bob", "bob@example.com", groups=frozenset({"risk-approvers"}))
CAROL = Principal("u-carol", "carol@example.com", groups=frozenset({"risk-approvers"}))
ERIN = Principal("u-erin", "erin@example.com", groups=frozenset({"risk-approvers"}))
DAVE = Principal("u-dave", "dave@example.com")
APP = Principal("sp-app", "app@example.com", kind=PrincipalKind.SERVICE_PRINCIPAL)

ROLES = RoleMap({"data-stewards": {"maker"}, "risk-approvers": {"approver"}})
CUSTOMERS = TableName("demo", "crm", "customers")
