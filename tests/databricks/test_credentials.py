"""Credentials come from databricks-sdk's Config; a user's client never mixes in the app's identity."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from appkit_adapters.databricks.credentials import (
    BearerToken,
    SdkCredentials,
    on_behalf_of_config,
    service_principal_config,
)
from appkit_domain.errors import Unauthenticated


class _Workspace(BaseHTTPRequestHandler):
    """Host metadata, OIDC discovery and a client-credentials token endpoint."""

    issued = 0

    def log_message(self, *args: object) -> None:
        pass

    def _json(self, body: dict[str, object], status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        base = f"http://{self.headers['Host']}"
        if self.path == "/.well-known/databricks-config":
            self._json({"oidc_endpoint": f"{base}/oidc", "workspace_id": "1234567890"})
        elif self.path == "/oidc/.well-known/oauth-authorization-server":
            self._json(
                {
                    "authorization_endpoint": f"{base}/oidc/v1/authorize",
                    "token_endpoint": f"{base}/oidc/v1/token",
                }
            )
        else:
            self._json({"error_code": "NOT_FOUND"}, 404)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        form = self.rfile.read(length).decode()
        if self.path == "/oidc/v1/token" and "grant_type=client_credentials" in form:
            assert self.headers["Authorization"].startswith("Basic ")
            type(self).issued += 1
            self._json(
                {
                    "access_token": f"m2m-token-{type(self).issued}",
                    "token_type": "Bearer",
                    "expires_in": 3600,
                }
            )
        else:
            self._json({"error": "invalid_request"}, 400)


@pytest.fixture
def workspace_url() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Workspace)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    import os

    for key in list(os.environ):
        if key.startswith(("DATABRICKS_", "ARM_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", "/nonexistent/.databrickscfg")
    return monkeypatch


async def test_a_pat_config_gives_a_static_bearer_header(workspace_url: str, clean_env) -> None:
    config = service_principal_config(workspace_url, token="dapi-pat-value")
    credentials = SdkCredentials(config)
    assert credentials.auth_type == "pat"
    assert await credentials.headers() == {"Authorization": "Bearer dapi-pat-value"}
    assert "dapi-pat-value" not in repr(credentials)


async def test_apps_runtime_variables_resolve_to_oauth_m2m(
    workspace_url: str, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("DATABRICKS_HOST", workspace_url)
    clean_env.setenv("DATABRICKS_CLIENT_ID", "app-sp-id")
    clean_env.setenv("DATABRICKS_CLIENT_SECRET", "app-sp-secret")
    config = service_principal_config()
    credentials = SdkCredentials(config)
    assert credentials.auth_type == "oauth-m2m"
    headers = await credentials.headers()
    assert headers["Authorization"].startswith("Bearer m2m-token-")
    assert "app-sp-secret" in credentials.secret_values()


async def test_oauth_headers_are_cached_then_reread_after_the_cache_interval(
    workspace_url: str, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("DATABRICKS_HOST", workspace_url)
    clean_env.setenv("DATABRICKS_CLIENT_ID", "app-sp-id")
    clean_env.setenv("DATABRICKS_CLIENT_SECRET", "app-sp-secret")
    now = [0.0]
    calls = 0
    config = service_principal_config()
    original = config.authenticate

    def counting() -> dict[str, str]:
        nonlocal calls
        calls += 1
        return original()

    config.authenticate = counting  # type: ignore[method-assign]
    credentials = SdkCredentials(config, cache_seconds=30, monotonic=lambda: now[0])
    await credentials.headers()
    await credentials.headers()
    assert calls == 1
    now[0] = 31.0
    await credentials.headers()
    assert calls == 2


async def test_an_on_behalf_of_config_ignores_the_service_principals_environment(
    workspace_url: str, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("DATABRICKS_HOST", "http://127.0.0.1:1")
    clean_env.setenv("DATABRICKS_CLIENT_ID", "app-sp-id")
    clean_env.setenv("DATABRICKS_CLIENT_SECRET", "app-sp-secret")
    clean_env.setenv("DATABRICKS_TOKEN", "dapi-not-the-user")
    config = on_behalf_of_config(workspace_url, "user-obo-token")
    assert config.auth_type == "pat"
    assert not config.client_id
    assert not config.client_secret
    assert config.host == workspace_url
    assert await SdkCredentials(config).headers() == {"Authorization": "Bearer user-obo-token"}


def test_an_empty_user_token_is_unauthenticated() -> None:
    with pytest.raises(Unauthenticated):
        BearerToken("  ")
    with pytest.raises(Unauthenticated):
        on_behalf_of_config("http://127.0.0.1:1", "")


def test_unresolvable_credentials_are_unauthenticated(workspace_url: str, clean_env) -> None:
    with pytest.raises(Unauthenticated):
        service_principal_config(workspace_url, auth_type="pat")
