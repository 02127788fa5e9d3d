"""DBFS API 2.0 routes (``/api/2.0/dbfs/...``) over the workspace's DBFS file tree.

Paths may carry the ``dbfs:`` scheme. Errors use the real codes: a missing path is
``RESOURCE_DOES_NOT_EXIST`` (404), a taken one ``RESOURCE_ALREADY_EXISTS`` (400), a
non-empty folder deleted without ``recursive`` ``IO_ERROR`` (400).
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from appkit_testing.workspace.errors import ApiError, invalid_parameter, resource_missing
from appkit_testing.workspace.routing import Call, Reply, Route
from appkit_testing.workspace.storage.backend import MAX_BLOCK_BYTES
from appkit_testing.workspace.storage.tree import (
    Entry,
    NotAFile,
    NotEmpty,
    PathExists,
    PathMissing,
    clean,
)

if TYPE_CHECKING:
    from appkit_testing.workspace.state import Workspace

BASE = "/api/2.0/dbfs"


def _path(call: Call, name: str = "path") -> str:
    raw = str(call.required(name))
    if raw.startswith("dbfs:"):
        raw = raw[len("dbfs:") :]
    if not raw.startswith("/"):
        raise invalid_parameter(f"Path must be absolute: {raw}")
    return clean(raw)


def _info(entry: Entry) -> dict[str, Any]:
    return {
        "path": entry.path,
        "is_dir": entry.is_dir,
        "file_size": 0 if entry.is_dir else entry.size,
        "modification_time": entry.modified_ms,
    }


def _missing(path: str) -> ApiError:
    return resource_missing(f"No file or directory exists on path {path}.")


def _exists(path: str) -> ApiError:
    return ApiError(
        400,
        "RESOURCE_ALREADY_EXISTS",
        f"A file or directory already exists at the input path {path}.",
    )


def _decode(text: object) -> bytes:
    try:
        return base64.b64decode(str(text or ""), validate=True)
    except (binascii.Error, ValueError):
        raise invalid_parameter("data must be base64.") from None


def routes(workspace: Workspace) -> list[Route]:
    storage = workspace.storage
    tree = storage.dbfs

    def get_status(call: Call) -> Reply:
        path = _path(call)
        try:
            return _info(tree.stat(path))
        except PathMissing:
            raise _missing(path) from None

    def list_files(call: Call) -> Reply:
        path = _path(call)
        try:
            found = tree.children(path)
        except PathMissing:
            raise _missing(path) from None
        return {"files": [_info(entry) for entry in found]} if found else {}

    def mkdirs(call: Call) -> Reply:
        path = _path(call)
        try:
            tree.mkdirs(path)
        except PathExists:
            raise _exists(path) from None
        return {}

    def delete(call: Call) -> Reply:
        path = _path(call)
        try:
            tree.delete(path, recursive=call.bool_arg("recursive"), missing_ok=True)
        except NotEmpty:
            raise ApiError(
                400, "IO_ERROR", f"Directory {path} is not empty; use recursive to delete it."
            ) from None
        return {}

    def write(path: str, data: bytes, overwrite: bool) -> None:
        try:
            tree.write(path, data, overwrite=overwrite)
        except PathExists:
            raise _exists(path) from None

    def put(call: Call) -> Reply:
        path = _path(call)
        data = call.files.get("contents")
        if data is None:
            data = _decode(call.arg("contents"))
        if len(data) > MAX_BLOCK_BYTES:
            raise ApiError(
                400,
                "MAX_BLOCK_SIZE_EXCEEDED",
                "The contents are larger than 1 MB; use create, add-block and close.",
            )
        write(path, data, call.bool_arg("overwrite"))
        return {}

    def create(call: Call) -> Reply:
        path = _path(call)
        overwrite = call.bool_arg("overwrite")
        if tree.exists(path) and (not overwrite or tree.stat(path).is_dir):
            raise _exists(path)
        return {"handle": storage.open_handle(path, overwrite)}

    def handle_of(call: Call) -> int:
        handle = call.int_arg("handle")
        if handle is None:
            raise invalid_parameter("Missing required field: handle")
        return handle

    def add_block(call: Call) -> Reply:
        storage.add_block(handle_of(call), _decode(call.arg("data")))
        return {}

    def close(call: Call) -> Reply:
        path, overwrite, data = storage.close_handle(handle_of(call))
        write(path, data, overwrite)
        return {}

    def read(call: Call) -> Reply:
        path = _path(call)
        offset = call.int_arg("offset", 0) or 0
        length = call.int_arg("length", 512 * 1024) or 512 * 1024
        if offset < 0 or length < 0:
            raise invalid_parameter("offset and length must not be negative.")
        if length > MAX_BLOCK_BYTES:
            raise ApiError(400, "MAX_READ_SIZE_EXCEEDED", "length must be at most 1 MB.")
        try:
            data = tree.read(path)
        except PathMissing:
            raise _missing(path) from None
        except NotAFile:
            raise invalid_parameter(f"{path} is a directory.") from None
        chunk = data[offset : offset + length]
        return {"bytes_read": len(chunk), "data": base64.b64encode(chunk).decode()}

    def move(call: Call) -> Reply:
        source, target = _path(call, "source_path"), _path(call, "destination_path")
        try:
            tree.move(source, target)
        except PathMissing:
            raise _missing(source) from None
        except PathExists:
            raise _exists(target) from None
        return {}

    return [
        Route("GET", f"{BASE}/get-status", get_status, "dbfs"),
        Route("GET", f"{BASE}/list", list_files, "dbfs"),
        Route("POST", f"{BASE}/mkdirs", mkdirs, "dbfs"),
        Route("POST", f"{BASE}/delete", delete, "dbfs"),
        Route("POST", f"{BASE}/put", put, "dbfs"),
        Route("POST", f"{BASE}/create", create, "dbfs"),
        Route("POST", f"{BASE}/add-block", add_block, "dbfs"),
        Route("POST", f"{BASE}/close", close, "dbfs"),
        Route("GET", f"{BASE}/read", read, "dbfs"),
        Route("POST", f"{BASE}/move", move, "dbfs"),
    ]
