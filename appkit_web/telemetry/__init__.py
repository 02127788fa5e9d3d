"""OpenTelemetry for a governed app: a trace per request and per warehouse statement, and metrics.

Metrics: ``appkit.http.server.requests`` (by method, route and status) with
``appkit.http.server.duration``; ``appkit.warehouse.statements`` (by
statement kind, identity and outcome) with ``appkit.warehouse.duration``;
``appkit.approvals`` (approval requests reaching each state, counted from the
audited transitions).

Telemetry is on when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set (traces and
metrics exported over OTLP/HTTP, configured by the standard ``OTEL_*``
variables) or when the app serves Prometheus ``/metrics``
(``APPKIT_PROMETHEUS_METRICS``); otherwise nothing is installed and the
OpenTelemetry SDK is never imported. Tests give the container a
:class:`Telemetry` over in-memory readers (:func:`in_memory_telemetry`).
"""

from appkit_web.telemetry.setup import Telemetry, in_memory_telemetry, telemetry_from_settings

__all__ = ["Telemetry", "in_memory_telemetry", "telemetry_from_settings"]
