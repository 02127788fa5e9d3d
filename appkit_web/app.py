"""``create_app``: build a governed FastAPI app from settings or a ready container.

Nothing happens at import time. The lifespan starts the container's
resources (engine, HTTP session) and stops them on shutdown within
:data:`SHUTDOWN_SECONDS` (Databricks Apps kills the process 15 s after SIGTERM).
Middleware is pure ASGI, outermost first: request id -> identity -> per-user
rate limit.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from appkit_domain.errors import AppkitError
from appkit_web import __version__
from appkit_web.backends import container_for
from appkit_web.commit_mode import RecoverySummary, choose_commit_mode, recover
from appkit_web.containers import GovernedAppContainer
from appkit_web.docs_pages import install_docs
from appkit_web.identity.middleware import IdentityMiddleware
from appkit_web.logs import configure_logging
from appkit_web.middleware.rate_limit import PerPrincipalRateLimit
from appkit_web.middleware.request_id import RequestIdMiddleware
from appkit_web.problems import install_problem_handlers
from appkit_web.routers import (
    approvals,
    audit,
    connections,
    dashboards,
    delta,
    exceptions,
    genie,
    health,
    jobs,
    me,
    mlflow,
    model,
    notebooks,
    overrides,
    secrets,
    sql,
    uc,
    vector,
    writeback,
)
from appkit_web.sample.landing import LANDING_HTML
from appkit_web.settings import Settings
from appkit_web.telemetry.prometheus import install_metrics_route
from appkit_web.telemetry.requests import RequestTracing

SHUTDOWN_SECONDS = 12.0
GOVERNED_SERVICES = (
    "approvals",
    "overrides",
    "waivers",
    "writeback",
    "delta_operations",
    "dashboard_publishing",
)
_log = logging.getLogger("appkit_web.app")

DESCRIPTION = (
    "A governed app: maker-checker approvals, metric overrides, data-quality exceptions, "
    "controlled write-back and a tamper-evident audit log. Errors are RFC 9457 problem+json "
    "with a stable `code`. Identity comes from the Databricks Apps proxy headers "
    "(`X-Forwarded-Email`, ...)."
)


async def _maybe_await(value: Any) -> None:
    if inspect.isawaitable(value):
        await value


async def _provided(provider: Any) -> Any:
    value = provider()
    return await value if inspect.isawaitable(value) else value


async def start_services(container: GovernedAppContainer) -> str:
    """Choose how steps commit, build the identity resolver and the governed services
    (registering their workflows), and finish what an earlier run left half-done.

    The lifespan does this after starting resources, so bad configuration
    fails start-up rather than the first request. Returns the commit mode.
    """
    mode = await choose_commit_mode(
        await _provided(container.governance_store),
        container.settings(),
        container.writeback_rules(),
        await _provided(container.backend.governed_table),
    )
    for name in ("identity", *GOVERNED_SERVICES):
        await _maybe_await(getattr(container, name)())
    await recover_now(container)
    return mode


async def recover_now(container: GovernedAppContainer) -> RecoverySummary:
    """One recovery sweep (see :mod:`appkit_web.commit_mode`); then applied write-back changes
    not linked to their table versions yet are linked."""
    summary = await recover(
        await _provided(container.governance_store),
        await _provided(container.commits),
        container.clock(),
        await _provided(container.approvals),
        await _provided(container.service_principal),
    )
    try:
        await (await _provided(container.writeback)).link_pending()
    except AppkitError as error:  # the next sweep tries again
        _log.warning("linking applied changes to table versions failed: %s", error.message)
    return summary


async def _sweep_every(container: GovernedAppContainer, seconds: float) -> None:
    # Wall-clock time on purpose: the injected timer may be virtual (tests), and this sweep
    # only catches up on work a crashed process left; nothing waits on it.
    while True:
        await asyncio.sleep(seconds)
        try:
            await recover_now(container)
        except Exception:
            _log.exception("the recovery sweep failed; it runs again in %ss", seconds)


def build_services(container: GovernedAppContainer) -> None:
    """:func:`start_services` for backends without async resources (memory), from sync code."""
    for name in ("identity", *GOVERNED_SERVICES):
        built = getattr(container, name)()
        if inspect.isawaitable(built):
            raise TypeError(f"{name} needs an async resource: use start_services")


StartHook = Callable[[GovernedAppContainer], Any]
"""Called (and awaited when it returns an awaitable) once the services are built."""


def _lifespan(container: GovernedAppContainer, on_start: Sequence[StartHook] = ()) -> Any:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await _maybe_await(container.init_resources())
        await _maybe_await(container.startup())
        await start_services(container)
        for hook in on_start:
            await _maybe_await(hook(container))
        interval = container.settings().recovery_interval
        sweeper = asyncio.create_task(_sweep_every(container, interval)) if interval > 0 else None
        try:
            yield
        finally:
            if sweeper is not None:
                sweeper.cancel()
            try:
                await asyncio.wait_for(
                    _maybe_await(container.shutdown_resources()), SHUTDOWN_SECONDS
                )
            except asyncio.TimeoutError:
                _log.error("resources did not shut down within %ss", SHUTDOWN_SECONDS)
            telemetry = container.telemetry()
            if telemetry is not None:
                telemetry.shutdown()  # flush what the exporters still hold

    return lifespan


API_ROUTERS = (health, me, approvals, overrides, exceptions, writeback, audit, uc, sql)
"""The ``/api`` routers of a governed app, each included directly on the app."""

PLATFORM_ROUTERS: tuple[Any, ...] = (
    secrets,
    jobs,
    model,
    vector,
    genie,
    delta,
    connections,
    notebooks,
    dashboards,
    mlflow,
)
"""Platform service routers (``/api/secrets``, ``/api/jobs``, ...); an app may pass a subset."""


def create_app(
    source: Settings | GovernedAppContainer,
    *,
    title: str = "Governed app",
    platform_routers: Sequence[Any] = PLATFORM_ROUTERS,
    json_logs: bool = True,
    console: bool = True,
    home: str | None = None,
    on_start: Sequence[StartHook] = (),
) -> FastAPI:
    """Build the app from ``settings`` (the backend's container is made for it) or a container.

    ``platform_routers`` are the platform service routers to include (all by
    default; ``()`` leaves them out, a subset includes only those). With
    ``json_logs`` (the default) logging is set up as :mod:`appkit_web.logs`
    describes: JSON lines with the request id, secrets redacted. ``console``
    serves the governance console at ``/console`` (:mod:`appkit_web.console`).
    ``/docs`` and ``/redoc`` use packaged assets (:mod:`appkit_web.docs_pages`).
    ``home`` makes ``/`` redirect there instead of showing the landing page;
    ``on_start`` hooks run at start-up once the services are built (e.g. to
    register an app's own appliers). Telemetry (:mod:`appkit_web.telemetry`)
    comes from the container: traces and metrics when it has any, and
    ``/metrics`` when Prometheus is asked for (``APPKIT_PROMETHEUS_METRICS``).
    """
    container = container_for(source) if isinstance(source, Settings) else source
    settings: Settings = container.settings()
    if json_logs:
        # the container's redactor knows the secret values resolved from secret:// settings
        configure_logging(settings.log_level, container.redactor())
    app = FastAPI(
        title=title,
        version=__version__,
        description=DESCRIPTION,
        lifespan=_lifespan(container, tuple(on_start)),
        docs_url=None,
        redoc_url=None,
    )
    app.state.container = container
    install_problem_handlers(app)
    install_docs(app)
    if console:
        from appkit_web.console import install_console

        install_console(app)
    for module in (*API_ROUTERS, *platform_routers):
        app.include_router(module.router, prefix="/api")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def landing() -> Response:
        if home is not None:
            return RedirectResponse(home, status_code=303)
        return HTMLResponse(LANDING_HTML)

    # add_middleware wraps: the last added is the outermost.
    app.add_middleware(
        PerPrincipalRateLimit,
        rate=settings.user_rate_limit_rps,
        burst=settings.user_rate_limit_burst,
        timer=container.timer(),
    )
    app.add_middleware(IdentityMiddleware, resolver=container.identity, roles=container.role_map)
    telemetry = container.telemetry()
    if telemetry is not None:  # OTLP endpoint set, or Prometheus /metrics asked for
        app.add_middleware(RequestTracing, telemetry=telemetry)
        if telemetry.prometheus is not None:
            install_metrics_route(app, telemetry)
    app.add_middleware(RequestIdMiddleware)
    return app
