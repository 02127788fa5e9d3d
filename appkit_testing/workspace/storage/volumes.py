"""Files API routes (``/api/2.0/fs/files`` and ``/api/2.0/fs/directories``) for volume paths.

Every path lies in an existing volume: ``/Volumes/<catalog>/<schema>/<volume>/...``.
Reading needs ``READ VOLUME``, writing ``WRITE VOLUME`` (with ``USE CATALOG`` and
``USE SCHEMA``), as on the real service. Downloads honour a ``Range`` header.
Multipart uploads through presigned cloud URLs are not offered: ``initiate-upload``
answers ``NOT_IMPLEMENTED`` and clients fall back to a single-request upload.
"""

from __future__ import annotations

import email.utils
import re
from typing import TYPE_CHECKING, Any

from appkit_testing.workspace.catalog.access import InsufficientPrivileges, require
from appkit_testing.workspace.catalog.grants import Securable
from appkit_testing.workspace.errors import ApiError, invalid_parameter, permission_denied
from appkit_testing.workspace.paging import paginate
from appkit_testing.workspace.routing import Call, RawReply, Reply, Route
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

FILES = "/api/2.0/fs/files"
DIRECTORIES = "/api/2.0/fs/directories"
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _not_found(path: str) -> ApiError:
    return ApiError(404, "NOT_FOUND", f"The file or directory {path} does not exist.")


def _http_date(epoch_ms: int) -> str:
    return email.utils.formatdate(epoch_ms / 1000, usegmt=True)


def routes(workspace: Workspace) -> list[Route]:
    tree = workspace.storage.volumes

    def target(call: Call, privilege: str) -> str:
        """The clean path of the request, once its volume exists and the caller may use it."""
        path = clean(call.match["path"])
        parts = path.strip("/").split("/")
        if len(parts) < 4 or parts[0] != "Volumes":
            raise invalid_parameter(
                f"Path {path} is not in a volume (/Volumes/catalog/schema/volume)."
            )
        volume = ".".join(part.lower() for part in parts[1:4])
        workspace.catalog_objects.volume(volume)
        try:
            require(workspace.grants, call.identity, privilege, Securable("VOLUME", volume))
        except InsufficientPrivileges as error:
            raise permission_denied(error.message.splitlines()[1].split(" SQLSTATE")[0]) from None
        root = "/" + "/".join(parts[:4])
        tree.mkdirs(root)  # the volume itself is always a directory
        return path

    def entry(path: str, *, folder: bool) -> Entry:
        try:
            found = tree.stat(path)
        except PathMissing:
            raise _not_found(path) from None
        if found.is_dir != folder:
            raise _not_found(path)
        return found

    def file_headers(found: Entry) -> dict[str, str]:
        return {"Last-Modified": _http_date(found.modified_ms), "Accept-Ranges": "bytes"}

    def upload(call: Call) -> Reply:
        path = target(call, "WRITE_VOLUME")
        overwrite = call.bool_arg("overwrite", default=True)
        try:
            tree.write(path, call.raw, overwrite=overwrite)
        except PathExists:
            raise ApiError(409, "ALREADY_EXISTS", f"The file {path} already exists.") from None
        return RawReply(b"", status=204)

    def initiate(call: Call) -> Reply:
        target(call, "WRITE_VOLUME")
        if call.query.get("action") == "initiate-upload":
            raise ApiError(
                501,
                "NOT_IMPLEMENTED",
                "Multipart uploads are not offered by the emulated workspace; upload in one request.",
            )
        raise invalid_parameter(f"Unknown action {call.query.get('action')!r}.")

    def download(call: Call) -> Reply:
        path = target(call, "READ_VOLUME")
        found = entry(path, folder=False)
        headers = file_headers(found)
        wanted = call.headers.get("Range") or call.headers.get("range")
        if not wanted:
            return RawReply(found.data, content_type="application/octet-stream", headers=headers)
        match = _RANGE.match(wanted.strip())
        size = found.size
        if match is None or (not match.group(1) and not match.group(2)):
            raise ApiError(416, "INVALID_PARAMETER_VALUE", f"Invalid range {wanted}.")
        if match.group(1):
            start = int(match.group(1))
            end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
        else:
            start, end = max(0, size - int(match.group(2))), size - 1
        if start >= size and size > 0:
            raise ApiError(416, "INVALID_PARAMETER_VALUE", f"Range {wanted} is past the end.")
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        return RawReply(
            found.data[start : end + 1],
            status=206,
            content_type="application/octet-stream",
            headers=headers,
        )

    def file_metadata(call: Call) -> Reply:
        path = target(call, "READ_VOLUME")
        found = entry(path, folder=False)
        headers = {**file_headers(found), "Content-Length": str(found.size)}
        return RawReply(b"", content_type="application/octet-stream", headers=headers)

    def delete_file(call: Call) -> Reply:
        path = target(call, "WRITE_VOLUME")
        entry(path, folder=False)
        tree.delete(path, recursive=False)
        return RawReply(b"", status=204)

    def create_directory(call: Call) -> Reply:
        path = target(call, "WRITE_VOLUME")
        try:
            tree.mkdirs(path)
        except PathExists:
            raise ApiError(409, "ALREADY_EXISTS", f"A file exists at {path}.") from None
        return RawReply(b"", status=204)

    def directory_metadata(call: Call) -> Reply:
        entry(target(call, "READ_VOLUME"), folder=True)
        return RawReply(b"")

    def delete_directory(call: Call) -> Reply:
        path = target(call, "WRITE_VOLUME")
        entry(path, folder=True)
        try:
            tree.delete(path, recursive=False)
        except NotEmpty:
            raise ApiError(
                400, "DIRECTORY_NOT_EMPTY", f"The directory {path} is not empty."
            ) from None
        return RawReply(b"", status=204)

    def list_directory(call: Call) -> Reply:
        path = target(call, "READ_VOLUME")
        entry(path, folder=True)
        try:
            found = tree.children(path)
        except (PathMissing, NotAFile):
            raise _not_found(path) from None
        contents: list[dict[str, Any]] = []
        for child in found:
            item: dict[str, Any] = {
                "path": child.path,
                "name": child.name,
                "is_directory": child.is_dir,
                "last_modified": child.modified_ms,
            }
            if not child.is_dir:
                item["file_size"] = child.size
            contents.append(item)
        page, token = paginate(
            contents,
            lambda item: str(item["path"]),
            call.int_arg("page_size", 1000) or 1000,
            call.query.get("page_token"),
        )
        body: dict[str, Any] = {"contents": page}
        if token:
            body["next_page_token"] = token
        return body

    file_path = FILES + "{path:/.+}"
    directory_path = DIRECTORIES + "{path:/.+}"
    return [
        Route("PUT", file_path, upload, "files"),
        Route("POST", file_path, initiate, "files"),
        Route("GET", file_path, download, "files"),
        Route("HEAD", file_path, file_metadata, "files"),
        Route("DELETE", file_path, delete_file, "files"),
        Route("PUT", directory_path, create_directory, "files"),
        Route("GET", directory_path, list_directory, "files"),
        Route("HEAD", directory_path, directory_metadata, "files"),
        Route("DELETE", directory_path, delete_directory, "files"),
    ]
