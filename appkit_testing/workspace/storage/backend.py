"""Storage state of the workspace: the DBFS root, volume files, open DBFS write handles."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable

from appkit_testing.workspace.errors import ApiError, resource_missing
from appkit_testing.workspace.storage.tree import FileTree

MAX_BLOCK_BYTES = 1024 * 1024


class StorageBackend:
    """``dbfs`` and ``volumes`` are file trees; DBFS streaming writes go through handles
    (``create`` -> ``add_block``... -> ``close``) and land only on close."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self.dbfs = FileTree(clock=clock)
        self.volumes = FileTree(clock=clock)
        self._lock = threading.Lock()
        self._handles: dict[int, tuple[str, bool, bytearray]] = {}
        self._ids = itertools.count(1)

    def reset(self) -> None:
        self.dbfs.reset()
        self.volumes.reset()
        with self._lock:
            self._handles.clear()

    def open_handle(self, path: str, overwrite: bool) -> int:
        with self._lock:
            handle = next(self._ids)
            self._handles[handle] = (path, overwrite, bytearray())
            return handle

    def add_block(self, handle: int, data: bytes) -> None:
        if len(data) > MAX_BLOCK_BYTES:
            raise ApiError(400, "MAX_BLOCK_SIZE_EXCEEDED", "The block is larger than 1 MB.")
        with self._lock:
            found = self._handles.get(handle)
            if found is None:
                raise resource_missing(f"Handle {handle} does not exist.")
            found[2].extend(data)

    def close_handle(self, handle: int) -> tuple[str, bool, bytes]:
        with self._lock:
            found = self._handles.pop(handle, None)
        if found is None:
            raise resource_missing(f"Handle {handle} does not exist.")
        path, overwrite, data = found
        return path, overwrite, bytes(data)
