"""``PlatformGate``: policy, per-user rate limit, execution identity and audit, for every call.

A route describes its call (:class:`PlatformCall`: action, target, who it
runs as, its input) and hands the gate the work to do with the clients of
that identity. The gate, in this order:

1. refuses a caller whose roles the policy does not admit (403);
2. takes a token from the caller's bucket for the call's area (429 with
   ``Retry-After`` when empty), so one user cannot exhaust a serving
   endpoint or the workspace's API limits for everyone;
3. picks the clients: the user's own token for ``ExecutesAs.USER`` (refused
   with 403 when the app got no ``X-Forwarded-Access-Token``: it never falls
   back to the service principal), the app's for ``SERVICE_PRINCIPAL``; for
   work done in SQL (:meth:`PlatformGate.call_sql`), the user's or the app's
   warehouse;
4. runs the work and appends one audit event, success or failure: actor,
   action, target, who executed it, ``input_sha256``, the outcome and any
   safe details the route adds. Inputs themselves (prompts, vectors,
   secret values) are never recorded.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from appkit_adapters.platform.calls import ExecutesAs, input_hash
from appkit_adapters.resilience.rate_limit import TokenBucket
from appkit_adapters.resilience.timing import Timer
from appkit_adapters.sql.warehouse import SqlWarehouse
from appkit_domain.audit import AuditLog
from appkit_domain.errors import AppkitError, PermissionDenied, RateLimited, Unavailable
from appkit_web.platform.policy import PlatformPolicy
from appkit_web.request_context import RequestContext
from appkit_web.user_warehouses import UserWarehouses

T = TypeVar("T")
C = TypeVar("C")
MAX_BUCKETS = 10_000


class PlatformClients(Protocol):
    """The adapters of one identity (jobs, secrets, serving, vector search, Genie,
    connections, notebooks, dashboards, MLflow)."""

    @property
    def jobs(self) -> Any: ...

    @property
    def secrets(self) -> Any: ...

    @property
    def serving(self) -> Any: ...

    @property
    def vector(self) -> Any: ...

    @property
    def genie(self) -> Any: ...

    @property
    def connections(self) -> Any: ...

    @property
    def notebooks(self) -> Any: ...

    @property
    def dashboards(self) -> Any: ...

    @property
    def mlflow(self) -> Any: ...


class PlatformServices(Protocol):
    """Gives the clients acting as the app or as one user (by their token)."""

    def as_service(self) -> PlatformClients: ...

    def as_user(self, token: str) -> PlatformClients: ...


@dataclass(frozen=True)
class PlatformCall:
    """One call as audited: ``action`` like ``"jobs.run"``, ``target`` like ``"job:42"``.

    ``input`` is hashed, never stored; ``details`` must hold nothing secret.
    """

    action: str
    target: str
    executes_as: ExecutesAs
    input: Any = None
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def area(self) -> str:
        return self.action.split(".", 1)[0]


class PlatformGate:
    """``services`` is None on a backend without a workspace: calls then answer 503."""

    def __init__(
        self,
        services: PlatformServices | None,
        policy: PlatformPolicy,
        audit: AuditLog,
        timer: Timer,
        *,
        rate: float,
        burst: int,
        backend: str,
        service_principal: Callable[[], Any] | None = None,
    ) -> None:
        self.services = services
        self.policy = policy
        self.audit = audit
        self.timer = timer
        self.rate = rate
        self.burst = burst
        self.backend = backend
        self._service_principal = service_principal
        self._buckets: dict[tuple[str, str], TokenBucket] = {}

    def _take(self, principal_id: str, area: str) -> None:
        key = (principal_id, area)
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            if len(self._buckets) >= MAX_BUCKETS:
                del self._buckets[next(iter(self._buckets))]  # least recently used
            bucket = TokenBucket(self.rate, self.burst, self.timer)
        self._buckets[key] = bucket
        if not bucket.try_acquire():
            raise RateLimited(
                f"too many {area} calls from this caller; slow down",
                retry_after=bucket.wait_time(),
            )

    def _clients(self, context: RequestContext, executes_as: ExecutesAs) -> PlatformClients:
        if self.services is None:
            raise Unavailable(
                f"the {self.backend} backend has no Databricks workspace: "
                "platform services need the databricks backend"
            )
        if executes_as is ExecutesAs.SERVICE_PRINCIPAL:
            return self.services.as_service()
        if not context.user_token:
            raise PermissionDenied(
                "this call runs as the user and needs user authorization: the app got no "
                "X-Forwarded-Access-Token for this user"
            )
        return self.services.as_user(context.user_token)

    async def _executed_by(self, context: RequestContext, executes_as: ExecutesAs) -> str:
        if executes_as is ExecutesAs.USER:
            assert context.principal is not None
            return context.principal.id
        if self._service_principal is None:
            return "service_principal"
        found = self._service_principal()
        if inspect.isawaitable(found):
            found = await found
        return str(getattr(found, "id", found))

    async def call(
        self,
        context: RequestContext,
        call: PlatformCall,
        work: Callable[[PlatformClients], Awaitable[T]],
        *,
        describe: Callable[[T], Mapping[str, Any]] | None = None,
    ) -> T:
        """Run ``work`` with the clients ``call.executes_as`` names, audited; its result."""
        return await self._guarded(
            context, call, lambda: self._clients(context, call.executes_as), work, describe
        )

    async def call_sql(
        self,
        context: RequestContext,
        call: PlatformCall,
        work: Callable[[SqlWarehouse], Awaitable[T]],
        *,
        users: UserWarehouses,
        service: SqlWarehouse | None,
        describe: Callable[[T], Mapping[str, Any]] | None = None,
    ) -> T:
        """As :meth:`call`, for work done in SQL: ``work`` gets the warehouse of the user
        (from ``users``, on behalf of them) or of the app (``service``), so it runs on any
        backend with a warehouse (the local engine included)."""

        def pick() -> SqlWarehouse:
            if call.executes_as is ExecutesAs.USER:
                assert context.principal is not None
                return users.for_user(context.principal, context.user_token)
            if service is None:
                raise Unavailable(f"the {self.backend} backend has no SQL warehouse")
            return service

        return await self._guarded(context, call, pick, work, describe)

    async def _guarded(
        self,
        context: RequestContext,
        call: PlatformCall,
        pick: Callable[[], C],
        work: Callable[[C], Awaitable[T]],
        describe: Callable[[T], Mapping[str, Any]] | None,
    ) -> T:
        principal = context.principal
        if principal is None:  # routes depend on signed_in; this is a second lock
            raise PermissionDenied("sign in first")
        self.policy.check(call.action, context.roles)
        self._take(principal.id, call.area)
        clients = pick()
        details: dict[str, Any] = {
            "executes_as": call.executes_as.value,
            "input_sha256": input_hash(call.input),
            "identity_mode": context.identity_mode,
            **call.details,
        }
        try:
            result = await work(clients)
        except AppkitError as error:
            details.update(outcome=error.code, executed_by=await self._safe_by(context, call))
            await self._append(context, call, details)
            raise
        details.update(outcome="ok", executed_by=await self._executed_by(context, call.executes_as))
        if describe is not None:
            details.update(describe(result))
        await self._append(context, call, details)
        return result

    async def _safe_by(self, context: RequestContext, call: PlatformCall) -> str:
        try:
            return await self._executed_by(context, call.executes_as)
        except AppkitError:
            return call.executes_as.value

    async def _append(
        self, context: RequestContext, call: PlatformCall, details: Mapping[str, Any]
    ) -> None:
        assert context.principal is not None
        await self.audit.append(
            actor=context.principal.id,
            action=call.action,
            target=call.target,
            request_id=context.request_id,
            details=details,
        )
