"""OpenTelemetry: a span per request and per warehouse statement, the metrics, OTLP and /metrics.

Recorded with the SDK's in-memory exporter and reader; OTLP export is
checked against a collector stand-in on this machine that decodes what it
receives; Prometheus through the app's own ``/metrics``.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers

from appkit_testing.memory_app import memory_container
from appkit_web.containers import GovernedAppContainer, app_container
from appkit_web.local_backend import LocalBackend
from appkit_web.telemetry import in_memory_telemetry, telemetry_from_settings
from appkit_web.telemetry.warehouse import operation_of
from tests.web.conftest import ALICE, BOB, DAVE, Api, make_settings, open_client

OVERRIDE = {"entity": "ACME", "metric": "pd", "period": "2026-Q3", "value": "0.0215",
            "justification": "restated"}  # fmt: skip


@pytest.fixture
def recorded(tmp_path: Path) -> tuple[GovernedAppContainer, Any, Any]:
    settings = make_settings(tmp_path, APPKIT_BACKEND="local", APPKIT_DATA_DIR=str(tmp_path / "d"))
    backend = LocalBackend(settings=providers.Object(settings))
    telemetry, spans, reader = in_memory_telemetry()
    backend.telemetry.override(providers.Object(telemetry))  # before anything is built
    return app_container(settings, backend), spans, reader


@pytest.fixture
async def api(recorded) -> AsyncIterator[Api]:
    async for client in open_client(recorded[0]):
        yield client


def _points(reader: Any, name: str) -> list[tuple[dict[str, Any], Any]]:
    found = []
    data = reader.get_metrics_data()
    for resource in data.resource_metrics if data else []:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                if metric.name == name:
                    found += [(dict(p.attributes), p) for p in metric.data.data_points]
    return found


async def test_each_request_and_each_statement_is_a_span_of_one_trace(api: Api, recorded):
    _, spans, _ = recorded
    spans.clear()
    proposed = await api.post("/api/overrides", ALICE, json=OVERRIDE,
                              headers={"X-Request-Id": "trace-me-1"})  # fmt: skip
    assert proposed.status_code == 201
    finished = spans.get_finished_spans()
    server = [s for s in finished if s.name == "POST /api/overrides"]
    assert len(server) == 1
    attributes = dict(server[0].attributes)
    assert attributes["http.route"] == "/api/overrides"
    assert attributes["http.response.status_code"] == 201
    assert attributes["appkit.request_id"] == "trace-me-1"
    assert attributes["enduser.id"] == "dev:alice@example.com"
    statements = [s for s in finished if s.name.startswith("warehouse ")]
    assert statements, [s.name for s in finished]
    for span in statements:
        assert span.context.trace_id == server[0].context.trace_id
        assert span.parent is not None
        assert dict(span.attributes)["appkit.execution_identity"] == "app"
        assert "SELECT value" not in str(dict(span.attributes))  # no statement text


async def test_a_read_as_the_user_is_traced_as_the_user(api: Api, recorded):
    _, spans, reader = recorded
    rows = await api.post("/api/sql/query", DAVE, json={"statement": "SELECT 1 AS one"})
    assert rows.status_code == 200
    mine = [s for s in spans.get_finished_spans() if s.name == "warehouse SELECT"
            and dict(s.attributes)["appkit.execution_identity"] == "user"]  # fmt: skip
    assert mine and dict(mine[-1].attributes)["db.response.returned_rows"] == 1
    counted = _points(reader, "appkit.warehouse.statements")
    assert any(a["appkit.execution_identity"] == "user" and p.value >= 1 for a, p in counted)


async def test_an_incoming_traceparent_continues_the_callers_trace(api: Api, recorded):
    _, spans, _ = recorded
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    await api.get("/api/me", ALICE, headers={"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"})
    server = [s for s in spans.get_finished_spans() if s.name == "GET /api/me"]
    assert f"{server[-1].context.trace_id:032x}" == trace_id


async def test_requests_and_approvals_by_state_are_counted(api: Api, recorded):
    _, _, reader = recorded
    proposed = await api.post("/api/overrides", ALICE, json=OVERRIDE)
    await api.post(f"/api/approvals/{proposed.json()['approval_id']}/approve", BOB, json={})
    await api.get("/api/approvals/none-such", BOB)
    states = {
        a["appkit.state"]: p.value
        for a, p in _points(reader, "appkit.approvals")
        if a["appkit.kind"] == "metric_override"
    }
    assert states == {"PENDING": 1, "APPROVED": 1, "APPLIED": 1}
    requests = {
        (a["http.route"], a["http.response.status_code"]): p.value
        for a, p in _points(reader, "appkit.http.server.requests")
    }
    assert requests[("/api/overrides", 201)] == 1
    assert requests[("/api/approvals/{approval_id}", 404)] == 1
    durations = _points(reader, "appkit.http.server.duration")
    assert all(p.count >= 1 for _, p in durations)


def test_statement_operations_are_named_by_their_first_keyword():
    assert operation_of("  -- why\nSELECT 1") == "SELECT"
    assert operation_of("/* a */ insert into t values (1)") == "INSERT"
    assert operation_of("") == "OTHER"


async def test_prometheus_metrics_are_served_when_the_app_asks(tmp_path: Path):
    container = memory_container(make_settings(tmp_path, APPKIT_PROMETHEUS_METRICS="true"))
    async for api in open_client(container):
        proposed = await api.post("/api/overrides", ALICE, json=OVERRIDE)
        assert proposed.status_code == 201
        scraped = await api.client.get("/metrics")
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    text = scraped.text
    assert (
        'appkit_approvals_total{appkit_kind="metric_override",appkit_state="PENDING"} 1.0' in text
    )
    assert "appkit_http_server_requests_total{" in text and 'http_route="/api/overrides"' in text


async def test_telemetry_is_off_by_default(tmp_path: Path):
    container = memory_container(make_settings(tmp_path))
    assert container.telemetry() is None
    async for api in open_client(container):
        assert (await api.client.get("/metrics")).status_code == 404


class _Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[str]:
    _Collector.received = []
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_traces_and_metrics_are_exported_over_otlp_when_an_endpoint_is_set(
    tmp_path: Path, collector: str, monkeypatch: pytest.MonkeyPatch
):
    from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
        ExportMetricsServiceRequest,
    )
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector)
    monkeypatch.setenv("OTEL_SERVICE_NAME", "otlp-test-app")
    settings = make_settings(tmp_path)
    assert telemetry_from_settings(settings) is not None
    async for api in open_client(memory_container(settings)):  # shutdown flushes the exporters
        assert (await api.get("/api/me", ALICE)).status_code == 200
    paths = {path for path, _ in _Collector.received}
    assert {"/v1/traces", "/v1/metrics"} <= paths
    traces = ExportTraceServiceRequest()
    for path, body in _Collector.received:
        if path == "/v1/traces":
            traces.MergeFromString(body)
    names = {s.name for r in traces.resource_spans for sc in r.scope_spans for s in sc.spans}
    assert "GET /api/me" in names
    service = {a.key: a.value.string_value for a in traces.resource_spans[0].resource.attributes}
    assert service["service.name"] == "otlp-test-app"
    metrics = ExportMetricsServiceRequest()
    for path, body in _Collector.received:
        if path == "/v1/metrics":
            metrics.MergeFromString(body)
    exported = {
        m.name for r in metrics.resource_metrics for sc in r.scope_metrics for m in sc.metrics
    }
    assert "appkit.http.server.requests" in exported
