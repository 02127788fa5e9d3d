"""Resilience for calls to remote dependencies: rate limit, deadline, retry, breaker, timeout."""

from appkit_adapters.resilience.breaker import (
    BreakerSnapshot,
    CircuitBreaker,
    CircuitOpen,
    CircuitState,
)
from appkit_adapters.resilience.pipeline import (
    AttemptTimedOut,
    DeadlineExceeded,
    PipelineCounters,
    ResiliencePipeline,
    is_transient,
)
from appkit_adapters.resilience.policy import PROFILES, ResiliencePolicy
from appkit_adapters.resilience.rate_limit import TokenBucket
from appkit_adapters.resilience.retry import BackoffSchedule, parse_retry_after
from appkit_adapters.resilience.timing import SystemTimer, Timer, VirtualTime

__all__ = [
    "PROFILES",
    "AttemptTimedOut",
    "BackoffSchedule",
    "BreakerSnapshot",
    "CircuitBreaker",
    "CircuitOpen",
    "CircuitState",
    "DeadlineExceeded",
    "PipelineCounters",
    "ResiliencePipeline",
    "ResiliencePolicy",
    "SystemTimer",
    "Timer",
    "TokenBucket",
    "VirtualTime",
    "is_transient",
    "parse_retry_after",
]
