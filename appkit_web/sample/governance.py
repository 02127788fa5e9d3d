"""The demo world's people and rules.

Users (dev identity via ``X-Forwarded-Email``): alice is a data steward
(maker), bob and carol are risk approvers, dave has no group (read-only),
auditor reads the audit log. Policy: overrides need 1 approval, 2 when the
value moves by more than 10%; customer tier changes need 1 approval; DQ
waivers need 1 approval; a Delta RESTORE or VACUUM, and publishing a dashboard, need 1
approval.
"""

from __future__ import annotations

from datetime import timedelta

from appkit_domain.approvals import Eligibility, MakerCheckerPolicy, PolicyRegistry
from appkit_domain.dq.waiver import DQ_WAIVER_KIND
from appkit_domain.identifiers import TableName
from appkit_domain.overrides import metric_override_policy
from appkit_domain.principal import Principal
from appkit_domain.roles import RoleMap
from appkit_domain.writeback import AuditColumns, TableRules, ValueRule, WritebackRules
from appkit_domain.writeback.service import WRITEBACK_KIND
from appkit_web.platform.dashboards import DASHBOARD_PUBLISH_KIND
from appkit_web.platform.delta import DELTA_RESTORE_KIND, DELTA_VACUUM_KIND
from appkit_web.sample.demo_data import CUSTOMERS_TABLE, TIERS

MAKER, APPROVER, AUDITOR = "maker", "approver", "auditor"

DEMO_GROUPS_TO_ROLES: dict[str, set[str]] = {
    "data-stewards": {MAKER},
    "risk-approvers": {APPROVER},
    "auditors": {AUDITOR},
}

_DEMO_PEOPLE: tuple[tuple[str, str, set[str]], ...] = (
    ("alice", "Alice Steward", {"data-stewards"}),
    ("bob", "Bob Approver", {"risk-approvers"}),
    ("carol", "Carol Approver", {"risk-approvers"}),
    ("dave", "Dave Reader", set()),
    ("auditor", "Audrey Auditor", {"auditors"}),
)

DEMO_EMAILS: tuple[str, ...] = tuple(f"{name}@example.com" for name, _, _ in _DEMO_PEOPLE)


def demo_principals(id_prefix: str = "") -> list[Principal]:
    """The demo users; ``id_prefix`` (``"dev:"`` in dev mode) labels their ids."""
    return [
        Principal(
            id=f"{id_prefix}{name}@example.com",
            email=f"{name}@example.com",
            display_name=display,
            groups=frozenset(groups),
        )
        for name, display, groups in _DEMO_PEOPLE
    ]


def demo_role_map() -> RoleMap:
    return RoleMap(DEMO_GROUPS_TO_ROLES)


def demo_policies() -> PolicyRegistry:
    makers = Eligibility.of(roles={MAKER})
    checkers = Eligibility.of(roles={APPROVER})
    return PolicyRegistry(
        [
            metric_override_policy(makers, checkers, base=1, material=2),
            MakerCheckerPolicy(
                kind=WRITEBACK_KIND,
                proposers=makers,
                deciders=checkers,
                quorum=1,
                deadline=timedelta(days=3),
                auto_apply=False,
                appliers=Eligibility.of(roles={MAKER, APPROVER}),
            ),
            MakerCheckerPolicy(
                kind=DQ_WAIVER_KIND,
                proposers=makers,
                deciders=checkers,
                quorum=1,
                deadline=timedelta(days=5),
            ),
            *(
                MakerCheckerPolicy(
                    kind=kind,
                    proposers=makers,
                    deciders=checkers,
                    quorum=1,
                    deadline=timedelta(days=2),
                )
                for kind in (DELTA_RESTORE_KIND, DELTA_VACUUM_KIND, DASHBOARD_PUBLISH_KIND)
            ),
        ]
    )


def demo_writeback_rules() -> WritebackRules:
    """Only ``demo.crm.customers.tier`` is writable, to one of the four tiers, with approval."""
    return WritebackRules(
        [
            TableRules(
                table=TableName.parse(CUSTOMERS_TABLE),
                key_columns=("customer_id",),
                writable={"tier": ValueRule(allowed=frozenset(TIERS), not_null=True)},
                approval_required=True,
                audit_columns=AuditColumns(
                    updated_by="updated_by",
                    updated_at="updated_at",
                    approved_by=None,
                    approval_id=None,
                ),
            )
        ]
    )
