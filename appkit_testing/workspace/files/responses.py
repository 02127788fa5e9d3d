"""Workspace API 2.0 routes (``/api/2.0/workspace/...``)."""

from __future__ import annotations

import base64
import binascii
import posixpath
from typing import TYPE_CHECKING

from appkit_testing.workspace.errors import invalid_parameter
from appkit_testing.workspace.files import notebook_formats
from appkit_testing.workspace.files.backend import notebook_source
from appkit_testing.workspace.routing import Call, RawReply, Reply, Route

if TYPE_CHECKING:
    from appkit_testing.workspace.state import Workspace

BASE = "/api/2.0/workspace"


def routes(workspace: Workspace) -> list[Route]:
    backend = workspace.workspace_files

    def mkdirs(call: Call) -> Reply:
        backend.mkdirs(call.required("path"), call.identity)
        return {}

    def import_object(call: Call) -> Reply:
        content = call.files.get("content")
        if content is None:
            try:
                content = base64.b64decode(str(call.arg("content") or ""), validate=True)
            except (binascii.Error, ValueError):
                raise invalid_parameter("content must be base64.") from None
        backend.import_object(
            call.required("path"),
            content,
            str(call.arg("format") or "SOURCE"),
            call.arg("language"),
            call.bool_arg("overwrite"),
            call.identity,
        )
        return {}

    def import_file(call: Call) -> Reply:
        """The Databricks CLI's upload: the raw body becomes a workspace file."""
        backend.import_object(
            "/" + call.match["path"].lstrip("/"),
            call.raw,
            "RAW",
            None,
            call.bool_arg("overwrite"),
            call.identity,
        )
        return {}

    def list_objects(call: Call) -> Reply:
        found = [obj.to_json() for obj in backend.children(call.required("path"))]
        return {"objects": found} if found else {}

    def get_status(call: Call) -> Reply:
        return backend.status(call.required("path")).to_json()

    def export(call: Call) -> Reply:
        obj = backend.status(call.required("path"))
        if obj.object_type == "DIRECTORY":
            raise invalid_parameter(f"Path ({obj.path}) is a directory; export it in DBC format.")
        content = obj.content
        wanted = str(call.arg("format") or "SOURCE").upper()
        if obj.object_type == "NOTEBOOK" and wanted == "SOURCE":
            content = notebook_source(obj.language, content)
        elif obj.object_type == "NOTEBOOK" and wanted != "AUTO":
            name = posixpath.basename(obj.path)
            content = notebook_formats.export(name, obj.language, content, wanted)
        if call.bool_arg("direct_download"):
            return RawReply(content, content_type="application/octet-stream")
        extension = posixpath.splitext(obj.path)[1].lstrip(".")
        return {"content": base64.b64encode(content).decode(), "file_type": extension}

    def delete(call: Call) -> Reply:
        backend.delete(call.required("path"), call.bool_arg("recursive"), call.identity)
        return {}

    return [
        Route("POST", f"{BASE}/mkdirs", mkdirs, "workspace"),
        Route("POST", f"{BASE}/import", import_object, "workspace"),
        Route("GET", f"{BASE}/list", list_objects, "workspace"),
        Route("POST", "/api/2.0/workspace-files/import-file/{path:.+}", import_file, "workspace"),
        Route("GET", f"{BASE}/get-status", get_status, "workspace"),
        Route("GET", f"{BASE}/export", export, "workspace"),
        Route("POST", f"{BASE}/delete", delete, "workspace"),
    ]
