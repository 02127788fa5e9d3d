"""Approval requests as the API shows them, and the decision input."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from appkit_domain.approvals import ApprovalRequest, ApprovalStatus, Decision, thaw
from appkit_web.schemas.common import Input


class DecisionIn(Input):
    """A checker's verdict note. ``seen_hash`` binds the decision to the payload the checker saw."""

    comment: str = Field("", max_length=2000, examples=["numbers reconciled with finance"])
    seen_hash: str | None = Field(
        None, pattern=r"^[0-9a-f]{64}$", description="payload_hash the checker reviewed"
    )


class WithdrawIn(Input):
    reason: str = Field("", max_length=2000)


class DecisionOut(BaseModel):
    principal_id: str
    verdict: str
    payload_hash: str
    at: datetime
    comment: str
    on_behalf_of: str | None = None

    @classmethod
    def of(cls, decision: Decision) -> DecisionOut:
        return cls(
            principal_id=decision.principal_id,
            verdict=decision.verdict.value,
            payload_hash=decision.payload_hash,
            at=decision.at,
            comment=decision.comment,
            on_behalf_of=decision.on_behalf_of,
        )


class ApprovalOut(BaseModel):
    id: str
    kind: str
    target: str
    status: ApprovalStatus
    requested_by: str
    on_behalf_of: str | None = None
    required_approvals: int
    approvals: int
    decisions: list[DecisionOut]
    payload: dict[str, Any]
    payload_hash: str
    deadline: datetime
    created_at: datetime
    updated_at: datetime
    version: int
    result: dict[str, Any] | None = None
    failure: str | None = None
    reason: str = ""
    payload_hidden: bool = False

    @classmethod
    def of(cls, request: ApprovalRequest, *, show_payload: bool = True) -> ApprovalOut:
        """``show_payload=False`` (it shows rows the caller may not read) leaves out the
        payload and result; the hash still identifies what was approved."""
        out = cls(
            id=request.id,
            kind=request.kind,
            target=request.target,
            status=request.status,
            requested_by=request.requested_by,
            on_behalf_of=request.on_behalf_of,
            required_approvals=request.required_approvals,
            approvals=len(request.approvals),
            decisions=[DecisionOut.of(d) for d in request.decisions],
            payload=thaw(request.payload),
            payload_hash=request.payload_hash,
            deadline=request.deadline,
            created_at=request.created_at,
            updated_at=request.updated_at,
            version=request.version,
            result=thaw(request.result) if request.result is not None else None,
            failure=request.failure,
            reason=request.reason,
        )
        if not show_payload:
            out = out.model_copy(update={"payload": {}, "result": None, "payload_hidden": True})
        return out
