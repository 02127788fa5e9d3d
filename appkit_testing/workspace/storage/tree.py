"""An in-memory file system: folders and files under absolute POSIX paths; pure state.

Both DBFS and volume files are one :class:`FileTree` each. Writing a file creates its
missing parent folders, as both services do. Paths are normalised (``a//b/../c`` is
``/a/c``); the root ``/`` always exists. Thread-safe.
"""

from __future__ import annotations

import posixpath
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


class PathMissing(LookupError):
    """Nothing exists at the path."""


class PathExists(Exception):
    """Something already exists at the path (or a file stands where a folder is needed)."""


class NotEmpty(Exception):
    """The folder still has entries."""


class NotAFile(Exception):
    """The path is a folder where a file was asked for."""


@dataclass
class Entry:
    path: str
    is_dir: bool
    modified_ms: int
    data: bytes = b""

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def name(self) -> str:
        return posixpath.basename(self.path)


def clean(path: str) -> str:
    """The canonical absolute form of ``path``."""
    text = "/" + path.lstrip("/")
    normal = posixpath.normpath(text)
    return "/" if normal in ("/", "//") else normal.replace("//", "/")


class FileTree:
    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._entries: dict[str, Entry] = {"/": Entry("/", True, self._now())}

    def _now(self) -> int:
        return int(self._clock() * 1000)

    def _make_dirs(self, path: str) -> None:
        current = ""
        for part in [p for p in path.split("/") if p]:
            current = f"{current}/{part}"
            found = self._entries.get(current)
            if found is None:
                self._entries[current] = Entry(current, True, self._now())
            elif not found.is_dir:
                raise PathExists(current)

    def stat(self, path: str) -> Entry:
        with self._lock:
            found = self._entries.get(clean(path))
            if found is None:
                raise PathMissing(clean(path))
            return Entry(found.path, found.is_dir, found.modified_ms, found.data)

    def exists(self, path: str) -> bool:
        with self._lock:
            return clean(path) in self._entries

    def mkdirs(self, path: str) -> None:
        with self._lock:
            self._make_dirs(clean(path))

    def write(self, path: str, data: bytes, *, overwrite: bool) -> None:
        """Store a file; ``PathExists`` when something is there and ``overwrite`` is false
        (a folder is never overwritten)."""
        target = clean(path)
        with self._lock:
            found = self._entries.get(target)
            if found is not None and (found.is_dir or not overwrite):
                raise PathExists(target)
            self._make_dirs(posixpath.dirname(target))
            self._entries[target] = Entry(target, False, self._now(), bytes(data))

    def read(self, path: str) -> bytes:
        entry = self.stat(path)
        if entry.is_dir:
            raise NotAFile(entry.path)
        return entry.data

    def children(self, path: str) -> list[Entry]:
        """The entries directly inside a folder (sorted), or the file itself."""
        target = clean(path)
        with self._lock:
            found = self._entries.get(target)
            if found is None:
                raise PathMissing(target)
            if not found.is_dir:
                return [found]
            prefix = target.rstrip("/") + "/"
            return sorted(
                (
                    e
                    for p, e in self._entries.items()
                    if p.startswith(prefix) and p != target and "/" not in p[len(prefix) :]
                ),
                key=lambda e: e.path,
            )

    def delete(self, path: str, *, recursive: bool, missing_ok: bool = False) -> None:
        target = clean(path)
        with self._lock:
            found = self._entries.get(target)
            if found is None:
                if missing_ok:
                    return
                raise PathMissing(target)
            below = [p for p in self._entries if p.startswith(target.rstrip("/") + "/")]
            if below and not recursive:
                raise NotEmpty(target)
            for p in [*below, target]:
                if p != "/":
                    del self._entries[p]

    def move(self, source: str, destination: str) -> None:
        """Move a file or a whole folder; ``PathExists`` when the destination is taken."""
        src, dst = clean(source), clean(destination)
        with self._lock:
            if src not in self._entries:
                raise PathMissing(src)
            if dst in self._entries:
                raise PathExists(dst)
            self._make_dirs(posixpath.dirname(dst))
            moved = [p for p in self._entries if p == src or p.startswith(src + "/")]
            for p in moved:
                entry = self._entries.pop(p)
                entry.path = dst + p[len(src) :]
                self._entries[entry.path] = entry
