"""``GET /metrics``: the app's metrics in the Prometheus text format (when the app enables it)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.responses import Response

from appkit_web.telemetry.setup import Telemetry


def install_metrics_route(app: FastAPI, telemetry: Telemetry) -> None:
    """Serve ``/metrics`` from the telemetry's own Prometheus registry."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    registry = telemetry.prometheus
    if registry is None:
        raise ValueError("the app's telemetry has no Prometheus reader (APPKIT_PROMETHEUS_METRICS)")

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
