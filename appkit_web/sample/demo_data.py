"""The demo world's data: risk metrics, customers (the write-back target), failed checks.

Plain values every backend seeds from (the memory fakes, the local engine's
tables), so the demo world is the same wherever it runs.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

METRICS_TABLE = "demo.risk.metrics"
CUSTOMERS_TABLE = "demo.crm.customers"
CHECK_RESULTS_TABLE = "demo.dq.check_results"

METRICS_COLUMNS = {
    "entity": "STRING",
    "metric": "STRING",
    "period": "STRING",
    "value": "DECIMAL(18,6)",
}
CUSTOMERS_COLUMNS = {
    "customer_id": "BIGINT",
    "name": "STRING",
    "tier": "STRING",
    "updated_by": "STRING",
    "updated_at": "TIMESTAMP",
}
CHECK_RESULTS_COLUMNS = {
    "check_name": "STRING",
    "table_name": "STRING",
    "rule": "STRING",
    "severity": "STRING",
    "failing_key": "STRING",
    "observed_value": "STRING",
    "failing_rows_ref": "STRING",
    "owner": "STRING",
    "detected_at": "TIMESTAMP",
}

PERIOD = "2026-Q3"
TIERS = ("bronze", "silver", "gold", "platinum")

METRICS: list[dict[str, Any]] = [
    {"entity": entity, "metric": metric, "period": PERIOD, "value": Decimal(value)}
    for entity, metric, value in (
        ("ACME", "var_99", "1250000.000000"),
        ("ACME", "pd", "0.021000"),
        ("ACME", "lgd", "0.450000"),
        ("GLOBEX", "var_99", "830000.000000"),
        ("GLOBEX", "pd", "0.035000"),
        ("GLOBEX", "lgd", "0.400000"),
        ("INITECH", "var_99", "410000.000000"),
        ("INITECH", "pd", "0.012000"),
        ("INITECH", "lgd", "0.380000"),
    )
]

_SEEDED_AT = datetime(2026, 1, 1, tzinfo=timezone.utc)

CUSTOMERS: list[dict[str, Any]] = [
    {"customer_id": cid, "name": name, "tier": tier, "updated_by": "seed", "updated_at": _SEEDED_AT}
    for cid, name, tier in (
        (1, "Acme Corp", "gold"),
        (2, "Globex", "silver"),
        (3, "Initech", "bronze"),
        (4, "Umbrella", "platinum"),
        (5, "Hooli", "silver"),
    )
]

CHECK_RESULTS: list[dict[str, Any]] = [
    {
        "check_name": "customer_tier_not_null",
        "table_name": CUSTOMERS_TABLE,
        "rule": "tier IS NOT NULL",
        "severity": "HIGH",
        "failing_key": "customer_id=5",
        "observed_value": "null tier",
        "failing_rows_ref": "demo.crm.customers WHERE customer_id = 5",
        "owner": "alice@example.com",
        "detected_at": datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc),
    },
    {
        "check_name": "var_99_positive",
        "table_name": METRICS_TABLE,
        "rule": "value > 0 for metric var_99",
        "severity": "MEDIUM",
        "failing_key": "entity=INITECH",
        "observed_value": "-1",
        "failing_rows_ref": "demo.risk.metrics WHERE entity = 'INITECH'",
        "owner": "alice@example.com",
        "detected_at": datetime(2026, 11, 21, 8, 0, tzinfo=timezone.utc),
    },
    {
        "check_name": "pd_in_unit_interval",
        "table_name": METRICS_TABLE,
        "rule": "0 <= value <= 1 for metric pd",
        "severity": "LOW",
        "failing_key": "entity=GLOBEX",
        "observed_value": "1.3",
        "failing_rows_ref": "demo.risk.metrics WHERE entity = 'GLOBEX'",
        "owner": "alice@example.com",
        "detected_at": datetime(2026, 11, 22, 8, 0, tzinfo=timezone.utc),
    },
]
