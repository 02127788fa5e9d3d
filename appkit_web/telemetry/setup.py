"""Building the app's tracer and meter providers, and the instruments every part records into.

Providers belong to the app (not OpenTelemetry's process-wide globals), so
several apps in one process, as tests build them, keep their data apart.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from appkit_web import __version__
from appkit_web.settings import Settings

OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"
SCOPE = "appkit_web"


@dataclass
class Telemetry:
    """A tracer, a meter and the instruments; ``prometheus`` is the registry ``/metrics`` renders."""

    tracer_provider: Any
    meter_provider: Any
    prometheus: Any = None
    readers: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tracer = self.tracer_provider.get_tracer(SCOPE, __version__)
        meter = self.meter_provider.get_meter(SCOPE, __version__)
        self.requests = meter.create_counter(
            "appkit.http.server.requests", unit="{request}", description="HTTP requests served"
        )
        self.request_duration = meter.create_histogram(
            "appkit.http.server.duration", unit="s", description="HTTP request duration"
        )
        self.statements = meter.create_counter(
            "appkit.warehouse.statements",
            unit="{statement}",
            description="SQL warehouse statements run",
        )
        self.statement_duration = meter.create_histogram(
            "appkit.warehouse.duration", unit="s", description="SQL warehouse statement duration"
        )
        self.approvals = meter.create_counter(
            "appkit.approvals",
            unit="{request}",
            description="approval requests reaching a state (by state and kind)",
        )

    def shutdown(self) -> None:
        """Flush and stop the exporters (at app shutdown)."""
        for provider in (self.tracer_provider, self.meter_provider):
            stop = getattr(provider, "shutdown", None)
            if stop is not None:
                stop()


def _resource(settings: Settings) -> Any:
    from opentelemetry.sdk.resources import Resource

    name = os.environ.get("OTEL_SERVICE_NAME") or settings.app_name or "lakehouse-appkit-app"
    return Resource.create(
        {
            "service.name": name,
            "service.version": __version__,
            "deployment.environment.name": settings.app_env.value,
        }
    )


def telemetry_from_settings(
    settings: Settings, environ: Mapping[str, str] | None = None
) -> Telemetry | None:
    """OTLP export when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set, a Prometheus reader when the app
    serves ``/metrics``; None (nothing installed) when neither is asked for."""
    env = os.environ if environ is None else environ
    otlp = bool(env.get(OTLP_ENDPOINT))
    if not otlp and not settings.prometheus_metrics:
        return None
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.trace import TracerProvider

    resource = _resource(settings)
    tracer_provider = TracerProvider(resource=resource)
    readers: list[Any] = []
    prometheus = None
    if otlp:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        readers.append(PeriodicExportingMetricReader(OTLPMetricExporter()))
    if settings.prometheus_metrics:
        from opentelemetry.exporter.prometheus import PrometheusMetricReader
        from prometheus_client import CollectorRegistry

        # the app's own registry: /metrics shows this app's series only
        prometheus = CollectorRegistry()
        readers.append(
            PrometheusMetricReader(
                disable_target_info=True, scope_info_enabled=False, registry=prometheus
            )
        )
    meter_provider = MeterProvider(resource=resource, metric_readers=readers)
    return Telemetry(tracer_provider, meter_provider, prometheus, readers)


def in_memory_telemetry() -> tuple[Telemetry, Any, Any]:
    """A :class:`Telemetry` recording into memory: ``(telemetry, span_exporter, metric_reader)``."""
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    return Telemetry(tracer_provider, meter_provider, None, [reader]), spans, reader
