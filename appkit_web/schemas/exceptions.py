"""Data-quality exceptions as the API takes and shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from appkit_domain.dq import DqException, DqStatus, Severity
from appkit_web.schemas.common import Input


class ExceptionIn(Input):
    """One failed check to record (idempotent by check, table and failing key)."""

    check: str = Field(..., min_length=1, max_length=200, examples=["customer_tier_not_null"])
    table: str = Field(..., min_length=5, max_length=800, examples=["demo.crm.customers"])
    rule: str = Field(..., min_length=1, max_length=2000, examples=["tier IS NOT NULL"])
    severity: Severity = Field(..., examples=["HIGH"])
    failing_key: str = Field(..., min_length=1, max_length=500, examples=["customer_id=5"])
    observed_value: str | int | float | bool | None = Field(None, examples=["null tier"])
    failing_rows_ref: str | None = Field(None, max_length=2000)
    owner: str | None = Field(
        None, max_length=320, description="owner's id or email; default: the caller"
    )
    detected_at: datetime | None = Field(None, description="default: now")


class IngestIn(Input):
    table: str = Field(
        "demo.dq.check_results", min_length=5, max_length=800, examples=["demo.dq.check_results"]
    )


class NoteIn(Input):
    note: str = Field("", max_length=2000)


class ResolveIn(Input):
    resolution: str = Field(..., min_length=1, max_length=4000, examples=["backfilled the tier"])


class WaiveIn(Input):
    justification: str = Field(
        ..., min_length=1, max_length=4000, examples=["known vendor issue, fix in next release"]
    )
    until: datetime = Field(..., examples=["2027-01-31T00:00:00Z"])


class WaiverOut(BaseModel):
    """A waiver request: the exception's ``id``, and the approval that would grant it."""

    id: str
    approval_id: str
    required_approvals: int
    status: DqStatus


class ExceptionOut(BaseModel):
    id: str
    status: DqStatus
    check: str
    table: str
    rule: str
    severity: Severity
    observed_value: str | int | float | bool | None
    failing_key: str
    failing_rows_ref: str | None
    owner: str
    detected_at: datetime
    last_detected_at: datetime | None
    due_at: datetime
    occurrences: int
    acknowledged_by: str | None
    resolved_by: str | None
    resolution: str | None
    waiver_until: datetime | None
    waiver_approval_id: str | None
    pending_waiver_approval_id: str | None
    version: int

    @classmethod
    def of(cls, item: DqException) -> ExceptionOut:
        return cls(
            id=item.id,
            status=item.status,
            check=item.check,
            table=item.table.full_name,
            rule=item.rule,
            severity=item.severity,
            observed_value=item.observed_value,
            failing_key=item.failing_key,
            failing_rows_ref=item.failing_rows_ref,
            owner=item.owner,
            detected_at=item.detected_at,
            last_detected_at=item.last_detected_at,
            due_at=item.due_at,
            occurrences=item.occurrences,
            acknowledged_by=item.acknowledged_by,
            resolved_by=item.resolved_by,
            resolution=item.resolution,
            waiver_until=item.waiver.until if item.waiver else None,
            waiver_approval_id=item.waiver.approval_id if item.waiver else None,
            pending_waiver_approval_id=item.pending_waiver_approval_id,
            version=item.version,
        )


class RecordedOut(BaseModel):
    outcome: str
    exception: ExceptionOut


class IngestOut(BaseModel):
    table: str
    rows: int
    results: list[RecordedOut]
    rejected: list[dict[str, object]]
    counts: dict[str, int]
