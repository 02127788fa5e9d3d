"""Deterministic fault injection for Databricks routes.

A :class:`FaultPlan` holds a probability per fault kind and a seed; each
request on a fault-eligible route draws once from a seeded
``random.Random``, so the same plan and the same request sequence give the
same faults. ``max_faults`` stops injecting after that many faults, which
makes "fail once, then succeed" plans easy to write.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from appkit_testing.workspace.errors import invalid_parameter

FAULT_KINDS = ("http_429", "http_503", "reset", "stuck_pending")


@dataclass(frozen=True)
class FaultPlan:
    """Rates in [0, 1] per kind, a fixed extra latency and a seed."""

    rates: Mapping[str, float] = field(default_factory=dict)
    latency_ms: int = 0
    seed: int | None = None
    max_faults: int | None = None
    retry_after_seconds: int = 1

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> FaultPlan:
        """Accept ``{"rates": {...}}`` or the kinds at top level, plus the other fields."""
        known = {"rates", "latency_ms", "seed", "max_faults", "retry_after_seconds", *FAULT_KINDS}
        unknown = sorted(set(body) - known)
        if unknown:
            raise invalid_parameter(f"unknown fault plan fields {unknown}; known: {sorted(known)}")
        raw_rates = dict(body.get("rates") or {})
        for kind in FAULT_KINDS:
            if kind in body:
                raw_rates[kind] = body[kind]
        rates: dict[str, float] = {}
        for kind, rate in raw_rates.items():
            if kind not in FAULT_KINDS:
                raise invalid_parameter(f"unknown fault kind {kind!r}; known: {list(FAULT_KINDS)}")
            try:
                value = float(rate)
            except (TypeError, ValueError):
                raise invalid_parameter(f"rate for {kind} must be a number") from None
            if not 0.0 <= value <= 1.0:
                raise invalid_parameter(f"rate for {kind} must be between 0 and 1")
            rates[kind] = value
        try:
            latency = int(body.get("latency_ms") or 0)
            seed = None if body.get("seed") is None else int(body["seed"])
            cap = None if body.get("max_faults") is None else int(body["max_faults"])
            retry_after = int(body.get("retry_after_seconds", 1))
        except (TypeError, ValueError):
            raise invalid_parameter("latency_ms, seed, max_faults must be integers") from None
        if latency < 0 or (cap is not None and cap < 0) or retry_after < 0:
            raise invalid_parameter("latency_ms, max_faults, retry_after_seconds must be >= 0")
        return cls(rates, latency, seed, cap, retry_after)

    def to_json(self) -> dict[str, Any]:
        return {
            "rates": dict(self.rates),
            "latency_ms": self.latency_ms,
            "seed": self.seed,
            "max_faults": self.max_faults,
            "retry_after_seconds": self.retry_after_seconds,
        }


class FaultInjector:
    """Draws faults from the active plan; thread-safe."""

    def __init__(self, plan: FaultPlan | None = None) -> None:
        self._lock = threading.Lock()
        self.configure(plan or FaultPlan())

    def configure(self, plan: FaultPlan) -> None:
        with self._lock:
            self.plan = plan
            self._random = random.Random(plan.seed)
            self._injected = 0

    def reset(self) -> None:
        self.configure(FaultPlan())

    @property
    def injected(self) -> int:
        return self._injected

    def draw(self, kinds: tuple[str, ...]) -> str | None:
        """The fault to inject now among ``kinds`` (in that order), or None."""
        with self._lock:
            plan = self.plan
            if plan.max_faults is not None and self._injected >= plan.max_faults:
                return None
            for kind in kinds:
                rate = plan.rates.get(kind, 0.0)
                if rate > 0.0 and self._random.random() < rate:
                    self._injected += 1
                    return kind
            return None
