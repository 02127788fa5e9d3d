"""A statement's result, held as pre-encoded JSON chunks in bounded memory.

Each chunk is the compact JSON text of its ``data_array`` (``[[...],...]``),
written once into a spooled temporary file: small results stay in memory,
large ones roll over to disk, and serving a chunk reads only that chunk.
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass

SPOOL_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class ChunkInfo:
    chunk_index: int
    row_offset: int
    row_count: int
    byte_count: int
    offset: int

    def to_json(self) -> dict[str, int]:
        return {
            "chunk_index": self.chunk_index,
            "row_offset": self.row_offset,
            "row_count": self.row_count,
            "byte_count": self.byte_count,
        }


class ChunkStore:
    """Append-then-read chunk storage; thread-safe; ``close()`` frees it."""

    def __init__(self, directory: str | None = None) -> None:
        self._lock = threading.Lock()
        # the file lives as long as the result; close() releases it
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, dir=directory)  # noqa: SIM115
        self._size = 0
        self.chunks: list[ChunkInfo] = []
        self.total_rows = 0
        self.closed = False

    @property
    def total_bytes(self) -> int:
        return self._size

    def append(self, data: bytes, row_count: int) -> None:
        with self._lock:
            self._file.seek(self._size)
            self._file.write(data)
            info = ChunkInfo(len(self.chunks), self.total_rows, row_count, len(data), self._size)
            self.chunks.append(info)
            self._size += len(data)
            self.total_rows += row_count

    def read(self, chunk_index: int) -> bytes:
        with self._lock:
            if self.closed:
                raise LookupError("the result was released")
            info = self.chunks[chunk_index]
            self._file.seek(info.offset)
            return self._file.read(info.byte_count)

    def close(self) -> None:
        with self._lock:
            if not self.closed:
                self.closed = True
                self._file.close()
