"""Retry-After parsing and the policy's profiles and settings mapping."""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from appkit_adapters.resilience import PROFILES, ResiliencePolicy, parse_retry_after
from appkit_domain.errors import InvalidInput

NOW = datetime(2026, 1, 5, 9, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("3", 3.0), (" 1.5 ", 1.5), ("0", 0.0), ("-4", 0.0), ("", None), (None, None), ("soon", None)],
)
def test_retry_after_delta_seconds(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, NOW) == seconds


def test_retry_after_http_date_is_seconds_from_now() -> None:
    assert parse_retry_after("Mon, 05 Jan 2026 09:00:42 GMT", NOW) == 42.0


def test_retry_after_http_date_in_the_past_means_now() -> None:
    assert parse_retry_after("Mon, 05 Jan 2026 08:00:00 GMT", NOW) == 0.0


def test_each_profile_is_a_valid_policy() -> None:
    assert set(PROFILES) == {"dev", "test", "prod"}
    assert ResiliencePolicy.for_profile("test").retry_max_delay <= 0.1
    with pytest.raises(InvalidInput):
        ResiliencePolicy.for_profile("staging")


def test_settings_names_map_onto_the_policy() -> None:
    settings = SimpleNamespace(
        RETRY_MAX_ATTEMPTS=6,
        RETRY_INITIAL_DELAY=0.25,
        RETRY_MAX_DELAY=4.0,
        RATE_LIMIT_REQUESTS_PER_SECOND=9.0,
        RATE_LIMIT_BURST=12,
        CIRCUIT_BREAKER_FAILURE_THRESHOLD=7,
        CIRCUIT_BREAKER_TIMEOUT=11.0,
        REQUEST_TIMEOUT=8.0,
        DEADLINE=40.0,
    )
    policy = ResiliencePolicy.from_settings(settings, profile="dev")
    assert (policy.retry_max_attempts, policy.retry_initial_delay, policy.retry_max_delay) == (
        6,
        0.25,
        4.0,
    )
    assert (policy.rate_limit_requests_per_second, policy.rate_limit_burst) == (9.0, 12)
    assert (policy.circuit_breaker_failure_threshold, policy.circuit_breaker_timeout) == (7, 11.0)
    assert (policy.request_timeout, policy.deadline) == (8.0, 40.0)


def test_a_mapping_with_lower_case_keys_also_maps() -> None:
    policy = ResiliencePolicy.from_settings({"retry_max_attempts": 1}, profile="prod")
    assert policy.retry_max_attempts == 1
    assert policy.deadline == PROFILES["prod"].deadline


def test_an_inconsistent_policy_is_refused() -> None:
    with pytest.raises(InvalidInput):
        ResiliencePolicy(retry_initial_delay=5.0, retry_max_delay=1.0)
    with pytest.raises(InvalidInput):
        ResiliencePolicy(retry_max_attempts=0)
