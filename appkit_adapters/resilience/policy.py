"""``ResiliencePolicy``: the numbers that configure the pipeline, with dev/test/prod profiles.

Field names are the lower-case forms of the settings ``RETRY_MAX_ATTEMPTS``,
``RETRY_INITIAL_DELAY``, ``RETRY_MAX_DELAY``, ``RATE_LIMIT_REQUESTS_PER_SECOND``,
``RATE_LIMIT_BURST``, ``CIRCUIT_BREAKER_FAILURE_THRESHOLD``,
``CIRCUIT_BREAKER_TIMEOUT``, ``REQUEST_TIMEOUT`` and ``DEADLINE`` so a settings
object maps onto it one to one (:meth:`ResiliencePolicy.from_settings`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from appkit_domain.errors import InvalidInput


@dataclass(frozen=True)
class ResiliencePolicy:
    """Limits for one pipeline. Times are seconds; ``None`` disables that stage.

    * ``retry_max_attempts``: attempts in total, the first included (1 = no retry).
    * ``retry_initial_delay`` / ``retry_max_delay``: the exponential window
      ``min(max, initial * 2**n)`` from which full jitter draws each delay.
    * ``retry_after_cap``: the longest server-requested ``Retry-After`` honoured.
    * ``rate_limit_requests_per_second`` / ``rate_limit_burst``: token bucket refill and size.
    * ``circuit_breaker_failure_threshold``: consecutive failures that open the breaker.
    * ``circuit_breaker_timeout``: how long it stays open before half-open probes.
    * ``circuit_breaker_half_open_probes``: calls let through while half-open.
    * ``request_timeout``: the limit for one attempt; ``deadline``: for all attempts together.
    """

    retry_max_attempts: int = 3
    retry_initial_delay: float = 0.5
    retry_max_delay: float = 10.0
    retry_after_cap: float = 60.0
    rate_limit_requests_per_second: float | None = 50.0
    rate_limit_burst: int = 100
    circuit_breaker_failure_threshold: int = 5
    circuit_breaker_timeout: float = 30.0
    circuit_breaker_half_open_probes: int = 1
    # One attempt covers a 50 s statement wait plus its round trip; the whole call stays
    # under the Databricks Apps proxy's 120 s request timeout.
    request_timeout: float | None = 60.0
    deadline: float | None = 110.0

    def __post_init__(self) -> None:
        if self.retry_max_attempts < 1:
            raise InvalidInput("retry_max_attempts must be at least 1")
        if self.retry_initial_delay < 0 or self.retry_max_delay < self.retry_initial_delay:
            raise InvalidInput("retry delays must satisfy 0 <= initial <= max")
        if self.retry_after_cap < 0:
            raise InvalidInput("retry_after_cap must not be negative")
        if self.rate_limit_requests_per_second is not None:
            if self.rate_limit_requests_per_second <= 0:
                raise InvalidInput("rate_limit_requests_per_second must be positive")
            if self.rate_limit_burst < 1:
                raise InvalidInput("rate_limit_burst must be at least 1")
        if self.circuit_breaker_failure_threshold < 1:
            raise InvalidInput("circuit_breaker_failure_threshold must be at least 1")
        if self.circuit_breaker_timeout < 0 or self.circuit_breaker_half_open_probes < 1:
            raise InvalidInput("breaker timeout must be >= 0 and half-open probes >= 1")
        for name in ("request_timeout", "deadline"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise InvalidInput(f"{name} must be positive or None")

    @classmethod
    def for_profile(cls, profile: str) -> ResiliencePolicy:
        """The defaults for ``dev``, ``test`` or ``prod``."""
        try:
            return PROFILES[profile]
        except KeyError:
            raise InvalidInput(
                f"unknown resilience profile {profile!r}; expected one of {sorted(PROFILES)}"
            ) from None

    @classmethod
    def from_settings(cls, settings: Any, profile: str = "prod") -> ResiliencePolicy:
        """Overlay a settings object or mapping on a profile.

        Reads ``RETRY_MAX_ATTEMPTS`` ... ``DEADLINE`` (or their lower-case
        forms) from a mapping or as attributes; absent or ``None`` keeps the
        profile's value.
        """
        base = cls.for_profile(profile)
        overrides: dict[str, Any] = {}
        for field in fields(cls):
            for key in (field.name.upper(), field.name):
                if isinstance(settings, Mapping):
                    value = settings.get(key)
                else:
                    value = getattr(settings, key, None)
                if value is not None:
                    overrides[field.name] = value
                    break
        return replace(base, **overrides)


PROFILES: Mapping[str, ResiliencePolicy] = {
    # Fail fast while developing: few retries, short waits, no rate limiting.
    "dev": ResiliencePolicy(
        retry_max_attempts=2,
        retry_initial_delay=0.2,
        retry_max_delay=2.0,
        rate_limit_requests_per_second=None,
        circuit_breaker_failure_threshold=5,
        circuit_breaker_timeout=5.0,
        request_timeout=30.0,
        deadline=60.0,
    ),
    # Deterministic and quick for test suites against the emulated workspace.
    "test": ResiliencePolicy(
        retry_max_attempts=3,
        retry_initial_delay=0.01,
        retry_max_delay=0.1,
        retry_after_cap=1.0,
        rate_limit_requests_per_second=None,
        circuit_breaker_failure_threshold=5,
        circuit_breaker_timeout=1.0,
        request_timeout=10.0,
        deadline=30.0,
    ),
    "prod": ResiliencePolicy(),
}
