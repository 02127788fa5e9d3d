"""The tamper-evident audit log: events, hash chains, the log service and its verifier."""

from appkit_domain.audit.chain import GENESIS_LABEL, event_hash, genesis_hash
from appkit_domain.audit.event import AuditEvent, AuditQuery, Checkpoint
from appkit_domain.audit.log import AuditLog
from appkit_domain.audit.redaction import Redactor
from appkit_domain.audit.verify import BrokenLink, StreamReport, VerifyReport, verify_streams

__all__ = [
    "GENESIS_LABEL",
    "AuditEvent",
    "AuditLog",
    "AuditQuery",
    "BrokenLink",
    "Checkpoint",
    "Redactor",
    "StreamReport",
    "VerifyReport",
    "event_hash",
    "genesis_hash",
    "verify_streams",
]
