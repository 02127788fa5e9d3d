"""How a generated project installs this toolkit on a fresh machine: a wheel ``create`` writes.

Until ``lakehouse-appkit`` is served by a package index, ``create`` puts a
wheel of the running toolkit in the project's ``vendor/`` folder and names it
in ``requirements.txt``, followed by exact pins of every dependency as
installed here (the versions this toolkit was run with). From a source
checkout the wheel is built with ``pip wheel``; from an installed wheel it is
packed again from the installed files (``RECORD``), as ``wheel pack`` would.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
import subprocess
import sys
import tempfile
import zipfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from appkit_domain.errors import Unavailable

DISTRIBUTION = "lakehouse-appkit"
VENDOR = "vendor"
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_SKIPPED_INFO = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


def wheel_name(version: str) -> str:
    return f"lakehouse_appkit-{version}-py3-none-any.whl"


def _source_checkout() -> Path | None:
    """The checkout this toolkit runs from, when it is an editable install of one."""
    import appkit_web

    root = Path(appkit_web.__file__).resolve().parents[1]
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and f'name = "{DISTRIBUTION}"' in pyproject.read_text():
        return root
    return None


@lru_cache(maxsize=2)
def _built(version: str) -> bytes:
    """The wheel's bytes (built once per process)."""
    checkout = _source_checkout()
    if checkout is not None:
        return _pip_wheel(checkout, version)
    return _repacked(version)


def _pip_wheel(checkout: Path, version: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="appkit-wheel-") as out:
        done = subprocess.run(  # noqa: S603 - this interpreter's pip on this checkout
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--no-deps",
                "-w",
                out,
                str(checkout),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        built = Path(out) / wheel_name(version)
        if done.returncode != 0 or not built.is_file():
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise Unavailable(f"could not build the toolkit's wheel: {' / '.join(tail)}")
        return built.read_bytes()


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def _repacked(version: str) -> bytes:
    """A wheel made of the installed distribution's own files, with a fresh ``RECORD``."""
    dist = metadata.distribution(DISTRIBUTION)
    info = f"lakehouse_appkit-{version}.dist-info"
    buffer = io.BytesIO()
    rows: list[tuple[str, str, str]] = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as wheel:
        for entry in sorted(dist.files or [], key=str):
            name = str(entry)
            parts = Path(name).parts
            if name.startswith("..") or "__pycache__" in parts or name.endswith(".pyc"):
                continue
            if parts[0].endswith(".dist-info") and parts[-1] in _SKIPPED_INFO:
                continue
            data = Path(str(dist.locate_file(entry))).read_bytes()
            wheel.writestr(name, data)
            rows.append((name, _record_hash(data), str(len(data))))
        record = io.StringIO()
        csv.writer(record, lineterminator="\n").writerows([*rows, (f"{info}/RECORD", "", "")])
        wheel.writestr(f"{info}/RECORD", record.getvalue())
    return buffer.getvalue()


def write_wheel(project: Path, version: str) -> Path:
    """Write the toolkit's wheel into ``project/vendor`` and return its path."""
    target = project / VENDOR / wheel_name(version)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(_built(version))
    return target


def _requirement_name(text: str) -> str | None:
    if "extra ==" in text.replace('"', "").replace("'", ""):
        return None
    found = _NAME.match(text)
    return found.group(1) if found else None


def pinned_dependencies(root: str = DISTRIBUTION) -> list[str]:
    """``name==version`` for every installed distribution ``root`` needs, transitively."""
    seen: dict[str, str] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # not installed here: a marker excluded it on this platform
        key = dist.metadata["Name"].lower().replace("_", "-")
        if key in seen:
            continue
        seen[key] = dist.version
        for requirement in dist.requires or []:
            needed = _requirement_name(requirement)
            if needed:
                todo.append(needed)
    seen.pop(root, None)
    return [f"{name}=={version}" for name, version in sorted(seen.items())]


def installed_pin(name: str, fallback: str) -> str:
    """``name==<installed version>``, else ``name==fallback`` (a version known to work)."""
    try:
        return f"{name}=={metadata.version(name)}"
    except metadata.PackageNotFoundError:
        return f"{name}=={fallback}"
