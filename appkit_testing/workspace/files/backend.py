"""The workspace file tree: folders, files and notebooks; pure state with ``reset()``.

Paths are absolute; ``/Workspace/Users/x`` and ``/Users/x`` name the same
object (the Apps service speaks the first form, the Workspace API the
second). ``/``, ``/Users`` and ``/Shared`` always exist. A non-admin may
write only under ``/Shared`` and their own ``/Users/<name>`` folder; anyone
may read. Importing needs the parent folder to exist, as in the real service.
"""

from __future__ import annotations

import posixpath
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from appkit_testing.workspace.errors import (
    ApiError,
    already_exists,
    invalid_parameter,
    permission_denied,
    resource_missing,
)
from appkit_testing.workspace.files.notebook_formats import from_jupyter
from appkit_testing.workspace.identity.backend import Identity

ObjectType = Literal["DIRECTORY", "FILE", "NOTEBOOK"]
MAX_IMPORT_BYTES = 10 * 1024 * 1024
_ROOTS = ("/", "/Users", "/Shared")
_NOTEBOOK_HEADERS = {
    "# Databricks notebook source": "PYTHON",
    "-- Databricks notebook source": "SQL",
    "// Databricks notebook source": "SCALA",
}
_COMMENT = {"PYTHON": "#", "R": "#", "SQL": "--", "SCALA": "//"}


def notebook_source(language: str | None, content: bytes) -> bytes:
    """A notebook exported in SOURCE format: its header line, then its cells."""
    header = f"{_COMMENT.get(str(language or 'PYTHON').upper(), '#')} Databricks notebook source"
    if content.startswith(header.encode()):
        return content
    return header.encode() + b"\n" + content


@dataclass
class WorkspaceObject:
    object_id: int
    path: str
    object_type: ObjectType
    created_at: int
    modified_at: int
    content: bytes = b""
    language: str | None = None

    def to_json(self) -> dict[str, object]:
        body: dict[str, object] = {
            "object_id": self.object_id,
            "object_type": self.object_type,
            "path": self.path,
            "created_at": self.created_at,
            "modified_at": self.modified_at,
        }
        if self.object_type != "DIRECTORY":
            body["size"] = len(self.content)
        if self.language:
            body["language"] = self.language
        return body


def normalize(path: object) -> str:
    """The canonical form of ``path`` (no ``/Workspace`` prefix, no trailing slash)."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise invalid_parameter(f"Path ({path}) must be absolute (start with /).")
    clean = posixpath.normpath(path)
    if clean.startswith("//"):
        clean = "/" + clean.lstrip("/")
    if clean == "/Workspace":
        return "/"
    if clean.startswith("/Workspace/"):
        clean = clean[len("/Workspace") :]
    return clean


def _without_header(content: bytes) -> bytes:
    first, _, rest = content.partition(b"\n")
    if first.strip().decode("utf-8", errors="ignore") in _NOTEBOOK_HEADERS:
        return rest
    return content


class WorkspaceFilesBackend:
    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._objects: dict[str, WorkspaceObject] = {}
            self._next_id = 1000
            for root in _ROOTS:
                self._add(root, "DIRECTORY")

    def _now(self) -> int:
        return int(self._clock() * 1000)

    def _add(
        self, path: str, kind: ObjectType, content: bytes = b"", language: str | None = None
    ) -> WorkspaceObject:
        self._next_id += 1
        now = self._now()
        obj = WorkspaceObject(self._next_id, path, kind, now, now, content, language)
        self._objects[path] = obj
        return obj

    def _get(self, path: str) -> WorkspaceObject:
        obj = self._objects.get(path)
        if obj is None:
            raise resource_missing(f"Path ({path}) doesn't exist.")
        return obj

    def _may_write(self, caller: Identity, path: str) -> None:
        if caller.is_admin:
            return
        home = f"/Users/{caller.name}"
        if path == "/Shared" or path.startswith("/Shared/"):
            return
        if path == home or path.startswith(home + "/"):
            return
        raise permission_denied(f"{caller.name} does not have Manage permissions on {path}.")

    def mkdirs(self, path: object, caller: Identity) -> None:
        target = normalize(path)
        self._may_write(caller, target)
        with self._lock:
            parts = target.strip("/").split("/") if target != "/" else []
            current = ""
            for part in parts:
                current = f"{current}/{part}"
                existing = self._objects.get(current)
                if existing is None:
                    self._add(current, "DIRECTORY")
                elif existing.object_type != "DIRECTORY":
                    raise already_exists(
                        f"Cannot create directory {target}: {current} is a {existing.object_type.lower()}."
                    )

    def import_object(
        self,
        path: object,
        content: bytes,
        import_format: str,
        language: str | None,
        overwrite: bool,
        caller: Identity,
    ) -> WorkspaceObject:
        target = normalize(path)
        self._may_write(caller, target)
        if len(content) > MAX_IMPORT_BYTES:
            raise ApiError(400, "MAX_NOTEBOOK_SIZE_EXCEEDED", "File size imported is too large.")
        kind, language_found = self._classify(target, content, import_format, language)
        if import_format == "JUPYTER":
            language_found, content = from_jupyter(content, language)
        elif kind == "NOTEBOOK":
            content = _without_header(content)
        with self._lock:
            parent = posixpath.dirname(target)
            parent_obj = self._objects.get(parent)
            if parent_obj is None or parent_obj.object_type != "DIRECTORY":
                raise resource_missing(f"The parent folder ({parent}) does not exist.")
            existing = self._objects.get(target)
            if existing is not None:
                if existing.object_type == "DIRECTORY":
                    raise already_exists(f"Path ({target}) already exists as a directory.")
                if not overwrite:
                    raise already_exists(f"Path ({target}) already exists.")
                existing.content = content
                existing.object_type = kind
                existing.language = language_found
                existing.modified_at = self._now()
                return existing
            return self._add(target, kind, content, language_found)

    @staticmethod
    def _classify(
        path: str, content: bytes, import_format: str, language: str | None
    ) -> tuple[ObjectType, str | None]:
        if import_format in ("AUTO", "RAW"):
            head = content[:64].decode("utf-8", errors="ignore").strip()
            for header, found in _NOTEBOOK_HEADERS.items():
                if import_format == "AUTO" and head.startswith(header):
                    return "NOTEBOOK", found
            return "FILE", None
        if import_format == "JUPYTER":
            return "NOTEBOOK", language
        if import_format in ("HTML", "DBC"):
            raise invalid_parameter(f"Importing {import_format} is not supported by the emulator.")
        if import_format == "SOURCE":
            if not language:
                raise invalid_parameter(
                    f"The language field must be set to import {path} in SOURCE format."
                )
            return "NOTEBOOK", language
        raise invalid_parameter(f"Import format {import_format} is not supported here.")

    def status(self, path: object) -> WorkspaceObject:
        target = normalize(path)
        with self._lock:
            return self._get(target)

    def children(self, path: object) -> list[WorkspaceObject]:
        target = normalize(path)
        with self._lock:
            folder = self._get(target)
            if folder.object_type != "DIRECTORY":
                return [folder]
            prefix = target.rstrip("/") + "/"
            return sorted(
                (
                    obj
                    for p, obj in self._objects.items()
                    if p.startswith(prefix) and "/" not in p[len(prefix) :] and p != target
                ),
                key=lambda obj: obj.path,
            )

    def files_under(self, path: object) -> list[WorkspaceObject]:
        """Every file and notebook below ``path`` (the folder must exist)."""
        target = normalize(path)
        with self._lock:
            self._get(target)
            prefix = target.rstrip("/") + "/"
            return sorted(
                (
                    obj
                    for p, obj in self._objects.items()
                    if p.startswith(prefix) and obj.object_type != "DIRECTORY"
                ),
                key=lambda obj: obj.path,
            )

    def delete(self, path: object, recursive: bool, caller: Identity) -> None:
        target = normalize(path)
        if target in _ROOTS:
            raise invalid_parameter(f"Cannot delete {target}.")
        self._may_write(caller, target)
        with self._lock:
            obj = self._get(target)
            prefix = target + "/"
            below = [p for p in self._objects if p.startswith(prefix)]
            if obj.object_type == "DIRECTORY" and below and not recursive:
                raise ApiError(400, "DIRECTORY_NOT_EMPTY", f"Folder ({target}) is not empty.")
            for p in [target, *below]:
                del self._objects[p]
