"""Notebook export and import formats: SOURCE, JUPYTER, HTML and DBC.

A notebook is kept as its source cells (``# COMMAND ----------`` between
cells, in the language's comment). ``JUPYTER`` is an ``.ipynb`` document of
those cells; ``HTML`` a standalone page showing them; ``DBC`` a zip archive
holding the notebook as Databricks' JSON (``version``, ``name``,
``language``, ``commands``). ``JUPYTER`` imports back to cells; ``HTML`` and
``DBC`` are export-only here and refused on import by name.
"""

from __future__ import annotations

import html
import io
import json
import zipfile
from typing import Any

from appkit_testing.workspace.errors import invalid_parameter

EXPORT_FORMATS = ("SOURCE", "HTML", "JUPYTER", "DBC")
_COMMENT = {"PYTHON": "#", "R": "#", "SQL": "--", "SCALA": "//"}
_EXTENSION = {"PYTHON": "python", "R": "r", "SQL": "sql", "SCALA": "scala"}


def separator(language: str | None) -> str:
    return f"{_COMMENT.get(str(language or 'PYTHON').upper(), '#')} COMMAND ----------"


def cells(language: str | None, source: bytes) -> list[str]:
    """The cells of a notebook's source (header line already removed)."""
    text = source.decode("utf-8", errors="replace")
    parts = [part.strip("\n") for part in text.split(separator(language))]
    return [part for part in parts if part.strip()] or [""]


def export(name: str, language: str | None, source: bytes, export_format: str) -> bytes:
    """The notebook in ``export_format`` (SOURCE is the header line then the cells)."""
    language = str(language or "PYTHON").upper()
    found = cells(language, source)
    if export_format == "JUPYTER":
        notebook = {
            "cells": [
                {
                    "cell_type": "code",
                    "execution_count": None,
                    "metadata": {},
                    "outputs": [],
                    "source": cell.splitlines(keepends=True),
                }
                for cell in found
            ],
            "metadata": {
                "language_info": {"name": language.lower()},
                "application/vnd.databricks.v1+notebook": {
                    "notebookName": name,
                    "language": language.lower(),
                },
            },
            "nbformat": 4,
            "nbformat_minor": 0,
        }
        return json.dumps(notebook, indent=1).encode()
    if export_format == "HTML":
        body = "\n".join(
            f'<div class="cell"><pre><code>{html.escape(cell)}</code></pre></div>' for cell in found
        )
        page = (
            f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(name)}'
            f'</title></head>\n<body data-language="{language.lower()}">\n<h1>{html.escape(name)}'
            f"</h1>\n{body}\n</body></html>\n"
        )
        return page.encode()
    if export_format == "DBC":
        document = {
            "version": "NotebookV1",
            "name": name,
            "language": language.lower(),
            "commands": [
                {"version": "CommandV1", "command": cell, "position": i}
                for i, cell in enumerate(found)
            ],
        }
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            zipped.writestr(f"{name}.{_EXTENSION.get(language, 'python')}", json.dumps(document))
        return archive.getvalue()
    raise invalid_parameter(
        f"Export format {export_format} is not one of {', '.join(EXPORT_FORMATS)}."
    )


def from_jupyter(content: bytes, language: str | None) -> tuple[str, bytes]:
    """(language, source cells) of an ``.ipynb`` document."""
    try:
        notebook: dict[str, Any] = json.loads(content)
        raw_cells = notebook["cells"]
    except (ValueError, KeyError, TypeError):
        raise invalid_parameter("The content is not a Jupyter notebook (.ipynb JSON).") from None
    meta = notebook.get("metadata") or {}
    found = str(language or (meta.get("language_info") or {}).get("name") or "python").upper()
    sources = []
    for cell in raw_cells:
        text = cell.get("source", "")
        sources.append("".join(text) if isinstance(text, list) else str(text))
    joined = f"\n\n{separator(found)}\n\n".join(s.strip("\n") for s in sources)
    return found, joined.encode()
