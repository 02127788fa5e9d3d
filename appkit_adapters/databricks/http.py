"""``DatabricksHttp``: one pooled aiohttp session per process, every call through the pipeline.

The session is created by :meth:`DatabricksHttp.start` and closed by
:meth:`DatabricksHttp.close`; a user client made with :meth:`for_user` shares
the session and the resilience pipeline (breaker, rate limit) but carries the
user's token. Auth headers are added per call and never logged. Wire errors
become domain errors through :func:`~appkit_adapters.databricks.errors.translate_error`;
connection failures and resets become ``Unavailable`` (transient). A 401 with
refreshable credentials (OAuth) is tried once more with fresh headers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from appkit_adapters.databricks.credentials import BearerToken, CredentialSource, SdkCredentials
from appkit_adapters.databricks.errors import translate_error
from appkit_adapters.resilience import ResiliencePipeline, ResiliencePolicy
from appkit_domain.audit.redaction import Redactor
from appkit_domain.errors import InvalidInput, Unauthenticated, Unavailable

log = logging.getLogger(__name__)

USER_AGENT = "lakehouse-appkit/0.1.0 aiohttp"
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

QueryValue = str | int | float | bool | None | Sequence[str | int | float | bool]


def encode_query(params: Mapping[str, QueryValue] | None) -> list[tuple[str, str]]:
    """Query pairs aiohttp accepts: booleans as ``true``/``false``, lists repeated, ``None`` dropped."""
    pairs: list[tuple[str, str]] = []
    for key, value in (params or {}).items():
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if item is None:
                continue
            if isinstance(item, bool):
                pairs.append((key, "true" if item else "false"))
            else:
                pairs.append((key, str(item)))
    return pairs


class _SharedSession:
    """The pooled session and the pipeline, shared by a client and its user views."""

    def __init__(self, pipeline: ResiliencePipeline, connection_limit: int) -> None:
        self.pipeline = pipeline
        self.connection_limit = connection_limit
        self.session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        if self.session is None or self.session.closed:
            connector = aiohttp.TCPConnector(limit=self.connection_limit, ttl_dns_cache=300)
            self.session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=30),
                cookie_jar=aiohttp.DummyCookieJar(),
                headers={"User-Agent": USER_AGENT},
            )

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None

    def require(self) -> aiohttp.ClientSession:
        if self.session is None or self.session.closed:
            raise Unavailable("the Databricks HTTP client is not started")
        return self.session


class DatabricksHttp:
    """JSON over HTTP to one workspace, as one execution identity.

    ``idempotent`` defaults to True for GET/HEAD/PUT/DELETE and False for POST
    and PATCH; pass it explicitly for POSTs that are safe to repeat (polls,
    cancels, reads submitted as statements).
    """

    def __init__(
        self,
        host: str,
        credentials: CredentialSource,
        *,
        pipeline: ResiliencePipeline | None = None,
        policy: ResiliencePolicy | None = None,
        connection_limit: int = 64,
        _shared: _SharedSession | None = None,
    ) -> None:
        if not host:
            raise InvalidInput("a workspace host is needed")
        if "://" not in host:
            host = f"https://{host}"
        self.host = host.rstrip("/")
        self.credentials = credentials
        if _shared is None:
            chosen = pipeline or ResiliencePipeline(policy or ResiliencePolicy.for_profile("prod"))
            _shared = _SharedSession(chosen, connection_limit)
        self._shared = _shared
        self._redactor = Redactor(credentials.secret_values())

    @classmethod
    def from_config(cls, config: Any, **kwargs: Any) -> DatabricksHttp:
        """A client for the identity a databricks-sdk ``Config`` resolved."""
        return cls(str(config.host), SdkCredentials(config), **kwargs)

    @property
    def pipeline(self) -> ResiliencePipeline:
        return self._shared.pipeline

    @property
    def session(self) -> aiohttp.ClientSession:
        return self._shared.require()

    async def start(self) -> None:
        """Open the pooled session (idempotent)."""
        await self._shared.start()

    async def close(self) -> None:
        """Close the pooled session; user views share it and stop working too."""
        await self._shared.close()

    async def __aenter__(self) -> DatabricksHttp:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def for_user(self, token: str) -> DatabricksHttp:
        """A view acting on behalf of a user (their token), sharing session and pipeline."""
        return DatabricksHttp(self.host, BearerToken(token), _shared=self._shared)

    def url(self, path: str) -> str:
        """Join an API path (or an absolute internal link path) to the host."""
        if path.startswith(("http://", "https://")):
            if urlsplit(path).netloc != urlsplit(self.host).netloc:
                raise InvalidInput("refusing to send credentials to another host")
            return path
        return f"{self.host}/{path.lstrip('/')}"

    async def request_json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        body: Any = None,
        idempotent: bool | None = None,
        deadline: float | None = None,
    ) -> Any:
        """Send one API call through the pipeline and return the decoded JSON (``{}`` if empty)."""
        self._shared.require()  # fail at once, not after retries, when not started
        method = method.upper()
        safe = method in _IDEMPOTENT_METHODS if idempotent is None else idempotent
        query = encode_query(params)
        payload = None if body is None else json.dumps(body, allow_nan=False).encode()

        async def attempt() -> Any:
            try:
                return await self._send(method, path, query, payload)
            except Unauthenticated:
                if not self.credentials.can_refresh:
                    raise
                # A 401 means nothing ran, so one more try with fresh credentials is safe.
                return await self._send(method, path, query, payload)

        return await self.pipeline.call(attempt, idempotent=safe, deadline=deadline)

    async def get(self, path: str, params: Mapping[str, QueryValue] | None = None) -> Any:
        return await self.request_json("GET", path, params=params)

    async def post(self, path: str, body: Any = None, *, idempotent: bool = False) -> Any:
        return await self.request_json("POST", path, body=body, idempotent=idempotent)

    async def fetch_external(self, url: str, headers: Mapping[str, str] | None = None) -> bytes:
        """Download a presigned external link: no Databricks ``Authorization``, only ``headers``.

        Idempotent, so transient failures are retried through the pipeline.
        """
        self._shared.require()
        extra = {k: v for k, v in (headers or {}).items() if k.lower() != "authorization"}

        async def attempt() -> bytes:
            operation = "GET external link"
            try:
                async with self.session.get(url, headers=extra) as response:
                    data = await response.read()
                    if response.status >= 400:
                        raise translate_error(
                            response.status,
                            data,
                            headers=response.headers,
                            reason=response.reason or "",
                            operation=operation,
                            redactor=self._redactor,
                        )
                    return data
            except aiohttp.ClientError as exc:
                raise Unavailable(
                    f"{operation} failed: {type(exc).__name__}", details={"operation": operation}
                ) from None

        result: bytes = await self.pipeline.call(attempt, idempotent=True)
        return result

    async def _send(
        self, method: str, path: str, query: list[tuple[str, str]], payload: bytes | None
    ) -> Any:
        operation = f"{method} {urlsplit(path).path or path}"
        headers = {"Accept": "application/json"}
        headers.update(await self.credentials.headers())
        if payload is not None:
            headers["Content-Type"] = "application/json"
        try:
            async with self.session.request(
                method, self.url(path), params=query or None, data=payload, headers=headers
            ) as response:
                data = await response.read()
                status = response.status
                if status >= 400:
                    if status == 401:
                        self.credentials.invalidate()
                    raise translate_error(
                        status,
                        data,
                        headers=response.headers,
                        reason=response.reason or "",
                        operation=operation,
                        redactor=self._redactor,
                        now=datetime.now(timezone.utc),
                    )
        except aiohttp.ClientError as exc:
            raise Unavailable(
                f"{operation} failed: {type(exc).__name__}", details={"operation": operation}
            ) from None
        log.debug("%s -> %d (%d bytes)", operation, status, len(data))
        if not data.strip():
            return {}
        try:
            return json.loads(data)
        except ValueError:
            raise Unavailable(
                f"{operation} returned a body that is not JSON", details={"operation": operation}
            ) from None
