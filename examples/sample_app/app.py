"""A governed app of your own, built on the toolkit: copy this file and change the rules.

Run locally (embedded lakehouse under .appkit/, dev identity from loopback):

    uvicorn app:build --factory --port 8000

In Databricks Apps, ``app.yaml`` runs the same factory with the Apps settings.

What you change is configuration, not plumbing: the role map (which groups
make whom a maker, approver or auditor), the maker-checker policies, and
which table columns may be written back. Each is a container provider,
overridden before the app is built.
"""

from __future__ import annotations

from dependency_injector import providers
from fastapi import FastAPI

from appkit_domain.approvals import Eligibility, MakerCheckerPolicy, PolicyRegistry
from appkit_domain.dq.waiver import DQ_WAIVER_KIND
from appkit_domain.identifiers import TableName
from appkit_domain.overrides import metric_override_policy
from appkit_domain.roles import RoleMap
from appkit_domain.writeback import AuditColumns, TableRules, ValueRule, WritebackRules
from appkit_domain.writeback.service import WRITEBACK_KIND
from appkit_web.app import create_app
from appkit_web.backends import container_for
from appkit_web.settings import Settings, load_settings

# Your identity provider's groups -> the toolkit's roles.
ROLES = RoleMap(
    {
        "data-stewards": {"maker"},
        "risk-approvers": {"approver"},
        "auditors": {"auditor"},
    }
)

MAKERS = Eligibility.of(roles={"maker"})
CHECKERS = Eligibility.of(roles={"approver"})

POLICIES = PolicyRegistry(
    [
        # 1 approval; 2 when the override moves the computed value by more than 10%.
        metric_override_policy(MAKERS, CHECKERS, base=1, material=2),
        # Row changes: 1 approval, then an explicit apply (POST /api/approvals/{id}/apply).
        MakerCheckerPolicy(
            kind=WRITEBACK_KIND,
            proposers=MAKERS,
            deciders=CHECKERS,
            quorum=1,
            auto_apply=False,
            appliers=Eligibility.of(roles={"maker", "approver"}),
        ),
        MakerCheckerPolicy(kind=DQ_WAIVER_KIND, proposers=MAKERS, deciders=CHECKERS, quorum=1),
    ]
)

# Only the tier of a customer may change, to one of four values.
WRITEBACK = WritebackRules(
    [
        TableRules(
            table=TableName.parse("demo.crm.customers"),
            key_columns=("customer_id",),
            writable={
                "tier": ValueRule(allowed=frozenset({"bronze", "silver", "gold", "platinum"}))
            },
            audit_columns=AuditColumns(approved_by=None, approval_id=None),
        )
    ]
)


def build(settings: Settings | None = None) -> FastAPI:
    """The app factory: settings from the environment and ``config/.env.<APP_ENV>`` by default."""
    container = container_for(settings or load_settings())
    container.role_map.override(providers.Object(ROLES))
    container.policies.override(providers.Object(POLICIES))
    container.writeback_rules.override(providers.Object(WRITEBACK))
    return create_app(container, title="Risk metrics governance")
