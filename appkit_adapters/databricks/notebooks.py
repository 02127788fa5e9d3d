"""Notebooks and folders of the workspace over REST (``/api/2.0/workspace``): list, export,
import.

Paths are absolute workspace paths; exports come back as bytes in the format
asked for (``SOURCE``, ``HTML``, ``JUPYTER`` or ``DBC``). These calls run as
whoever ``http`` authenticates as (the user, with their token, in an app).
"""

from __future__ import annotations

import base64
from typing import Any

from databricks.sdk.service.workspace import ObjectInfo

from appkit_adapters.databricks.http import DatabricksHttp
from appkit_domain.errors import InvalidInput

WORKSPACE = "/api/2.0/workspace"
EXPORT_FORMATS = ("SOURCE", "HTML", "JUPYTER", "DBC")
IMPORT_FORMATS = ("SOURCE", "JUPYTER", "AUTO")
LANGUAGES = ("PYTHON", "SQL", "SCALA", "R")
MAX_IMPORT_BYTES = 10 * 1024 * 1024


def check_path(path: str) -> str:
    if (
        not isinstance(path, str)
        or not path.startswith("/")
        or "\x00" in path
        or ".." in path.split("/")
    ):
        raise InvalidInput("a workspace path is absolute (starts with /) and has no '..'")
    return path


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    upper = str(value).upper()
    if upper not in allowed:
        raise InvalidInput(f"{what} is one of {', '.join(allowed)}")
    return upper


class Notebooks:
    def __init__(self, http: DatabricksHttp) -> None:
        self.http = http

    async def list(self, path: str = "/") -> list[dict[str, Any]]:
        """The folder's objects (folders, notebooks, files); a notebook lists itself."""
        body = await self.http.get(f"{WORKSPACE}/list", {"path": check_path(path)})
        return [ObjectInfo.from_dict(o).as_dict() for o in body.get("objects") or []]

    async def export(self, path: str, export_format: str = "SOURCE") -> bytes:
        body = await self.http.get(
            f"{WORKSPACE}/export",
            {"path": check_path(path), "format": _choice(export_format, EXPORT_FORMATS, "format")},
        )
        return base64.b64decode(str(body.get("content") or ""))

    async def import_notebook(
        self,
        path: str,
        content: bytes,
        *,
        import_format: str = "SOURCE",
        language: str | None = None,
        overwrite: bool = False,
    ) -> None:
        if len(content) > MAX_IMPORT_BYTES:
            raise InvalidInput("a notebook is at most 10 MiB")
        request: dict[str, Any] = {
            "path": check_path(path),
            "format": _choice(import_format, IMPORT_FORMATS, "format"),
            "content": base64.b64encode(content).decode(),
            "overwrite": overwrite,
        }
        if language:
            request["language"] = _choice(language, LANGUAGES, "language")
        # importing the same content again (with overwrite) leaves the same notebook
        await self.http.post(f"{WORKSPACE}/import", request, idempotent=overwrite)
