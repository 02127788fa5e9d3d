"""What a request carries through the app: its id and who is calling.

The request-id and identity middlewares put a :class:`RequestContext` in the
ASGI scope's ``state`` and in context variables, so routes, logs and audit
events all see the same request id and principal.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field

from appkit_domain.principal import Principal

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "appkit_request_id", default=None
)
principal_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "appkit_principal_id", default=None
)


@dataclass
class RequestContext:
    """``principal`` is ``None`` until (unless) identity resolution found one.

    ``user_token`` is the user's OAuth token from the Apps proxy (on-behalf-of
    calls); it is never logged or recorded. ``identity_mode`` labels where the
    identity came from (``dev`` identities are labelled in everything recorded).
    """

    request_id: str
    principal: Principal | None = None
    identity_mode: str = "none"
    user_token: str | None = field(default=None, repr=False)
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_dev_identity(self) -> bool:
        return self.identity_mode == "dev"
