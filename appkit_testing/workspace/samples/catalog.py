"""Build the samples catalog once per process and share it, read-only, with every engine.

The generated catalog is one DuckDB file in a private temporary directory, removed at
exit. Each emulated workspace attaches it read-only, so writes fail in the engine itself
(as ``samples`` is read-only on Databricks) and a reset costs nothing.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from pathlib import Path

from appkit_testing.workspace.samples.data import statements

NAME = "samples"
_lock = threading.Lock()
_built: list[Path] = []


def samples_file() -> Path:
    """The path of the generated ``samples`` catalog file (built on first use)."""
    with _lock:
        if _built:
            return _built[0]
        from appkit_adapters.local import LocalEngine

        directory = Path(tempfile.mkdtemp(prefix="appkit-samples-"))
        atexit.register(shutil.rmtree, directory, True)
        with LocalEngine(data_dir=directory) as engine:
            for statement in statements():
                engine.execute(statement, principal="system")
        path = directory / "catalogs" / f"{NAME}.duckdb"
        _built.append(path)
        return path
