"""Pure ASGI middleware (never ``BaseHTTPMiddleware``): request id, rate limit."""

from appkit_web.middleware.rate_limit import PerPrincipalRateLimit
from appkit_web.middleware.request_id import RequestIdMiddleware

__all__ = ["PerPrincipalRateLimit", "RequestIdMiddleware"]
