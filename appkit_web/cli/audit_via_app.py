"""Audit commands answered by a running app, for when it holds the local engine's lock.

The app's ``GET /api/audit/verify`` runs the same verification on the same
store; the command asks it as an auditor of the app's dev directory (dev
identity trusts loopback callers' ``X-Forwarded-Email``, as a developer's
browser would send it). Any other identity mode cannot be asked this way.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from appkit_domain.errors import InvalidInput, NotFound, PermissionDenied, Unavailable

SERVING_FILE = "serving.json"
"""Written into the local data directory by ``run`` while it serves it: ``{url, pid}``."""
AUDITOR_ROLE = "auditor"


def find_running_app(data_dir: Path) -> str | None:
    """The URL ``run`` left in ``data_dir/serving.json``, or None when nothing serves it."""
    try:
        noted = json.loads((data_dir / SERVING_FILE).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(noted, dict) or not _alive(noted.get("pid")):
        return None  # left behind by a run that was killed
    url = noted.get("url")
    return url if isinstance(url, str) and url.startswith("http://") else None


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dev_auditor(settings: Any, chosen: str | None) -> str:
    """The email to ask as: ``chosen``, else the first dev-directory user with the auditor role."""
    from appkit_web.backends import container_for
    from appkit_web.settings import IdentityMode

    if settings.effective_identity is not IdentityMode.DEV:
        raise InvalidInput(
            "the running app can be asked only in dev identity mode "
            f"(APPKIT_IDENTITY is {settings.effective_identity.value})"
        )
    if chosen:
        return chosen
    container = container_for(settings)
    roles = container.role_map()
    for principal in container.backend.dev_directory().principals:
        if AUDITOR_ROLE in roles.roles_of(principal):
            return str(principal.email)
    raise NotFound("the dev directory has no user with the auditor role: pass --as EMAIL")


@dataclass(frozen=True)
class AppAudit:
    """The audit routes of the app at ``url``, asked as ``auditor``."""

    url: str
    auditor: str
    timeout: float = 60.0

    @classmethod
    def for_settings(cls, url: str, settings: Any, chosen: str | None) -> AppAudit:
        host = urlsplit(url).hostname or ""
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise InvalidInput(f"--app {url}: dev identity is trusted from this machine only")
        return cls(url.rstrip("/"), dev_auditor(settings, chosen))

    def _get(self, path: str) -> Any:
        request = urllib.request.Request(  # noqa: S310 - a loopback http URL, checked above
            self.url + path, headers={"X-Forwarded-Email": self.auditor}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            detail = _problem_detail(exc)
            if exc.code in (401, 403):
                raise PermissionDenied(f"the app at {self.url} refused: {detail}") from None
            raise Unavailable(f"the app at {self.url} answered {exc.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise Unavailable(f"cannot reach the app at {self.url}: {reason}") from None

    def verify(self) -> dict[str, Any]:
        """The app's verify report, in the shape ``audit verify --json`` prints."""
        body = self._get("/api/audit/verify")
        streams = [
            {key: s.get(key) for key in ("stream", "events", "head_seq", "head_hash", "ok")}
            for s in body.get("streams", [])
        ]
        return {"ok": body.get("ok"), "streams": streams, "first_broken": body.get("first_broken")}

    def checkpoints(self) -> list[dict[str, Any]]:
        """Every stream's head (as ``audit checkpoint`` prints it)."""
        return [
            {"stream": s["stream"], "seq": s["head_seq"], "hash": s["head_hash"]}
            for s in self.verify()["streams"]
            if s["head_hash"] is not None
        ]


def _problem_detail(error: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(error.read()).get("detail") or error.reason)
    except (ValueError, OSError, AttributeError):
        return str(error.reason)
