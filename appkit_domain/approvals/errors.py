"""Approval-specific refinements of the shared error tree (codes clients may rely on)."""

from __future__ import annotations

from appkit_domain.errors import (
    ConcurrentModification,
    Conflict,
    InvalidTransition,
    PermissionDenied,
)


class SelfApproval(PermissionDenied):
    """Rule 1: a maker of the request (or someone acting for them) tried to decide it."""

    code = "self_approval"


class NotEligible(PermissionDenied):
    """Rule 3 (and proposal rights): the principal's groups and roles do not qualify."""

    code = "not_eligible"


class AlreadyDecided(Conflict):
    """Rule 2: this principal has already decided this request."""

    code = "already_decided"


class RequestExpired(InvalidTransition):
    """Rule 6: the request passed its deadline; it is now ``EXPIRED``."""

    code = "expired"


class PayloadMismatch(Conflict):
    """Rule 7: the payload hash seen or applied differs from the one bound to the request."""

    code = "payload_mismatch"


__all__ = [
    "AlreadyDecided",
    "ConcurrentModification",
    "NotEligible",
    "PayloadMismatch",
    "RequestExpired",
    "SelfApproval",
]
