"""``lakehouse-appkit notebook``: list, export and import workspace notebooks."""

from __future__ import annotations

import base64
from pathlib import Path

import typer

from appkit_web.cli.app import app
from appkit_web.cli.connection import workspace_client
from appkit_web.cli.output import JSON_OPTION_HELP, ExitCode, emit, fail, note, reported

notebook_app = typer.Typer(
    help="Workspace notebooks: list a folder, export (SOURCE, HTML, JUPYTER, DBC), import.\n\n"
    "Example: lakehouse-appkit notebook export /Shared/etl --format SOURCE --output etl.py",
    no_args_is_help=True,
)
app.add_typer(notebook_app, name="notebook")

JsonOption = typer.Option(False, "--json", help=JSON_OPTION_HELP)
EXPORT_FORMATS = ("SOURCE", "HTML", "JUPYTER", "DBC")
IMPORT_FORMATS = ("SOURCE", "JUPYTER", "AUTO")
LANGUAGES = ("PYTHON", "SQL", "SCALA", "R")
_SUFFIX_LANGUAGE = {".py": "PYTHON", ".sql": "SQL", ".scala": "SCALA", ".r": "R"}


@notebook_app.command("list")
def list_notebooks(
    path: str = typer.Argument("/", help="A workspace folder (default /)."),
    as_json: bool = JsonOption,
) -> None:
    """List a folder's notebooks, files and folders.

    Example: lakehouse-appkit notebook list /Shared
    """
    w = workspace_client()
    with reported(f"list {path}"):
        rows = [
            {
                "path": o.path,
                "object_type": o.object_type.value if o.object_type else None,
                "language": o.language.value if o.language else None,
                "object_id": o.object_id,
            }
            for o in w.workspace.list(path)
        ]
    emit(rows, ["path", "object_type", "language"], as_json=as_json, empty="nothing here")


@notebook_app.command("export")
def export_notebook(
    path: str = typer.Argument(..., help="The notebook's workspace path."),
    export_format: str = typer.Option(
        "SOURCE", "--format", "-f", help="SOURCE, HTML, JUPYTER or DBC."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write to this file (default: stdout; DBC needs a file)."
    ),
) -> None:
    """Export a notebook in a format; text formats go to stdout unless --output is given.

    Example: lakehouse-appkit notebook export /Shared/etl --format JUPYTER --output etl.ipynb
    """
    from databricks.sdk.service.workspace import ExportFormat

    wanted = export_format.upper()
    if wanted not in EXPORT_FORMATS:
        fail(f"notebook export: --format is one of {', '.join(EXPORT_FORMATS)}", ExitCode.USAGE)
    if wanted == "DBC" and output is None:
        fail("notebook export: a DBC archive is binary: give --output FILE", ExitCode.USAGE)
    w = workspace_client()
    with reported(f"export {path}"):
        exported = w.workspace.export(path, format=ExportFormat(wanted))
    data = base64.b64decode(exported.content or "")
    if output is None:
        typer.echo(data.decode("utf-8", errors="replace"), nl=False)
        return
    output.write_bytes(data)
    note(f"exported {path} as {wanted} to {output} ({len(data)} bytes)")


@notebook_app.command("import")
def import_notebook(
    path: str = typer.Argument(..., help="The workspace path to create."),
    file: Path = typer.Option(
        ..., "--file", help="The notebook file to import.", exists=True, dir_okay=False
    ),
    import_format: str = typer.Option("SOURCE", "--format", "-f", help="SOURCE, JUPYTER or AUTO."),
    language: str | None = typer.Option(
        None, "--language", "-l", help="PYTHON, SQL, SCALA or R (SOURCE; default from the suffix)."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing notebook."),
) -> None:
    """Import a notebook from a file.

    Example: lakehouse-appkit notebook import /Shared/etl --file etl.py
    """
    from databricks.sdk.service.workspace import ImportFormat, Language

    wanted = import_format.upper()
    if wanted not in IMPORT_FORMATS:
        fail(f"notebook import: --format is one of {', '.join(IMPORT_FORMATS)}", ExitCode.USAGE)
    chosen = (language or _SUFFIX_LANGUAGE.get(file.suffix.lower(), "")).upper()
    if wanted == "SOURCE" and chosen not in LANGUAGES:
        fail("notebook import: give --language (PYTHON, SQL, SCALA or R)", ExitCode.USAGE)
    w = workspace_client()
    with reported(f"import {path}"):
        w.workspace.import_(
            path,
            content=base64.b64encode(file.read_bytes()).decode(),
            format=ImportFormat(wanted),
            language=Language(chosen) if chosen in LANGUAGES else None,
            overwrite=overwrite,
        )
    note(f"imported {file} to {path}")
