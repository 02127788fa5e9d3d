"""Data-quality exceptions: failed checks, their owners, SLAs, waivers and reopening."""

from appkit_domain.dq.exception import DqException, ObservedValue, Waiver
from appkit_domain.dq.failure import CheckFailure
from appkit_domain.dq.fingerprint import failure_fingerprint
from appkit_domain.dq.query import DqQuery
from appkit_domain.dq.recording import IngestReport, Outcome, Recorded
from appkit_domain.dq.severity import DEFAULT_SLA, Severity, SlaPolicy
from appkit_domain.dq.status import CLOSED, TRANSITIONS, DqStatus, check_transition

__all__ = [
    "CLOSED",
    "DEFAULT_SLA",
    "TRANSITIONS",
    "CheckFailure",
    "DqException",
    "DqQuery",
    "DqStatus",
    "IngestReport",
    "ObservedValue",
    "Outcome",
    "Recorded",
    "Severity",
    "SlaPolicy",
    "Waiver",
    "check_transition",
    "failure_fingerprint",
]
