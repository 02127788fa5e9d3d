"""Write-back change requests as the API takes and shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from appkit_domain.writeback import ChangeRequest, ChangeStatus
from appkit_domain.writeback.versions import Evidence
from appkit_web.schemas.common import Input

Scalar = str | int | float | bool | None


class ChangeIn(Input):
    """Set columns of one row. Governance fields (status, requester, approvers) are not inputs."""

    table: str = Field(..., min_length=5, max_length=800, examples=["demo.crm.customers"])
    key: dict[str, Scalar] = Field(..., max_length=20, examples=[{"customer_id": 2}])
    set: dict[str, Scalar] = Field(..., max_length=50, examples=[{"tier": "gold"}])
    reason: str = Field(..., min_length=1, max_length=4000, examples=["annual review upgrade"])

    @field_validator("key", "set", mode="before")
    @classmethod
    def _column_names_are_exact(cls, value: Any) -> Any:
        # Whitespace stripping would fold "tier " onto "tier": an ambiguous body is refused.
        if isinstance(value, dict):
            for name in value:
                if isinstance(name, str) and name != name.strip():
                    raise ValueError(f"column name {name!r} has surrounding whitespace")
        return value


class ChangeOut(BaseModel):
    id: str
    status: ChangeStatus
    table: str
    key: dict[str, Any]
    set: dict[str, Any]
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str
    requested_by: str
    approval_id: str | None
    required_approvals: int
    approvers: list[str]
    executed_by: str | None
    applied_at: datetime | None
    failure: str | None
    created_at: datetime
    updated_at: datetime
    rows_hidden: bool = False
    table_version: int | None = None
    """The table version the applied change produced (once linked); ``replaced_version`` the
    one it replaced."""
    replaced_version: int | None = None

    @classmethod
    def of(cls, change: ChangeRequest, *, show_rows: bool = True) -> ChangeOut:
        """``show_rows=False`` (the caller may not read the table) leaves out key and row images."""
        out = cls(
            id=change.id,
            status=change.status,
            table=change.table.full_name,
            key=dict(change.key),
            set=dict(change.values),
            before=dict(change.before),
            after=dict(change.after),
            reason=change.reason,
            requested_by=change.requested_by,
            approval_id=change.approval_id,
            required_approvals=change.required_approvals,
            approvers=list(change.approvers),
            executed_by=change.executed_by,
            applied_at=change.applied_at,
            failure=change.failure,
            created_at=change.created_at,
            updated_at=change.updated_at,
            table_version=change.table_version,
            replaced_version=change.replaced_version,
        )
        if not show_rows:
            out = out.model_copy(
                update={"key": {}, "set": {}, "before": {}, "after": {}, "rows_hidden": True}
            )
        return out


class EvidenceOut(BaseModel):
    """An applied change's row as the table version it replaced and the one it produced hold it."""

    change_id: str
    table: str
    key: dict[str, Any]
    replaced_version: int
    produced_version: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @classmethod
    def of(cls, evidence: Evidence) -> EvidenceOut:
        change = evidence.change
        assert change.table_version is not None and change.replaced_version is not None
        return cls(
            change_id=change.id,
            table=change.table.full_name,
            key=dict(change.key),
            replaced_version=change.replaced_version,
            produced_version=change.table_version,
            before=None if evidence.before is None else dict(evidence.before),
            after=None if evidence.after is None else dict(evidence.after),
        )
