"""Settlement listeners: services told when an approval request of their kind ends.

A request *settles* when it reaches a terminal status: ``REJECTED``,
``EXPIRED``, ``WITHDRAWN``, ``APPLIED`` or ``APPLY_FAILED``. A service whose
record follows a request (a change request, a waiver link) registers a
listener for its kind with :meth:`ApprovalService.on_settled`; the listener
is awaited once per settlement, after the terminal state is saved and
audited, with the request as saved.

A listener must be idempotent (the same settlement may also be seen by a
read-time fallback) and should raise only for a real failure. Its failure
does not undo the settlement: it is recorded in the audit log as
``approval.settle_failed`` (with the error type only, never its text), and
the service's own read-time mirroring is the fallback. A listener that
raises :class:`~appkit_domain.errors.Unavailable` may have saved a change
whose audit event is not durable, so that error reaches the caller of the
command (after every other listener ran): no command reports success over
a missing audit event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from appkit_domain.approvals.model import ApprovalRequest
from appkit_domain.audit.log import AuditLog
from appkit_domain.errors import InvalidInput, Unavailable

SettlementListener = Callable[[ApprovalRequest], Awaitable[None]]
"""``async def listener(request) -> None``, called with the settled request."""

SETTLE_ACTOR = "appkit"


class SettlementListeners:
    """The listeners registered per request kind, in registration order."""

    def __init__(self, audit: AuditLog) -> None:
        self._audit = audit
        self._listeners: dict[str, list[SettlementListener]] = {}

    def register(self, kind: str, listener: SettlementListener) -> None:
        """Add ``listener`` for requests of ``kind`` (once; registering it again changes nothing).

        An empty kind is ``InvalidInput``.
        """
        if not kind or not kind.strip():
            raise InvalidInput("a settlement listener needs a request kind")
        listeners = self._listeners.setdefault(kind, [])
        if listener not in listeners:
            listeners.append(listener)

    async def settled(self, request: ApprovalRequest) -> None:
        """Tell every listener of ``request.kind`` that ``request`` settled.

        Raises the first ``Unavailable`` a listener raised, once all have run.
        """
        unavailable: Unavailable | None = None
        for listener in self._listeners.get(request.kind, ()):
            try:
                await listener(request)
            except Unavailable as exc:
                unavailable = unavailable or exc
            except Exception as exc:
                await self._audit.append(
                    actor=SETTLE_ACTOR,
                    action="approval.settle_failed",
                    target=f"approval:{request.id}",
                    details={"status": request.status.value, "error": type(exc).__name__},
                )
        if unavailable is not None:
            raise unavailable
