"""The route table contract every API area follows (moto's ``urls.py`` + ``responses.py`` split).

An area exposes ``routes(state) -> list[Route]``; each handler takes a
:class:`Call` (path values, query, JSON body, the authenticated caller) and
returns a JSON-able dict or a :class:`RawReply`. Handlers hold no state: they
parse, call their backend, and shape JSON.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from appkit_testing.workspace.errors import invalid_parameter

if TYPE_CHECKING:
    from appkit_testing.workspace.identity.backend import Identity

Access = Literal["user", "admin", "none"]


@dataclass(frozen=True)
class RawReply:
    """A non-JSON (or pre-encoded) answer."""

    body: bytes
    status: int = 200
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)


Reply = dict[str, Any] | RawReply


@dataclass
class Call:
    """One parsed request, as a handler sees it."""

    method: str
    path: str
    match: Mapping[str, str]
    query: Mapping[str, str]
    body: dict[str, Any]
    caller: Identity | None
    base_url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    form: Mapping[str, str] = field(default_factory=dict)
    raw: bytes = b""
    """The body as sent, when it is not JSON or a form (a file upload)."""
    files: Mapping[str, bytes] = field(default_factory=dict)
    """The file parts of a ``multipart/form-data`` body, by field name."""

    @property
    def identity(self) -> Identity:
        """The authenticated caller; only valid on routes with ``user`` or ``admin`` access."""
        if self.caller is None:
            raise RuntimeError("this route was declared without authentication")
        return self.caller

    def arg(self, name: str, default: Any = None) -> Any:
        """A value from the JSON body, then the form fields, then the query string."""
        if name in self.body:
            return self.body[name]
        if name in self.form:
            return self.form[name]
        return self.query.get(name, default)

    def required(self, name: str) -> Any:
        value = self.arg(name)
        if value is None or value == "":
            raise invalid_parameter(f"Missing required field: {name}")
        return value

    def int_arg(self, name: str, default: int | None = None) -> int | None:
        value = self.arg(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise invalid_parameter(f"{name} must be an integer, got {value!r}") from None

    def bool_arg(self, name: str, default: bool = False) -> bool:
        value = self.arg(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() == "true"


Handler = Callable[[Call], Reply] | Callable[[Call], Awaitable[Reply]]


@dataclass(frozen=True)
class Route:
    """One endpoint: ``path`` uses aiohttp's ``{name}`` placeholders.

    ``area`` groups routes in the stats; ``access`` says who may call it;
    ``faults`` says whether injected faults apply (never for the control
    surface or the host metadata).
    """

    method: str
    path: str
    handler: Handler
    area: str
    access: Access = "user"
    faults: bool = True
